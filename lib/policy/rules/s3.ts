/** S3 buckets: public access, encryption, versioning, TLS, access logging, public policies. */
import {
  block,
  blocks,
  conditionKeys,
  isWildcardPrincipal,
  policyStatements,
  resourcesPointingAt,
  strings,
  truthy,
  type ResourceView,
  type Rule,
  type StackView,
} from '../model';

const BUCKET = ['aws_s3_bucket'];

/** Buckets receiving S3 server access logs or load balancer logs: AWS only supports SSE-S3 (AES256) for them. */
function sseS3OnlyTarget(bucket: ResourceView, stack: StackView): string | undefined {
  const accessLogSources = [
    ...resourcesPointingAt(stack, 'aws_s3_bucket_logging', (c) => c.target_bucket, bucket),
    ...resourcesPointingAt(stack, 'aws_s3_bucket', (c) => blocks(c.logging).map((l) => l.target_bucket), bucket),
  ];
  if (accessLogSources.length > 0) return 'S3 server access logs';
  const lbs = resourcesPointingAt(stack, ['aws_lb', 'aws_alb', 'aws_elb'], (c) => [
    ...blocks(c.access_logs).map((b) => b.bucket), ...blocks(c.connection_logs).map((b) => b.bucket),
  ], bucket);
  return lbs.length > 0 ? 'load balancer logs' : undefined;
}

/** Buckets receiving CloudTrail logs (CIS 3.6: their own access must be logged). */
function cloudTrailTarget(bucket: ResourceView, stack: StackView): ResourceView[] {
  return resourcesPointingAt(stack, 'aws_cloudtrail', (c) => c.s3_bucket_name, bucket);
}

function hasAccessLogging(bucket: ResourceView, stack: StackView): boolean {
  return blocks(bucket.config.logging).some((l) => strings(l.target_bucket).length > 0) ||
    resourcesPointingAt(stack, 'aws_s3_bucket_logging', (c) => c.bucket, bucket).length > 0;
}

function sseAlgorithms(bucket: ResourceView, stack: StackView): string[] {
  const configs = [
    ...resourcesPointingAt(stack, 'aws_s3_bucket_server_side_encryption_configuration', (c) => c.bucket, bucket).map((r) => r.config),
    ...blocks(bucket.config.server_side_encryption_configuration),
  ];
  return configs.flatMap((c) => blocks(c.rule)).flatMap((r) => blocks(r.apply_server_side_encryption_by_default))
    .map((d) => String(d.sse_algorithm ?? ''));
}

function bucketPolicies(bucket: ResourceView, stack: StackView): ResourceView[] {
  return resourcesPointingAt(stack, 'aws_s3_bucket_policy', (c) => c.bucket, bucket);
}

