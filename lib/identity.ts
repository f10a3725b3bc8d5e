/**
 * Who every backend, provider and remote-state read acts as, for an account, a layer and a step. This is the one
 * place that decides which role is assumed; layers never name a role, and every name comes from project config.
 *
 * | step      | account    | provider and backend                         | remote-state read of account P    |
 * |-----------|------------|----------------------------------------------|-----------------------------------|
 * | bootstrap | management | the caller's own session (no role)           | P's bootstrap identity            |
 * | bootstrap | member     | `bootstrapRoleName` (Organizations made it)  | P's bootstrap identity            |
 * | steady    | any        | `deployRoleName` (`ACCESS=plan`: CI plan role) | P's `TerraformStateReader`      |
 *
 * The bootstrap step covers only the kinds that run before their account's deploy role exists (the backend, the
 * organisation, Identity Center, and `security`, which creates the deploy, state-reader and CI roles); the
 * day-zero sequence (lib/bootstrap-plan.ts) applies them in that order, and every other layer runs later, in the
 * steady step. The preflight's identity rules (lib/preflight/rules/identities.ts) prove over both synths that no
 * stack assumes a role that nobody creates, or that only it creates, at the step where it runs.
 */
import type { CiConfig, IdentityCenterConfig, ProjectConfig } from './config';
import type { LayerKind } from './layer-stack';
import type { Organisation, ResolvedAccount, ResolvedPermissionSets } from './model';
import type { Access, Mode, Step } from './mode';
import type { ProblemSink } from './problems';
import { AWS_REGIONS } from './regions';
import { CI_ROLE_NAMES, lockTableArn, roleArn, stateBucketArn, STATE_READER_ROLE_NAME } from './naming';

/** The credentials terraform was started with (no `assume_role`): only the management account's day-zero layers. */
export interface CallerIdentity {
  readonly kind: 'caller';
  readonly accountId: string;
}

/** A role assumed by ARN. */
export interface RoleIdentity {
  readonly kind: 'role';
  readonly accountId: string;
  readonly name: string;
  readonly arn: string;
}

export type Identity = CallerIdentity | RoleIdentity;

export const DEFAULT_MANAGEMENT_ACCOUNT = 'management';
export const DEFAULT_PERMISSION_SETS: ResolvedPermissionSets = {
  deploy: ['DevOps', 'Administrator'],
  readOnly: ['ReadOnly', 'SecurityAuditor'],
  audit: ['SecurityAuditor'],
};

/** Human-readable, for logs: `the caller's session in 111111111111` or the role ARN. */
export function describeIdentity(identity: Identity): string {
  return identity.kind === 'caller' ? `the caller's own session (account ${identity.accountId})` : identity.arn;
}

type BootstrapFlags = Pick<LayerKind<unknown>, 'bootstrapsBackend' | 'bootstrapOrder'>;

/** Whether a kind is applied by the day-zero sequence, before its account's deploy role exists. */
export function isBootstrapKind(kind: BootstrapFlags): boolean {
  return kind.bootstrapsBackend === true || kind.bootstrapOrder !== undefined;
}

/** The step a layer of this kind is synthesized for under `mode`. */
export function stepOf(mode: Mode, kind: BootstrapFlags): Step {
  return mode.bootstrap && isBootstrapKind(kind) ? 'bootstrap' : 'steady';
}

/** Backend layers keep local state during the bootstrap step until the bucket they create exists. */
export function keepsLocalState(mode: Mode, kind: BootstrapFlags): boolean {
  return mode.bootstrap && kind.bootstrapsBackend === true && (mode.localBackendState ?? true);
}

export function isManagementAccount(org: Organisation, account: ResolvedAccount): boolean {
  return account.name === org.project.managementAccount;
}

function role(account: ResolvedAccount, name: string): RoleIdentity {
  return { kind: 'role', accountId: account.id, name, arn: roleArn(account.id, name) };
}

/**
 * Who acts in `account` before its deploy role exists: the caller in the management account (nothing exists
 * there to assume), elsewhere the role Organizations created with the account.
 */
export function bootstrapIdentity(org: Organisation, account: ResolvedAccount): Identity {
  return isManagementAccount(org, account) ? { kind: 'caller', accountId: account.id } : role(account, org.project.bootstrapRoleName);
}

/** The role CI assumes in `account` through GitHub OIDC. */
export function ciRole(account: ResolvedAccount, which: keyof typeof CI_ROLE_NAMES): RoleIdentity {
  return role(account, CI_ROLE_NAMES[which]);
}

export function stateReaderRole(account: ResolvedAccount): RoleIdentity {
  return role(account, STATE_READER_ROLE_NAME);
}

/** What a layer's provider and backend act as in `account` at `step`. */
export function layerIdentity(org: Organisation, account: ResolvedAccount, step: Step, access: Access = org.mode.access ?? 'deploy'): Identity {
  if (step === 'bootstrap') return bootstrapIdentity(org, account);
  return access === 'plan' ? ciRole(account, 'plan') : role(account, account.deployRoleName);
}

/**
 * What a `terraform_remote_state` read of a layer in `producer` acts as. Terraform starts every read from the
 * caller's credentials (not from the provider's role), so a read needs a role the caller may assume: the
 * producer's state reader, which can read that account's state objects and nothing else.
 */
