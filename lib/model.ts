/** The loaded, defaulted organisation that layers see. Built by `lib/organisation.ts`. */
import type { CiConfig, LayerDeclaration, ProjectConfig } from './config';
import type { Mode, Step } from './mode';
import type { ProblemSink } from './problems';

export interface ResolvedProject extends Omit<ProjectConfig, 'ci'> {
  readonly deployRoleName: string;
  readonly bootstrapRoleName: string;
  readonly managementAccount: string;
  /** Identity Center permission sets allowed to use each kind of role, with their defaults. */
  readonly permissionSets: ResolvedPermissionSets;
  readonly ci?: Required<CiConfig>;
  readonly tags: Readonly<Record<string, string>>;
  readonly accountOrder: readonly string[];
}

export interface ResolvedPermissionSets {
  readonly deploy: readonly string[];
  readonly readOnly: readonly string[];
  readonly audit: readonly string[];
}

export interface ResolvedAccount {
  readonly name: string;
  readonly id: string;
  readonly email: string;
  readonly environment: string;
  readonly region: string;
  readonly deployRoleName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly availabilityZones: Readonly<Record<string, readonly string[]>>;
  /** Declared layers by name (file name without `.ts`), enabled or not. */
  readonly layers: ReadonlyMap<string, LayerDeclaration>;
}

export interface Organisation {
  readonly project: ResolvedProject;
  readonly accounts: ReadonlyMap<string, ResolvedAccount>;
  readonly mode: Mode;
  /** Problems found while constructing stacks (bad remote reads); thrown before synth. */
  readonly problems: ProblemSink;
  /**
   * Real mode only: accounts declared with id `'pending'` (AWS Organizations has not created them yet), left out of
   * `accounts`. Only a layer kind that `createsAccounts` sees them (with the id `pendingIdMarker(name)`). In the
   * sandbox this is empty: pending accounts are ordinary accounts there, with an offline id.
   */
  readonly pendingAccounts: ReadonlyMap<string, ResolvedAccount>;
}

/** Where one layer lives: what a stack is constructed with. */
export interface LayerContext {
  readonly org: Organisation;
  readonly account: ResolvedAccount;
  readonly layer: string;
  /** Region of this layer's resources. */
  readonly region: string;
  /** AZ names of `region` for this account, from config. */
  readonly azs: readonly string[];
  /** True when this stack keeps local state during a bootstrap run. */
  readonly localState: boolean;
  /** `bootstrap` while the day-zero sequence applies this layer before its account's deploy role exists. */
  readonly step: Step;
}

/** A reference to a layer of an account, e.g. an edge of the dependency graph. */
export interface LayerRef {
  readonly account: string;
  readonly layer: string;
}
