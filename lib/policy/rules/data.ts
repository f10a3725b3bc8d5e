/** RDS and Aurora, ElastiCache, DynamoDB. */
import { block, isLiteral, isProduction, isSet, truthy, type ResourceView, type Rule } from '../model';

/** An aws_db_instance that belongs to a cluster (Multi-AZ DB cluster or Aurora): storage, backups and protection are the cluster's. */
function clusterMember(db: ResourceView): boolean {
  return db.type === 'aws_db_instance' && isSet(db.config.db_cluster_identifier ?? db.config.cluster_identifier);
}

/** A read replica or a restore takes its settings from the source. */
function replica(db: ResourceView): boolean {
  return isSet(db.config.replicate_source_db);
}

/** A secondary cluster of an Aurora global database has no master credentials of its own. */
function globalSecondary(db: ResourceView): boolean {
  return db.type === 'aws_rds_cluster' && isSet(db.config.global_cluster_identifier) && !isSet(db.config.master_username);
}

function passwordProblem(value: unknown, attribute: string, managed: string): string | undefined {
  if (!isSet(value)) return undefined;
  if (isLiteral(value)) return `${attribute} is a literal in the code; use ${managed}`;
  return `${attribute} is passed in and stored in state; use ${managed}`;
}

export const dataRules: Rule[] = [
  {
    id: 'POL-RDS-001',
    title: 'RDS instances and Aurora clusters are encrypted at rest',
    description: 'Set `storage_encrypted = true` with a customer managed `kms_key_id`. Encryption cannot be added later ' +
      'without a snapshot copy and restore.',
    severity: 'error',
    checkov: ['CKV_AWS_16', 'CKV_AWS_96'],
    controls: ['FSBP RDS.3', 'FSBP RDS.27', 'CIS 2.3.1'],
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
    check(db) {
      if (clusterMember(db) || replica(db)) return undefined;
      if (db.type === 'aws_rds_cluster' && db.config.engine_mode === 'serverless') return undefined; // always encrypted
      return truthy(db.config.storage_encrypted) ? undefined : 'storage_encrypted is not true';
    },
  },
  {
    id: 'POL-RDS-002',
    title: 'Databases are not publicly accessible',
    description: '`publicly_accessible` must stay false: databases live in the isolated database subnets and are reached ' +
      'from the application security groups only.',
    severity: 'error',
    checkov: ['CKV_AWS_17'],
    controls: ['FSBP RDS.2', 'CIS 2.3.3'],
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster_instance'],
    check: (db) => truthy(db.config.publicly_accessible) ? 'publicly_accessible is true' : undefined,
  },
  {
    id: 'POL-RDS-003',
    title: 'Production databases have deletion protection',
    description: 'In a production account (`prd`) every RDS instance and Aurora cluster sets `deletion_protection = true` ' +
      '(the layer also sets lifecycle prevent_destroy). Other environments are not checked.',
    severity: 'error',
    checkov: ['CKV_AWS_139', 'CKV_AWS_293'],
    controls: ['FSBP RDS.7', 'FSBP RDS.8'],
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
    check(db, stack) {
      if (!isProduction(stack) || clusterMember(db)) return undefined;
      return truthy(db.config.deletion_protection) ? undefined : `deletion_protection is not true in ${stack.environment}`;
    },
  },
  {
    id: 'POL-RDS-004',
    title: 'Automated backups are kept at least 7 days',
    description: '`backup_retention_period` of 7 or more on RDS instances and Aurora clusters (AWS defaults to 1 day). ' +
      'Cluster members and read replicas are skipped.',
    severity: 'error',
    checkov: ['CKV_AWS_133'],
    controls: ['FSBP RDS.11'],
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
    check(db) {
      if (clusterMember(db) || replica(db) || globalSecondary(db)) return undefined;
      const days = Number(db.config.backup_retention_period ?? 1);
      return Number.isNaN(days) || days >= 7 ? undefined : `backup_retention_period is ${days} (at least 7)`;
    },
  },
  {
    id: 'POL-RDS-005',
    title: 'Master password is managed by RDS (no literal, nothing in state)',
    description: 'Use `manage_master_user_password = true` (RDS keeps the password in Secrets Manager and rotates it) or a ' +
      'write-only `password_wo`. A literal password is a secret in git; a password passed in lands in the state. ' +
      'Aurora global databases, which cannot use managed passwords, need a suppression naming where the secret lives.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
    check(db) {
      const attribute = db.type === 'aws_db_instance' ? 'password' : 'master_password';
      return passwordProblem(db.config[attribute], attribute, 'manage_master_user_password');
    },
  },
  {
    id: 'POL-EC-001',
    title: 'ElastiCache replication groups are encrypted at rest',
    description: '`at_rest_encryption_enabled = true` with a customer managed `kms_key_id` where possible.',
    severity: 'error',
    checkov: ['CKV_AWS_29'],
    controls: ['FSBP ElastiCache.4'],
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (rg) => truthy(rg.config.at_rest_encryption_enabled) ? undefined : 'at_rest_encryption_enabled is not true',
  },
  {
    id: 'POL-EC-002',
    title: 'ElastiCache replication groups encrypt in transit',
    description: '`transit_encryption_enabled = true`; clients connect with TLS.',
    severity: 'error',
    checkov: ['CKV_AWS_30'],
    controls: ['FSBP ElastiCache.5'],
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (rg) => truthy(rg.config.transit_encryption_enabled) ? undefined : 'transit_encryption_enabled is not true',
  },
  {
    id: 'POL-EC-003',
    title: 'ElastiCache replication groups require authentication',
    description: 'Clients authenticate with RBAC (`user_group_ids`, preferred) or an AUTH token that is not a literal.',
    severity: 'error',
    checkov: ['CKV_AWS_31'],
    controls: ['FSBP ElastiCache.6'],
    resourceTypes: ['aws_elasticache_replication_group'],
    check(rg) {
      if (isSet(rg.config.user_group_ids)) return undefined;
      if (!isSet(rg.config.auth_token)) return 'neither user_group_ids (RBAC) nor auth_token is set';
      return isLiteral(rg.config.auth_token) ? 'auth_token is a literal in the code' : undefined;
    },
  },
  {
    id: 'POL-DDB-001',
    title: 'DynamoDB tables have point-in-time recovery',
    description: '`point_in_time_recovery { enabled = true }`: restores to any second of the last 35 days.',
    severity: 'error',
    checkov: ['CKV_AWS_28'],
    controls: ['FSBP DynamoDB.2'],
    resourceTypes: ['aws_dynamodb_table'],
    check: (t) => truthy(block(t.config.point_in_time_recovery)?.enabled) ? undefined : 'point_in_time_recovery is not enabled',
  },
  {
    id: 'POL-DDB-002',
    title: 'DynamoDB tables are encrypted with a customer managed key',
    description: '`server_side_encryption { enabled = true, kms_key_arn = <CMK> }`; without it the AWS owned key is used and ' +
      'access cannot be restricted through the key policy.',
    severity: 'error',
    checkov: ['CKV_AWS_119'],
    controls: [],
    resourceTypes: ['aws_dynamodb_table'],
    check(t) {
      const sse = block(t.config.server_side_encryption);
      if (!sse || !truthy(sse.enabled)) return 'server_side_encryption is not enabled (AWS owned key)';
      return isSet(sse.kms_key_arn) ? undefined : 'server_side_encryption uses the AWS managed key, not a customer managed key';
    },
  },
];
