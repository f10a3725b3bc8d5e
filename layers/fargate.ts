import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { certificateProblems, FargateCluster, type FargateServiceSpec } from '../modules/fargate-cluster';
import { serviceSpecProblems } from '../modules/fargate-service';
import { declaresLayer } from '../lib/layer-presence';
import { foundationFromSecurity, foundationProblems, OwnFoundation, type FoundationSource } from '../modules/workload-foundation';
import { baseNetworkContract } from './base-network';
import { webAclRules, type CdnWafConfig } from './cdn';
import { securityContract } from './security';

export interface FargateConfig {
  /** ACM certificate (same region) of the HTTPS listener. */
  readonly certificateArn: string;
  /** At least one service. Listener rules are evaluated in this order: list specific paths first. */
  readonly services: readonly FargateServiceSpec[];
  /** Cluster and ALB name (at most 32 characters). @default `<project>-<account>-fargate` */
  readonly name?: string;
  /** Cloud Map private DNS namespace. @default `<account>.<project>.internal` */
  readonly namespaceName?: string;
  /** Client ranges allowed to the ALB. @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /** Regional WAF: AWS managed rule groups and a per-IP rate limit. @default the CDN defaults (3 groups, 2000/5 min) */
  readonly waf?: CdnWafConfig;
  /** @default 'enabled' */
  readonly containerInsights?: 'enabled' | 'enhanced';
  /** Task log retention. @default 365 in prd, 90 elsewhere */
  readonly logRetentionDays?: number;
  /** ALB access log retention. @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Keys and alarm topic: `security-layer` uses the account's logs key and notification topic from the security
   * layer; `own` creates a key and an encrypted topic in this layer.
   * @default 'security-layer' when the account declares a security layer, otherwise 'own'
   */
  readonly foundation?: FoundationSource;
  /** Deletion protection of the ALB and log bucket. @default true in prd, false elsewhere */
  readonly protect?: boolean;
}

export const fargateContract = defineContract('fargate', {
  cluster_name: { description: 'ECS cluster name', mock: 'acme-mock-fargate' },
  cluster_arn: { description: 'ECS cluster ARN', mock: 'arn:aws:ecs:us-east-1:111111111111:cluster/acme-mock-fargate' },
  alb_name: { description: 'Internet-facing ALB name', mock: 'acme-mock-fargate' },
  alb_arn: { description: 'Internet-facing ALB ARN', mock: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/acme-mock-fargate/0123456789abcdef' },
  alb_dns_name: { description: 'ALB DNS name (alias target)', mock: 'acme-mock-fargate-123456789.us-east-1.elb.amazonaws.com' },
  alb_zone_id: { description: 'Route 53 zone id of the ALB (alias target)', mock: 'Z35SXDOTRQ7X7K' },
  alb_security_group_id: { description: 'Security group of the ALB', mock: 'sg-0mockalb00000000' },
  https_listener_arn: { description: 'HTTPS listener (add rules for more services)', mock: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/acme-mock-fargate/0123456789abcdef/0123456789abcdef' },
  web_acl_arn: { description: 'Regional WAF web ACL associated with the ALB', mock: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/acme-mock-fargate/00000000-0000-0000-0000-000000000000' },
  service_names: { description: 'ECS service names, in config order', mock: ['api'] },
  service_security_group_ids: { description: 'Security groups of the services, in config order (allow them on databases)', mock: ['sg-0mocksvc00000000'] },
  namespace_id: { description: 'Cloud Map private DNS namespace id', mock: 'ns-mock0000000000' },
  namespace_name: { description: 'Cloud Map namespace name (`<service>.<namespace>` resolves in the VPC)', mock: 'mock.acme.internal' },
  alarm_topic_arn: { description: 'SNS topic the alarms notify', mock: 'arn:aws:sns:us-east-1:111111111111:acme-mock-notifications' },
});

/**
 * The operational system: hardened Fargate services behind an internet-facing, WAF-protected HTTPS ALB, with
 * service discovery, autoscaling and alarms, in the account's VPC from base-network.
 */
export class Fargate extends LayerStack {
  static readonly contract = fargateContract;

  static validate(config: FargateConfig): FieldProblem[] {
    const problems: FieldProblem[] = [...certificateProblems(config.certificateArn)];
    if (config.services.length === 0) problems.push({ field: 'services', message: 'needs at least one service' });
    const names = new Set<string>();
    config.services.forEach((spec, i) => {
      if (names.has(spec.name)) problems.push({ field: `services[${i}].name`, message: `"${spec.name}" is used twice` });
      names.add(spec.name);
      problems.push(...serviceSpecProblems(spec, `services[${i}]`));
    });
    if (config.name !== undefined && config.name.length > 32) problems.push({ field: 'name', message: `"${config.name}" is longer than the 32 characters an ALB name allows` });
    problems.push(...foundationProblems(config.foundation));
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: FargateConfig) {
    super(scope, ctx);
    const prd = ctx.account.environment === 'prd';
    const name = config.name ?? this.resourceName('fargate');
    const network = this.remote(baseNetworkContract);
    const source = config.foundation ?? (declaresLayer(ctx, securityContract) ? 'security-layer' : 'own');
    const foundation = source === 'security-layer'
      ? foundationFromSecurity(this.remote(securityContract))
      : new OwnFoundation(this, 'foundation', { name, accountId: ctx.account.id, region: ctx.region });

    const platform = new FargateCluster(this, 'platform', {
      name,
      accountId: ctx.account.id,
      region: ctx.region,
      vpcId: network.get('vpc_id'),
      publicSubnetIds: network.get('public_subnet_ids'),
      privateSubnetIds: network.get('private_subnet_ids'),
      certificateArn: config.certificateArn,
      logKmsKeyArn: foundation.logsKeyArn,
      logRetentionDays: config.logRetentionDays ?? (prd ? 365 : 90),
      alarmTopicArn: foundation.alarmTopicArn,
      namespaceName: config.namespaceName ?? `${ctx.account.name}.${ctx.org.project.name}.internal`,
      webAclRules: webAclRules(name, config.waf),
      ingressCidrs: config.ingressCidrs,
      containerInsights: config.containerInsights,
      accessLogExpirationDays: config.accessLogExpirationDays,
      protect: config.protect ?? prd,
      services: config.services,
    });

    this.publish(fargateContract, {
      cluster_name: platform.cluster.name,
      cluster_arn: platform.cluster.arn,
      alb_name: platform.alb.lb.name,
      alb_arn: platform.alb.arn,
      alb_dns_name: platform.alb.dnsName,
      alb_zone_id: platform.alb.zoneId,
      alb_security_group_id: platform.alb.securityGroup.id,
      https_listener_arn: platform.alb.listener.arn,
      web_acl_arn: platform.webAcl.arn,
      service_names: platform.services.map((s) => s.service.name),
      service_security_group_ids: platform.services.map((s) => s.securityGroup.id),
      namespace_id: platform.namespace.id,
      namespace_name: platform.namespace.name,
      alarm_topic_arn: foundation.alarmTopicArn,
    });
  }
}
