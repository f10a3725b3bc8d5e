import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Lazy, Token, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, cidrBlock, FieldProblems, integerBetween, port } from '../lib/validators';
import { bucketBaseline } from './bucket-baseline';
import { BUCKET_DELIVERY_ACTIONS } from './perms';
import { denyInsecureTransport, oneOrMany, policyDocument, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';

/** TLS 1.2 minimum with TLS 1.3 preferred: the current recommended ELB policy (CKV_AWS_103). */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface AlbProps {
  /** Load balancer name, at most 32 characters. */
  readonly name: string;
  readonly vpcId: string;
  /** Public subnets for an internet-facing ALB, private subnets for an internal one (one per AZ). */
  readonly subnetIds: string[];
  /** Internal (private) or internet-facing. */
  readonly internal: boolean;
  /**
   * ACM certificate of the HTTPS listener on 443. Required for an internet-facing ALB, which then also gets
   * an HTTP listener on 80 that only redirects to HTTPS. @default - internal ALB listens with HTTP on `httpPort`
   */
  readonly certificateArn?: string;
  /** @default DEFAULT_SSL_POLICY (TLS 1.2+) */
  readonly sslPolicy?: string;
  /** Port of the plain-HTTP listener of an internal ALB without certificate. @default 80 */
  readonly httpPort?: number;
  /** Client ranges allowed to reach the listeners. @default [] (internet-facing callers usually pass ['0.0.0.0/0']) */
  readonly ingressCidrs?: readonly string[];
  /** Security groups allowed to reach the listeners (the tier above). @default [] */
  readonly ingressSecurityGroupIds?: readonly string[];
  /** Where access logs go (CKV_AWS_91). @default - no access logs */
  readonly accessLogs?: AlbAccessLogs;
  /** Deletion protection: ELB refuses to delete the load balancer (CKV_AWS_150). @default true */
  readonly protect?: boolean;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Where the main listener sends requests no rule matches. @default - fixed 404 response */
  readonly defaultTargetGroupArn?: string;
  /**
   * Resources the load balancer waits for. `node.addDependency` does not render a Terraform `depends_on`; this does.
   * The policy of an `AlbAccessLogBucket` given in `accessLogs` is added by itself. @default []
   */
  readonly dependsOn?: ITerraformDependable[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Access logs of a load balancer. */
export interface AlbAccessLogs {
  /**
   * An `AlbAccessLogBucket` (the usual case): its policy then admits ELB log delivery under this load balancer's
   * prefix, and the load balancer waits for that policy (ELB checks it may write when logging is switched on). Or
   * the name of an existing SSE-S3 bucket whose policy already admits `<prefix>/AWSLogs/<account-id>/`.
   */
  readonly bucket: AlbAccessLogBucket | string;
  /**
   * Key prefix: letters, digits and `! - _ . * ' ( ) /`, never `AWSLogs`, no leading or trailing `/` (ELB appends
   * `/AWSLogs/<account-id>/elasticloadbalancing/<region>/...`). @default the bucket's `prefix` for an
   * `AlbAccessLogBucket`, none (the bucket root) for a bucket name
   */
  readonly prefix?: string;
}

/** Problems of an access-log prefix, as ELB refuses them (`InvalidConfigurationRequest`). */
export function accessLogPrefixProblems(prefix: string): string[] {
  const problems: string[] = [];
  if (prefix.includes('AWSLogs')) problems.push('must not contain AWSLogs (ELB adds it)');
  if (prefix.startsWith('/') || prefix.endsWith('/')) problems.push('must not start or end with /');
  if (!/^[A-Za-z0-9!_.*'()/-]*$/.test(prefix)) problems.push("may hold only letters, digits and ! - _ . * ' ( ) /");
  return problems;
}

/** Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform. */
export function albPropProblems(props: Partial<AlbProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    // The security group is `<name>-alb`; the load balancer name itself is the tighter rule.
    problems.check('name', awsName(props.name, { maxLength: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, described: 'letters, digits and inner dashes' }));
    if (props.name.startsWith('internal-')) problems.add('name', `"${props.name}" must not start with internal- (ELB reserves it)`);
  }
  if (props.internal === false && props.certificateArn === undefined) {
    problems.add('certificateArn', 'an internet-facing load balancer needs a certificate (HTTPS only)');
  }
  if (props.httpPort !== undefined) problems.check('httpPort', port(props.httpPort));
  if (props.idleTimeoutSeconds !== undefined) problems.check('idleTimeoutSeconds', integerBetween(props.idleTimeoutSeconds, 1, 4000, 'seconds'));
  (props.ingressCidrs ?? []).forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr)) problems.check(`ingressCidrs[${i}]`, cidrBlock(cidr));
  });
  const prefix = props.accessLogs?.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix)) {
    for (const message of accessLogPrefixProblems(prefix)) problems.add('accessLogs.prefix', `"${prefix}" ${message}`);
  }
  return problems.list;
}

