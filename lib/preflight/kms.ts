/**
 * KMS keys and their users across the organisation: every attribute of every resource that names a key, resolved
 * through same-stack references, aliases and remote-state outputs to the `aws_kms_key` that some stack creates.
 */
import { refersTo, type ResourceView } from '../policy/model';
import { statementsOf, type Statement } from './iam';
import { arnAccount, arnRegion, valuesAt, type Located, type OrgModel, type StackModel } from './model';

/** Resource type -> attribute paths (nested blocks joined by dots) that name a KMS key. */
export const KEY_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_cloudwatch_log_group: ['kms_key_id'],
  aws_sns_topic: ['kms_master_key_id'],
  aws_sqs_queue: ['kms_master_key_id'],
  aws_cloudwatch_event_bus: ['kms_key_identifier'],
  aws_cloudtrail: ['kms_key_id'],
  aws_config_delivery_channel: ['s3_kms_key_arn'],
  aws_s3_bucket_server_side_encryption_configuration: ['rule.apply_server_side_encryption_by_default.kms_master_key_id'],
  aws_s3_bucket_replication_configuration: ['rule.destination.encryption_configuration.replica_kms_key_id'],
  aws_dynamodb_table: ['server_side_encryption.kms_key_arn'],
  aws_dynamodb_table_replica: ['kms_key_arn'],
  aws_rds_cluster: ['kms_key_id', 'master_user_secret_kms_key_id', 'performance_insights_kms_key_id'],
  aws_rds_cluster_instance: ['performance_insights_kms_key_id'],
  aws_db_instance: ['kms_key_id', 'master_user_secret_kms_key_id', 'performance_insights_kms_key_id'],
  aws_elasticache_replication_group: ['kms_key_id'],
  aws_eks_cluster: ['encryption_config.provider.key_arn'],
  aws_secretsmanager_secret: ['kms_key_id'],
  aws_ssm_parameter: ['key_id'],
  aws_lambda_function: ['kms_key_arn'],
  aws_kinesis_stream: ['kms_key_id'],
  aws_kinesis_firehose_delivery_stream: ['server_side_encryption.key_arn', 'extended_s3_configuration.kms_key_arn'],
  aws_ecr_repository: ['encryption_configuration.kms_key'],
  aws_ecr_repository_creation_template: ['encryption_configuration.kms_key'],
  aws_backup_vault: ['kms_key_arn'],
  aws_launch_template: ['block_device_mappings.ebs.kms_key_id'],
  aws_ebs_default_kms_key: ['key_arn'],
  aws_sfn_state_machine: ['encryption_configuration.kms_key_id'],
  aws_glue_security_configuration: [
    'encryption_configuration.cloudwatch_encryption.kms_key_arn',
    'encryption_configuration.job_bookmarks_encryption.kms_key_arn',
    'encryption_configuration.s3_encryption.kms_key_arn',
  ],
  aws_athena_workgroup: ['configuration.result_configuration.encryption_configuration.kms_key_arn'],
  aws_ecs_cluster: ['configuration.execute_command_configuration.kms_key_id', 'configuration.managed_storage_configuration.kms_key_id'],
};

export type KeyRef =
  /** A customer managed key created by a stack of the organisation. */
  | { readonly kind: 'key'; readonly key: Located }
  /** An AWS managed key (`alias/aws/...`): its policy is AWS's. */
  | { readonly kind: 'aws-managed'; readonly text: string }
  /** A literal key ARN no stack creates (or an alias/id that cannot be followed). */
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'unknown'; readonly text: string };

export function resolveKey(org: OrgModel, stack: StackModel, value: unknown): KeyRef {
  const resolved = org.resolve(stack, value);
  if (resolved.kind === 'literal') {
    const text = resolved.value;
    if (/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\//.test(text)) return { kind: 'aws-managed', text };
    return { kind: 'literal', text };
  }
  if (resolved.kind === 'unknown') return { kind: 'unknown', text: resolved.expression };
  const { resource, stack: owner } = resolved;
  if (resource.type === 'aws_kms_key' || resource.type === 'aws_kms_replica_key') return { kind: 'key', key: { stack: owner, resource } };
  if (resource.type === 'aws_kms_alias') return resolveKey(org, owner, resource.config.target_key_id);
  return { kind: 'unknown', text: `${resource.address}.${resolved.attribute}` };
}

/** The key policy statements: the key's own `policy`, or an `aws_kms_key_policy` of the same stack. */
export function keyStatements(key: Located): Statement[] {
  const separate = key.stack.view.ofType('aws_kms_key_policy').find((p) => refersTo(p.config.key_id, key.resource.address));
  return statementsOf(key.stack, separate ? separate.config.policy : key.resource.config.policy);
}

export function keyRegion(key: Located): string {
  return key.stack.regionOf(key.resource);
}

export interface KeyUse {
  readonly stack: StackModel;
  readonly resource: ResourceView;
  /** Attribute path, e.g. `kms_key_id`. */
  readonly path: string;
  readonly value: string;
  readonly key: KeyRef;
}

const cache = new WeakMap<OrgModel, KeyUse[]>();

/** Every key attribute of every resource in the organisation, resolved. */
export function keyUses(org: OrgModel): readonly KeyUse[] {
  const cached = cache.get(org);
  if (cached) return cached;
  const uses: KeyUse[] = [];
  for (const [type, paths] of Object.entries(KEY_ATTRIBUTES)) {
    for (const { stack, resource } of org.resources(type)) {
      for (const path of paths) {
        for (const value of valuesAt(resource.config, path)) {
          if (typeof value !== 'string' || value === '') continue;
          uses.push({ stack, resource, path, value, key: resolveKey(org, stack, value) });
        }
      }
    }
  }
  cache.set(org, uses);
  return uses;
}

/** Region and account of the key a use names, when known. */
export function keyPlace(ref: KeyRef): { region?: string; accountId?: string } {
  if (ref.kind === 'key') return { region: keyRegion(ref.key), accountId: ref.key.stack.account.id };
  if (ref.kind === 'literal' || ref.kind === 'aws-managed') {
    return ref.text.startsWith('arn:') ? { region: arnRegion(ref.text), accountId: arnAccount(ref.text) } : {};
  }
  return {};
}

export function keyLabel(ref: KeyRef): string {
  if (ref.kind === 'key') return `${ref.key.stack.id}: ${ref.key.resource.address}`;
  return ref.text;
}
