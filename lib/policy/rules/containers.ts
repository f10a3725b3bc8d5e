/** EKS clusters, ECS task definitions and services. */
import { EKS_RELEASE_CALENDAR_URL, EKS_UPGRADE_WARNING_DAYS, eksVersionProblem, eksVersionWarning } from '../../versions';
import { block, blocks, isObject, looksLikeSecret, strings, truthy, type JsonObject, type ResourceView, type Rule } from '../model';

export const REQUIRED_EKS_LOG_TYPES = ['api', 'audit', 'authenticator'] as const;

/** Container definitions of a task definition, or undefined when they cannot be read statically. */
function containers(task: ResourceView): JsonObject[] | undefined {
  const raw = task.config.container_definitions;
  if (Array.isArray(raw)) return raw.filter(isObject);
  if (typeof raw !== 'string' || raw.trim().startsWith('${')) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isObject) : undefined;
  } catch {
    return undefined;
  }
}

function perContainer(task: ResourceView, problem: (c: JsonObject) => string | undefined): string[] {
  return (containers(task) ?? []).flatMap((c) => {
    const p = problem(c);
    return p ? [`container ${String(c.name ?? '?')}: ${p}`] : [];
  });
}

export const containerRules: Rule[] = [
  {
    id: 'POL-EKS-001',
    title: 'EKS encrypts Kubernetes secrets with a KMS key',
    description: '`encryption_config { resources = ["secrets"], provider { key_arn = <CMK> } }` (envelope encryption of ' +
      'secrets in etcd).',
    severity: 'error',
    checkov: ['CKV_AWS_58'],
    controls: ['FSBP EKS.3'],
    resourceTypes: ['aws_eks_cluster'],
    check(cluster) {
      const ok = blocks(cluster.config.encryption_config).some((e) =>
        strings(e.resources).includes('secrets') && strings(block(e.provider)?.key_arn).length > 0);
      return ok ? undefined : 'no encryption_config for secrets with a KMS key';
    },
  },
  {
    id: 'POL-EKS-002',
    title: `EKS control-plane logs include ${REQUIRED_EKS_LOG_TYPES.join(', ')}`,
    description: 'Set `enabled_cluster_log_types` to at least api, audit and authenticator (controllerManager and scheduler ' +
      'are optional), and create the `/aws/eks/<name>/cluster` log group with retention and KMS before the cluster.',
    severity: 'error',
    checkov: ['CKV_AWS_37'],
    controls: ['FSBP EKS.8'],
    resourceTypes: ['aws_eks_cluster'],
    check(cluster) {
      const enabled = strings(cluster.config.enabled_cluster_log_types);
      const missing = REQUIRED_EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
      return missing.length === 0 ? undefined : `enabled_cluster_log_types misses ${missing.join(', ')}`;
    },
  },
  {
    id: 'POL-EKS-003',
    title: 'EKS API endpoint is private or restricted to known CIDRs',
    description: 'Either `endpoint_public_access = false` (reach it through the VPN or a bastion), or ' +
      '`public_access_cidrs` listing known ranges. The provider default is public to 0.0.0.0/0.',
    severity: 'error',
    checkov: ['CKV_AWS_38', 'CKV_AWS_39'],
    controls: ['FSBP EKS.1'],
    resourceTypes: ['aws_eks_cluster'],
    check(cluster) {
      const vpc = block(cluster.config.vpc_config) ?? {};
      if (vpc.endpoint_public_access === false || vpc.endpoint_public_access === 'false') return undefined;
      const cidrs = strings(vpc.public_access_cidrs);
      if (cidrs.length === 0) return 'public endpoint open to 0.0.0.0/0 (endpoint_public_access defaults to true)';
      return cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0') ? `public endpoint open to ${cidrs.join(', ')}` : undefined;
    },
  },
  eksVersionRule(() => new Date()),
  {
    id: 'POL-ECS-001',
    title: 'ECS containers are not privileged',
    description: 'A privileged container has root on the host. Never set `privileged: true` in container definitions.',
    severity: 'error',
    checkov: ['CKV_AWS_334'],
    controls: ['FSBP ECS.4'],
    resourceTypes: ['aws_ecs_task_definition'],
    check: (task) => perContainer(task, (c) => truthy(c.privileged) ? 'privileged is true' : undefined),
  },
  {
    id: 'POL-ECS-002',
    title: 'ECS containers have a read-only root filesystem',
    description: 'Set `readonlyRootFilesystem: true` on every container; give writable scratch space through a volume ' +
      '(Fargate ephemeral storage) mounted where the application writes.',
    severity: 'error',
    checkov: ['CKV_AWS_336'],
    controls: ['FSBP ECS.5'],
    resourceTypes: ['aws_ecs_task_definition'],
    check: (task) => perContainer(task, (c) => truthy(c.readonlyRootFilesystem) ? undefined : 'readonlyRootFilesystem is not true'),
  },
  {
    id: 'POL-ECS-003',
    title: 'ECS containers send logs somewhere',
    description: 'Every container needs a `logConfiguration` with a `logDriver` (awslogs to an encrypted log group, or ' +
      'awsfirelens).',
    severity: 'error',
    checkov: [],
    controls: ['FSBP ECS.9'],
    resourceTypes: ['aws_ecs_task_definition'],
    check: (task) => perContainer(task, (c) => {
      const log = c.logConfiguration;
      return isObject(log) && typeof log.logDriver === 'string' && log.logDriver !== '' ? undefined : 'no logConfiguration.logDriver';
    }),
  },
  {
    id: 'POL-ECS-004',
    title: 'ECS containers get secrets from `secrets`, not environment values',
    description: 'Environment variables are visible to anyone who can describe the task definition. Secret-looking names ' +
      '(PASSWORD, TOKEN, API_KEY, SECRET...) with literal values, references to secret values, or values shaped like ' +
      'credentials are refused; use `secrets: [{ name, valueFrom: <Secrets Manager or SSM ARN> }]`.',
    severity: 'error',
    checkov: [],
    controls: ['FSBP ECS.8', 'trivy AWS-0036'],
    resourceTypes: ['aws_ecs_task_definition'],
    check: (task) => perContainer(task, (c) => {
      const bad = (Array.isArray(c.environment) ? c.environment : []).filter(isObject)
        .filter((e) => looksLikeSecret(String(e.name ?? ''), e.value)).map((e) => String(e.name));
      return bad.length === 0 ? undefined : `secret-looking environment ${bad.join(', ')}`;
    }),
  },
  {
    id: 'POL-ECS-005',
    title: 'ECS services do not assign public IPs',
    description: 'Tasks run in private subnets behind a load balancer: `network_configuration.assign_public_ip` stays false.',
    severity: 'error',
    checkov: ['CKV_AWS_333'],
    controls: ['FSBP ECS.2'],
    resourceTypes: ['aws_ecs_service'],
    check: (service) => blocks(service.config.network_configuration).some((n) => truthy(n.assign_public_ip))
      ? 'network_configuration.assign_public_ip is true' : undefined,
  },
];

