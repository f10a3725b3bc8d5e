/** EKS add-ons and Pod Identity: pinned add-on versions, Pod Identity roles trusted by EKS Pod Identity alone. */
import { EKS_ADDON_VERSION_PATTERN } from '../../versions';
import { blocks, isObject, policyStatements, refersTo, strings, type ResourceView, type Rule, type StackView } from '../model';

/** The EKS Pod Identity service principal (the EKS Auth service). */
const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];

/**
 * Add-ons whose software calls AWS APIs and so needs an IAM role (`requiresIamPermissions` in
 * `aws eks describe-addon-versions`). Without a Pod Identity association (or an IRSA role) they run with the node
 * role, which then needs their permissions, or fail.
 */
export const ADDONS_CALLING_AWS = [
  'vpc-cni', 'aws-ebs-csi-driver', 'aws-efs-csi-driver', 'aws-mountpoint-s3-csi-driver', 'external-dns',
  'amazon-cloudwatch-observability', 'adot',
] as const;

/** One Pod Identity association: a standalone resource or a block of an add-on, with the role it names. */
interface Association {
  readonly roleArn: unknown;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

function associationsOf(resource: ResourceView): Association[] {
  if (resource.type === 'aws_eks_pod_identity_association') {
    const c = resource.config;
    return [{ roleArn: c.role_arn, namespace: typeof c.namespace === 'string' ? c.namespace : undefined, serviceAccount: typeof c.service_account === 'string' ? c.service_account : undefined }];
  }
  return blocks(resource.config.pod_identity_association).map((b) => ({
    roleArn: b.role_arn,
    serviceAccount: typeof b.service_account === 'string' ? b.service_account : undefined,
  }));
}

/** The aws_iam_role of this stack a value interpolates, if any. */
function roleIn(stack: StackView, value: unknown): ResourceView | undefined {
  return stack.ofType('aws_iam_role').find((r) => refersTo(value, r.address));
}

/** What is wrong with a Pod Identity role's trust: other principals, other actions, a statement for anything else. */
function trustProblems(role: ResourceView, stack: StackView): string[] {
  const statements = policyStatements(role.config.assume_role_policy, stack);
  if (!statements) return [];
  const problems: string[] = [];
  for (const s of statements.filter((x) => x.Effect === 'Allow')) {
    const principal = s.Principal;
    const services = isObject(principal) ? strings(principal.Service) : [];
    const others = isObject(principal) ? Object.keys(principal).filter((k) => k !== 'Service') : ['*'];
    if (others.length > 0 || services.some((x) => x !== POD_IDENTITY_PRINCIPAL) || services.length === 0) {
      problems.push(`role ${role.address} trusts ${JSON.stringify(principal ?? s.NotAction)} besides ${POD_IDENTITY_PRINCIPAL}`);
      continue;
    }
    const extra = s.Action.filter((a) => !POD_IDENTITY_ACTIONS.includes(a));
    const missing = POD_IDENTITY_ACTIONS.filter((a) => !s.Action.includes(a));
    if (extra.length > 0) problems.push(`role ${role.address} lets ${POD_IDENTITY_PRINCIPAL} call ${extra.join(', ')}`);
    if (missing.length > 0) problems.push(`role ${role.address} does not allow ${missing.join(', ')} (EKS Pod Identity assumes the role and tags the session)`);
  }
  return problems;
}

/** The `aws:RequestTag/<tag>` values a Pod Identity trust statement pins (lower-cased keys). */
function requestTags(role: ResourceView, stack: StackView): Map<string, string[]>[] {
  return (policyStatements(role.config.assume_role_policy, stack) ?? []).filter((s) => s.Effect === 'Allow').map((s) => {
    const tags = new Map<string, string[]>();
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      if (operator !== 'StringEquals' || !isObject(keys)) continue;
      for (const [key, value] of Object.entries(keys)) {
        const m = /^aws:RequestTag\/(.+)$/i.exec(key);
        if (m) tags.set(m[1].toLowerCase(), Array.isArray(value) ? value.map(String) : [String(value)]);
      }
    }
    return tags;
  });
}

