import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems } from '../lib/validators';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { certificateProblems, FargateCluster, fargateClusterPropProblems, type FargateServiceSpec } from '../modules/fargate-cluster';
import { executionRoleName, serviceSpecProblems, type SecretKeyRef } from '../modules/fargate-service';
import type { RemoteReader } from '../lib/layer-ref';
import { declaresLayer } from '../lib/layer-presence';
import { foundationFromSecurity, foundationProblems, OwnFoundation, type FoundationSource } from '../modules/workload-foundation';
import { baseNetworkContract } from './base-network';
import { wafConfigProblems, webAclRules, type CdnWafConfig } from './cdn';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, domainNameProblem, subZoneName, subZoneNameProblems, type SubZoneName } from './dns-zone';
import { resourceName, roleArn } from '../lib/naming';
import { isRegistryImage, registryImageProblems, resolveRegistryImage, type RegistryImage } from './registry-images';
import { isSecretRef, resolveContainerSecrets, secretRefProblems, type SecretReader, type SecretRef } from './secrets';
import { securityContract } from './security';

/**
 * A service of the layer: the module's spec, whose image may name a repository of the organisation's container
 * registry and whose secrets may name secrets of the account's secrets layer.
 */
export type FargateServiceConfig = Omit<FargateServiceSpec, 'image' | 'secrets'> & {
  /**
   * `fromRegistry('acme/api', '1.4.2')`: an image of the organisation's container-registry layer, whose URL is read
   * from that layer (which then runs first); or an image URI outside the organisation (a public registry).
   */
  readonly image: string | RegistryImage;
  /**
   * Variables filled from Secrets Manager: `fromSecrets('api/database')` (a secret of this account's secrets layer,
   * optionally one JSON key of it), or a secret ARN / `{ secretArn, jsonKey }` for secrets outside the organisation.
   * The execution role may read exactly these and decrypt with their keys. @default {}
   */
  readonly secrets?: Readonly<Record<string, string | SecretKeyRef | SecretRef>>;
};

export interface FargateConfig {
  /**
   * Name of the ALB in the account's sub-zone, e.g. `{ subdomain: 'ops' }`: a DNS-validated ACM certificate for it on
   * the HTTPS listener and a simple alias record to the ALB. Give exactly one of `domain` and `certificateArn`.
   * @default - none (then certificateArn is required)
   */
  readonly domain?: SubZoneName;
  /**
   * An existing ACM certificate of the layer's region (issued outside this organisation's zones). Give exactly one of
   * `domain` and `certificateArn`. @default - none (then domain is required)
   */
  readonly certificateArn?: string;
  /** At least one service. Listener rules are evaluated in this order: list specific paths first. */
  readonly services: readonly FargateServiceConfig[];
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
  /** Task and WAF log retention, one of the retentions CloudWatch Logs accepts. @default 365 in production, 90 elsewhere */
  readonly logRetentionDays?: number;
  /** ALB access log retention. @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Keys and alarm topic: `security-layer` uses the account's logs key and notification topic from the security
   * layer; `own` creates a key and an encrypted topic in this layer.
   * @default 'security-layer' when the account declares a security layer, otherwise 'own'
   */
  readonly foundation?: FoundationSource;
  /** Deletion protection of the ALB and `prevent_destroy` of its log bucket. @default true in production (`isProduction`), false elsewhere */
  readonly protect?: boolean;
}

