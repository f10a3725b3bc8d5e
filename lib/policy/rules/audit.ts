/** KMS keys and CloudTrail. */
import { conditionKeys, isSet, isWildcardPrincipal, policyStatements, truthy, type Rule } from '../model';

/**
 * Condition keys that pin a `*` principal to known callers. A key policy statement with Principal `*` is only
 * accepted when one of these appears with a value that is not itself a wildcard.
 */
export const SCOPING_CONDITION_KEYS: readonly string[] = [
  'aws:principalorgid', 'aws:principalaccount', 'aws:principalarn', 'kms:calleraccount',
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid',
];

export const auditRules: Rule[] = [
  {
    id: 'POL-KMS-001',
    title: 'KMS key rotation is enabled',
    description: 'Symmetric customer managed keys rotate their key material yearly (`enable_key_rotation = true`; ' +
      'modules/kms-key.ts). Asymmetric and HMAC keys cannot rotate and are skipped.',
    severity: 'error',
    checkov: ['CKV_AWS_7'],
    controls: ['FSBP KMS.4', 'CIS 3.8'],
    resourceTypes: ['aws_kms_key'],
    check(key) {
      const spec = key.config.customer_master_key_spec ?? key.config.key_spec;
      if (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') return undefined;
      return truthy(key.config.enable_key_rotation) ? undefined : 'enable_key_rotation is not true';
    },
  },
  {
    id: 'POL-KMS-002',
    title: 'Key policy has no wildcard principal without a scoping condition',
    description: 'An Allow statement with Principal `*` (or AWS `*`) in a key policy lets any AWS account use the key. ' +
      'Decision: it is accepted only with a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, ' +
      'kms:CallerAccount, aws:SourceAccount, aws:SourceArn or aws:SourceOrgID whose value is not `*`. Deny statements ' +
      'are always fine. Grant the account root, named roles or a service principal instead.',
    severity: 'error',
    checkov: ['CKV_AWS_33'],
    controls: ['FSBP KMS.5'],
    resourceTypes: ['aws_kms_key', 'aws_kms_key_policy'],
    check(key, stack) {
      const statements = policyStatements(key.config.policy, stack) ?? [];
      return statements
        .filter((s) => s.Effect === 'Allow' && isWildcardPrincipal(s.Principal))
        .filter((s) => {
          const keys = conditionKeys(s);
          return !SCOPING_CONDITION_KEYS.some((k) => (keys.get(k) ?? []).some((v) => v !== '*' && v !== ''));
        })
        .map((s) => `key policy statement ${s.Sid ?? '(no Sid)'} allows ${s.Action.join(', ')} to principal * without a scoping condition`);
    },
  },
  {
    id: 'POL-CT-001',
    title: 'CloudTrail trail is multi-region with global service events',
    description: 'A single-region trail misses API calls in other regions and IAM/STS events. Set `is_multi_region_trail = true` ' +
      '(and leave include_global_service_events on).',
    severity: 'error',
    checkov: ['CKV_AWS_67'],
    controls: ['FSBP CloudTrail.1', 'CIS 3.1'],
    resourceTypes: ['aws_cloudtrail'],
    check(trail) {
      if (!truthy(trail.config.is_multi_region_trail)) return 'is_multi_region_trail is not true';
      return trail.config.include_global_service_events === false ? 'include_global_service_events is false' : undefined;
    },
  },
  {
    id: 'POL-CT-002',
    title: 'CloudTrail log file validation is enabled',
    description: 'Digest files prove that delivered logs were not modified or deleted: `enable_log_file_validation = true`.',
    severity: 'error',
    checkov: ['CKV_AWS_36'],
    controls: ['FSBP CloudTrail.4', 'CIS 3.2'],
    resourceTypes: ['aws_cloudtrail'],
    check: (trail) => truthy(trail.config.enable_log_file_validation) ? undefined : 'enable_log_file_validation is not true',
  },
  {
    id: 'POL-CT-003',
    title: 'CloudTrail logs are encrypted with a KMS key',
    description: 'Set `kms_key_id` to a customer managed key whose policy admits cloudtrail.amazonaws.com for the trail ARN.',
    severity: 'error',
    checkov: ['CKV_AWS_35'],
    controls: ['FSBP CloudTrail.2', 'CIS 3.7'],
    resourceTypes: ['aws_cloudtrail'],
    check: (trail) => isSet(trail.config.kms_key_id) ? undefined : 'kms_key_id is not set',
  },
  {
    id: 'POL-CT-004',
    title: 'CloudTrail delivers to CloudWatch Logs',
    description: 'The CIS metric filters and alarms need the trail in a log group: set `cloud_watch_logs_group_arn` and ' +
      '`cloud_watch_logs_role_arn`.',
    severity: 'warning',
    checkov: ['CKV2_AWS_10'],
    controls: ['FSBP CloudTrail.5', 'CIS 3.4'],
    resourceTypes: ['aws_cloudtrail'],
    check: (trail) => isSet(trail.config.cloud_watch_logs_group_arn) ? undefined : 'cloud_watch_logs_group_arn is not set',
  },
];
