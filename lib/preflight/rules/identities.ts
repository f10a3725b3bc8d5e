/**
 * Identities: every role a provider, backend or remote-state read assumes exists in that account before the layer
 * runs, judged over the day-zero sequence (each step: created by an earlier step, or by Organizations with the
 * account) and then the steady synth (created by the day-zero sequence or by a layer upstream in the graph); the
 * caller's own session acts only in the account holding the organisation; every principal a policy or an admin list
 * names exists by the time that policy is written; the role a layer assumes may call what the layer's
 * organisation-wide resources need.
 */
import { blocks, refersTo, strings, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { actionAllowedBy, globMatch, namedPrincipalArns, statementsOf } from '../iam';
import { literalString, type OrgModel, type StackModel } from '../model';
import { describeCreators, describeStack, roleAvailable, roleIndex, roleOfArn, type Availability } from '../roles';
import { MANAGED_POLICY_GRANTS, REQUIRED_ACTIONS } from '../tables';

const ASSUME_DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html';

interface AssumeProblem {
  stack: StackModel;
  roleArn: string;
  addresses: string[];
  availability: Extract<Availability, { ok: false }>;
}

/** Assumed roles per stack (day-zero steps, then steady stacks) that do not exist when the stack runs, grouped by role. */
function assumeProblems(org: OrgModel): AssumeProblem[] {
  const problems: AssumeProblem[] = [];
  for (const stack of [...org.bootstrap, ...org.stacks]) {
    const byRole = new Map<string, string[]>();
    for (const use of stack.roleUses) {
      // A remote-state read of an upstream layer that itself ran as this role: the role existed then.
      const read = [...stack.remoteReads.values()].find((r) => r.address === use.address);
      if (read?.producer && org.runsBefore(read.producer, stack) && read.producer.roleUses.some((u) => u.roleArn === use.roleArn && !u.address.startsWith('data.'))) continue;
      byRole.set(use.roleArn, [...(byRole.get(use.roleArn) ?? []), use.address]);
    }
    for (const [roleArn, addresses] of byRole) {
      const role = roleOfArn(roleArn);
      if (!role || !org.accountById(role.accountId)) continue;
      const availability = roleAvailable(org, role.accountId, role.name, { stack });
      if (!availability.ok) problems.push({ stack, roleArn, addresses, availability });
    }
  }
  return problems;
}

const cache = new WeakMap<OrgModel, AssumeProblem[]>();
function cachedAssumeProblems(org: OrgModel): AssumeProblem[] {
  let problems = cache.get(org);
  if (!problems) cache.set(org, (problems = assumeProblems(org)));
  return problems;
}

/** `day-zero step a/l/apply: provider.aws assumes ...` or, for a steady stack, `provider.aws assumes ...`. */
function useText(p: AssumeProblem): string {
  const step = p.stack.step ? `${describeStack(p.stack)}: ` : '';
  return `${step}${p.addresses.join(', ')} assume${p.addresses.length === 1 ? 's' : ''} ${p.roleArn}`;
}

/** Fix text for an assumed role, naming the bootstrap alternative. */
function assumeFix(org: OrgModel, stack: StackModel): string {
  const organisation = roleIndex(org).organisationAccount;
  const start = stack.account.id === organisation?.id
    ? 'the caller\'s own administrator session (no assume_role) until a layer creates the deploy role'
    : `the bootstrap role ${org.project.bootstrapRoleName ?? 'OrganizationAccountAccessRole'} (created by Organizations with the account)`;
  return stack.step
    ? `in the day-zero sequence, assume a role that exists at this step: ${start}; or apply the layer that creates the role in an earlier step (lib/bootstrap-plan.ts: bootstrapOrder)`
    : `assume a role that the day-zero sequence creates (make bootstrap-org: the deploy role of the security layer), or make this layer run after the layer that creates the role (a remote-state read, i.e. an edge of the layer graph); a layer that creates the role it assumes must be applied first by the day-zero sequence (${start})`;
}

/** Where a day-zero sequence could not be planned, every role it should have created is missing: say why. */
function dayZeroNote(org: OrgModel): string {
  return org.bootstrapError ? ` (no day-zero sequence: ${org.bootstrapError})` : '';
}

/** Policy attributes naming principals, per resource type. */
const POLICY_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role: 'assume_role_policy',
  aws_kms_key: 'policy',
  aws_kms_key_policy: 'policy',
  aws_s3_bucket_policy: 'policy',
  aws_sns_topic_policy: 'policy',
  aws_sqs_queue_policy: 'policy',
  aws_ecr_repository_policy: 'policy',
  aws_ecr_repository_creation_template: 'repository_policy',
  aws_secretsmanager_secret_policy: 'policy',
  aws_cloudwatch_event_bus_policy: 'policy',
  aws_glue_resource_policy: 'policy_in_json',
};