export const fargateContract = defineContract('fargate', {
  domain_name: { description: 'Name of the ALB in the sub-zone ("" with a certificateArn from config)', mock: 'ops.mock.acme.example.com' },
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

  /** The ALB's name and its certificate, when `domain` is configured. */
  static dnsClaims(config: FargateConfig, ctx: LayerContext): DnsClaims {
    const alb = config.domain ? subZoneName(ctx, config.domain) : undefined;
    if (!alb) return NO_DNS_CLAIMS;
    return {
      records: [{ ...alb, type: 'A', routing: 'simple', target: 'alias to the fargate ALB', field: 'domain.subdomain', endpoint: true }],
      certificates: [{ ...alb, field: 'domain.subdomain' }],
    };
  }

  /** The execution role of each service referencing a secret of the secrets layer (named as FargateService names it). */
  static secretReaders(config: FargateConfig, ctx: LayerContext): SecretReader[] {
    const prefix = config.name ?? resourceName(ctx.org.project.name, ctx.account.name, 'fargate');
    return config.services.flatMap((spec, i) => Object.entries(spec.secrets ?? {}).filter(([, v]) => isSecretRef(v)).map(([name, v]) => ({
      ref: v as SecretRef,
      principalArn: roleArn(ctx.account.id, executionRoleName(prefix, spec.name)),
      field: `services[${i}].secrets.${name}`,
    })));
  }

  static validate(config: FargateConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if ((config.domain === undefined) === (config.certificateArn === undefined)) {
      problems.push({ field: 'domain', message: 'give exactly one of domain (a DNS-validated certificate issued here) and certificateArn' });
    }
    if (config.certificateArn !== undefined) problems.push(...certificateProblems(config.certificateArn));
    if (config.domain) {
      problems.push(...subZoneNameProblems('domain', config.domain, ctx), ...dnsClaimProblems(ctx, Fargate.dnsClaims(config, ctx)));
    }
    if (config.services.length === 0) problems.push({ field: 'services', message: 'needs at least one service' });
    const names = new Set<string>();
    config.services.forEach((spec, i) => {
      if (names.has(spec.name)) problems.push({ field: `services[${i}].name`, message: `"${spec.name}" is used twice` });
      names.add(spec.name);
      const literal = Object.fromEntries(Object.entries(spec.secrets ?? {}).filter(([, v]) => !isSecretRef(v))) as Record<string, string | SecretKeyRef>;
      const image = isRegistryImage(spec.image) ? `${spec.image.registryRepository}:${spec.image.tag}` : spec.image;
      problems.push(...serviceSpecProblems({ ...spec, image, secrets: literal }, `services[${i}]`));
      if (isRegistryImage(spec.image)) problems.push(...registryImageProblems(ctx, `services[${i}].image`, spec.image));
      for (const [name, value] of Object.entries(spec.secrets ?? {})) {
        if (isSecretRef(value)) problems.push(...secretRefProblems(ctx, `services[${i}].secrets.${name}`, value));
      }
    });
    problems.push(...foundationProblems(config.foundation));
    const checks = new FieldProblems().nest('waf', wafConfigProblems(config.waf));
    // The cluster module's rules for the fields this config passes through, under the same names.
    const cluster = fargateClusterPropProblems({
      name: config.name, logRetentionDays: config.logRetentionDays, accessLogExpirationDays: config.accessLogExpirationDays, ingressCidrs: config.ingressCidrs,
    });
    for (const p of cluster) checks.add(p.field, p.message);
    if (config.namespaceName !== undefined) checks.check('namespaceName', domainNameProblem(config.namespaceName));
    return [...problems, ...checks.list];
  }

  constructor(scope: Construct, ctx: LayerContext, config: FargateConfig) {
    super(scope, ctx);
    const prd = isProduction(ctx.account);
    const name = config.name ?? this.resourceName('fargate');
    const network = this.remote(baseNetworkContract);
    const source = config.foundation ?? (declaresLayer(ctx, securityContract) ? 'security-layer' : 'own');
    const foundation = source === 'security-layer'
      ? foundationFromSecurity(this.remote(securityContract))
      : new OwnFoundation(this, 'foundation', { name, accountId: ctx.account.id, region: ctx.region });

    // The listener's certificate: issued and DNS-validated here for `domain`, or an existing one from config.
    const albName = config.domain ? subZoneName(ctx, config.domain) : undefined;
    const zoneId = config.domain ? this.remote(dnsZoneContract, { layer: config.domain.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id') : undefined;
    const certificateArn = albName && zoneId
      ? new DnsValidatedCertificate(this, 'certificate', { domainNames: [albName.name], zoneId }).arn
      : config.certificateArn!;

    const platform = new FargateCluster(this, 'platform', {
      name,
      accessLogBucketName: this.globalName('s3-bucket', ctx.layer, 'alb-logs'),
      accountId: ctx.account.id,
      region: ctx.region,
      vpcId: network.get('vpc_id'),
      publicSubnetIds: network.get('public_subnet_ids'),
      privateSubnetIds: network.get('private_subnet_ids'),
      certificateArn,
      logKmsKeyArn: foundation.logsKeyArn,
      logRetentionDays: config.logRetentionDays ?? (prd ? 365 : 90),
      alarmTopicArn: foundation.alarmTopicArn,
      namespaceName: config.namespaceName ?? `${ctx.account.name}.${ctx.org.project.name}.internal`,
      webAclRules: webAclRules(name, config.waf),
      ingressCidrs: config.ingressCidrs,
      containerInsights: config.containerInsights,
      accessLogExpirationDays: config.accessLogExpirationDays,
      protect: config.protect ?? prd,
      services: config.services.map((spec) => this.resolveService(spec)),
    });

    if (albName && zoneId) {
      new Route53Record(this, 'alias', {
        zoneId,
        name: albName.name,
        type: 'A',
        alias: { name: platform.alb.dnsName, zoneId: platform.alb.zoneId, evaluateTargetHealth: false },
      });
    }

    this.publish(fargateContract, {
      domain_name: albName?.name ?? '',
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

  /**
   * A service spec whose registry image is a URI read from the registry layer (the execution role may pull exactly
   * that repository) and whose secrets-layer references are ARNs (the execution role may decrypt with their key).
   */
  private resolveService(spec: FargateServiceConfig): FargateServiceSpec {
    const read: RemoteReader = (contract, options) => this.remote(contract, options);
    const image = isRegistryImage(spec.image) ? resolveRegistryImage(this.ctx, spec.image, read) : undefined;
    const secrets = resolveContainerSecrets(this.ctx, spec.secrets ?? {}, read);
    return {
      ...spec,
      image: image?.image ?? (spec.image as string),
      imageRepositoryArn: image?.repositoryArn ?? spec.imageRepositoryArn,
      secrets: secrets.secrets,
      secretsKmsKeyArns: [...new Set([...(spec.secretsKmsKeyArns ?? []), ...secrets.kmsKeyArns])],
    };
  }
}
