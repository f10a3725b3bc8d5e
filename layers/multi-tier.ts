import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { declaresLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { resourceName } from '../lib/naming';
import { suppress } from '../lib/policy';
import { FieldProblems, renamedField } from '../lib/validators';
import { Alb, AlbAccessLogBucket, albPropProblems } from '../modules/alb';
import { AutoScalingTier, autoScalingTierPropProblems, type AutoScalingTierProps, type ScheduledScaleDown } from '../modules/auto-scaling-tier';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { KmsKey } from '../modules/kms-key';
import { LogBucket, logBucketPropProblems } from '../modules/log-bucket';
import { baseNetworkContract } from './base-network';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems, type SubZoneName } from './dns-zone';
import { autoScalingRoleArn, securityContract } from './security';

export interface MultiTierTierConfig {
  /** EC2 instance type, e.g. `t3.small`. */
  readonly instanceType: string;
  /** Auto Scaling sizes: 0 <= minSize <= desiredCapacity <= maxSize, maxSize >= 1. */
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /** Port the instances serve HTTP on. @default 80 for web, 8080 for app */
  readonly port?: number;
  /** Target-group health check path. @default '/health' */
  readonly healthCheckPath?: string;
  /** Root volume (gp3, encrypted) in GiB. @default 20 */
  readonly volumeSizeGb?: number;
  /** Average CPU the tier is scaled to. @default 50 */
  readonly cpuTargetPercent?: number;
  /** Requests per instance the tier is scaled to (ALBRequestCountPerTarget). @default 1000 */
  readonly requestsPerTarget?: number;
  /** Plain cloud-init user data, no secrets (read those from Secrets Manager at boot). @default - none */
  readonly userData?: string;
  /** Smaller sizes outside working hours, e.g. in devstg. @default - no schedule */
  readonly scheduledScaleDown?: ScheduledScaleDown;
}

export interface MultiTierConfig {
  /**
   * Name of the public web ALB in the account's sub-zone, e.g. `{ subdomain: 'web' }`: a DNS-validated ACM certificate
   * for it on the HTTPS listener and a simple alias record to the ALB. Give exactly one of `domain` and `certificateArn`.
   * @default - none (then certificateArn is required)
   */
  readonly domain?: SubZoneName;
  /**
   * An existing ACM certificate of the layer's region for the HTTPS listener (one issued outside this organisation's
   * zones). Give exactly one of `domain` and `certificateArn`. @default - none (then domain is required)
   */
  readonly certificateArn?: string;
  /** The web tier: public ALB in the public subnets, instances in the private subnets. */
  readonly web: MultiTierTierConfig;
  /** The app tier: internal ALB reachable only from the web tier, instances in the private subnets. */
  readonly app: MultiTierTierConfig;
  /** Client ranges allowed to the public ALB (HTTPS, and HTTP which only redirects). @default ['0.0.0.0/0'] */
  readonly publicIngressCidrs?: readonly string[];
  /** Certificate for an HTTPS listener on the internal app ALB. @default - HTTP on port 80 inside the VPC */
  readonly appCertificateArn?: string;
  /**
   * Deletion protection of both ALBs and `prevent_destroy` of the log buckets and the EBS key.
   * @default true in production (`isProduction`), false elsewhere
   */
  readonly protect?: boolean;
  /** Days ALB access logs are kept. @default 90 */
  readonly accessLogExpirationDays?: number;
  /** SNS topic for the tiers' alarms (e.g. the notifications layer's topic). @default - alarms without actions */
  readonly alarmTopicArn?: string;
  /** Notify the account's notification topic published by the security layer instead. Excludes alarmTopicArn. @default false */
  readonly useSecurityAlarmTopic?: boolean;
  /**
   * Create the Auto Scaling service-linked role, which the EBS key policy names, in an account without a security
   * layer (the security layer holds it otherwise, and this layer reads it from there). Leave false when the account
   * has already used Auto Scaling (the role then exists and creating it again fails). @default false
   */
  readonly createAutoScalingServiceLinkedRole?: boolean;
  /** Account whose base-network layer holds the VPC. @default this account */
  readonly networkAccount?: string;
}