/**
 * POL-EKS-004, with the date injectable for tests: a cluster version out of its support window (for its
 * `upgrade_policy.support_type`), leaving standard support within EKS_UPGRADE_WARNING_DAYS, or in paid extended support.
 */
export function eksVersionRule(today: () => Date): Rule {
  return {
    id: 'POL-EKS-004',
    title: `EKS runs a Kubernetes version in standard support for at least ${EKS_UPGRADE_WARNING_DAYS} more days`,
    description: 'Dates from the EKS release calendar in lib/versions.ts ' +
      `(${EKS_RELEASE_CALENDAR_URL}). After standard support a cluster either costs extended support per hour or, with ` +
      '`upgrade_policy { support_type = "STANDARD" }`, is upgraded by EKS on its own. Plan the upgrade (docs/workloads.md).',
    severity: 'warning',
    checkov: [],
    controls: ['FSBP EKS.2'],
    resourceTypes: ['aws_eks_cluster'],
    check(cluster) {
      const version = cluster.config.version;
      if (version === undefined) return 'version is not set: EKS creates the cluster on its default version, unpinned';
      if (typeof version !== 'string' || version.includes('${')) return 'version is not a literal: its support window cannot be checked';
      const supportType = block(cluster.config.upgrade_policy)?.support_type === 'STANDARD' ? 'STANDARD' : 'EXTENDED';
      const now = today();
      return eksVersionProblem(version, supportType, now) ?? eksVersionWarning(version, now);
    },
  };
}
