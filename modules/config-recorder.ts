import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from './policy';

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
  readonly snapshotFrequency?: 'One_Hour' | 'Three_Hours' | 'Six_Hours' | 'Twelve_Hours' | 'TwentyFour_Hours';
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * An AWS Config recorder of every supported resource type, delivering to a central (possibly cross-account)
 * delivery bucket with SSE-KMS, through a role limited to this account's prefix of that bucket. Across accounts the
 * role's write is not in the bucket policy, so Config retries as its service principal, which the policy admits with
 * `aws:SourceAccount` (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html).
 */
export class ConfigRecorder extends Construct {
  readonly recorder: ConfigConfigurationRecorder;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const provider = props.provider;
    const roleName = `${props.name}-${props.region}`;
    this.role = new IamRole(this, 'role', {
      provider,
      name: roleName.length <= 64 ? roleName : props.name.slice(0, 64),
      description: 'AWS Config recorder and delivery',
      assumeRolePolicy: serviceTrustPolicy('config.amazonaws.com', props.accountId),
    });
    new IamRolePolicyAttachment(this, 'managed', {
      provider,
      role: this.role.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWS_ConfigRole',
    });
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    new IamRolePolicy(this, 'delivery', {
      provider,
      name: 'deliver-to-config-bucket',
      role: this.role.id,
      policy: policyDocument([
        { Sid: 'BucketCheck', Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: bucketArn },
        {
          Sid: 'Deliver',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/${props.accountId}/Config/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
        { Sid: 'Encrypt', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: props.kmsKeyArn },
      ]),
    });
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
      Action: ['s3:GetBucketAcl', 's3:ListBucket'],
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceAccount': [...accountIds] } },
    },
    ...accountIds.map((id): PolicyStatement => ({
      Sid: `ConfigDelivery${id}`,
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/${id}/Config/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': id } },
    })),
  ];
}
