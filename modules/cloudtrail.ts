import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { IKey } from './kms-key';
import { BUCKET_ACL_CHECK_ACTIONS, BUCKET_DELIVERY_ACTIONS, LOG_STREAM_WRITE_ACTIONS } from './perms';
import { allow, oneOrMany, type PolicyStatement } from './policy';
import { ServiceRole } from './role';
import type { SecureBucket } from './secure-bucket';

export interface OrganizationTrailProps {
  /** Trail name; its log group is `/aws/cloudtrail/<name>`. */
  readonly name: string;
  /** The log archive: its policy must admit CloudTrail (`cloudTrailBucketStatements`) before the trail is created. */
  readonly bucket: SecureBucket;
  /** Key of the log files and the log group; its policy needs `grantToService('cloudtrail' | 'logs', ...)`. */
  readonly kmsKey: IKey;
  /** Name of the role CloudTrail assumes to write to the log group. */
  readonly roleName: string;
  /** Days events stay in the log group (where metric filters and alarms read them). */
  readonly logRetentionDays: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The organisation trail: every account and region, global service events, log file validation, KMS-encrypted log
 * files in the archive bucket, and a copy of the events in a KMS-encrypted CloudWatch log group (kept from destroy) for
 * metric filters, written through a role allowed to write that group's streams only.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html
 *
 * Created in `scope` with ids `<id>` (the trail), `<id>-log-group`, `<id>-logs-role` and `<id>-logs-policy`: in a layer
 * these are the Terraform addresses.
 */
export class OrganizationTrail {
  readonly trail: Cloudtrail;
  readonly logGroup: CloudwatchLogGroup;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: OrganizationTrailProps) {
    const provider = props.provider;
    this.logGroup = new CloudwatchLogGroup(scope, `${id}-log-group`, {
      provider,
      name: `/aws/cloudtrail/${props.name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKey.arn,
      lifecycle: { preventDestroy: true },
    });
    const role = new ServiceRole(scope, `${id}-logs-role`, {
      provider,
      name: props.roleName,
      description: 'Lets the organisation trail write to its CloudWatch log group',
      service: 'cloudtrail.amazonaws.com',
      policyName: 'write-trail-log-group',
      ids: { policy: `${id}-logs-policy` },
    });
    role.addToPolicy(allow('WriteTrailLogStreams', LOG_STREAM_WRITE_ACTIONS, `${this.logGroup.arn}:log-stream:*`));
    this.trail = new Cloudtrail(scope, id, {
      provider,
      name: props.name,
      s3BucketName: props.bucket.bucketName,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: props.kmsKey.arn,
      cloudWatchLogsGroupArn: `${this.logGroup.arn}:*`,
      cloudWatchLogsRoleArn: role.arn,
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [props.bucket.policy],
    });
    this.arn = this.trail.arn;
  }
}

/**
 * The bucket-policy statements CloudTrail documents for a trail bucket: the ACL check of the bucket and writes under the
 * given prefixes, both only for these trails (`aws:SourceArn`).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
export function cloudTrailBucketStatements(bucketArn: string, trailArns: readonly string[], prefixes: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'CloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: oneOrMany(BUCKET_ACL_CHECK_ACTIONS),
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': [...trailArns] } },
    },
    {
      Sid: 'CloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: oneOrMany(BUCKET_DELIVERY_ACTIONS),
      Resource: prefixes.map((p) => `${bucketArn}/${p}`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': [...trailArns] } },
    },
  ];
}