export const eksAddonRules: Rule[] = [
  {
    id: 'POL-EKS-005',
    title: 'EKS add-ons pin a published add-on version',
    description: 'Every `aws_eks_addon` sets `addon_version` to a literal `v<x.y.z>-eksbuild.<n>`: without one EKS installs ' +
      'its default and later plans drift; read from `data.aws_eks_addon_version` (`most_recent`) it changes on its own and ' +
      'calls AWS at plan time. The versions live in one table per Kubernetes minor (lib/versions.ts EKS_ADDON_VERSIONS).',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_eks_addon'],
    check(addon) {
      const version = addon.config.addon_version;
      if (typeof version !== 'string' || version === '') return 'addon_version is not set: EKS picks its default version';
      if (version.includes('data.aws_eks_addon_version')) return `addon_version ${version} is looked up (data.aws_eks_addon_version), not pinned`;
      if (version.includes('${')) return undefined; // a variable or another layer's output: judged where it is written
      return EKS_ADDON_VERSION_PATTERN.test(version) ? undefined : `addon_version "${version}" is not a published v<x.y.z>-eksbuild.<n> version`;
    },
  },
  {
    id: 'POL-EKS-006',
    title: 'Pod Identity roles are trusted by pods.eks.amazonaws.com only, for sts:AssumeRole and sts:TagSession',
    description: 'The role a Pod Identity association (or an add-on\'s `pod_identity_association`) names trusts the EKS ' +
      'Auth service and nothing else: no account, user, federated or other service principal, and exactly the two actions ' +
      'AWS documents (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html). A second trusted principal is a ' +
      'second way into the controller\'s permissions. Roles given by literal ARN are not in the stack and are not checked.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_eks_pod_identity_association', 'aws_eks_addon'],
    check(resource, stack) {
      return associationsOf(resource).flatMap((a) => {
        const role = roleIn(stack, a.roleArn);
        return role ? trustProblems(role, stack) : [];
      });
    },
  },
  {
    id: 'POL-EKS-007',
    title: 'Pod Identity roles are pinned to their cluster, namespace and service account',
    description: 'EKS Pod Identity tags the session with `eks-cluster-arn`, `kubernetes-namespace` and ' +
      '`kubernetes-service-account`: a trust conditioned on them (`StringEquals aws:RequestTag/...`) keeps an association ' +
      'made for another service account or cluster of the account from using the role (modules/pod-identity-role.ts).',
    severity: 'warning',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_eks_pod_identity_association', 'aws_eks_addon'],
    check(resource, stack) {
      return associationsOf(resource).flatMap((a) => {
        const role = roleIn(stack, a.roleArn);
        if (!role) return [];
        const pinned = requestTags(role, stack).some((tags) =>
          (tags.get('eks-cluster-arn') ?? []).length > 0 &&
          (a.serviceAccount === undefined || (tags.get('kubernetes-service-account') ?? []).includes(a.serviceAccount)) &&
          (a.namespace === undefined || (tags.get('kubernetes-namespace') ?? []).includes(a.namespace)));
        return pinned ? [] : [`role ${role.address} is not pinned to cluster, namespace${a.namespace ? ` ${a.namespace}` : ''} and service account ${a.serviceAccount ?? '?'} (aws:RequestTag conditions)`];
      });
    },
  },
  {
    id: 'POL-EKS-008',
    title: 'Add-ons that call AWS get their role through Pod Identity',
    description: `An add-on whose software calls AWS (${ADDONS_CALLING_AWS.join(', ')}) has a \`pod_identity_association\`: ` +
      'without one it falls back to the node role (which would then need the add-on\'s permissions, for every pod on the ' +
      'node) or to an IRSA `service_account_role_arn`, the previous method AWS still supports; AWS recommends Pod Identity ' +
      'associations for add-ons, and ignores the IRSA role when an association exists and the agent runs ' +
      '(https://docs.aws.amazon.com/eks/latest/userguide/add-ons-iam.html).',
    severity: 'warning',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_eks_addon'],
    check(addon) {
      const name = addon.config.addon_name;
      if (typeof name !== 'string' || !(ADDONS_CALLING_AWS as readonly string[]).includes(name)) return undefined;
      return blocks(addon.config.pod_identity_association).length > 0 ? undefined
        : `${name} has no pod_identity_association${addon.config.service_account_role_arn ? ' (an IRSA service_account_role_arn only)' : ''}`;
    },
  },
];
