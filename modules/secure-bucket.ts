import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { bucketBaseline } from './bucket-baseline';
import { denyInsecureTransport, policyDocument, type PolicyStatement } from './policy';

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
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A private bucket: versioning, SSE-KMS with bucket keys, all four public-access blocks, owner-enforced
 * object ownership, a TLS-only bucket policy and expiry of noncurrent versions.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const provider = props.provider;
    const { bucket: created, publicAccess } = bucketBaseline(this, { bucketName: props.bucketName, kmsKeyArn: props.kmsKeyArn, preventDestroy: props.preventDestroy, provider });
    this.bucket = created;
    this.bucketName = created.bucket;
    this.arn = created.arn;
    const bucket = created.id;
    new S3BucketPolicy(this, 'policy', {
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
}
