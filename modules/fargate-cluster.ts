import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, cidrBlock, FieldProblems, logRetentionDays, positiveInteger } from '../lib/validators';
import { Alb, AlbAccessLogBucket } from './alb';
import { FargateService, type FargateServiceProps } from './fargate-service';
import { MetricAlarm } from './metric-alarm';
import { refuseProblems } from './prop-problems';

/** An ACM certificate ARN: the HTTPS listener cannot exist without one. */
export function certificateProblems(arn: string): FieldProblem[] {
  return /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(arn)
    ? []
    : [{ field: 'certificateArn', message: `"${arn}" is not an ACM certificate ARN (HTTPS is mandatory)` }];
}

/** One service of a FargateCluster: what differs per service; the cluster supplies network, keys and routing. */
export type FargateServiceSpec = Omit<FargateServiceProps,
  'namePrefix' | 'region' | 'accountId' | 'clusterArn' | 'clusterName' | 'vpcId' | 'subnetIds' | 'logKmsKeyArn'
  | 'routing' | 'namespaceId' | 'alarmTopicArn' | 'logRetentionDays'> & {
  /** Path patterns routed to the service; rules are evaluated in service order. @default ['/*'] */
  readonly pathPatterns?: readonly string[];
  /** @default - any host */
  readonly hostHeaders?: readonly string[];
  /** Keep the service off the load balancer (workers, internal APIs reached through Cloud Map). @default false */
  readonly internalOnly?: boolean;
};

export interface FargateClusterProps {
  /** Prefix of every name (ALB at most 32 characters), e.g. `acme-apps-prd-fargate`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Subnets of the internet-facing ALB. */
  readonly publicSubnetIds: string[];
  /** Subnets of the tasks (no public IPs). */
  readonly privateSubnetIds: string[];
  /** ACM certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** Key of the task log groups (its policy must admit CloudWatch Logs). */
  readonly logKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Topic of every alarm. */
  readonly alarmTopicArn: string;
  /** Private DNS namespace for service discovery, e.g. `apps-prd.acme.internal`. */
  readonly namespaceName: string;
  /** Rules of the regional WAF web ACL (AWS managed groups and a rate limit). */
  readonly webAclRules: Wafv2WebAclRule[];
  /** Client ranges allowed to the ALB. @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /** @default 'enabled' */
  readonly containerInsights?: 'enabled' | 'enhanced';
  /** @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Name of the bucket receiving the ALB access logs. Bucket names are global across AWS customers: derive it with
   * LayerStack.globalName (it carries the account id). @default `<name>-alb-logs`
   */
  readonly accessLogBucketName?: string;
  /** ALB deletion protection and prevent_destroy of the log bucket. @default true */
  readonly protect?: boolean;
  readonly services: readonly FargateServiceSpec[];
}

/**
 * Problems of the cluster's own props that need no AWS, by prop name (each service is checked by FargateService).
 * References (tokens) are left to Terraform.
 */
export function fargateClusterPropProblems(props: Partial<FargateClusterProps>): FieldProblem[] {
  const problems = new FieldProblems();
  // The ALB and the WAF web ACL take the name; an ALB name is at most 32 characters.
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, described: 'letters, digits and inner dashes (an ALB name)' }));
  }
  if (props.certificateArn !== undefined && !Token.isUnresolved(props.certificateArn)) {
    for (const p of certificateProblems(props.certificateArn)) problems.add(p.field, p.message);
  }
  if (props.logRetentionDays !== undefined) problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays));
  if (props.accessLogExpirationDays !== undefined) problems.check('accessLogExpirationDays', positiveInteger(props.accessLogExpirationDays));
  (props.ingressCidrs ?? []).forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr)) problems.check(`ingressCidrs[${i}]`, cidrBlock(cidr));
  });
  const names = (props.services ?? []).map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) problems.add('services', `service "${twice}" is listed twice`);
  return problems.list;
}

