import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as KmsKeyResource } from '@cdktf/provider-aws/lib/kms-key';
import { Lazy, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import {
  actions, KEY_ADMIN_ACTIONS, KEY_AUTOSCALING_GRANT_ACTIONS, KEY_AUTOSCALING_VOLUME_ACTIONS, KEY_CLOUDFRONT_OAC_ACTIONS, KEY_CLOUDTRAIL_DESCRIBE_ACTIONS,
  KEY_CLOUDTRAIL_ENCRYPT_ACTIONS, KEY_CONFIG_SERVICE_ACTIONS, KEY_CROSS_ACCOUNT_GRANT_ACTIONS, KEY_CROSS_ACCOUNT_USE_ACTIONS, KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, KEY_EVENTS_SERVICE_ACTIONS, KEY_LOGS_SERVICE_ACTIONS, KEY_SNS_PUBLISHER_ACTIONS,
  KEY_SQS_SENDER_ACTIONS,
} from './perms';
import { allow, oneOrMany, PolicyStatements, type Grantable, type PolicyStatement } from './policy';

export interface KmsKeyProps {
  /** Alias name without the `alias/` prefix, e.g. `acme-apps-prd-data`. */
  readonly alias: string;
  readonly description: string;
  /** Account that owns the key: only its IAM principals may be granted use, never `*`. */
  readonly accountId: string;
  /**
   * Services that encrypt with the key on the account's behalf, each with its own conditions. Prefer
   * `grantToService(...)`, which writes the statements AWS documents for each service. @default []
   */
  readonly serviceStatements?: readonly PolicyStatement[];
  /** Waiting period before a scheduled deletion completes. @default 30 */
  readonly deletionWindowInDays?: number;
  /** Refuse `terraform destroy` of the key (data encrypted with it would be lost). @default true */
  readonly protect?: boolean;
  /** @default false */
  readonly multiRegion?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A KMS key principals can be granted use of: a KmsKey of this stack, or any key by ARN (`keyFromArn`, e.g. a key of
 * the security layer read from remote state). Grants go to the principal's identity policy; the key policy of every
 * key of this project lets the owning account's IAM decide (`AccountAdministration`), so nothing else is needed.
 */
export interface IKey {
  readonly arn: string;
  /**
   * Grants `keyActions` on this key under the statement id `sid` (statements with the same sid merge; undefined: a
   * statement without one, as policies written before the grants had), optionally only through one service.
   */
  grant(grantee: Grantable, sid: string | undefined, keyActions: readonly string[], options?: KeyGrantOptions): void;
  /** kms:Decrypt: read what a service encrypted with the key. */
  grantDecrypt(grantee: Grantable): void;
  /** kms:Decrypt and kms:GenerateDataKey: write and read data a service encrypts with the key (S3, Kinesis, SQS, SNS, Firehose). */
  grantEncryptDecrypt(grantee: Grantable): void;
}

export interface KeyGrantOptions {
  /**
   * Only through this AWS service endpoint (`kms:ViaService`, e.g. `s3.us-east-1.amazonaws.com`): the grantee can use
   * the key for that service's requests on its behalf and for nothing else. Written with `StringLike`, as the S3
   * replication guide writes it. @default - any caller
   */
  readonly viaService?: string;
}

/** Statement ids of the key grants: one statement per purpose, listing every key granted for it. */
export const KEY_GRANT_SIDS = { decrypt: 'KmsDecrypt', encryptDecrypt: 'KmsEncryptDecrypt' } as const;

class KeyGrants implements IKey {
  constructor(readonly arn: string) {}

  grant(grantee: Grantable, sid: string | undefined, keyActions: readonly string[], options: KeyGrantOptions = {}): void {
    const condition = options.viaService === undefined ? undefined : { StringLike: { 'kms:ViaService': options.viaService } };
    grantee.addToPolicy(allow(sid, actions(keyActions), this.arn, condition));
  }

  grantDecrypt(grantee: Grantable): void {
    this.grant(grantee, KEY_GRANT_SIDS.decrypt, KEY_DECRYPT_ACTIONS);
  }

  grantEncryptDecrypt(grantee: Grantable): void {
    this.grant(grantee, KEY_GRANT_SIDS.encryptDecrypt, KEY_ENCRYPT_DECRYPT_ACTIONS);
  }
}

/** A key known by ARN only (another layer's key, read from remote state): grants, but no key-policy changes. */
export function keyFromArn(arn: string): IKey {
  return new KeyGrants(arn);
}

/** The options of each AWS service `KmsKey.grantToService` knows; each names what the documented conditions need. */
export interface KeyServiceGrants {
  /** CloudWatch Logs log groups of one account and region. */
  readonly logs: { readonly region: string; readonly accountId: string };
  /** EventBridge buses, archives and SNS/SQS targets of one account. */
  readonly events: { readonly accountId: string };
  /** AWS services (CloudWatch alarms, Budgets, ...) of one account publishing to SNS topics encrypted with the key. */
  readonly 'sns-publishers': { readonly services: readonly string[]; readonly accountId: string };
  /** Volumes of instances EC2 Auto Scaling launches with its service-linked role (which gets no KMS access through IAM). */
  readonly autoscaling: { readonly serviceLinkedRoleArn: string };
  /** A CloudTrail trail writing log files encrypted with the key; `ownerAccountIds` own the trails (organisation trails: management too). */
  readonly cloudtrail: { readonly trailArns: readonly string[]; readonly ownerAccountIds: readonly string[] };
  /** AWS Config delivery channels of these accounts encrypting what they deliver. */
  readonly config: { readonly sourceAccountIds: readonly string[] };
  /** One CloudFront distribution reading an SSE-KMS origin bucket through origin access control. */
  readonly cloudfront: { readonly distributionArn: string };
  /** AWS services of one account (an SNS topic's subscriptions, ...) sending to SQS queues encrypted with the key. */
  readonly 'sqs-senders': { readonly services: readonly string[]; readonly accountId: string };
}

export type KeyService = keyof KeyServiceGrants;

/** A customer managed key with yearly rotation and a key policy scoped to its own account. */
export class KmsKey extends Construct implements IKey {
  readonly key: KmsKeyResource;
  readonly arn: string;
  readonly keyId: string;
  readonly aliasName: string;
  private readonly policy = new PolicyStatements();
  private readonly grants: KeyGrants;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const accountRoot = `arn:aws:iam::${props.accountId}:root`;
    this.policy.add({ Sid: 'AccountAdministration', Effect: 'Allow', Principal: { AWS: accountRoot }, Action: oneOrMany(KEY_ADMIN_ACTIONS), Resource: '*' });
    for (const statement of props.serviceStatements ?? []) this.policy.add(statement);
    this.key = new KmsKeyResource(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      multiRegion: props.multiRegion ?? false,
      // Rendered at synth, so service grants added after construction are in it.
      policy: Lazy.stringValue({ produce: () => this.policy.render() }),
      lifecycle: { preventDestroy: props.protect ?? true },
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.grants = new KeyGrants(this.arn);
  }

  /** Adds a statement to the key policy (a principal of another account, a service not covered by grantToService). */
  addToKeyPolicy(statement: PolicyStatement): void {
    this.policy.add(statement);
  }

  /**
   * Lets other accounts use the key through AWS services that encrypt on their behalf (AWS Backup's cross-account
   * copies): the data-key actions, and grants only for AWS resources (`kms:GrantIsForAWSResource`). Statement ids
   * `<sid>Use` and `<sid>Grants`.
   */
  grantToAccounts(sid: string, accountIds: readonly string[]): void {
    const principal = { AWS: accountIds.map((id) => `arn:aws:iam::${id}:root`) };
    this.policy.add({ Sid: `${sid}Use`, Effect: 'Allow', Principal: principal, Action: [...KEY_CROSS_ACCOUNT_USE_ACTIONS], Resource: '*' });
    this.policy.add({
      Sid: `${sid}Grants`, Effect: 'Allow', Principal: principal, Action: [...KEY_CROSS_ACCOUNT_GRANT_ACTIONS], Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  }

  /** Lets an AWS service use the key on the account's behalf, with the statements and conditions AWS documents for it. */
  grantToService<S extends KeyService>(service: S, options: KeyServiceGrants[S]): void {
    for (const statement of serviceKeyStatements(service, options)) this.policy.add(statement);
  }

  grant(grantee: Grantable, sid: string | undefined, keyActions: readonly string[], options?: KeyGrantOptions): void {
    this.grants.grant(grantee, sid, keyActions, options);
  }

  grantDecrypt(grantee: Grantable): void {
    this.grants.grantDecrypt(grantee);
  }

  grantEncryptDecrypt(grantee: Grantable): void {
    this.grants.grantEncryptDecrypt(grantee);
  }
}

function serviceKeyStatements<S extends KeyService>(service: S, options: KeyServiceGrants[S]): PolicyStatement[] {
  const o = options as KeyServiceGrants[KeyService];
  switch (service) {
    case 'logs': {
      const { region, accountId } = o as KeyServiceGrants['logs'];
      return [cloudWatchLogsKeyStatement(region, accountId)];
    }
    case 'events':
      return [eventBridgeKeyStatement((o as KeyServiceGrants['events']).accountId)];
    case 'sns-publishers': {
      const { services, accountId } = o as KeyServiceGrants['sns-publishers'];
      return [snsPublisherKeyStatement(services, accountId)];
    }
    case 'autoscaling':
      return autoScalingVolumeKeyStatements((o as KeyServiceGrants['autoscaling']).serviceLinkedRoleArn);
    case 'cloudtrail': {
      const { trailArns, ownerAccountIds } = o as KeyServiceGrants['cloudtrail'];
      return cloudTrailKeyStatements(trailArns, ownerAccountIds);
    }
    case 'config':
      return [configDeliveryKeyStatement((o as KeyServiceGrants['config']).sourceAccountIds)];
    case 'cloudfront':
      return [cloudFrontOriginKeyStatement((o as KeyServiceGrants['cloudfront']).distributionArn)];
    case 'sqs-senders': {
      const { services, accountId } = o as KeyServiceGrants['sqs-senders'];
      return [sqsSenderKeyStatement(services, accountId)];
    }
    default:
      throw new Error(`no key grant for service ${String(service)}`);
  }
}

/** Lets CloudWatch Logs of one account and region encrypt log groups with the key. */
export function cloudWatchLogsKeyStatement(region: string, accountId: string): PolicyStatement {
  return {
    Sid: 'CloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: oneOrMany(KEY_LOGS_SERVICE_ACTIONS),
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
    Action: oneOrMany(KEY_EVENTS_SERVICE_ACTIONS),
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  };
}

/**
 * Lets AWS services of one account use a key to publish to an encrypted SNS topic (alarms, budgets, events).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function snsPublisherKeyStatement(services: readonly string[], accountId: string): PolicyStatement {
  return {
    Sid: 'ServicesPublishToEncryptedTopics',
    Effect: 'Allow',
    Principal: { Service: [...services] },
    Action: oneOrMany(KEY_SNS_PUBLISHER_ACTIONS),
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  };
}

/**
 * The two statements CloudTrail documents for a trail encrypting its log files: GenerateDataKey* for the trails (by
 * `aws:SourceArn`) with the encryption context of the owning accounts' trails, and DescribeKey.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export function cloudTrailKeyStatements(trailArns: readonly string[], ownerAccountIds: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'CloudTrailEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: oneOrMany(KEY_CLOUDTRAIL_ENCRYPT_ACTIONS),
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': [...trailArns] },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': ownerAccountIds.map((id) => `arn:aws:cloudtrail:*:${id}:trail/*`) },
      },
    },
    {
      Sid: 'CloudTrailDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: oneOrMany(KEY_CLOUDTRAIL_DESCRIBE_ACTIONS),
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': [...trailArns] } },
    },
  ];
}

/**
 * Lets AWS Config of these accounts encrypt the configuration history and snapshots it delivers.
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html
 */
export function configDeliveryKeyStatement(sourceAccountIds: readonly string[]): PolicyStatement {
  return {
    Sid: 'ConfigDelivery',
    Effect: 'Allow',
    Principal: { Service: 'config.amazonaws.com' },
    Action: oneOrMany(KEY_CONFIG_SERVICE_ACTIONS),
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': [...sourceAccountIds] } },
  };
}

/**
 * Lets one CloudFront distribution use the key of an SSE-KMS origin bucket it reads through origin access control.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
 */
export function cloudFrontOriginKeyStatement(distributionArn: string): PolicyStatement {
  return {
    Sid: 'CloudFrontOriginAccessControl',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: oneOrMany(KEY_CLOUDFRONT_OAC_ACTIONS),
    Resource: '*',
    // The key name as the cdn layer first wrote it (condition keys are case-insensitive).
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}

/**
 * Lets AWS services of one account send messages to SQS queues encrypted with the key: an SNS topic delivering to its
 * subscribed queues needs GenerateDataKey and Decrypt on the queue's key, and gets them only from the key policy.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
 */
export function sqsSenderKeyStatement(services: readonly string[], accountId: string): PolicyStatement {
  return {
    // The statement id as the serverless layer first wrote it.
    Sid: 'MessagingServices',
    Effect: 'Allow',
    Principal: { Service: oneOrMany(services) },
    Action: oneOrMany(KEY_SQS_SENDER_ACTIONS),
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
      Action: oneOrMany(KEY_AUTOSCALING_VOLUME_ACTIONS),
      Resource: '*',
    },
    {
      Sid: 'AutoScalingGrantsForVolumes',
      Effect: 'Allow',
      Principal: principal,
      Action: oneOrMany(KEY_AUTOSCALING_GRANT_ACTIONS),
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    },
  ];
}