export function remoteStateIdentity(org: Organisation, producer: ResolvedAccount, step: Step): Identity {
  return step === 'bootstrap' ? bootstrapIdentity(org, producer) : stateReaderRole(producer);
}

/** Validates and defaults the identity fields of a project (management account, Identity Center, CI). */
export function resolveIdentityConfig(raw: ProjectConfig, sink: ProblemSink, at: { project: string }): {
  managementAccount: string;
  permissionSets: ResolvedPermissionSets;
  ci: Required<CiConfig> | undefined;
} {
  const ic: IdentityCenterConfig | undefined = raw.identityCenter;
  if (ic) {
    if (typeof ic.startUrl !== 'string' || !/^https:\/\/[a-z0-9.-]+(\/[\w./-]*)?$/i.test(ic.startUrl)) {
      sink.report(at, 'identityCenter.startUrl', `"${String(ic.startUrl)}" is not an https URL (https://d-xxxxxxxxxx.awsapps.com/start)`);
    }
    if (ic.region !== undefined && !AWS_REGIONS.has(ic.region)) sink.report(at, 'identityCenter.region', `"${ic.region}" is not an AWS region`);
  }
  const permissionSets: ResolvedPermissionSets = {
    deploy: ic?.deployPermissionSets ?? DEFAULT_PERMISSION_SETS.deploy,
    readOnly: ic?.readOnlyPermissionSets ?? DEFAULT_PERMISSION_SETS.readOnly,
    audit: ic?.auditPermissionSets ?? DEFAULT_PERMISSION_SETS.audit,
  };
  for (const [group, names] of Object.entries(permissionSets) as [keyof ResolvedPermissionSets, readonly string[]][]) {
    const field = `identityCenter.${group}PermissionSets`;
    if (names.length === 0) sink.report(at, field, 'must name at least one permission set (nobody could use the role otherwise)');
    names.forEach((name, i) => {
      // Permission set names: [\w+=,.@-]{1,32}. A wildcard would widen the role ARN pattern to other sets.
      if (!/^[\w+=,.@-]{1,32}$/.test(name)) sink.report(at, `${field}[${i}]`, `"${name}" is not a permission set name (1-32 of letters, digits and _+=,.@-; no wildcard)`);
    });
  }
  let ci: Required<CiConfig> | undefined;
  if (raw.ci) {
    const repository = raw.ci.githubRepository;
    const branch = raw.ci.mainBranch ?? 'main';
    if (typeof repository !== 'string' || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(repository)) {
      sink.report(at, 'ci.githubRepository', `"${String(repository)}" must be owner/name of one GitHub repository (no wildcard)`);
    }
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..')) sink.report(at, 'ci.mainBranch', `"${branch}" is not a branch name (no wildcard)`);
    ci = { githubRepository: repository, mainBranch: branch };
  }
  return { managementAccount: raw.managementAccount ?? DEFAULT_MANAGEMENT_ACCOUNT, permissionSets, ci };
}

/** Cross-checks once the accounts are known. */
export function checkIdentityAccounts(org: Organisation, raw: ProjectConfig, sink: ProblemSink): void {
  const at = { project: org.project.name };
  if (raw.managementAccount !== undefined && !org.accounts.has(raw.managementAccount)) {
    sink.report(at, 'managementAccount', `unknown account "${raw.managementAccount}" (known: ${[...org.accounts.keys()].join(', ')})`);
  }
  if ((org.mode.access ?? 'deploy') === 'plan' && !org.project.ci) {
    sink.report(at, 'ci', 'ACCESS=plan assumes the CI plan roles, which exist only when ci.githubRepository is configured');
  }
}

/**
 * The props of the roles an account's `security` layer creates besides the deploy role (modules/deploy-access.ts):
 * the state reader, trusted by every CI role of the organisation and the given automation roles, and, when CI is
 * configured, the GitHub plan and apply roles, whose apply environment is the account name (the generated workflow's).
 */
export function deployAccessOf(org: Organisation, account: ResolvedAccount, automationPrincipalArns: readonly string[] = []) {
  const project = org.project.name;
  const ci = org.project.ci;
  const members = [...org.accounts.values()];
  return {
    state: {
      accountId: account.id,
      region: account.region,
      bucketArn: stateBucketArn(project, account.name, account.id),
      lockTableArn: lockTableArn(project, account.name, account.region, account.id),
    },
    stateReaderRoleName: STATE_READER_ROLE_NAME,
    permissionSets: org.project.permissionSets.deploy,
    organisationRoles: ci ? { accountIds: members.map((a) => a.id), roleNames: [CI_ROLE_NAMES.plan, CI_ROLE_NAMES.apply] } : undefined,
    stateReaderPrincipalArns: [...automationPrincipalArns],
    github: ci
      ? {
        repository: ci.githubRepository,
        mainBranch: ci.mainBranch,
        applyEnvironment: account.name,
        deployRoleName: account.deployRoleName,
        stateReaderRoleArns: members.map((a) => stateReaderRole(a).arn),
      }
      : undefined,
  };
}
