import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, oneOf } from '../lib/validators';
import { keyFromArn } from './kms-key';
import { BUCKET_ACL_CHECK_ACTIONS, BUCKET_CHECK_ACTIONS, BUCKET_DELIVERY_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS } from './perms';
import { allow, oneOrMany, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

export type SnapshotFrequency = 'One_Hour' | 'Three_Hours' | 'Six_Hours' | 'Twelve_Hours' | 'TwentyFour_Hours';
const SNAPSHOT_FREQUENCIES: readonly SnapshotFrequency[] = ['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'];
/** Managed policy letting Config read the configuration of every resource type it records. */
export const CONFIG_ROLE_POLICY = 'arn:aws:iam::aws:policy/service-role/AWS_ConfigRole';

export interface ConfigRecorderProps {
  /** Recorder, channel and role name prefix, e.g. `acme-apps-prd-config`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * Central delivery bucket (the audit layer's `config_bucket_name`) whose policy admits Config of this account. It
   * must not have S3 Object Lock: Config cannot deliver to such a bucket.
   */
  readonly bucketName: string;
  /** KMS key encrypting the delivered snapshots (its policy must admit config.amazonaws.com of this account). */
  readonly kmsKeyArn: string;
  /** Record global resources (IAM): true in exactly one region per account, the primary one. */
  readonly includeGlobalResources: boolean;
  /** @default 'TwentyFour_Hours' */
  readonly snapshotFrequency?: SnapshotFrequency;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function configRecorderPropProblems(props: Partial<ConfigRecorderProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !/^[A-Za-z0-9_.-]{1,256}$/.test(props.name)) {
    problems.add('name', `"${props.name}" must be 1 to 256 letters, digits, _, . and -`);
  }
  if (props.snapshotFrequency !== undefined) problems.check('snapshotFrequency', oneOf(props.snapshotFrequency, SNAPSHOT_FREQUENCIES));
  return problems.list;
}

/**
 * An AWS Config recorder of every supported resource type, delivering to a central (possibly cross-account)
 * delivery bucket with SSE-KMS, through a role limited to this account's prefix of that bucket. Across accounts the
 * role's write is not in the bucket policy, so Config retries as its service principal, which the policy admits with
 * `aws:SourceAccount` (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html).
 */
export class ConfigRecorder extends Construct {
  readonly recorder: ConfigConfigurationRecorder;
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    refuseProblems(scope, id, configRecorderPropProblems(props));
    const provider = props.provider;
    const roleName = `${props.name}-${props.region}`;
    this.role = new ServiceRole(this, 'role', {
      provider,
      name: roleName.length <= 64 ? roleName : props.name.slice(0, 64),
      description: 'AWS Config recorder and delivery',
      service: 'config.amazonaws.com',
      sourceAccount: props.accountId,
      managedPolicyArns: [CONFIG_ROLE_POLICY],
      policyName: 'deliver-to-config-bucket',
      ids: { policy: 'delivery', managedPolicies: ['managed'] },
    });
    // What the role needs to deliver to the bucket: https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.role.addToPolicy(allow('BucketCheck', BUCKET_ACL_CHECK_ACTIONS, bucketArn));
    this.role.addToPolicy(allow('Deliver', BUCKET_DELIVERY_ACTIONS, `${bucketArn}/AWSLogs/${props.accountId}/Config/*`, {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
    }));
    keyFromArn(props.kmsKeyArn).grant(this.role, 'Encrypt', KEY_ENCRYPT_DECRYPT_ACTIONS);
    this.recorder = new ConfigConfigurationRecorder(this, 'recorder', {
      provider,
      name: props.name,
      roleArn: this.role.arn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: props.includeGlobalResources },
    });
    const channel = new ConfigDeliveryChannel(this, 'channel', {
      provider,
      name: props.name,
      s3BucketName: props.bucketName,
      s3KmsKeyArn: props.kmsKeyArn,
      snapshotDeliveryProperties: { deliveryFrequency: props.snapshotFrequency ?? 'TwentyFour_Hours' },
      dependsOn: [this.recorder],
    });
    new ConfigConfigurationRecorderStatus(this, 'status', { provider, name: this.recorder.name, isEnabled: true, dependsOn: [channel] });
  }
}

/**
 * The statements a central Config delivery bucket needs for the recorders of these accounts: Config checks the bucket
 * (ACL, listing) and writes each account's history and snapshots under its documented prefix `AWSLogs/<account>/Config/`,
 * each statement pinned to its account with `aws:SourceAccount`. One statement per account: the policy grows with the
 * organisation (S3 refuses bucket policies over 20 KB). https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
 */
export function configDeliveryBucketStatements(bucketArn: string, accountIds: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'ConfigBucketCheck',
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: [...BUCKET_CHECK_ACTIONS],
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceAccount': [...accountIds] } },
    },
    ...accountIds.map((id): PolicyStatement => ({
      Sid: `ConfigDelivery${id}`,
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: oneOrMany(BUCKET_DELIVERY_ACTIONS),
      Resource: `${bucketArn}/AWSLogs/${id}/Config/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': id } },
    })),
  ];
}