/**
 * An application load balancer with its own security group: HTTPS with a TLS 1.2+ policy (HTTP only redirects)
 * when a certificate is given, invalid header fields dropped (CKV_AWS_131), access logs, and no egress until a
 * target is connected with `connectTo`, so each tier is reachable only from the tier above.
 */
export class Alb extends Construct {
  readonly lb: Lb;
  readonly securityGroup: SecurityGroup;
  /** The listener carrying traffic (HTTPS 443, or HTTP `httpPort` on an internal ALB without certificate). */
  readonly listener: LbListener;
  /** Port and protocol of `listener`. */
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly arn: string;
  readonly arnSuffix: string;
  readonly dnsName: string;
  readonly zoneId: string;
  private readonly provider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: AlbProps) {
    super(scope, id);
    refuseProblems(scope, id, albPropProblems(props));
    const provider = props.provider;
    this.provider = provider;
    this.protocol = props.certificateArn ? 'HTTPS' : 'HTTP';
    this.port = props.certificateArn ? 443 : props.httpPort ?? 80;
    const logs = props.accessLogs ? accessLogTarget(props.accessLogs) : undefined;
    const waitFor = [...(props.dependsOn ?? []), ...(logs?.policy ? [logs.policy] : [])];

    this.securityGroup = new SecurityGroup(this, 'sg', {
      provider,
      name: `${props.name}-alb`,
      description: `Load balancer ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-alb` },
      lifecycle: { createBeforeDestroy: true },
    });
    const ports = props.certificateArn && !props.internal ? [443, 80] : [this.port];
    for (const port of ports) {
      (props.ingressCidrs ?? []).forEach((cidr, i) => {
        new VpcSecurityGroupIngressRule(this, `in-${port}-cidr-${i}`, {
          provider,
          securityGroupId: this.securityGroup.id,
          description: `Clients to ${props.name} on ${port}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
      (props.ingressSecurityGroupIds ?? []).forEach((sg, i) => {
        new VpcSecurityGroupIngressRule(this, `in-${port}-sg-${i}`, {
          provider,
          securityGroupId: this.securityGroup.id,
          description: `Tier above to ${props.name} on ${port}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: sg,
        });
      });
    }

    this.lb = new Lb(this, 'lb', {
      provider,
      name: props.name,
      loadBalancerType: 'application',
      internal: props.internal,
      subnets: props.subnetIds,
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'defensive',
      enableDeletionProtection: props.protect ?? true,
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      accessLogs: logs ? { enabled: true, bucket: logs.bucket, prefix: logs.prefix } : undefined,
      dependsOn: waitFor.length > 0 ? waitFor : undefined,
    });
    this.arn = this.lb.arn;
    this.arnSuffix = this.lb.arnSuffix;
    this.dnsName = this.lb.dnsName;
    this.zoneId = this.lb.zoneId;

    const defaultAction: LbListenerDefaultAction = props.defaultTargetGroupArn
      ? { type: 'forward', targetGroupArn: props.defaultTargetGroupArn }
      : { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not found' } };
    this.listener = new LbListener(this, props.certificateArn ? 'https' : 'http', {
      provider,
      loadBalancerArn: this.lb.arn,
      port: this.port,
      protocol: this.protocol,
      sslPolicy: props.certificateArn ? props.sslPolicy ?? DEFAULT_SSL_POLICY : undefined,
      certificateArn: props.certificateArn,
      defaultAction: [defaultAction],
    });
    if (props.certificateArn && !props.internal) {
      new LbListener(this, 'http-redirect', {
        provider,
        loadBalancerArn: this.lb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      });
    }
  }

  /**
   * Opens the path from this load balancer to a target security group on one port: an egress rule here and an
   * ingress rule on the target that references this ALB's security group (and nothing else).
   */
  connectTo(id: string, targetSecurityGroupId: string, port: number): void {
    new VpcSecurityGroupEgressRule(this, `out-${id}`, {
      provider: this.provider,
      securityGroupId: this.securityGroup.id,
      description: `To ${id} targets on ${port}`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: targetSecurityGroupId,
    });
    new VpcSecurityGroupIngressRule(this, `target-in-${id}`, {
      provider: this.provider,
      securityGroupId: targetSecurityGroupId,
      description: `From load balancer ${this.node.id} on ${port}`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: this.securityGroup.id,
    });
  }
}

/** Bucket name, prefix and (for an `AlbAccessLogBucket`) the policy to wait for; the bucket admits the prefix. */
function accessLogTarget(logs: AlbAccessLogs): { bucket: string; prefix?: string; policy?: S3BucketPolicy } {
  const managed = typeof logs.bucket === 'string' ? undefined : logs.bucket;
  const prefix = logs.prefix ?? managed?.prefix;
  // A bad prefix was refused with the other props (albPropProblems): it is not admitted to the bucket policy.
  const bad = prefix !== undefined && accessLogPrefixProblems(prefix).length > 0;
  if (!managed || bad) return { bucket: typeof logs.bucket === 'string' ? logs.bucket : logs.bucket.bucketName, prefix: prefix || undefined };
  managed.admitLogDelivery(prefix ?? '');
  return { bucket: managed.bucketName, prefix: prefix || undefined, policy: managed.policy };
}

