import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems } from '../lib/validators';
import { backupPlanChoiceProblem, backupPlanTags, DEFAULT_BACKUP_PLAN, type BackupPlanChoice } from './backup-tag';
import { keyFromArn, type IKey } from './kms-key';
import { actions, KEY_DESCRIBE_ACTIONS, KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_ACTIONS, TABLE_STREAM_READ_ACTIONS, TABLE_WRITE_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';

export interface TableKey {
  readonly name: string;
  /** @default 'S' */
  readonly type?: 'S' | 'N' | 'B';
}

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

export interface DynamoTableProps {
  /** Table name, 3 to 255 of `a-z A-Z 0-9 _ . -`. */
  readonly name: string;
  readonly partitionKey: TableKey;
  /** @default - no sort key */
  readonly sortKey?: TableKey;
  /** Customer managed key of the table (CKV_AWS_119); callers are granted use of it with the table. */
  readonly kmsKeyArn: string;
  /** Stream of item changes. @default - no stream */
  readonly stream?: StreamViewType;
  /** Attribute holding the expiry epoch. @default - no TTL */
  readonly ttlAttribute?: string;
  /**
   * Replicas of this (global) table are added by another layer with `aws_dynamodb_table_replica`: the table needs a
   * NEW_AND_OLD_IMAGES stream, and this module must not remove replicas it does not know. @default false
   */
  readonly replicatedElsewhere?: boolean;
  /** Deletion protection and `prevent_destroy`. @default true */
  readonly protect?: boolean;
  /**
   * AWS Backup plan that backs the table up (the `BackupPlan` tag, modules/backup-tag.ts), on top of point-in-time
   * recovery; `false` for tables of re-creatable data (sessions, caches). @default DEFAULT_BACKUP_PLAN ('standard')
   */
  readonly backupPlan?: BackupPlanChoice;
  /** Tags of the table besides the backup plan's (and the provider's default tags). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function dynamoTablePropProblems(props: Partial<DynamoTableProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) {
    problems.check('name', awsName(props.name, { maxLength: 255, pattern: /^[a-zA-Z0-9_.-]{3,}$/, described: 'at least 3 of a-z, A-Z, 0-9, _, . and -' }));
  }
  if (props.sortKey && props.partitionKey && props.sortKey.name === props.partitionKey.name) problems.add('sortKey', 'must differ from the partition key');
  // Key and TTL attribute names: 1 to 255 characters (DynamoDB naming rules).
  for (const [field, name] of [['partitionKey.name', props.partitionKey?.name], ['sortKey.name', props.sortKey?.name], ['ttlAttribute', props.ttlAttribute]] as const) {
    if (name !== undefined) problems.check(field, awsName(name, { maxLength: 255 }));
  }
  if (props.replicatedElsewhere && props.stream !== undefined && props.stream !== 'NEW_AND_OLD_IMAGES') {
    problems.add('stream', `${props.stream}: a replicated (global) table needs NEW_AND_OLD_IMAGES`);
  }
  problems.check('backupPlan', backupPlanChoiceProblem(props.backupPlan));
  return problems.list;
}

/**
 * A DynamoDB table: on-demand, point-in-time recovery, encrypted with a customer managed key, deletion protection.
 * Created in `scope` with the id given (its Terraform address in a layer).
 */
export class DynamoTable {
  readonly table: DynamodbTable;
  readonly arn: string;
  readonly name: string;
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: DynamoTableProps) {
    const protect = props.protect ?? true;
    const stream = props.stream ?? (props.replicatedElsewhere ? 'NEW_AND_OLD_IMAGES' : undefined);
    const keys = [props.partitionKey, ...(props.sortKey ? [props.sortKey] : [])];
    this.encryptionKey = keyFromArn(props.kmsKeyArn);
    this.table = new DynamodbTable(scope, id, {
      provider: props.provider,
      name: props.name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: props.partitionKey.name,
      rangeKey: props.sortKey?.name,
      attribute: keys.map((k) => ({ name: k.name, type: k.type ?? 'S' })),
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      streamEnabled: stream !== undefined,
      streamViewType: stream,
      ttl: props.ttlAttribute ? { attributeName: props.ttlAttribute, enabled: true } : undefined,
      deletionProtectionEnabled: protect,
      tags: { ...props.tags, ...backupPlanTags(props.backupPlan ?? DEFAULT_BACKUP_PLAN) },
      lifecycle: { preventDestroy: protect, ...(props.replicatedElsewhere ? { ignoreChanges: ['replica'] } : {}) },
    });
    this.arn = this.table.arn;
    this.name = this.table.name;
  }

  /** Read items of the table and its indexes. */
  grantReadData(grantee: Grantable): void {
    grantee.addToPolicy(allow('DynamoDbRead', TABLE_READ_ACTIONS, [this.arn, `${this.arn}/index/*`]));
    this.encryptionKey.grant(grantee, 'KmsDecryptDescribe', actions(KEY_DECRYPT_ACTIONS, KEY_DESCRIBE_ACTIONS));
  }

  /** Write items of the table (put, update, delete, batch write), encrypting them with the table's key. */
  grantWriteData(grantee: Grantable): void {
    grantee.addToPolicy(allow('DynamoDbWrite', TABLE_WRITE_ACTIONS, this.arn));
    this.encryptionKey.grant(grantee, 'KmsEncryptDecryptDescribe', actions(KEY_ENCRYPT_DECRYPT_ACTIONS, KEY_DESCRIBE_ACTIONS));
  }

  /** Read and write items of the table and its indexes. */
  grantReadWriteData(grantee: Grantable): void {
    grantee.addToPolicy(allow('DynamoDbReadWrite', actions(TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS), [this.arn, `${this.arn}/index/*`]));
    this.encryptionKey.grant(grantee, 'KmsEncryptDecryptDescribe', actions(KEY_ENCRYPT_DECRYPT_ACTIONS, KEY_DESCRIBE_ACTIONS));
  }

  /** Read the table's stream (a Lambda trigger, a pipe). */
  grantStreamRead(grantee: Grantable): void {
    grantee.addToPolicy(allow('DynamoDbStreamRead', TABLE_STREAM_READ_ACTIONS, `${this.arn}/stream/*`));
    this.encryptionKey.grantDecrypt(grantee);
  }
}