/**
 * An ECS cluster with Container Insights, a Cloud Map private namespace and an internet-facing ALB (HTTPS only,
 * TLS 1.2+, HTTP redirects, invalid headers dropped, access logs, regional WAF web ACL, 5xx alarm) in front of
 * hardened Fargate services. Used by the fargate layer and by the developer platform.
 */
export class FargateCluster extends Construct {
  readonly cluster: EcsCluster;
  readonly alb: Alb;
  readonly webAcl: Wafv2WebAcl;
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  readonly accessLogBucket: AlbAccessLogBucket;
  readonly services: FargateService[];

  constructor(scope: Construct, id: string, props: FargateClusterProps) {
    super(scope, id);
    refuseProblems(scope, id, fargateClusterPropProblems(props));
    const protect = props.protect ?? true;
    this.cluster = new EcsCluster(this, 'cluster', {
      name: props.name,
      setting: [{ name: 'containerInsights', value: props.containerInsights ?? 'enabled' }],
    });
    new EcsClusterCapacityProviders(this, 'capacity', {
      clusterName: this.cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }],
    });
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, 'namespace', {
      name: props.namespaceName,
      description: `Service discovery of ${props.name}`,
      vpc: props.vpcId,
    });

    // ALB access logs only support SSE-S3 on the target bucket (not SSE-KMS): see AlbAccessLogBucket. The ALB
    // writes under `alb/`, which the bucket policy admits, and waits for that policy.
    this.accessLogBucket = new AlbAccessLogBucket(this, 'access-logs', {
      bucketName: props.accessLogBucketName ?? `${props.name}-alb-logs`,
      accountId: props.accountId,
      region: props.region,
      expirationDays: props.accessLogExpirationDays,
      protect,
    });
    this.alb = new Alb(this, 'alb', {
      name: props.name,
      vpcId: props.vpcId,
      subnetIds: props.publicSubnetIds,
      internal: false,
      certificateArn: props.certificateArn,
      ingressCidrs: props.ingressCidrs ?? ['0.0.0.0/0'],
      accessLogs: { bucket: this.accessLogBucket, prefix: 'alb' },
      protect,
    });

    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      name: props.name,
      description: `Protects the load balancer of ${props.name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: props.webAclRules,
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: props.name, sampledRequestsEnabled: true },
    });
    new Wafv2WebAclAssociation(this, 'web-acl-association', { resourceArn: this.alb.arn, webAclArn: this.webAcl.arn });
    // WAF writes only to log groups named aws-waf-logs-*; credentials and cookies are redacted from the records.
    const wafLogs = new CloudwatchLogGroup(this, 'web-acl-logs', {
      name: `aws-waf-logs-${props.name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'web-acl-logging', {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [wafLogs.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
    });

    new MetricAlarm(this, 'alb-5xx', {
      name: `${props.name}-alb-5xx`,
      description: `5xx answers generated by the load balancer of ${props.name} (no healthy target, timeouts)`,
      metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', dimensions: { LoadBalancer: this.alb.arnSuffix }, statistic: 'Sum' },
      threshold: 10,
      alarmTopicArn: props.alarmTopicArn,
    });

    let priority = 0;
    this.services = props.services.map((spec) => {
      const { pathPatterns, hostHeaders, internalOnly, ...service } = spec;
      priority += 10;
      return new FargateService(this, `service-${spec.name}`, {
        ...service,
        namePrefix: props.name,
        region: props.region,
        accountId: props.accountId,
        clusterArn: this.cluster.arn,
        clusterName: this.cluster.name,
        vpcId: props.vpcId,
        subnetIds: props.privateSubnetIds,
        logKmsKeyArn: props.logKmsKeyArn,
        logRetentionDays: props.logRetentionDays,
        alarmTopicArn: props.alarmTopicArn,
        namespaceId: this.namespace.id,
        routing: internalOnly ? undefined : { alb: this.alb, priority, pathPatterns, hostHeaders },
      });
    });
  }
}