/**
 * ELB account ids of regions opened before August 2022, which deliver ALB access logs as that account;
 * newer regions deliver as the `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

export interface AlbAccessLogBucketProps {
  readonly bucketName: string;
  /** Account of the load balancers writing here. */
  readonly accountId: string;
  readonly region: string;
  /**
   * Key prefix (no `AWSLogs`) of the load balancers given this bucket without a prefix of their own. When set, it is
   * also admitted for load balancers that are given only the bucket name (configured outside `Alb`). Load balancers
   * given this construct in `AlbProps.accessLogs` are admitted under their own prefix by themselves. @default 'alb'
   */
  readonly prefix?: string;
  /** Days logs are kept. @default 90 */
  readonly expirationDays?: number;
  /** S3 server access logs of this bucket (CKV_AWS_18), e.g. into a `LogBucket`. @default - none */
  readonly serverAccessLogs?: { readonly bucket: string; readonly prefix: string };
  /** Refuse `terraform destroy` of the bucket (logs kept for audits would be lost). @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A private bucket for ALB access logs. ALB log delivery supports only SSE-S3 (not SSE-KMS), which is why this
 * is not a SecureBucket: versioned, SSE-S3, public access blocked, owner-enforced, TLS-only, write access only for
 * ELB log delivery into `<prefix>/AWSLogs/<account>/` of each load balancer that logs here, and expiry of old logs.
 * The policy is derived from the load balancers attached to it (`AlbProps.accessLogs.bucket`), so a prefix is never
 * typed twice: ELB checks the policy when logging is switched on and refuses a load balancer whose prefix it lacks.
 */
export class AlbAccessLogBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  /** Prefix of load balancers attached without one of their own. */
  readonly prefix: string;
  /** The bucket policy letting ELB write; `Alb` waits for it when given this bucket. */
  readonly policy: S3BucketPolicy;
  private readonly prefixes = new Set<string>();

  constructor(scope: Construct, id: string, props: AlbAccessLogBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.prefix = props.prefix ?? 'alb';
    const problems = accessLogPrefixProblems(this.prefix);
    if (problems.length > 0) throw new Error(`${this.node.path}: prefix "${this.prefix}" ${problems.join('; ')}`);
    if (props.prefix !== undefined) this.prefixes.add(props.prefix);
    const { bucket: created, publicAccess } = bucketBaseline(this, { bucketName: props.bucketName, protect: props.protect, provider });
    this.bucket = created;
    this.bucketName = created.bucket;
    this.arn = created.arn;
    const bucket = created.id;
    const elbAccount = ELB_LOG_ACCOUNTS[props.region];
    // Resolved at synth, once every load balancer of the stack has been attached.
    const writers = (): PolicyStatement[] => {
      if (this.prefixes.size === 0) {
        throw new Error(`${this.node.path}: no load balancer logs here; pass it in AlbProps.accessLogs.bucket or set prefix`);
      }
      const logs = [...this.prefixes].sort().map((p) => `${this.arn}/${p ? `${p}/` : ''}AWSLogs/${props.accountId}/*`);
      const resource = logs.length === 1 ? logs[0] : logs;
      return [
        // Regions opened in or after August 2022 deliver as this service principal.
        { Sid: 'ElbLogDelivery', Effect: 'Allow', Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: oneOrMany(BUCKET_DELIVERY_ACTIONS), Resource: resource },
        // Older regions deliver as the region's ELB account.
        ...(elbAccount
          ? [{ Sid: 'ElbRegionalAccount', Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${elbAccount}:root` }, Action: oneOrMany(BUCKET_DELIVERY_ACTIONS), Resource: resource }]
          : []),
      ];
    };
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: Lazy.stringValue({ produce: () => policyDocument([denyInsecureTransport(this.arn), ...writers()]) }),
      dependsOn: [publicAccess],
    });
    if (props.serverAccessLogs) {
      new S3BucketLoggingA(this, 'server-access-logs', {
        provider,
        bucket,
        targetBucket: props.serverAccessLogs.bucket,
        targetPrefix: props.serverAccessLogs.prefix,
      });
    }
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [{
        id: 'expire-logs',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.expirationDays ?? 90 }],
        noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      }],
    });
  }

  /**
   * Admits ELB log delivery under `prefix` ('' for the bucket root). `Alb` calls it for each load balancer given this
   * bucket; call it yourself only for a load balancer configured outside `Alb`.
   */
  admitLogDelivery(prefix: string): void {
    const problems = accessLogPrefixProblems(prefix);
    if (problems.length > 0) throw new Error(`${this.node.path}: prefix "${prefix}" ${problems.join('; ')}`);
    this.prefixes.add(prefix);
  }
}
