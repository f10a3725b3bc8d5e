/** Streams, queues and topics; IAM; Lambda. */
import {
  block,
  blocks,
  isObject,
  isSet,
  looksLikeSecret,
  policyStatements,
  referencedAddresses,
  strings,
  truthy,
  type Json,
  type ResourceView,
  type Rule,
  type StackView,
} from '../model';
import { lambdaRuntimeDeprecation } from '../../versions';

const ADMINISTRATOR_ACCESS = /:iam::aws:policy\/AdministratorAccess$/;
const BREAK_GLASS = /break[-_]?glass/i;

/** Names of the IAM entities or permission sets a value designates: literals, or the `name` of referenced resources. */
function entityNames(value: Json, stack: StackView): string[] {
  const names: string[] = [];
  for (const text of strings(value)) {
    if (!text.includes('${')) { names.push(text); continue; }
    for (const address of referencedAddresses(text)) {
      const target = stack.byAddress(address);
      if (target && typeof target.config.name === 'string') names.push(target.config.name);
      else names.push(address);
    }
  }
  return names;
}

function adminAttachment(resource: ResourceView, stack: StackView): { arns: string[]; entities: string[] } {
  const c = resource.config;
  switch (resource.type) {
    case 'aws_iam_role':
      return { arns: strings(c.managed_policy_arns), entities: [String(c.name ?? resource.address)] };
    case 'aws_ssoadmin_managed_policy_attachment':
      return { arns: strings(c.managed_policy_arn), entities: entityNames(c.permission_set_arn, stack) };
    case 'aws_iam_policy_attachment':
      return { arns: strings(c.policy_arn), entities: [...entityNames(c.roles, stack), ...entityNames(c.users, stack), ...entityNames(c.groups, stack)] };
    default:
      return { arns: strings(c.policy_arn), entities: entityNames(c.role ?? c.user ?? c.group, stack) };
  }
}

function identityPolicies(resource: ResourceView): Json[] {
  if (resource.type === 'aws_iam_role') return blocks(resource.config.inline_policy).map((p) => p.policy);
  if (resource.type === 'aws_ssoadmin_permission_set_inline_policy') return [resource.config.inline_policy];
  return [resource.config.policy];
}

const GITHUB_HOST = 'token.actions.githubusercontent.com';

/** Whether a trust statement's Federated principal is GitHub's OIDC provider (a literal ARN or a provider in the stack). */
function trustsGithub(principal: unknown, stack: StackView): boolean {
  const federated = isObject(principal) ? strings(principal.Federated) : [];
  return federated.some((value) => value.includes(GITHUB_HOST) || referencedAddresses(value).some((address) => {
    const provider = stack.byAddress(address);
    return provider?.type === 'aws_iam_openid_connect_provider' && String(provider.config.url ?? '').includes(GITHUB_HOST);
  }));
}

/** Values of condition `key` under `operator` (case-insensitive key, as IAM compares them). */
function conditionValues(condition: Record<string, Record<string, unknown>> | undefined, operator: string, key: string): string[] | undefined {
  const block = condition?.[operator];
  if (!isObject(block)) return undefined;
  const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return entry ? strings(entry[1]) : undefined;
}

function secretEnvironment(variables: Json): string[] {
  if (!isObject(variables)) return [];
  return Object.entries(variables).filter(([name, value]) => looksLikeSecret(name, value)).map(([name]) => name);
}

