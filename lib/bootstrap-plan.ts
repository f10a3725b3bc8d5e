/**
 * The day-zero sequence as data: which layers of which accounts run, in which order, as whom, before the accounts'
 * deploy roles exist. Pure (no Terraform, no files): `make bootstrap-org` (scripts/lib/bootstrap.ts) runs these steps,
 * and the preflight (lib/preflight/load.ts) checks that every role a step assumes exists at that step.
 *
 * For each account, management first (its layers create the member accounts and the permission sets):
 *   1. backend-local    base-tf-backend with local state, as the bootstrap identity (lib/identity.ts)
 *   2. backend-migrate  the same layer with the S3 backend it created: `terraform init -migrate-state`
 *   3. apply            every other day-zero kind (organizations, identities, security), in `bootstrapOrder`,
 *                       through the bucket, still as the bootstrap identity; after organizations, the account ids
 *                       AWS gave new accounts are checked against config (check-account-ids)
 * then, for every account, a handover: the same layers synthesized for the steady step (deploy role) and planned.
 */
import { bootstrapIdentity, isBootstrapKind, layerIdentity, type Identity } from './identity';
import type { LayerKind } from './layer-stack';
import type { Organisation, ResolvedAccount } from './model';
import { stackId } from './naming';
import { sortAccounts } from './organisation';
import { UsageError } from './problems';

export type StepKind = 'backend-local' | 'backend-migrate' | 'apply' | 'check-account-ids' | 'handover';

export interface BootstrapStep {
  /** Stable id, the checkpoint key: `<account>/<layer>/<kind>` (`<account>/handover`). */
  readonly id: string;
  readonly kind: StepKind;
  readonly account: string;
  /** Layers the step synthesizes (one, or for a handover every day-zero layer of the account). */
  readonly layers: readonly string[];
  /** Stack ids of `layers`. */
  readonly stacks: readonly string[];
  /** Who terraform acts as in this step. */
  readonly identity: Identity;
  /** One line: what the step does and creates. */
  readonly title: string;
}

export interface PlanOptions {
  /** Accounts to bootstrap. @default every account */
  readonly accounts?: readonly string[];
  /** Accounts whose backend state already sits in their bucket (a forced re-run): their backend is applied through it. */
  readonly backendInBucket?: ReadonlySet<string>;
}

type Kind = LayerKind<unknown>;

/** Day-zero layers of an account in the order they run: backends first, then by `bootstrapOrder`, then by name. */
export function dayZeroLayers(account: ResolvedAccount): { layer: string; kind: Kind }[] {
  return [...account.layers.entries()]
    .filter(([, d]) => d.enabled && isBootstrapKind(d.kind))
    .map(([layer, d]) => ({ layer, kind: d.kind as Kind }))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || a.layer.localeCompare(b.layer));
}

function rank(kind: Kind): number {
  return kind.bootstrapsBackend ? -1 : kind.bootstrapOrder ?? Number.MAX_SAFE_INTEGER;
}

/** Accounts in day-zero order: the management account first (nothing exists in a member account before it runs), then the project's order. */
export function dayZeroAccounts(org: Organisation, names?: readonly string[]): ResolvedAccount[] {
  const unknown = (names ?? []).filter((n) => !org.accounts.has(n));
  if (unknown.length > 0) throw new BootstrapUsageError(`unknown account: ${unknown.join(', ')}`, [...org.accounts.keys()]);
  const selected = sortAccounts(org).filter((a) => !names || names.includes(a.name));
  const management = org.project.managementAccount;
  return [...selected.filter((a) => a.name === management), ...selected.filter((a) => a.name !== management)];
}

/** A day-zero request naming an account that does not exist, or that cannot be bootstrapped: one line, exit 2. */
export class BootstrapUsageError extends UsageError {}

/** The steps of a day-zero run, in order. */
export function bootstrapPlan(org: Organisation, options: PlanOptions = {}): BootstrapStep[] {
  const project = org.project.name;
  const steps: BootstrapStep[] = [];
  const accounts = dayZeroAccounts(org, options.accounts);
  for (const account of accounts) {
    const who = bootstrapIdentity(org, account);
    const layers = dayZeroLayers(account);
    if (!layers.some((l) => l.kind.bootstrapsBackend)) {
      throw new BootstrapUsageError(`account ${account.name} declares no state backend layer (base-tf-backend): nothing can keep its state`);
    }
    for (const { layer, kind } of layers) {
      const stack = stackId(project, account.name, layer);
      const one = { account: account.name, layers: [layer], stacks: [stack], identity: who };
      if (kind.bootstrapsBackend && !options.backendInBucket?.has(account.name)) {
        steps.push({ ...one, id: `${account.name}/${layer}/backend-local`, kind: 'backend-local',
          title: `${account.name}/${layer}: create the state bucket, lock table and key with local state` });
        steps.push({ ...one, id: `${account.name}/${layer}/backend-migrate`, kind: 'backend-migrate',
          title: `${account.name}/${layer}: move its local state into the bucket it created (terraform init -migrate-state)` });
        continue;
      }
      steps.push({ ...one, id: `${account.name}/${layer}/apply`, kind: 'apply', title: `${account.name}/${layer}: apply (${describeKind(kind)})` });
      if (kind.contract?.name === 'organizations') {
        steps.push({ ...one, id: `${account.name}/${layer}/check-account-ids`, kind: 'check-account-ids',
          title: `${account.name}/${layer}: compare the ids AWS gave the member accounts with projects/${project}/<account>/account.ts` });
      }
    }
  }
  for (const account of accounts) {
    const layers = dayZeroLayers(account).map((l) => l.layer);
    steps.push({
      id: `${account.name}/handover`,
      kind: 'handover',
      account: account.name,
      layers,
      stacks: layers.map((l) => stackId(project, account.name, l)),
      identity: layerIdentity(org, account, 'steady', 'deploy'),
      title: `${account.name}: plan ${layers.join(', ')} through the deploy role (every later run uses it)`,
    });
  }
  return steps;
}

function describeKind(kind: Kind): string {
  switch (kind.contract?.name) {
    case 'organizations': return 'the organisation, OUs, member accounts with their bootstrap role, SCPs, delegated administrators';
    case 'identities': return 'Identity Center permission sets, groups and assignments';
    case 'security': return 'deploy, state-reader, CI and people roles, keys, account baseline';
    default: return kind.contract?.name ?? kind.name;
  }
}
