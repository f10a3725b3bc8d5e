import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, positiveInteger } from '../lib/validators';
import { backupPlanTags, type BackupPlanChoice } from './backup-tag';
import { bucketBaseline } from './bucket-baseline';
import { keyFromArn, type IKey } from './kms-key';
import {
  actions, BUCKET_CLOUDFRONT_READ_ACTIONS, BUCKET_DELETE_ACTIONS, BUCKET_READ_ACTIONS, BUCKET_REPLICATION_CONFIG_ACTIONS,
  BUCKET_REPLICATION_READ_ACTIONS, BUCKET_REPLICATION_WRITE_ACTIONS, BUCKET_WRITE_ACTIONS, KEY_DECRYPT_ACTIONS, KEY_REPLICA_ENCRYPT_ACTIONS,
} from './perms';
import { allow, denyInsecureTransport, oneOrMany, policyDocument, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';

export interface SecureBucketProps {
  readonly bucketName: string;
  /** KMS key for SSE-KMS default encryption (CKV_AWS_145). */
  readonly kmsKeyArn: string;
  /** Days a replaced or deleted object version is kept. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Where access logs go (CKV_AWS_18). @default - no access logging; set it for everything but log buckets */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string };
  /** Statements added to the bucket policy after the TLS-only deny. @default [] */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * Extra lifecycle rules (storage-class transitions, expiry of a prefix) added after the noncurrent-version rule.
   * S3 allows one lifecycle configuration per bucket, so they must go here rather than in a separate resource.
   * @default []
   */
  readonly lifecycleRules?: readonly S3BucketLifecycleConfigurationRule[];
  /** Refuse `terraform destroy` of the bucket. @default true */
  readonly protect?: boolean;
  /**
   * AWS Backup plan that backs the bucket up (the `BackupPlan` tag, modules/backup-tag.ts). Off unless asked: most
   * buckets hold logs, replicas or re-creatable content, and S3 backups are billed per GB. @default false
   */
  readonly backupPlan?: BackupPlanChoice;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Problems of the props that need no AWS, by prop name: S3 lifecycle `NoncurrentDays` is a positive whole number.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html
 */
export function secureBucketPropProblems(props: Partial<SecureBucketProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.noncurrentVersionExpirationDays !== undefined) problems.check('noncurrentVersionExpirationDays', positiveInteger(props.noncurrentVersionExpirationDays));
  return problems.list;
}

/**
 * A bucket principals can be granted access to: a SecureBucket of this stack, or any bucket by ARN (`bucketFromArn`).
 * Each grant adds one statement over the bucket and its objects (`<arn>` and `<arn>/<pattern>`) to the grantee's policy
 * and, for an SSE-KMS bucket, the key actions S3 needs on the grantee's behalf.
 */
export interface IBucket {
  readonly arn: string;
  /** The default-encryption key. @default - SSE-S3, no key to grant */
  readonly encryptionKey?: IKey;
  /** List the bucket and read objects (and decrypt them). */
  grantRead(grantee: Grantable, objectsKeyPattern?: string): void;
  /** Write objects, multipart uploads included (and encrypt them). */
  grantWrite(grantee: Grantable, objectsKeyPattern?: string): void;
  /** Both, as one statement. */
  grantReadWrite(grantee: Grantable, objectsKeyPattern?: string): void;
  /** Delete objects (a versioned bucket keeps the noncurrent versions). */
  grantDelete(grantee: Grantable, objectsKeyPattern?: string): void;
  /**
   * What S3 replication's role reads from this source bucket in `region`: its replication configuration and its object
   * versions with ACLs and tags, and, for an SSE-KMS bucket, `kms:Decrypt` on its key through S3 of that region only
   * (`kms:ViaService`), which S3 uses to read the encrypted versions.
   */
  grantReplicationSource(grantee: Grantable, region: string): void;
  /**
   * What S3 replication's role writes into this destination bucket in `region`: replicas, delete markers and tags, and,
   * for an SSE-KMS bucket, the key actions S3 needs to encrypt the replicas (KEY_REPLICA_ENCRYPT_ACTIONS) through S3 of
   * that region only.
   */
  grantReplicationDestination(grantee: Grantable, region: string): void;
}

/** Statement ids of the bucket grants: one statement per purpose, listing every bucket granted for it. */
export const BUCKET_GRANT_SIDS = {
  read: 'S3Read', write: 'S3Write', readWrite: 'S3ReadWrite', delete: 'S3Delete',
  replicationConfig: 'ReadSourceConfig', replicationRead: 'ReadSourceVersions', replicationWrite: 'WriteReplicas',
  replicationDecrypt: 'DecryptSource', replicationEncrypt: 'EncryptReplica',
} as const;

/** S3's endpoint in `region`: the `kms:ViaService` of a key used by S3 there. */
function s3Endpoint(region: string): string {
  return `s3.${region}.amazonaws.com`;
}

class BucketGrants implements IBucket {
  constructor(readonly arn: string, readonly encryptionKey?: IKey) {}

