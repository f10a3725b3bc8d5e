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
