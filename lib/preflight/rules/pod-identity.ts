/**
 * EKS Pod Identity: every role an association names (a standalone `aws_eks_pod_identity_association` or an add-on's
 * `pod_identity_association` block) exists when the association is created, in the cluster's own account. EKS refuses
 * an association with a role it cannot find, and only accepts roles of the cluster's account.
 */
import { blocks, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { literalString, principalArn, type OrgModel, type StackModel } from '../model';
import { describeCreators, roleAvailable, roleOfArn } from '../roles';

const POD_IDENTITY_DOCS = 'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html';

/** The role values of a resource's associations, with the service account each one is for. */
function associations(resource: ResourceView): { roleArn: unknown; serviceAccount: string }[] {
  if (resource.type === 'aws_eks_pod_identity_association') {
    const c = resource.config;
    return [{ roleArn: c.role_arn, serviceAccount: `${literalString(c.namespace) ?? '?'}/${literalString(c.service_account) ?? '?'}` }];
  }
  return blocks(resource.config.pod_identity_association).map((b) => ({
    roleArn: b.role_arn,
    serviceAccount: `add-on ${literalString(resource.config.addon_name) ?? '?'}/${literalString(b.service_account) ?? '?'}`,
  }));
}

/** Why the role `value` is not usable by the association of `resource` in `stack`, or undefined. */
function roleHit(org: OrgModel, stack: StackModel, resource: ResourceView, value: unknown, serviceAccount: string): Hit | undefined {
  const resolved = org.resolve(stack, value);
  if (resolved.kind === 'unknown') return undefined; // a variable or an expression: nothing to judge
  const arn = resolved.kind === 'literal' ? resolved.value : principalArn(stack, value as string);
  const role = arn ? roleOfArn(arn) : undefined;
  const where = `the Pod Identity association of ${serviceAccount}`;
  if (resolved.kind === 'resource' && resolved.resource.type !== 'aws_iam_role') {
    return {
      stack: stack.id,
      address: resource.address,
      message: `${where} names ${resolved.resource.address}.${resolved.attribute}, which is not an IAM role`,
      fix: 'name the arn of an aws_iam_role trusted by pods.eks.amazonaws.com',
    };
  }
  const accountId = role?.accountId ?? (resolved.kind === 'resource' ? resolved.stack.account.id : undefined);
  if (accountId !== undefined && accountId !== stack.account.id) {
    return {
      stack: stack.id,
      address: resource.address,
      message: `${where} names a role of account ${org.accountById(accountId)?.name ?? accountId}, but EKS only associates roles of the cluster's account (${stack.account.name})`,
      fix: 'create the role in the cluster\'s account; to reach another account, let that role assume a role there (sts:AssumeRole from the pod)',
    };
  }
  if (resolved.kind === 'resource') {
    // A role of this stack is ordered by the reference; one of another layer must be applied before this one.
    if (resolved.stack === stack || org.runsBefore(resolved.stack, stack)) return undefined;
    return {
      stack: stack.id,
      address: resource.address,
      message: `${where} names ${resolved.resource.address} of ${resolved.stack.id}, which does not run before this layer`,
      fix: `read the role from an upstream layer (a remote-state read orders it first), or create it in ${stack.id}`,
    };
  }
  if (!role || !org.accountById(role.accountId)) return undefined;
  const availability = roleAvailable(org, role.accountId, role.name, { stack, resource });
  if (availability.ok) return undefined;
  return {
    stack: stack.id,
    address: resource.address,
    message: availability.reason === 'nobody'
      ? `${where} names ${arn}, which no layer creates: EKS refuses an association with a role it cannot find`
      : `${where} names ${arn}, created by ${describeCreators(availability.creators)}, which does not run before this layer`,
    fix: 'create the role (trusted by pods.eks.amazonaws.com) in this layer or one upstream, and reference its arn instead of a literal ARN',
  };
}

export const podIdentityRules: PreflightRule[] = [
  {
    id: 'PF-IAM-008',
    family: 'identities',
    title: 'Every role a Pod Identity association names is created by a layer, before the association, in the cluster\'s account',
    docs: POD_IDENTITY_DOCS,
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_eks_pod_identity_association', 'aws_eks_addon')) {
        for (const a of associations(resource)) {
          const hit = roleHit(org, stack, resource, a.roleArn, a.serviceAccount);
          if (hit) hits.push(hit);
        }
      }
      return hits;
    },
  },
];