/** Attributes holding principal ARNs in admin lists and access grants. */
const ADMIN_ATTRIBUTES: Readonly<Record<string, string[]>> = {
  aws_eks_access_entry: ['principal_arn'],
  aws_lakeformation_data_lake_settings: ['admins', 'read_only_admins'],
  aws_lakeformation_permissions: ['principal'],
  aws_ram_principal_association: ['principal'],
};

function principalHit(org: OrgModel, stack: StackModel, resource: ResourceView, arn: string, where: string): Hit | undefined {
  const role = roleOfArn(arn);
  if (!role || !org.accountById(role.accountId)) return undefined;
  const availability = roleAvailable(org, role.accountId, role.name, { stack, resource });
  if (availability.ok) return undefined;
  const slr = role.serviceLinked;
  const create = slr
    ? `create it with aws_iam_service_linked_role in a layer of account ${org.accountById(role.accountId)!.name} that runs before this one`
    : 'create it in a layer that runs before this one (and read its ARN from that layer\'s outputs), or stop naming it';
  const because = {
    nobody: 'no layer creates it',
    self: `it is created in this same stack (${describeCreators(availability.creators)}) without a reference ordering it first`,
    'implicit-too-late': `the service creates it only when ${describeCreators(availability.creators)} is created, after this policy`,
    later: `it is created by ${describeCreators(availability.creators)}, which does not run before this layer`,
  }[availability.reason];
  return {
    stack: stack.id,
    address: resource.address,
    message: `${where} names ${arn}, but ${because}: AWS refuses a policy naming a principal that does not exist (MalformedPolicyDocument / invalid principal)`,
    fix: slr ? create : availability.reason === 'self' ? `reference the role resource (\${${availability.creators[0].address}.arn}) instead of a literal ARN, or ${create}` : create,
  };
}

/** The policies (managed ARNs, inline statements) attached to a role resource in its stack. */
function rolePolicies(stack: StackModel, role: ResourceView): { managed: string[]; inline: ReturnType<typeof statementsOf> } {
  const name = literalString(role.config.name);
  const targets = (value: unknown): boolean => refersTo(value, role.address) || (name !== undefined && value === name);
  const managed = stack.view.ofType('aws_iam_role_policy_attachment').filter((a) => targets(a.config.role)).flatMap((a) => strings(a.config.policy_arn));
  const inline = stack.view.ofType('aws_iam_role_policy').filter((p) => targets(p.config.role)).flatMap((p) => statementsOf(stack, p.config.policy));
  for (const inlineBlock of blocks(role.config.inline_policy)) inline.push(...statementsOf(stack, inlineBlock.policy));
  managed.push(...strings(role.config.managed_policy_arns));
  return { managed, inline };
}