  grantRead(grantee: Grantable, objectsKeyPattern = '*'): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.read, BUCKET_READ_ACTIONS, [this.arn, `${this.arn}/${objectsKeyPattern}`]));
    this.encryptionKey?.grantDecrypt(grantee);
  }

  grantWrite(grantee: Grantable, objectsKeyPattern = '*'): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.write, BUCKET_WRITE_ACTIONS, [this.arn, `${this.arn}/${objectsKeyPattern}`]));
    this.encryptionKey?.grantEncryptDecrypt(grantee);
  }

  grantReadWrite(grantee: Grantable, objectsKeyPattern = '*'): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.readWrite, actions(BUCKET_READ_ACTIONS, BUCKET_WRITE_ACTIONS), [this.arn, `${this.arn}/${objectsKeyPattern}`]));
    this.encryptionKey?.grantEncryptDecrypt(grantee);
  }

  grantDelete(grantee: Grantable, objectsKeyPattern = '*'): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.delete, BUCKET_DELETE_ACTIONS, `${this.arn}/${objectsKeyPattern}`));
  }

  grantReplicationSource(grantee: Grantable, region: string): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.replicationConfig, BUCKET_REPLICATION_CONFIG_ACTIONS, [this.arn]));
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.replicationRead, BUCKET_REPLICATION_READ_ACTIONS, [`${this.arn}/*`]));
    this.encryptionKey?.grant(grantee, BUCKET_GRANT_SIDS.replicationDecrypt, KEY_DECRYPT_ACTIONS, { viaService: s3Endpoint(region) });
  }

  grantReplicationDestination(grantee: Grantable, region: string): void {
    grantee.addToPolicy(allow(BUCKET_GRANT_SIDS.replicationWrite, BUCKET_REPLICATION_WRITE_ACTIONS, [`${this.arn}/*`]));
    this.encryptionKey?.grant(grantee, BUCKET_GRANT_SIDS.replicationEncrypt, KEY_REPLICA_ENCRYPT_ACTIONS, { viaService: s3Endpoint(region) });
  }
}

/** A bucket known by ARN only (another layer's bucket): grants on it and, when given, on its key. */
export function bucketFromArn(arn: string, kmsKeyArn?: string): IBucket {
  return new BucketGrants(arn, kmsKeyArn === undefined ? undefined : keyFromArn(kmsKeyArn));
}

/** A bucket known by name only (another layer's output): its ARN is `arn:aws:s3:::<name>`, bucket names being global. */
export function bucketFromName(bucketName: string, kmsKeyArn?: string): IBucket {
  return bucketFromArn(`arn:aws:s3:::${bucketName}`, kmsKeyArn);
}

/**
 * A private bucket: versioning, SSE-KMS with bucket keys, all four public-access blocks, owner-enforced
 * object ownership, a TLS-only bucket policy and expiry of noncurrent versions.
 */
export class SecureBucket extends Construct implements IBucket {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  readonly encryptionKey: IKey;
  /** The bucket policy: a service that checks it when configured (CloudTrail) must depend on it. */
  readonly policy: S3BucketPolicy;
  private readonly grants: BucketGrants;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    refuseProblems(scope, id, secureBucketPropProblems(props));
    const provider = props.provider;
    const { bucket: created, publicAccess } = bucketBaseline(this, { bucketName: props.bucketName, kmsKeyArn: props.kmsKeyArn, protect: props.protect, provider });
    this.bucket = created;
    if (props.backupPlan) created.tags = backupPlanTags(props.backupPlan);
    this.bucketName = created.bucket;
    this.arn = created.arn;
    this.encryptionKey = keyFromArn(props.kmsKeyArn);
    this.grants = new BucketGrants(this.arn, this.encryptionKey);
    const bucket = created.id;
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policyDocument([denyInsecureTransport(this.arn), ...(props.policyStatements ?? [])]),
      // S3 rejects a policy write racing the public-access block.
      dependsOn: [publicAccess],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [{
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      }, ...(props.lifecycleRules ?? [])],
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'logging', {
        provider,
        bucket,
        targetBucket: props.accessLogs.bucket,
        targetPrefix: props.accessLogs.prefix,
      });
    }
  }

  grantRead(grantee: Grantable, objectsKeyPattern?: string): void {
    this.grants.grantRead(grantee, objectsKeyPattern);
  }

  grantWrite(grantee: Grantable, objectsKeyPattern?: string): void {
    this.grants.grantWrite(grantee, objectsKeyPattern);
  }

  grantReadWrite(grantee: Grantable, objectsKeyPattern?: string): void {
    this.grants.grantReadWrite(grantee, objectsKeyPattern);
  }

  grantDelete(grantee: Grantable, objectsKeyPattern?: string): void {
    this.grants.grantDelete(grantee, objectsKeyPattern);
  }

  grantReplicationSource(grantee: Grantable, region: string): void {
    this.grants.grantReplicationSource(grantee, region);
  }

  grantReplicationDestination(grantee: Grantable, region: string): void {
    this.grants.grantReplicationDestination(grantee, region);
  }
}

/**
 * The bucket-policy statement of a CloudFront origin reached through origin access control: CloudFront may read objects
 * on behalf of one distribution only (its key needs `KmsKey.grantToService('cloudfront', ...)` as well).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#oac-permission-to-access-s3
 */
export function cloudFrontReadStatement(bucketArn: string, distributionArn: string): PolicyStatement {
  return {
    Sid: 'CloudFrontOriginAccessControlRead',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: oneOrMany(BUCKET_CLOUDFRONT_READ_ACTIONS),
    Resource: `${bucketArn}/*`,
    // The key name as the cdn layer first wrote it (condition keys are case-insensitive).
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}
