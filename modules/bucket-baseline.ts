import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';

export interface BucketBaselineProps {
  readonly bucketName: string;
  /**
   * Default encryption: SSE-KMS with this key and S3 bucket keys. Log buckets leave it out, because S3 server access
   * logs and ELB access logs are only delivered into SSE-S3 buckets.
   * @default SSE-S3 (AES256)
   */
  readonly kmsKeyArn?: string;
  /** @default 'BucketOwnerEnforced' (ACLs disabled) */
  readonly objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred';
  /** Refuse `terraform destroy` of the bucket. @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

export interface BucketBaseline {
  readonly bucket: S3Bucket;
  /** A bucket policy must depend on it: S3 rejects a policy write racing the public-access block. */
  readonly publicAccess: S3BucketPublicAccessBlock;
}

/**
 * What every bucket of the project has, whatever it stores: versioning, default encryption, all four public-access
 * blocks and object ownership, created under `scope` (ids `bucket`, `versioning`, `encryption`, `public-access`,
 * `ownership`). SecureBucket, LogBucket and the ALB log bucket add their policy and lifecycle on top.
 */
export function bucketBaseline(scope: Construct, props: BucketBaselineProps): BucketBaseline {
  const provider = props.provider;
  const bucket = new S3Bucket(scope, 'bucket', {
    provider,
    bucket: props.bucketName,
    lifecycle: { preventDestroy: props.protect ?? true },
  });
  const id = bucket.id;
  new S3BucketVersioningA(scope, 'versioning', { provider, bucket: id, versioningConfiguration: { status: 'Enabled' } });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', {
    provider,
    bucket: id,
    rule: [props.kmsKeyArn
      ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
      : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
  const publicAccess = new S3BucketPublicAccessBlock(scope, 'public-access', {
    provider,
    bucket: id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', { provider, bucket: id, rule: { objectOwnership: props.objectOwnership ?? 'BucketOwnerEnforced' } });
  return { bucket, publicAccess };
}
