/**
 * Resource types whose deletion or replacement loses something a new resource cannot bring back: data, the keys to
 * data, or an identity other systems hold on to. The one list the runner's replacement guard reads (a plan that deletes
 * or replaces one of these is listed in the run report's `replacements`, and apply refuses it unless ALLOW_REPLACE names
 * it: docs/runner.md); anything else that needs the same list reads it from here.
 *
 * Each entry says what is lost, in words for the refusal. test/unit/stateful-types.test.ts checks that every type is one
 * the AWS provider has, so a typo cannot quietly switch the guard off.
 */

export const STATEFUL_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  // Storage and the keys to it
  aws_s3_bucket: 'its objects and its globally unique name (state buckets included)',
  aws_kms_key: 'the only key that decrypts what was encrypted under it',
  aws_kms_replica_key: 'the only key in its region that decrypts what was encrypted under it',
  aws_ebs_volume: 'the volume\'s data',
  aws_efs_file_system: 'the file system\'s data',
  aws_backup_vault: 'its recovery points',
  aws_ecr_repository: 'its images',
  aws_secretsmanager_secret: 'the secret value (and its name, held for the recovery window)',
  aws_cloudwatch_log_group: 'its log events',
  aws_glue_catalog_database: 'its table definitions',
  // Databases, caches and streams
  aws_rds_cluster: 'the cluster\'s data',
  aws_rds_cluster_instance: 'the instance (and, for the writer, a failover)',
  aws_rds_global_cluster: 'the global database',
  aws_db_instance: 'the database\'s data',
  aws_docdb_cluster: 'the cluster\'s data',
  aws_neptune_cluster: 'the cluster\'s data',
  aws_dynamodb_table: 'the table\'s items (lock tables included)',
  aws_dynamodb_table_replica: 'the replica\'s items',
  aws_dynamodb_global_table: 'the table\'s items',
  aws_elasticache_replication_group: 'the cached data and its endpoints',
  aws_elasticache_cluster: 'the cached data and its endpoint',
  aws_elasticache_serverless_cache: 'the cached data and its endpoint',
  aws_memorydb_cluster: 'the cluster\'s data',
  aws_opensearch_domain: 'the domain\'s indices',
  aws_redshift_cluster: 'the cluster\'s data',
  aws_msk_cluster: 'the topics\' records',
  aws_kinesis_stream: 'the records within the retention period',
  aws_sqs_queue: 'the messages in it',
  // Identities others hold on to
  aws_cognito_user_pool: 'its users and their passwords (they cannot be exported)',
  aws_eks_cluster: 'every Kubernetes object in the cluster',
  aws_route53_zone: 'the zone id and name servers the parent zone delegates to',
  aws_organizations_organization: 'the organisation itself',
  aws_organizations_account: 'the AWS account (closed on delete)',
  aws_organizations_organizational_unit: 'the OU id its policies and accounts are attached to',
  aws_guardduty_detector: 'its findings',
  aws_securityhub_account: 'its findings',
};

export function isStatefulType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(STATEFUL_RESOURCE_TYPES, type);
}