export const multiTierContract = defineContract('multi-tier', {
  web_domain_name: { description: 'Name of the web ALB in the sub-zone ("" with a certificateArn from config)', mock: 'web.mock.acme.example.com' },
  web_https_listener_arn: { description: 'HTTPS listener of the web ALB (more certificates attach here, e.g. a failover origin name)', mock: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/acme-mock-web/0123456789abcdef/0123456789abcdef' },
  web_alb_arn: { description: 'ARN of the public web ALB', mock: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/acme-mock-web/0123456789abcdef' },
  web_alb_dns_name: { description: 'DNS name of the public web ALB (alias target)', mock: 'acme-mock-web-123456789.us-east-1.elb.amazonaws.com' },
  web_alb_zone_id: { description: 'Hosted zone of the public web ALB (for Route 53 aliases)', mock: 'Z35SXDOTRQ7X7K' },
  web_alb_security_group_id: { description: 'Security group of the public web ALB', mock: 'sg-0mockwebalb00000' },
  app_alb_dns_name: { description: 'DNS name of the internal app ALB', mock: 'internal-acme-mock-app-123456789.us-east-1.elb.amazonaws.com' },
  web_security_group_id: { description: 'Security group of the web instances', mock: 'sg-0mockweb0000000' },
  app_security_group_id: { description: 'Security group of the app instances', mock: 'sg-0mockapp0000000' },
  web_autoscaling_group_name: { description: 'Auto Scaling group of the web tier', mock: 'acme-mock-web' },
  app_autoscaling_group_name: { description: 'Auto Scaling group of the app tier', mock: 'acme-mock-app' },
  web_instance_role_name: { description: 'IAM role of the web instances (attach app-specific policies here)', mock: 'acme-mock-web-instance' },
  app_instance_role_name: { description: 'IAM role of the app instances (attach app-specific policies here)', mock: 'acme-mock-app-instance' },
  access_log_bucket_name: { description: 'Bucket holding the ALB access logs', mock: 'acme-mock-alb-access-logs' },
});

const TIERS = ['web', 'app'] as const;
const DEFAULT_PORTS = { web: 80, app: 8080 };

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/**
 * The classic multi-tier proposal: a web tier behind a public HTTPS ALB and an app tier behind an internal ALB,
 * both Auto Scaling groups of hardened instances over the private subnets of every AZ of base-network, each
 * security group admitting only the tier above.
 */
export class MultiTier extends LayerStack {
  static readonly contract = multiTierContract;
  /** Holds the ALB access logs. */
  static readonly stateful = true;

  /** The web ALB's name and its certificate, when `domain` is configured. */
  static dnsClaims(config: MultiTierConfig, ctx: LayerContext): DnsClaims {
    const web = config.domain ? subZoneName(ctx, config.domain) : undefined;
    if (!web) return NO_DNS_CLAIMS;
    return {
      records: [{ ...web, type: 'A', routing: 'simple', target: 'alias to the web ALB', field: 'domain.subdomain', endpoint: true }],
      certificates: [{ ...web, field: 'domain.subdomain' }],
    };
  }

  static validate(config: MultiTierConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    if ((config.domain === undefined) === (config.certificateArn === undefined)) {
      problems.add('domain', 'give exactly one of domain (a DNS-validated certificate issued here) and certificateArn');
    }
    if (config.domain) {
      for (const p of [...subZoneNameProblems('domain', config.domain, ctx), ...dnsClaimProblems(ctx, MultiTier.dnsClaims(config, ctx))]) problems.add(p.field, p.message);
    }
    if (config.certificateArn !== undefined) {
      if (typeof config.certificateArn !== 'string' || !ACM_ARN.test(config.certificateArn)) {
        problems.add('certificateArn', `"${String(config.certificateArn)}" is not an ACM certificate ARN`);
      } else if (!config.certificateArn.includes(`:acm:${ctx.region}:`)) {
        problems.add('certificateArn', `must be a certificate of ${ctx.region}, where the ALB is`);
      }
    }
    if (config.useSecurityAlarmTopic && config.alarmTopicArn !== undefined) {
      problems.add('useSecurityAlarmTopic', 'cannot be combined with alarmTopicArn: choose one topic');
    }
    if (config.createAutoScalingServiceLinkedRole && declaresLayer(ctx, securityContract)) {
      problems.add('createAutoScalingServiceLinkedRole', `the security layer of ${ctx.account.name} already holds AWSServiceRoleForAutoScaling; a second create fails`);
    }
    if (config.alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(config.alarmTopicArn)) {
      problems.add('alarmTopicArn', `"${config.alarmTopicArn}" is not an SNS topic ARN`);
    }
    if (config.appCertificateArn !== undefined && !ACM_ARN.test(config.appCertificateArn)) {
      problems.add('appCertificateArn', `"${config.appCertificateArn}" is not an ACM certificate ARN`);
    }
    // The modules' own rules, under this config's field names: each tier (AutoScalingTier), the public ALB's client
    // ranges (Alb) and the log retention (LogBucket).
    for (const tier of TIERS) {
      const t = config[tier];
      if (!t) problems.add(tier, 'is missing');
      else problems.nest(tier, autoScalingTierPropProblems({ ...tierProps(t), name: resourceName(ctx.org.project.name, ctx.account.name, tier), port: t.port ?? DEFAULT_PORTS[tier] }));
    }
    for (const p of albPropProblems({ ingressCidrs: config.publicIngressCidrs })) problems.add(p.field.replace(/^ingressCidrs/, 'publicIngressCidrs'), p.message);
    for (const p of logBucketPropProblems({ expirationDays: config.accessLogExpirationDays })) problems.add('accessLogExpirationDays', p.message);
    if (config.web && (config.web.port ?? DEFAULT_PORTS.web) === 443) {
      problems.add('web.port', 'instances serve plain HTTP behind the ALB; 443 would be confusing');
    }
    problems.check('deletionProtection', renamedField(config, 'deletionProtection', 'protect'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: MultiTierConfig) {
    super(scope, ctx);
    const protect = config.protect ?? isProduction(ctx.account);
    const network = this.remote(baseNetworkContract, { account: config.networkAccount });
    const privateSubnets = network.get('private_subnet_ids');
    // The tiers admit the Auto Scaling service-linked role to this key; it must exist first (KMS refuses unknown principals).
    const autoScalingRole = config.createAutoScalingServiceLinkedRole
      ? new IamServiceLinkedRole(this, 'autoscaling-slr', { awsServiceName: 'autoscaling.amazonaws.com' }).arn
      : autoScalingRoleArn(ctx, () => this.remote(securityContract));
    const ebsKey = new KmsKey(this, 'ebs-key', {
      alias: this.resourceName('multi-tier-ebs'),
      description: `Encrypts the root volumes of the web and app tiers of ${ctx.account.name}`,
      accountId: ctx.account.id,
      protect,
    });
    const tiers: TierWiring = {
      vpcId: network.get('vpc_id'),
      subnetIds: privateSubnets,
      ebsKmsKey: ebsKey,
      autoScalingServiceLinkedRoleArn: autoScalingRole,
      alarmTopicArn: config.useSecurityAlarmTopic ? this.remote(securityContract).get('sns_topic_arn') : config.alarmTopicArn,
    };
    const logs = this.accessLogs(config, protect);

    // The web ALB's certificate: issued and DNS-validated here for `domain`, or an existing one from config.
    const webName = config.domain ? subZoneName(ctx, config.domain) : undefined;
    const zoneId = config.domain ? this.remote(dnsZoneContract, { layer: config.domain.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id') : undefined;
    const webCertificate = webName && zoneId
      ? new DnsValidatedCertificate(this, 'web-certificate', { domainNames: [webName.name], zoneId }).arn
      : config.certificateArn!;

    // web ALB -> web instances -> app ALB -> app instances, each hop only from the security group above.
    const webAlb = new Alb(this, 'web-alb', {
      name: this.resourceName('web'),
      vpcId: tiers.vpcId,
      subnetIds: network.get('public_subnet_ids'),
      internal: false,
      certificateArn: webCertificate,
      ingressCidrs: config.publicIngressCidrs ?? ['0.0.0.0/0'],
      accessLogs: { bucket: logs, prefix: 'alb/web' },
      protect,
    });
    const web = this.tier('web', config.web, webAlb, tiers);
    const appAlb = new Alb(this, 'app-alb', {
      name: this.resourceName('app'),
      vpcId: tiers.vpcId,
      subnetIds: privateSubnets,
      internal: true,
      certificateArn: config.appCertificateArn,
      ingressSecurityGroupIds: [web.securityGroup.id],
      accessLogs: { bucket: logs, prefix: 'alb/app' },
      protect,
    });
    if (!config.appCertificateArn) {
      suppress(appAlb.listener, 'POL-ALB-002', 'internal app ALB in private subnets, reachable only from the web tier security ' +
        'group; the example org has no private CA for an internal certificate (set appCertificateArn to serve HTTPS)');
    }
    new VpcSecurityGroupEgressRule(this, 'web-to-app-alb', {
      securityGroupId: web.securityGroup.id,
      description: 'Web instances to the internal app ALB',
      ipProtocol: 'tcp',
      fromPort: appAlb.port,
      toPort: appAlb.port,
      referencedSecurityGroupId: appAlb.securityGroup.id,
    });
    const app = this.tier('app', config.app, appAlb, tiers);

    if (webName && zoneId) {
      new Route53Record(this, 'web-alias', {
        zoneId,
        name: webName.name,
        type: 'A',
        alias: { name: webAlb.dnsName, zoneId: webAlb.zoneId, evaluateTargetHealth: false },
      });
    }

    this.publish(multiTierContract, {
      web_domain_name: webName?.name ?? '',
      web_https_listener_arn: webAlb.listener.arn,
      web_alb_arn: webAlb.arn,
      web_alb_dns_name: webAlb.dnsName,
      web_alb_zone_id: webAlb.zoneId,
      web_alb_security_group_id: webAlb.securityGroup.id,
      app_alb_dns_name: appAlb.dnsName,
      web_security_group_id: web.securityGroup.id,
      app_security_group_id: app.securityGroup.id,
      web_autoscaling_group_name: web.group.name,
      app_autoscaling_group_name: app.group.name,
      web_instance_role_name: web.role.name,
      app_instance_role_name: app.role.name,
      access_log_bucket_name: logs.bucketName,
    });
  }

  /**
   * The bucket both ALBs log to, each under its own prefix (alb/web, alb/app) which the bucket policy admits; who read
   * or deleted those logs is itself logged (CKV_AWS_18), into an SSE-S3 log-target bucket.
   */
  private accessLogs(config: MultiTierConfig, protect: boolean): AlbAccessLogBucket {
    const { account, region } = this.ctx;
    const s3AccessLogs = new LogBucket(this, 's3-access-logs', {
      bucketName: this.globalName('s3-bucket', 'alb-logs-access', region),
      sourceAccountId: account.id,
      expirationDays: config.accessLogExpirationDays ?? 90,
      protect,
    });
    return new AlbAccessLogBucket(this, 'access-logs', {
      bucketName: this.globalName('s3-bucket', 'alb-access-logs', region),
      accountId: account.id,
      region,
      expirationDays: config.accessLogExpirationDays ?? 90,
      serverAccessLogs: { bucket: s3AccessLogs.bucketName, prefix: 'alb-access-logs/' },
      protect,
    });
  }

  /** One tier behind its load balancer: the ALB reaches only the tier's port, and its listener forwards there. */
  private tier(name: (typeof TIERS)[number], config: MultiTierTierConfig, alb: Alb, wiring: TierWiring): AutoScalingTier {
    const port = config.port ?? DEFAULT_PORTS[name];
    const tier = new AutoScalingTier(this, name, { ...wiring, ...tierProps(config), name: this.resourceName(name), port, loadBalancer: alb });
    alb.connectTo(name, tier.securityGroup.id, port);
    alb.listener.putDefaultAction([{ type: 'forward', targetGroupArn: tier.targetGroup.arn }]);
    return tier;
  }
}

/** What both tiers share: network, EBS key (with the role it is granted to) and alarm topic. */
type TierWiring = Pick<AutoScalingTierProps, 'vpcId' | 'subnetIds' | 'ebsKmsKey' | 'autoScalingServiceLinkedRoleArn' | 'alarmTopicArn'>;

/** The tier's own sizes and settings, as the module takes them. */
function tierProps(t: MultiTierTierConfig): Omit<Partial<AutoScalingTierProps>, 'name' | 'port'> & Pick<AutoScalingTierProps, 'instanceType' | 'minSize' | 'maxSize' | 'desiredCapacity'> {
  return {
    instanceType: t.instanceType,
    minSize: t.minSize,
    maxSize: t.maxSize,
    desiredCapacity: t.desiredCapacity,
    healthCheckPath: t.healthCheckPath,
    volumeSizeGb: t.volumeSizeGb,
    cpuTargetPercent: t.cpuTargetPercent,
    requestsPerTarget: t.requestsPerTarget,
    userData: t.userData,
    scheduledScaleDown: t.scheduledScaleDown,
  };
}
