/** Account baseline (password policy, default EBS encryption, account public-access block), EC2, logs, DAX, ECR, secrets. */
import { block, blocks, isSet, truthy, type JsonObject, type Rule } from '../model';

export const baselineRules: Rule[] = [
  {
    id: 'POL-ACCT-001',
    title: 'Account password policy meets CIS (14+ characters, 24 remembered)',
    description: '`aws_iam_account_password_policy` with minimum_password_length >= 14 and password_reuse_prevention >= 24 ' +
      '(the security layer of every account).',
    severity: 'error',
    checkov: ['CKV_AWS_10', 'CKV_AWS_13'],
    controls: ['FSBP IAM.7', 'CIS 1.8', 'CIS 1.9'],
    resourceTypes: ['aws_iam_account_password_policy'],
    check(policy) {
      const problems: string[] = [];
      const length = Number(policy.config.minimum_password_length ?? 8);
      const reuse = Number(policy.config.password_reuse_prevention ?? 0);
      if (length < 14) problems.push(`minimum_password_length is ${length} (at least 14)`);
      if (reuse < 24) problems.push(`password_reuse_prevention is ${reuse} (at least 24)`);
      return problems;
    },
  },
  {
    id: 'POL-ACCT-002',
    title: 'EBS encryption by default is on',
    description: '`aws_ebs_encryption_by_default` must not be disabled: every new volume and snapshot copy is encrypted.',
    severity: 'error',
    checkov: ['CKV_AWS_106'],
    controls: ['FSBP EC2.7', 'CIS 2.2.1'],
    resourceTypes: ['aws_ebs_encryption_by_default'],
    check: (r) => r.config.enabled === false || r.config.enabled === 'false' ? 'enabled is false' : undefined,
  },
  {
    id: 'POL-ACCT-003',
    title: 'Account-level S3 public-access block is fully on',
    description: '`aws_s3_account_public_access_block` with all four settings true: no bucket of the account can be made public.',
    severity: 'error',
    checkov: [],
    controls: ['FSBP S3.1', 'CIS 2.1.5'],
    resourceTypes: ['aws_s3_account_public_access_block'],
    check(r) {
      const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter((k) => !truthy(r.config[k]));
      return off.length === 0 ? undefined : `${off.join(', ')} not true`;
    },
  },
  {
    id: 'POL-EC2-001',
    title: 'Instances require IMDSv2',
    description: 'Launch templates and instances set `metadata_options { http_tokens = "required" }` (hop limit 1 unless ' +
      'containers on the host need it): IMDSv1 lets an SSRF steal the instance role.',
    severity: 'error',
    checkov: ['CKV_AWS_79'],
    controls: ['FSBP EC2.8'],
    resourceTypes: ['aws_launch_template', 'aws_instance'],
    check: (r) => block(r.config.metadata_options)?.http_tokens === 'required' ? undefined : 'metadata_options.http_tokens is not "required"',
  },
  {
    id: 'POL-EC2-002',
    title: 'Instance volumes are encrypted',
    description: 'Every EBS block device of a launch template or instance, and every `aws_ebs_volume`, sets `encrypted = true` ' +
      '(with the account or a layer KMS key), instead of relying on the account default.',
    severity: 'error',
    checkov: ['CKV_AWS_8', 'CKV_AWS_3'],
    controls: ['FSBP EC2.3'],
    resourceTypes: ['aws_launch_template', 'aws_instance', 'aws_ebs_volume'],
    check(r) {
      if (r.type === 'aws_ebs_volume') return truthy(r.config.encrypted) ? undefined : 'encrypted is not true';
      if (r.type === 'aws_launch_template') {
        return blocks(r.config.block_device_mappings).filter((m) => isSet(m.ebs) && !truthy(block(m.ebs)?.encrypted))
          .map((m) => `block device ${String(m.device_name ?? '?')} is not encrypted`);
      }
      const devices: JsonObject[] = [...blocks(r.config.root_block_device).map((d) => ({ ...d, device_name: 'root' })), ...blocks(r.config.ebs_block_device)];
      if (blocks(r.config.root_block_device).length === 0) return 'root_block_device.encrypted is not set';
      return devices.filter((d) => !truthy(d.encrypted)).map((d) => `block device ${String(d.device_name ?? '?')} is not encrypted`);
    },
  },
  {
    id: 'POL-LOG-001',
    title: 'Log groups are encrypted with a KMS key',
    description: 'Set `kms_key_id` on `aws_cloudwatch_log_group` (a key whose policy admits logs.<region>.amazonaws.com, ' +
      'modules/kms-key.ts cloudWatchLogsKeyStatement).',
    severity: 'warning',
    checkov: ['CKV_AWS_158'],
    controls: [],
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (g) => isSet(g.config.kms_key_id) ? undefined : 'kms_key_id is not set',
  },
  {
    id: 'POL-LOG-002',
    title: 'Log groups have a retention period',
    description: 'Set `retention_in_days` (0 or unset keeps logs forever, at growing cost); audit logs usually 365 or more.',
    severity: 'warning',
    checkov: ['CKV_AWS_66', 'CKV_AWS_338'],
    controls: [],
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (g) => Number(g.config.retention_in_days ?? 0) > 0 ? undefined : 'retention_in_days is not set (logs kept forever)',
  },
  {
    id: 'POL-DAX-001',
    title: 'DAX clusters encrypt at rest and in transit',
    description: '`server_side_encryption { enabled = true }` and `cluster_endpoint_encryption_type = "TLS"`.',
    severity: 'error',
    checkov: ['CKV_AWS_47'],
    controls: ['FSBP DynamoDB.3', 'FSBP DynamoDB.7', 'trivy AWS-0023'],
    resourceTypes: ['aws_dax_cluster'],
    check(dax) {
      const problems: string[] = [];
      if (!truthy(block(dax.config.server_side_encryption)?.enabled)) problems.push('server_side_encryption is not enabled');
      if (dax.config.cluster_endpoint_encryption_type !== 'TLS') problems.push('cluster_endpoint_encryption_type is not TLS');
      return problems;
    },
  },
  {
    id: 'POL-ECR-001',
    title: 'ECR repositories scan images on push',
    description: '`image_scanning_configuration { scan_on_push = true }` (or an enhanced registry scanning configuration).',
    severity: 'warning',
    checkov: ['CKV_AWS_163'],
    controls: ['FSBP ECR.1'],
    resourceTypes: ['aws_ecr_repository'],
    check(repo, stack) {
      if (stack.ofType('aws_ecr_registry_scanning_configuration').length > 0) return undefined;
      return truthy(block(repo.config.image_scanning_configuration)?.scan_on_push) ? undefined : 'scan_on_push is not true';
    },
  },
  {
    id: 'POL-ECR-002',
    title: 'ECR image tags are immutable',
    description: '`image_tag_mutability = "IMMUTABLE"`: a deployed tag always means the same image.',
    severity: 'warning',
    checkov: ['CKV_AWS_51'],
    controls: ['FSBP ECR.2'],
    resourceTypes: ['aws_ecr_repository'],
    check: (repo) => repo.config.image_tag_mutability === 'IMMUTABLE' ? undefined : 'image_tag_mutability is not IMMUTABLE',
  },
  {
    id: 'POL-ECR-003',
    title: 'ECR repositories are encrypted with KMS',
    description: '`encryption_configuration { encryption_type = "KMS", kms_key = <CMK> }` instead of the default AES256.',
    severity: 'warning',
    checkov: ['CKV_AWS_136'],
    controls: [],
    resourceTypes: ['aws_ecr_repository'],
    check: (repo) => block(repo.config.encryption_configuration)?.encryption_type === 'KMS' ? undefined : 'encryption_type is not KMS',
  },
  {
    id: 'POL-SM-001',
    title: 'Secrets are encrypted with a customer managed key',
    description: 'Set `kms_key_id` on `aws_secretsmanager_secret` so reading the secret also needs kms:Decrypt on a key ' +
      'whose policy the account controls (the default aws/secretsmanager key cannot be shared or restricted).',
    severity: 'warning',
    checkov: ['CKV_AWS_149'],
    controls: [],
    resourceTypes: ['aws_secretsmanager_secret'],
    check: (s) => isSet(s.config.kms_key_id) ? undefined : 'kms_key_id is not set (aws/secretsmanager key)',
  },
  {
    id: 'POL-SM-002',
    title: 'Secrets have a resource policy naming who may read them',
    description: 'Attach an `aws_secretsmanager_secret_policy` (or `policy`) to every secret, e.g. a Deny of ' +
      '`secretsmanager:GetSecretValue` to every principal whose `aws:PrincipalArn` is not a reader (modules/managed-secret.ts). ' +
      'Without one, any principal of the account with broad IAM rights (PowerUserAccess) reads the value.',
    severity: 'warning',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_secretsmanager_secret'],
    check(secret, stack) {
      if (isSet(secret.config.policy)) return undefined;
      const ref = `aws_secretsmanager_secret.${secret.name}.`;
      const attached = stack.ofType('aws_secretsmanager_secret_policy').some((p) => String(p.config.secret_arn ?? '').includes(ref));
      return attached ? undefined : 'no resource policy: every principal of the account with secretsmanager:GetSecretValue reads the value';
    },
  },
];
