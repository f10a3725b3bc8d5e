import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, positiveInteger } from '../lib/validators';
import { bucketBaseline } from './bucket-baseline';
import { BUCKET_DELIVERY_ACTIONS } from './perms';
import { denyInsecureTransport, oneOrMany, policyDocument } from './policy';
import { refuseProblems } from './prop-problems';

/** The canonical user of CloudFront standard-log delivery (awslogsdelivery), granted FULL_CONTROL by CloudFront itself. */
export const CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID = 'c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0';

export interface LogBucketProps {
  readonly bucketName: string;
  /** Account whose buckets (and distributions) write here; S3 log delivery is pinned to it. */
  readonly sourceAccountId: string;
  /** Days log objects are kept. @default 365 */
  readonly expirationDays?: number;
  /**
   * Also receive CloudFront standard (legacy) logs. CloudFront writes through an ACL grant to its awslogsdelivery
   * account that it adds to the bucket ACL itself, so ACLs must be enabled: object ownership becomes
   * `BucketOwnerPreferred` instead of `BucketOwnerEnforced` (objects still end up owned by this account).
   * @default false
   */
  readonly cloudFrontLogs?: boolean;
  /** Refuse `terraform destroy` of the bucket (logs kept for audits would be lost). @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function logBucketPropProblems(props: Partial<LogBucketProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.expirationDays !== undefined) problems.check('expirationDays', positiveInteger(props.expirationDays));
  return problems.list;
}

/**
 * A private bucket receiving S3 server access logs (and optionally CloudFront standard logs). S3 server access
 * logging only delivers into buckets whose default encryption is SSE-S3, never SSE-KMS, which is why this is not a
 * SecureBucket: versioned, SSE-S3, public access blocked, TLS-only, writes only from `logging.s3.amazonaws.com` of
 * the source account, and expiry of old logs.
 */
export class LogBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  /** Regional-agnostic `<bucket>.s3.amazonaws.com`, the form CloudFront logging_config expects. */
  readonly domainName: string;
  readonly objectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred';

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    refuseProblems(scope, id, logBucketPropProblems(props));
    const provider = props.provider;
    this.objectOwnership = props.cloudFrontLogs ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced';
    const { bucket: created, publicAccess } = bucketBaseline(this, {
      bucketName: props.bucketName, objectOwnership: this.objectOwnership, protect: props.protect, provider,
    });
    this.bucket = created;
    this.bucketName = created.bucket;
    this.arn = created.arn;
    this.domainName = created.bucketDomainName;
    const bucket = created.id;
    new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policyDocument([
        denyInsecureTransport(this.arn),
        {
          Sid: 'S3ServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: oneOrMany(BUCKET_DELIVERY_ACTIONS),
          Resource: `${this.arn}/*`,
          Condition: { StringEquals: { 'aws:SourceAccount': props.sourceAccountId } },
        },
      ]),
      dependsOn: [publicAccess],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [{
        id: 'expire-logs',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.expirationDays ?? 365 }],
        noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      }],
    });
  }
}