export const workloadRules: Rule[] = [
  {
    id: 'POL-KIN-001',
    title: 'Kinesis data streams are encrypted with KMS',
    description: '`encryption_type = "KMS"` with a `kms_key_id` (customer managed key or alias/aws/kinesis).',
    severity: 'error',
    checkov: ['CKV_AWS_43'],
    controls: ['FSBP Kinesis.1'],
    resourceTypes: ['aws_kinesis_stream'],
    check: (s) => s.config.encryption_type === 'KMS' && isSet(s.config.kms_key_id) ? undefined : 'encryption_type is not KMS',
  },
  {
    id: 'POL-FH-001',
    title: 'Firehose delivery streams are encrypted',
    description: '`server_side_encryption { enabled = true, key_type = "CUSTOMER_MANAGED_CMK", key_arn }` for direct-put ' +
      'streams. Streams reading a Kinesis stream or MSK inherit the source encryption and are skipped.',
    severity: 'error',
    checkov: ['CKV_AWS_240', 'CKV_AWS_241'],
    controls: ['FSBP DataFirehose.1'],
    resourceTypes: ['aws_kinesis_firehose_delivery_stream'],
    check(s) {
      if (isSet(s.config.kinesis_source_configuration) || isSet(s.config.msk_source_configuration)) return undefined;
      return truthy(block(s.config.server_side_encryption)?.enabled) ? undefined : 'server_side_encryption is not enabled';
    },
  },
  {
    id: 'POL-SQS-001',
    title: 'SQS queues are encrypted',
    description: '`kms_master_key_id` (customer managed key, needed when SNS or EventBridge deliver to the queue with ' +
      'their own key grants) or `sqs_managed_sse_enabled = true`.',
    severity: 'error',
    checkov: ['CKV_AWS_27'],
    controls: ['FSBP SQS.1'],
    resourceTypes: ['aws_sqs_queue'],
    check: (q) => isSet(q.config.kms_master_key_id) || truthy(q.config.sqs_managed_sse_enabled) ? undefined : 'neither kms_master_key_id nor sqs_managed_sse_enabled',
  },
  {
    id: 'POL-SNS-001',
    title: 'SNS topics are encrypted with KMS',
    description: '`kms_master_key_id` set (modules/encrypted-topic.ts).',
    severity: 'error',
    checkov: ['CKV_AWS_26'],
    controls: ['FSBP SNS.1'],
    resourceTypes: ['aws_sns_topic'],
    check: (t) => isSet(t.config.kms_master_key_id) ? undefined : 'kms_master_key_id is not set',
  },
  {
    id: 'POL-IAM-001',
    title: 'No IAM policy allows `*` actions on `*` resources',
    description: 'Identity policies (managed, inline, SSO inline) never Allow Action `*` on Resource `*`; grant service ' +
      'actions on named resources. Full administration, where needed, is the AWS managed AdministratorAccess on a ' +
      'break-glass role (see POL-IAM-002). SCPs are not identity policies and are not checked.',
    severity: 'error',
    checkov: ['CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_355'],
    controls: ['FSBP IAM.1', 'CIS 1.16'],
    resourceTypes: ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role',
      'aws_ssoadmin_permission_set_inline_policy'],
    check(resource, stack) {
      return identityPolicies(resource).flatMap((doc) => policyStatements(doc, stack) ?? [])
        .filter((s) => s.Effect === 'Allow' && s.Action.some((a) => a === '*' || a === '*:*') && s.Resource.includes('*'))
        .map((s) => `statement ${s.Sid ?? '(no Sid)'} allows * on *`);
    },
  },
  {
    id: 'POL-IAM-002',
    title: 'AdministratorAccess is attached only to a break-glass role',
    description: 'The AWS managed AdministratorAccess policy may only be attached to a role (or permission set) whose name ' +
      'contains "break-glass"/"breakglass". Everything else gets scoped policies; an exception (e.g. the bootstrap ' +
      'deploy role) needs a suppression with the reason and the guard rails (MFA, trust, SCPs).',
    severity: 'error',
    checkov: ['CKV_AWS_274'],
    controls: ['CIS 1.16'],
    resourceTypes: ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment',
      'aws_iam_policy_attachment', 'aws_iam_role', 'aws_ssoadmin_managed_policy_attachment'],
    check(resource, stack) {
      const { arns, entities } = adminAttachment(resource, stack);
      if (!arns.some((a) => ADMINISTRATOR_ACCESS.test(a))) return undefined;
      if (resource.type === 'aws_iam_user_policy_attachment' || resource.type === 'aws_iam_group_policy_attachment') {
        return 'AdministratorAccess attached to an IAM user or group';
      }
      const others = entities.filter((e) => !BREAK_GLASS.test(e));
      return entities.length > 0 && others.length === 0 ? undefined : `AdministratorAccess attached to ${others.join(', ') || 'an unknown entity'}`;
    },
  },
  {
    id: 'POL-IAM-003',
    title: 'No IAM policy allows a whole service (`svc:*`) or NotAction on `*` resources',
    description: 'An Allow of `s3:*`, `kms:*`... or an Allow with NotAction on Resource `*` is administration of that ' +
      'service (or of everything else) in the account. List the actions the workload calls and scope the resources.',
    severity: 'warning',
    checkov: ['CKV_AWS_355', 'CKV_AWS_290'],
    controls: [],
    resourceTypes: ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role',
      'aws_ssoadmin_permission_set_inline_policy'],
    check(resource, stack) {
      return identityPolicies(resource).flatMap((doc) => policyStatements(doc, stack) ?? [])
        .filter((s) => s.Effect === 'Allow' && s.Resource.includes('*') &&
          (s.NotAction.length > 0 || s.Action.some((a) => /^[a-z0-9-]+:\*$/i.test(a))))
        .map((s) => `statement ${s.Sid ?? '(no Sid)'} allows ${s.NotAction.length > 0 ? `everything but ${s.NotAction.join(', ')}` : s.Action.filter((a) => a.endsWith(':*')).join(', ')} on *`);
    },
  },
  {
    id: 'POL-IAM-004',
    title: 'GitHub OIDC trust pins the audience and exact subjects of the project repository',
    description: `A role trusted by GitHub's OIDC provider (${GITHUB_HOST}) requires \`:aud\` = sts.amazonaws.com and ` +
      'exact `:sub` values under StringEquals: no StringLike, no `*` or `?`, never `repo:org/*`, and every subject in the ' +
      "repository of the project's `ci.githubRepository`. Without it any workflow of any repository (or any branch) could " +
      'assume the role. Apply roles name an environment (`repo:o/r:environment:<account>`) protected in GitHub.',
    severity: 'error',
    checkov: ['CKV_AWS_358'],
    controls: [],
    resourceTypes: ['aws_iam_role'],
    check(role, stack) {
      const problems: string[] = [];
      for (const s of policyStatements(role.config.assume_role_policy, stack) ?? []) {
        if (s.Effect !== 'Allow' || !s.Action.some((a) => a === 'sts:AssumeRoleWithWebIdentity' || a === 'sts:*' || a === '*') || !trustsGithub(s.Principal, stack)) continue;
        const sid = s.Sid ?? '(no Sid)';
        const audience = conditionValues(s.Condition, 'StringEquals', `${GITHUB_HOST}:aud`);
        if (!audience || audience.length !== 1 || audience[0] !== 'sts.amazonaws.com') problems.push(`statement ${sid}: audience is not pinned to sts.amazonaws.com with StringEquals`);
        for (const operator of Object.keys(s.Condition ?? {}).filter((o) => o !== 'StringEquals')) {
          if (conditionValues(s.Condition, operator, `${GITHUB_HOST}:sub`)) problems.push(`statement ${sid}: sub is matched with ${operator}; use StringEquals with exact subjects`);
        }
        const subjects = conditionValues(s.Condition, 'StringEquals', `${GITHUB_HOST}:sub`);
        if (!subjects || subjects.length === 0) {
          problems.push(`statement ${sid}: no sub condition: every GitHub repository could assume the role`);
          continue;
        }
        for (const sub of subjects) {
          if (/[*?]/.test(sub)) problems.push(`statement ${sid}: subject ${sub} has a wildcard`);
          else if (stack.githubRepository && !sub.startsWith(`repo:${stack.githubRepository}:`)) {
            problems.push(`statement ${sid}: subject ${sub} is not in the configured repository ${stack.githubRepository}`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'POL-LAM-001',
    title: 'Lambda functions use a supported runtime',
    description: 'A runtime past its deprecation date (lib/versions.ts LAMBDA_RUNTIMES, from the Lambda runtimes page) gets no ' +
      'security patches, and creating functions on it is blocked later. Container image functions (package_type Image) are skipped.',
    severity: 'error',
    checkov: ['CKV_AWS_363'],
    controls: ['FSBP Lambda.2'],
    resourceTypes: ['aws_lambda_function'],
    check(fn) {
      const runtime = fn.config.runtime;
      if (fn.config.package_type === 'Image' || typeof runtime !== 'string') return undefined;
      const since = lambdaRuntimeDeprecation(runtime);
      return since ? `runtime ${runtime} is deprecated since ${since}` : undefined;
    },
  },
  {
    id: 'POL-LAM-002',
    title: 'Lambda functions have X-Ray active tracing',
    description: '`tracing_config { mode = "Active" }` (the role needs xray:PutTraceSegments/PutTelemetryRecords).',
    severity: 'warning',
    checkov: ['CKV_AWS_50'],
    controls: ['FSBP Lambda.7'],
    resourceTypes: ['aws_lambda_function'],
    check: (fn) => block(fn.config.tracing_config)?.mode === 'Active' ? undefined : 'tracing_config.mode is not Active',
  },
  {
    id: 'POL-LAM-003',
    title: 'Lambda environment variables carry no secrets',
    description: 'Secret-looking variable names with literal values, references to secret values, and credential-shaped ' +
      'values are refused; pass the secret ARN or SSM parameter name and read it at runtime.',
    severity: 'error',
    checkov: ['CKV_AWS_45'],
    controls: [],
    resourceTypes: ['aws_lambda_function'],
    check(fn) {
      const bad = blocks(fn.config.environment).flatMap((e) => secretEnvironment(e.variables));
      return bad.length === 0 ? undefined : `secret-looking environment ${bad.join(', ')}`;
    },
  },
];
