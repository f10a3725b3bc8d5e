import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, integerBetween, logRetentionDays } from '../lib/validators';
import type { IKey } from './kms-key';
import { LOG_EVENTS_WRITE_ACTIONS } from './perms';
import { allow } from './policy';
import { ServiceRole } from './role';
import type { IBucket } from './secure-bucket';
import type { DataStream } from './data-stream';

/** Where records land: date partitions Athena and Glue crawlers understand. */
export const DEFAULT_FIREHOSE_PREFIX = 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
/** Where records that fail delivery go, apart from the data. */
export const DEFAULT_FIREHOSE_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
/** The log stream Firehose writes S3 delivery errors to. */
const LOG_STREAM = 'S3Delivery';

export interface FirehoseToS3Props {
  /** Delivery stream name; its log group is `/aws/kinesisfirehose/<name>`. */
  readonly name: string;
  /** The Kinesis data stream read (the role is granted read on it and its key). */
  readonly source: DataStream;
  /** The bucket written (the role is granted read-write on it and its key). */
  readonly destination: IBucket;
  /** Key of the delivered objects and of the log group (its policy must admit CloudWatch Logs of this region). */
  readonly kmsKey: IKey;
  /** Account of the stream: the role trusts Firehose for this account only (`aws:SourceAccount`). */
  readonly accountId: string;
  /** Name of the role Firehose assumes. */
  readonly roleName: string;
  /** Name of the role's inline policy. @default 'deliver-to-s3' */
  readonly policyName?: string;
  /** Key prefix of delivered objects, with Firehose timestamp expressions. @default DEFAULT_FIREHOSE_PREFIX */
  readonly prefix?: string;
  /** Prefix of failed records; must contain `!{firehose:error-output-type}`. @default DEFAULT_FIREHOSE_ERROR_PREFIX */
  readonly errorOutputPrefix?: string;
  /** @default 64 */
  readonly bufferingSizeMb?: number;
  /** @default 300 */
  readonly bufferingIntervalSeconds?: number;
  /** Days delivery errors stay in the log group. @default 365 */
  readonly logRetentionDays?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function firehoseToS3PropProblems(props: Partial<FirehoseToS3Props>): FieldProblem[] {
  const problems = new FieldProblems();
  const prefix = props.prefix ?? DEFAULT_FIREHOSE_PREFIX;
  const errorPrefix = props.errorOutputPrefix ?? DEFAULT_FIREHOSE_ERROR_PREFIX;
  if (prefix.startsWith('/') || !prefix.endsWith('/')) problems.add('prefix', `"${prefix}" must not start with / and must end with /`);
  if (!errorPrefix.includes('!{firehose:error-output-type}')) problems.add('errorOutputPrefix', `"${errorPrefix}" must contain !{firehose:error-output-type}`);
  problems.check('bufferingSizeMb', integerBetween(props.bufferingSizeMb ?? 64, 1, 128, 'MiB'));
  problems.check('bufferingIntervalSeconds', integerBetween(props.bufferingIntervalSeconds ?? 300, 0, 900, 'seconds'));
  problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays ?? 365));
  return problems.list;
}

/**
 * Firehose delivering a Kinesis data stream into S3: GZIP objects under date partitions, failed records under their own
 * prefix, objects encrypted with the key, delivery errors logged to a KMS-encrypted log group, and a role granted read
 * on the stream, read-write on the bucket, the keys and the log group, nothing else.
 *
 * Server-side encryption of the delivery stream itself applies to DirectPut only; with a Kinesis source the records are
 * encrypted at rest by the stream's key. https://docs.aws.amazon.com/firehose/latest/dev/encryption.html
 *
 * Created in `scope` with ids `<id>` (the delivery stream), `<id>-logs`, `<id>-log-stream`, `<id>-role` and
 * `<id>-policy`: in a layer these are the Terraform addresses.
 */
export class FirehoseToS3 {
  readonly deliveryStream: KinesisFirehoseDeliveryStream;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: FirehoseToS3Props) {
    const provider = props.provider;
    this.logGroup = new CloudwatchLogGroup(scope, `${id}-logs`, {
      provider,
      name: `/aws/kinesisfirehose/${props.name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.kmsKey.arn,
    });
    new CloudwatchLogStream(scope, `${id}-log-stream`, { provider, name: LOG_STREAM, logGroupName: this.logGroup.name });

    this.role = new ServiceRole(scope, `${id}-role`, {
      provider,
      name: props.roleName,
      service: 'firehose.amazonaws.com',
      sourceAccount: props.accountId,
      policyName: props.policyName ?? 'deliver-to-s3',
      ids: { policy: `${id}-policy` },
    });
    props.source.grantRead(this.role);
    props.destination.grantReadWrite(this.role);
    props.kmsKey.grantEncryptDecrypt(this.role);
    this.role.addToPolicy(allow('LogsWrite', LOG_EVENTS_WRITE_ACTIONS, `${this.logGroup.arn}:*`));

    this.deliveryStream = new KinesisFirehoseDeliveryStream(scope, id, {
      provider,
      name: props.name,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: props.source.arn, roleArn: this.role.arn },
      extendedS3Configuration: {
        roleArn: this.role.arn,
        bucketArn: props.destination.arn,
        prefix: props.prefix ?? DEFAULT_FIREHOSE_PREFIX,
        errorOutputPrefix: props.errorOutputPrefix ?? DEFAULT_FIREHOSE_ERROR_PREFIX,
        bufferingSize: props.bufferingSizeMb ?? 64,
        bufferingInterval: props.bufferingIntervalSeconds ?? 300,
        compressionFormat: 'GZIP',
        kmsKeyArn: props.kmsKey.arn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.name, logStreamName: LOG_STREAM },
      },
      // Firehose checks the role's access when the stream is created.
      dependsOn: this.role.permissions,
    });
    this.arn = this.deliveryStream.arn;
    this.name = this.deliveryStream.name;
  }
}
