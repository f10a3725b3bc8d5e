import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { backendBucketName, backendLogBucketName, lockTableName } from '../lib/naming';
import { FieldProblems, renamedField } from '../lib/validators';
import { DynamoTable } from '../modules/dynamo-table';
import { KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { SecureBucket, secureBucketPropProblems } from '../modules/secure-bucket';

export interface BaseTfBackendConfig {
  /** Days old versions of a state file are kept, to roll back a bad apply. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * `prevent_destroy` of the key, both buckets and the lock table, and the table's deletion protection: every layer
   * state of the account lives here. Turn it off only to tear down an account. @default true
   */
  readonly protect?: boolean;
}

export const baseTfBackendContract = defineContract('base-tf-backend', {
  state_bucket_name: { description: 'S3 bucket holding every layer state of the account', mock: 'acme-mock-terraform-backend' },
  state_bucket_arn: { description: 'ARN of the state bucket', mock: 'arn:aws:s3:::acme-mock-terraform-backend' },
  lock_table_name: { description: 'DynamoDB table holding state locks', mock: 'acme-mock-terraform-backend' },
  state_kms_key_arn: { description: 'KMS key encrypting state objects and locks', mock: 'arn:aws:kms:us-east-1:111111111111:key/mock' },
});

/**
 * The account's state backend (Leverage base-tf-backend): a hardened, versioned, KMS-encrypted bucket (access
 * logged to a log bucket) and an on-demand lock table with point-in-time recovery. Applied once with local state, then migrated into itself.
 */
export class BaseTfBackend extends LayerStack {
  static readonly contract = baseTfBackendContract;
  static readonly stateful = true;
  static readonly bootstrapsBackend = true;

  static validate(config: BaseTfBackendConfig): FieldProblem[] {
    const problems = new FieldProblems();
    // The state bucket's rules, under the same field name.
    for (const p of secureBucketPropProblems({ noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays })) problems.add(p.field, p.message);
    // `protect` is the project's one protection flag; the names other layers used for it are not read here.
    problems.check('preventDestroy', renamedField(config, 'preventDestroy', 'protect'));
    problems.check('deletionProtection', renamedField(config, 'deletionProtection', 'protect'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: BaseTfBackendConfig) {
    super(scope, ctx);
    const project = ctx.org.project.name;
    const protect = config.protect ?? true;
    const key = new KmsKey(this, 'state-key', {
      alias: this.resourceName('terraform-backend'),
      description: `Encrypts Terraform state and locks of ${ctx.account.name}`,
      accountId: ctx.account.id,
      protect,
    });
    // Who read or overwrote a state object is an audit question; S3 only logs into SSE-S3 buckets.
    const accessLogs = new LogBucket(this, 'state-access-logs', {
      bucketName: backendLogBucketName(project, ctx.account.name, ctx.account.id),
      sourceAccountId: ctx.account.id,
      protect,
    });
    const bucket = new SecureBucket(this, 'state-bucket', {
      bucketName: backendBucketName(project, ctx.account.name, ctx.account.id),
      kmsKeyArn: key.arn,
      noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays ?? 90,
      accessLogs: { bucket: accessLogs.bucketName, prefix: 'state-bucket/' },
      protect,
    });
    // Locks live seconds: nothing to back up beyond point-in-time recovery.
    const table = new DynamoTable(this, 'lock-table', {
      name: lockTableName(project, ctx.account.name),
      partitionKey: { name: 'LockID' },
      kmsKeyArn: key.arn,
      backupPlan: false,
      protect,
    });
    this.publish(baseTfBackendContract, {
      state_bucket_name: bucket.bucketName,
      state_bucket_arn: bucket.arn,
      lock_table_name: table.name,
      state_kms_key_arn: key.arn,
    });
  }
}
