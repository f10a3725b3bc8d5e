/**
 * Who creates IAM role X in account Y, and at which step: derived from the `aws_iam_role` and
 * `aws_iam_service_linked_role` resources of the day-zero sequence and of the steady synth, the resources that make a
 * service create its service-linked role, and the role Organizations creates in each account it creates
 * (`aws_organizations_account.role_name`). A role "exists by then" for a user (a stack, or one resource of a stack)
 * when its creator runs before the user: an earlier day-zero step, any day-zero step for a steady stack, or a layer
 * upstream in the layer graph. Nothing exists a priori: the only identity before the first step is the caller's own
 * session, valid in the account that holds the organisation (PF-IAM-007).
 */
import { refersTo, type ResourceView } from '../policy/model';
import { depends, literalString, parseRoleArn, type AccountInfo, type OrgModel, type StackModel } from './model';
import { SERVICE_LINKED_ROLES } from './tables';

export type CreatorKind = 'resource' | 'service-linked' | 'implicit' | 'organizations';

export interface RoleCreator {
  readonly kind: CreatorKind;
  /** The creating stack: a day-zero step (`stack.step` set) or a steady stack. */
  readonly stack: StackModel;
  readonly address: string;
}

export interface RoleIndex {
  creators(accountId: string, roleName: string): readonly RoleCreator[];
  /**
   * The account holding the organisation: where a layer (day zero or steady) creates `aws_organizations_organization`.
   * Undefined when no layer does: then no account is known to be reachable with the caller's own session.
   */
  readonly organisationAccount?: AccountInfo;
}

const cache = new WeakMap<OrgModel, RoleIndex>();

export function roleIndex(org: OrgModel): RoleIndex {
  const cached = cache.get(org);
  if (cached) return cached;
  const byKey = new Map<string, RoleCreator[]>();
  const add = (accountId: string, name: string, creator: RoleCreator): void => {
    const key = `${accountId}/${name}`.toLowerCase();
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(creator);
  };
  let organisationAccount: AccountInfo | undefined;
  for (const stack of [...org.bootstrap, ...org.stacks]) {
    for (const resource of stack.view.ofType('aws_iam_role')) {
      const name = literalString(resource.config.name);
      if (name) add(stack.account.id, name, { kind: 'resource', stack, address: resource.address });
    }
    for (const resource of stack.view.ofType('aws_iam_service_linked_role')) {
      const spec = SERVICE_LINKED_ROLES.find((s) => s.service === resource.config.aws_service_name);
      if (!spec) continue;
      const suffix = literalString(resource.config.custom_suffix);
      add(stack.account.id, suffix ? `${spec.name}_${suffix}` : spec.name, { kind: 'service-linked', stack, address: resource.address });
    }
    for (const spec of SERVICE_LINKED_ROLES) {
      for (const resource of stack.view.ofType(...spec.createdImplicitlyBy)) {
        add(stack.account.id, spec.name, { kind: 'implicit', stack, address: resource.address });
      }
    }
    // Organizations creates `role_name` in every account it creates (CreateAccount's RoleName).
    for (const resource of stack.view.ofType('aws_organizations_account')) {
      const role = literalString(resource.config.role_name);
      const email = literalString(resource.config.email);
      const account = org.project.accounts.find((a) => a.email !== undefined && a.email === email);
      if (role && account) add(account.id, role, { kind: 'organizations', stack, address: resource.address });
    }
    if (!organisationAccount && stack.view.ofType('aws_organizations_organization').length > 0) organisationAccount = stack.account;
  }
  const index: RoleIndex = { creators: (accountId, name) => byKey.get(`${accountId}/${name}`.toLowerCase()) ?? [], organisationAccount };
  cache.set(org, index);
  return index;
}

export type Availability =
  | { readonly ok: true; readonly creator: RoleCreator }
  | { readonly ok: false; readonly reason: 'nobody' | 'self' | 'later' | 'implicit-too-late'; readonly creators: readonly RoleCreator[] };

/**
 * Whether role `name` of account `accountId` exists when `user` needs it. With a `resource`, a creator in the same
 * stack counts when the resource references it (Terraform orders them); without one (provider, backend), it never
 * does: a stack cannot authenticate with a role it has not created yet. "Self" means every creator is this same layer
 * (in the day-zero or the steady synth) and none of them ran before: the layer assumes a role only it creates.
 */
export function roleAvailable(org: OrgModel, accountId: string, name: string, user: { stack: StackModel; resource?: ResourceView }): Availability {
  const creators = roleIndex(org).creators(accountId, name);
  for (const c of creators) {
    if (c.stack === user.stack) {
      if (user.resource && c.kind !== 'implicit' &&
        (refersTo(user.resource.config, c.address) || depends(user.resource).includes(c.address))) return { ok: true, creator: c };
      continue;
    }
    if (org.runsBefore(c.stack, user.stack)) return { ok: true, creator: c };
  }
  if (creators.length === 0) return { ok: false, reason: 'nobody', creators };
  if (creators.every((c) => c.stack.id === user.stack.id)) {
    return { ok: false, reason: creators.every((c) => c.kind === 'implicit') ? 'implicit-too-late' : 'self', creators };
  }
  return { ok: false, reason: 'later', creators };
}

/** `name` and account of a role ARN, or undefined for anything else (users, roots, services, wildcards). */
export function roleOfArn(arn: string): { accountId: string; name: string; serviceLinked: boolean } | undefined {
  if (arn.includes('*') || arn.includes('${')) return undefined;
  const parsed = parseRoleArn(arn);
  return parsed ? { accountId: parsed.accountId, name: parsed.name, serviceLinked: parsed.path.startsWith('/aws-service-role/') } : undefined;
}

/** `acme-apps-prd-security (aws_iam_role.x)`, or for a day-zero step `day-zero step apps-prd/security/apply (...)`. */
export function describeStack(stack: StackModel): string {
  return stack.step ? `day-zero step ${stack.step.id}` : stack.id;
}

export function describeCreators(creators: readonly RoleCreator[]): string {
  return [...new Set(creators.map((c) => `${describeStack(c.stack)} (${c.address})`))].join(', ');
}