export const s3Rules: Rule[] = [
  {
    id: 'POL-S3-001',
    title: 'Bucket has a public-access block with all four settings on',
    description: 'Every `aws_s3_bucket` needs an `aws_s3_bucket_public_access_block` referencing it with block_public_acls, ' +
      'block_public_policy, ignore_public_acls and restrict_public_buckets all true (modules/secure-bucket.ts does it). ' +
      'Public content is served through CloudFront with origin access control, never from a public bucket.',
    severity: 'error',
    checkov: ['CKV2_AWS_6'],
    controls: ['FSBP S3.8', 'CIS 2.1.5'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      const blocksOf = resourcesPointingAt(stack, 'aws_s3_bucket_public_access_block', (c) => c.bucket, bucket);
      if (blocksOf.length === 0) return 'no aws_s3_bucket_public_access_block references this bucket';
      const settings = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const off = settings.filter((s) => !blocksOf.some((b) => truthy(b.config[s])));
      return off.length === 0 ? undefined : `public-access block leaves ${off.join(', ')} off`;
    },
  },
  {
    id: 'POL-S3-002',
    title: 'Bucket is encrypted with SSE-KMS (SSE-S3 only where AWS requires it)',
    description: 'Default encryption must be `aws:kms` (or `aws:kms:dsse`) with a customer managed key so access to the data ' +
      'also needs kms:Decrypt. Buckets that receive S3 server access logs or load balancer logs must use SSE-S3 ' +
      '(AES256), the only encryption those log deliveries support; they are accepted with AES256.',
    severity: 'error',
    checkov: ['CKV_AWS_145'],
    controls: ['FSBP S3.17'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      const algorithms = sseAlgorithms(bucket, stack);
      if (algorithms.length === 0) return 'no server-side encryption configuration references this bucket';
      if (algorithms.some((a) => a.startsWith('aws:kms'))) return undefined;
      const target = sseS3OnlyTarget(bucket, stack);
      if (target && algorithms.includes('AES256')) return undefined;
      return `default encryption is ${algorithms.join(', ')}, not aws:kms`;
    },
  },
  {
    id: 'POL-S3-003',
    title: 'Bucket versioning is enabled',
    description: 'Versioning keeps overwritten and deleted objects recoverable (state files, logs, data). Add ' +
      '`aws_s3_bucket_versioning` with status Enabled; expire noncurrent versions with a lifecycle rule.',
    severity: 'error',
    checkov: ['CKV_AWS_21'],
    controls: ['FSBP S3.14'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      const inline = blocks(bucket.config.versioning).some((v) => truthy(v.enabled));
      const separate = resourcesPointingAt(stack, 'aws_s3_bucket_versioning', (c) => c.bucket, bucket)
        .some((v) => block(v.config.versioning_configuration)?.status === 'Enabled');
      return inline || separate ? undefined : 'versioning is not enabled';
    },
  },
  {
    id: 'POL-S3-004',
    title: 'Bucket policy denies requests without TLS',
    description: 'The bucket policy must deny `s3:*` when `aws:SecureTransport` is false (modules/policy.ts ' +
      '`denyInsecureTransport`).',
    severity: 'error',
    checkov: [],
    controls: ['FSBP S3.5', 'CIS 2.1.2'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      const policies = bucketPolicies(bucket, stack);
      if (policies.length === 0) return 'no bucket policy (a TLS-only deny is required)';
      const statements = policies.map((p) => policyStatements(p.config.policy, stack));
      if (statements.some((s) => s === undefined)) return undefined; // not readable statically: do not guess
      const ok = statements.flat().some((s) => s!.Effect === 'Deny' &&
        (conditionKeys(s!).get('aws:securetransport') ?? []).some((v) => v === 'false'));
      return ok ? undefined : 'bucket policy has no Deny on aws:SecureTransport = false';
    },
  },
  {
    id: 'POL-S3-005',
    title: 'Bucket has server access logging (log buckets excepted)',
    description: 'Access logs record who read or changed objects. Buckets that are themselves the target of S3 server ' +
      'access logs or load balancer logs are exempt (a log of the log bucket would need yet another bucket); CloudTrail ' +
      'buckets are not, see POL-S3-006.',
    severity: 'warning',
    checkov: ['CKV_AWS_18'],
    controls: ['FSBP S3.9'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      if (hasAccessLogging(bucket, stack)) return undefined;
      if (sseS3OnlyTarget(bucket, stack) !== undefined && cloudTrailTarget(bucket, stack).length === 0) return undefined;
      return 'no server access logging';
    },
  },
  {
    id: 'POL-S3-006',
    title: 'Log buckets (CloudTrail targets) have server access logging',
    description: 'The bucket holding CloudTrail logs is the evidence of every API call: access to it must itself be logged ' +
      '(to another bucket), so tampering or exfiltration is visible.',
    severity: 'error',
    checkov: ['CKV_AWS_18'],
    controls: ['FSBP CloudTrail.7', 'CIS 3.6'],
    resourceTypes: BUCKET,
    check(bucket, stack) {
      if (cloudTrailTarget(bucket, stack).length === 0) return undefined;
      return hasAccessLogging(bucket, stack) ? undefined : 'receives CloudTrail logs but has no server access logging';
    },
  },
  {
    id: 'POL-S3-007',
    title: 'Bucket policy grants nothing to everyone',
    description: 'An Allow statement with Principal `*` (or AWS `*`) makes the bucket public unless it is scoped by a ' +
      'condition on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceAccount, aws:SourceVpce).',
    severity: 'error',
    checkov: ['CKV_AWS_70'],
    controls: ['FSBP S3.2', 'FSBP S3.3'],
    resourceTypes: ['aws_s3_bucket_policy'],
    check(policy, stack) {
      const statements = policyStatements(policy.config.policy, stack) ?? [];
      const scoping = ['aws:principalorgid', 'aws:principalaccount', 'aws:sourcearn', 'aws:sourceaccount', 'aws:sourcevpce', 'aws:sourcevpc'];
      return statements.filter((s) => s.Effect === 'Allow' && isWildcardPrincipal(s.Principal) &&
        ![...conditionKeys(s).keys()].some((k) => scoping.includes(k)))
        .map((s) => `statement ${s.Sid ?? '(no Sid)'} allows ${s.Action.join(', ')} to everyone`);
    },
  },
];
