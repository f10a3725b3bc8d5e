import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from './policy';

export interface KmsKeyProps {
  /** Alias name without the `alias/` prefix, e.g. `acme-apps-prd-data`. */
  readonly alias: string;
  readonly description: string;
  /** Account that owns the key: only its IAM principals may be granted use, never `*`. */
  readonly accountId: string;
  /** Services that encrypt with the key on the account's behalf, each with its own conditions. @default [] */
  readonly serviceStatements?: readonly PolicyStatement[];
  /** Waiting period before a scheduled deletion completes. @default 30 */
  readonly deletionWindowInDays?: number;
  /** Refuse `terraform destroy` of the key (data encrypted with it would be lost). @default true */
  readonly preventDestroy?: boolean;
  /** @default false */
  readonly multiRegion?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** A customer managed key with yearly rotation and a key policy scoped to its own account. */
export class KmsKey extends Construct {
  readonly key: KmsKeyResource;
  readonly arn: string;
  readonly keyId: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const accountRoot = `arn:aws:iam::${props.accountId}:root`;
    this.key = new KmsKeyResource(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      multiRegion: props.multiRegion ?? false,
      policy: policyDocument([
        {
          Sid: 'AccountAdministration',
          Effect: 'Allow',
          Principal: { AWS: accountRoot },
          Action: 'kms:*',
          Resource: '*',
        },
        ...(props.serviceStatements ?? []),
      ]),
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
  }
}

/** Lets CloudWatch Logs of one account and region encrypt log groups with the key. */
export function cloudWatchLogsKeyStatement(region: string, accountId: string): PolicyStatement {
  return {
    Sid: 'CloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:*` } },
  };
}

/**
 * Lets EventBridge of one account use the key: an event bus or archive encrypted with it, or events delivered to an
 * SNS topic or SQS queue encrypted with it. EventBridge calls DescribeKey (to resolve the key and check that it is
 * symmetric) besides GenerateDataKey and Decrypt; without DescribeKey the bus or target refuses the key.
 * `GenerateDataKey*` as in the SNS documentation for AWS event sources publishing to encrypted topics.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
 */
export function eventBridgeKeyStatement(accountId: string): PolicyStatement {
  return {
    Sid: 'EventBridge',
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: ['kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Decrypt'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  };
}

/** The service-linked role EC2 Auto Scaling (EKS managed node groups included) launches instances with. */
export function autoScalingServiceLinkedRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

/**
 * The two statements EC2 Auto Scaling documents for a customer managed key that encrypts the volumes of the instances
 * it launches (in a launch template, or as the account's default EBS key): the service-linked role gets no KMS access
 * through IAM. A key policy naming a role that does not exist yet is refused (MalformedPolicyDocumentException), so
 * pass the ARN of the role resource (or of a layer output that creates it) to make the key depend on it.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export function autoScalingVolumeKeyStatements(serviceLinkedRoleArn: string): PolicyStatement[] {
  const principal = { AWS: serviceLinkedRoleArn };
  return [
    {
      Sid: 'AutoScalingUsesKeyForVolumes',
      Effect: 'Allow',
      Principal: principal,
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'AutoScalingGrantsForVolumes',
      Effect: 'Allow',
      Principal: principal,
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    },
  ];
}