/** Actions of `actions` the role's policies do not allow (or explicitly deny); undefined when not decidable. */
function roleMissing(stack: StackModel, role: ResourceView, actions: readonly string[]): string[] | undefined {
  const { managed, inline } = rolePolicies(stack, role);
  if (managed.some((arn) => arn.includes('${') || (!MANAGED_POLICY_GRANTS[arn] && !arn.startsWith('arn:aws:iam::aws:policy/')))) return undefined;
  return actions.filter((action) => {
    const denied = inline.some((s) => s.Effect === 'Deny' && actionAllowedBy(s, action));
    if (denied) return true;
    const byManaged = managed.some((arn) => {
      const grant = MANAGED_POLICY_GRANTS[arn];
      if (!grant) return false;
      if (grant.allow.some((p) => globMatch(p, action))) return true;
      return grant.allowAllExcept !== undefined && !grant.allowAllExcept.some((p) => globMatch(p, action));
    });
    return !byManaged && !inline.some((s) => s.Effect === 'Allow' && actionAllowedBy(s, action));
  });
}

export const identityRules: PreflightRule[] = [
  {
    id: 'PF-IAM-001',
    family: 'identities',
    title: 'Every role a provider, backend or remote-state read assumes (day-zero steps and steady layers) is created by a layer or by Organizations with the account',
    docs: ASSUME_DOCS,
    severity: 'error',
    check: (org) => cachedAssumeProblems(org).filter((p) => p.availability.reason === 'nobody').map((p) => ({
      stack: p.stack.id,
      address: p.addresses[0],
      message: `${useText(p)}, which no layer creates, neither in the day-zero sequence nor later, and Organizations does not create with the account${dayZeroNote(org)}: sts:AssumeRole fails before the first resource`,
      fix: `${assumeFix(org, p.stack)}; or create ${p.roleArn.split('/').pop()} in an early layer of that account`,
    })),
  },
  {
    id: 'PF-IAM-002',
    family: 'identities',
    title: 'No layer assumes a role that only it creates, unless the day-zero sequence applies that layer first',
    docs: ASSUME_DOCS,
    severity: 'error',
    check: (org) => cachedAssumeProblems(org).filter((p) => p.availability.reason === 'self' || p.availability.reason === 'implicit-too-late').map((p) => ({
      stack: p.stack.id,
      address: p.addresses[0],
      message: `${useText(p)}, which only this layer creates (${describeCreators(p.availability.creators)}) and the day-zero sequence does not apply before: its first apply cannot authenticate`,
      fix: assumeFix(org, p.stack),
    })),
  },
  {
    id: 'PF-IAM-003',
    family: 'identities',
    title: 'A role a layer assumes is created before it runs: by an earlier day-zero step, or for a steady layer by the day-zero sequence or an upstream layer',
    docs: ASSUME_DOCS,
    severity: 'error',
    check: (org) => cachedAssumeProblems(org).filter((p) => p.availability.reason === 'later').map((p) => ({
      stack: p.stack.id,
      address: p.addresses[0],
      message: p.stack.step
        ? `${useText(p)}, created by ${describeCreators(p.availability.creators)}, which the day-zero sequence does not apply before this step: the step cannot authenticate`
        : `${useText(p)}, created by ${describeCreators(p.availability.creators)}, which is neither in the day-zero sequence nor upstream of this layer: on a first apply this layer can run before it and fail to authenticate`,
      fix: assumeFix(org, p.stack),
    })),
  },
  {
    id: 'PF-IAM-004',
    family: 'identities',
    title: 'Every IAM role a trust, key, bucket, topic, queue or repository policy names exists when the policy is written',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const [type, attribute] of Object.entries(POLICY_ATTRIBUTES)) {
        for (const { stack, resource } of org.resources(type)) {
          for (const arn of namedPrincipalArns(statementsOf(stack, resource.config[attribute]))) {
            const hit = principalHit(org, stack, resource, arn, `the ${attribute.replace(/_/g, ' ')}`);
            if (hit) hits.push(hit);
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-IAM-005',
    family: 'identities',
    title: 'Every principal an admin list or access grant names (EKS access entries, Lake Formation admins, RAM) exists by then',
    docs: 'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const [type, attributes] of Object.entries(ADMIN_ATTRIBUTES)) {
        for (const { stack, resource } of org.resources(type)) {
          for (const attribute of attributes) {
            for (const value of strings(resource.config[attribute])) {
              const resolved = org.resolve(stack, value);
              const arn = resolved.kind === 'literal' ? resolved.value : undefined;
              if (!arn) continue; // a reference orders the producer first (same stack or remote state)
              const hit = principalHit(org, stack, resource, arn, attribute);
              if (hit) hits.push(hit);
            }
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-IAM-006',
    family: 'identities',
    title: 'The role a layer assumes may call what its organisation-wide and IAM resources need',
    docs: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const index = roleIndex(org);
      for (const stack of org.stacks) {
        const providerRoles = [...new Set(stack.roleUses.filter((u) => u.address.startsWith('provider.')).map((u) => u.roleArn))];
        for (const roleArn of providerRoles) {
          const role = roleOfArn(roleArn);
          if (!role) continue;
          const creator = index.creators(role.accountId, role.name).find((c) => c.kind === 'resource' && c.stack);
          const roleResource = creator?.stack?.view.byAddress(creator.address ?? '');
          if (!creator?.stack || !roleResource) continue; // PF-IAM-001 reports roles nobody creates
          const needs = new Map<string, string>();
          for (const req of REQUIRED_ACTIONS) {
            for (const r of stack.view.ofType(req.type)) {
              if (req.when && !req.when(r.config)) continue;
              for (const action of req.actions) if (!needs.has(action)) needs.set(action, r.address);
            }
          }
          if (needs.size === 0) continue;
          const missing = roleMissing(creator.stack, roleResource, [...needs.keys()]);
          if (!missing || missing.length === 0) continue;
          const byResource = new Map<string, string[]>();
          for (const action of missing) byResource.set(needs.get(action)!, [...(byResource.get(needs.get(action)!) ?? []), action]);
          for (const [address, actions] of byResource) {
            hits.push({
              stack: stack.id,
              address,
              message: `this layer runs as ${roleArn} (created by ${creator.stack.id}), whose policies do not allow ${actions.join(', ')}`,
              fix: `grant ${actions.join(', ')} to ${role.name} in ${creator.stack.id} (${creator.address}), or run this layer with a role that has them`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-IAM-007',
    family: 'identities',
    title: 'Only the account holding the organisation is reached with the caller\'s own session (no assume_role); everywhere else a role is assumed',
    docs: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const organisation = roleIndex(org).organisationAccount;
      for (const stack of [...org.bootstrap, ...org.stacks]) {
        for (const use of stack.callerUses) {
          // A remote-state read acts in the producer's account (its bucket); a provider or backend in the stack's own.
          const read = [...stack.remoteReads.values()].find((r) => r.address === use.address);
          const account = use.address.startsWith('data.') ? read?.producer?.account : stack.account;
          if (!account || account.id === organisation?.id) continue;
          const step = stack.step ? `${describeStack(stack)}: ` : '';
          hits.push({
            stack: stack.id,
            address: use.address,
            message: organisation
              ? `${step}${use.address} acts as the caller's own session (no assume_role) in account ${account.name} (${account.id}), but only the account holding the organisation (${organisation.name}) starts from the caller's session: a member account is reached through ${org.project.bootstrapRoleName ?? 'OrganizationAccountAccessRole'} until its deploy role exists`
              : `${step}${use.address} acts as the caller's own session (no assume_role) in account ${account.name} (${account.id}), but no layer creates or imports the organisation, so no account is known to start from the caller's session`,
            fix: organisation
              ? `assume the bootstrap role of ${account.name} (day zero) or its deploy role (lib/identity.ts derives both from config)`
              : 'declare the organizations layer in the management account (an existing organisation is imported into it, docs/governance.md) and set managementAccount in project.ts',
          });
        }
      }
      return hits;
    },
  },
];
