/**
 * Who creates IAM role X in account Y, and at which step: derived from the synthesized `aws_iam_role` and
 * `aws_iam_service_linked_role` resources, the resources that make a service create its service-linked role, the
 * role Organizations creates in each account it creates, and the bootstrap path. A role "exists by then" for a
 * user (a stack, or one resource of a stack) when its creator runs before the user in the layer graph.
 */
import { refersTo, type ResourceView } from '../policy/model';
import { depends, literalString, parseRoleArn, type AccountInfo, type OrgModel, type StackModel } from './model';
import { SERVICE_LINKED_ROLES } from './tables';

export type CreatorKind = 'resource' | 'service-linked' | 'implicit' | 'organizations' | 'bootstrap';

export interface RoleCreator {
  readonly kind: CreatorKind;
  /** The creating stack; undefined for the bootstrap path (exists before any layer). */
  readonly stack?: StackModel;
  readonly address?: string;
  /** For the bootstrap path: why the role exists. */
  readonly note?: string;
}

export interface RoleIndex {
  creators(accountId: string, roleName: string): readonly RoleCreator[];
  /** The account holding the organisation (its first layers run from the caller's own session). */
  readonly managementAccount?: AccountInfo;
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
  for (const { stack, resource } of org.resources('aws_iam_role')) {
    const name = literalString(resource.config.name);
    if (name) add(stack.account.id, name, { kind: 'resource', stack, address: resource.address });
  }
  for (const { stack, resource } of org.resources('aws_iam_service_linked_role')) {
    const spec = SERVICE_LINKED_ROLES.find((s) => s.service === resource.config.aws_service_name);
    if (!spec) continue;
    const suffix = literalString(resource.config.custom_suffix);
    add(stack.account.id, suffix ? `${spec.name}_${suffix}` : spec.name, { kind: 'service-linked', stack, address: resource.address });
  }
  for (const spec of SERVICE_LINKED_ROLES) {
    for (const { stack, resource } of org.resources(...spec.createdImplicitlyBy)) {
      add(stack.account.id, spec.name, { kind: 'implicit', stack, address: resource.address });
    }
  }
  const management = org.resources('aws_organizations_organization')[0]?.stack.account
    ?? org.account(org.project.managementAccount ?? 'management');
  for (const { stack, resource } of org.resources('aws_organizations_account')) {
    const role = literalString(resource.config.role_name);
    const email = literalString(resource.config.email);
    const account = org.project.accounts.find((a) => a.email !== undefined && a.email === email);
    if (role && account) add(account.id, role, { kind: 'organizations', stack, address: resource.address });
  }
  // The bootstrap path: every member account is reached first through the bootstrap role (created by Organizations
  // with an account it creates, or by hand in an invited account); the management account through the caller's own
  // session, which is no role at all.
  const bootstrapRole = org.project.bootstrapRoleName;
  if (bootstrapRole) {
    for (const account of org.project.accounts) {
      if (account.id === management?.id) continue;
      add(account.id, bootstrapRole, { kind: 'bootstrap', note: `the bootstrap role of member account ${account.name} (Organizations creates it with the account)` });
    }
  }
  const index: RoleIndex = { creators: (accountId, name) => byKey.get(`${accountId}/${name}`.toLowerCase()) ?? [], managementAccount: management };
  cache.set(org, index);
  return index;
}

export type Availability =
  | { readonly ok: true; readonly creator: RoleCreator }
  | { readonly ok: false; readonly reason: 'nobody' | 'self' | 'later' | 'implicit-too-late'; readonly creators: readonly RoleCreator[] };

/**
 * Whether role `name` of account `accountId` exists when `user` needs it. With a `resource`, a creator in the same
 * stack counts when the resource references it (Terraform orders them); without one (provider, backend), it never
 * does: a stack cannot authenticate with a role it has not created yet.
 */
export function roleAvailable(org: OrgModel, accountId: string, name: string, user: { stack: StackModel; resource?: ResourceView }): Availability {
  const creators = roleIndex(org).creators(accountId, name);
  for (const c of creators) {
    if (c.kind === 'bootstrap') return { ok: true, creator: c };
    if (c.kind === 'organizations' && (user.stack.account.id === accountId || (c.stack && org.runsBefore(c.stack, user.stack)))) return { ok: true, creator: c };
    if (!c.stack) continue;
    if (c.stack.id !== user.stack.id) {
      if (org.runsBefore(c.stack, user.stack)) return { ok: true, creator: c };
      continue;
    }
    if (user.resource && c.kind !== 'implicit' && c.address &&
      (refersTo(user.resource.config, c.address) || depends(user.resource).includes(c.address))) return { ok: true, creator: c };
  }
  if (creators.length === 0) return { ok: false, reason: 'nobody', creators };
  if (creators.every((c) => c.stack?.id === user.stack.id)) {
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

export function describeCreators(creators: readonly RoleCreator[]): string {
  return creators.map((c) => (c.stack ? `${c.stack.id} (${c.address})` : c.note ?? 'the bootstrap path')).join(', ');
}
