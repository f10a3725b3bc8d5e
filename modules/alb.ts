import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { bucketBaseline } from './bucket-baseline';
import { denyInsecureTransport, policyDocument, type PolicyStatement } from './policy';

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
  /** Bucket (SSE-S3, see AlbAccessLogBucket) and prefix for access logs (CKV_AWS_91). @default - no access logs */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string };
  /** @default false (turn on in production) */
  readonly deletionProtection?: boolean;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Where the main listener sends requests no rule matches. @default - fixed 404 response */
  readonly defaultTargetGroupArn?: string;
  /**
   * Resources the load balancer waits for, e.g. `AlbAccessLogBucket.policy` (ELB checks it may write logs when
   * logging is switched on). `node.addDependency` does not render a Terraform `depends_on`; this does. @default []
   */
  readonly dependsOn?: ITerraformDependable[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
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
    const provider = props.provider;
    this.provider = provider;
    if (!props.internal && !props.certificateArn) {
      throw new Error(`ALB ${props.name}: an internet-facing load balancer needs certificateArn (HTTPS only)`);
    }
    this.protocol = props.certificateArn ? 'HTTPS' : 'HTTP';
    this.port = props.certificateArn ? 443 : props.httpPort ?? 80;

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
      enableDeletionProtection: props.deletionProtection ?? false,
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      accessLogs: props.accessLogs ? { enabled: true, bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix } : undefined,
      dependsOn: props.dependsOn,
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
  /** Key prefix the load balancers write under (no `AWSLogs`). */
  readonly prefix: string;
  /** Days logs are kept. @default 90 */
  readonly expirationDays?: number;
  /** S3 server access logs of this bucket (CKV_AWS_18), e.g. into a `LogBucket`. @default - none */
  readonly serverAccessLogs?: { readonly bucket: string; readonly prefix: string };
  /** @default true */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A private bucket for ALB access logs. ALB log delivery supports only SSE-S3 (not SSE-KMS), which is why this
 * is not a SecureBucket: versioned, SSE-S3, public access blocked, owner-enforced, TLS-only, write access only for
 * ELB log delivery into `<prefix>/AWSLogs/<account>/`, and expiry of old logs.
 */
export class AlbAccessLogBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  readonly prefix: string;
  /** The bucket policy letting ELB write: pass it in `AlbProps.dependsOn`. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AlbAccessLogBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.prefix = props.prefix;
    const { bucket: created, publicAccess } = bucketBaseline(this, { bucketName: props.bucketName, protect: props.preventDestroy, provider });
    this.bucket = created;
    this.bucketName = created.bucket;
    this.arn = created.arn;
    const bucket = created.id;
    const logs = `${this.arn}/${props.prefix}/AWSLogs/${props.accountId}/*`;
    const elbAccount = ELB_LOG_ACCOUNTS[props.region];
    const writers: PolicyStatement[] = [
      {
        Sid: 'ElbLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: logs,
      },
      ...(elbAccount
        ? [{ Sid: 'ElbRegionalAccount', Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${elbAccount}:root` }, Action: 's3:PutObject', Resource: logs }]
        : []),
    ];
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policyDocument([denyInsecureTransport(this.arn), ...writers]),
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
}
