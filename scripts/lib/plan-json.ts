/**
 * What the runner reads from a saved plan's JSON (`terraform show -json plan.tfplan`, format 1.x): the resources a plan
 * deletes or replaces, the outputs whose values change, the planned output values (known ones, and which are unknown
 * until apply), and a digest of the changes that two plans of the same change share.
 */
import { createHash } from 'crypto';
import { isStatefulType } from '../../lib/stateful-types';
import type { ChangeCounts } from './runner';
import type { PlanText } from './terraform';

/** The parts of `terraform show -json <plan>` used here. */
export interface PlanJson {
  readonly format_version?: string;
  readonly applyable?: boolean;
  readonly resource_changes?: readonly ResourceChange[];
  /** Resources whose real state differs from the last known state (changed outside Terraform), found while refreshing. */
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
  readonly planned_values?: { readonly outputs?: Readonly<Record<string, PlannedOutput>> };
}

export interface ResourceChange {
  readonly address: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly replace_paths?: unknown;
  };
  readonly action_reason?: string;
}

export interface OutputChange {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly after_sensitive?: unknown;
}

export interface PlannedOutput {
  readonly sensitive?: boolean;
  readonly type?: unknown;
  readonly value?: unknown;
}

/** A resource of a stateful type (lib/stateful-types.ts) that the plan deletes or replaces. */
export interface Replacement {
  /** `<stack>:<resource address>`, the form ALLOW_REPLACE takes. */
  readonly address: string;
  readonly type: string;
  readonly action: 'replace' | 'delete';
  /** Terraform's reason (`replace_because_cannot_update`, `delete_because_no_resource_config`, …), when it gives one. */
  readonly reason?: string;
}

/** One planned output value: known at plan time, or not until apply. */
export interface PlannedValue {
  readonly known: boolean;
  readonly value?: unknown;
  readonly sensitive: boolean;
  readonly type?: unknown;
}

export interface PlanSummary {
  /** Outputs whose value changes (created, updated, deleted, or unknown until apply), sorted. */
  readonly changedOutputs: readonly string[];
  /** Of those, the ones whose new value is not known until apply. */
  readonly unknownOutputs: readonly string[];
  readonly replacements: readonly Replacement[];
  /** Every output the configuration declares, with its value after apply as far as it is known. */
  readonly plannedOutputs: Readonly<Record<string, PlannedValue>>;
  /** Terraform would do something on apply (resources or outputs). */
  readonly applyable: boolean;
  /**
   * Digest of what the plan would change: equal for two plans of the same change (see planDigest). Null when the
   * plan was read from its text alone (planTextSummary): only the JSON has the values a digest covers.
   */
  readonly digest: string | null;
  /** Managed resources terraform found changed outside Terraform while refreshing (`resource_drift`). */
  readonly drift: number;
}

/** True when any part of `unknown` (terraform's `after_unknown` shape: a bool, or lists and objects of them) is true. */
export function anyUnknown(unknown: unknown): boolean {
  if (unknown === true) return true;
  if (Array.isArray(unknown)) return unknown.some(anyUnknown);
  if (unknown !== null && typeof unknown === 'object') return Object.values(unknown).some(anyUnknown);
  return false;
}

const isNoOp = (actions: readonly string[]): boolean => actions.length === 0 || actions.every((a) => a === 'no-op');

/** A delete or replace: `["delete"]`, `["delete","create"]` or `["create","delete"]` (a `forget` keeps the object). */
export function destroysObject(actions: readonly string[]): 'replace' | 'delete' | undefined {
  if (!actions.includes('delete')) return undefined;
  return actions.includes('create') ? 'replace' : 'delete';
}

/**
 * Stateful resources the plan deletes or replaces, named `<stack>:<address>`. `statefulType` decides what counts
 * (@default lib/stateful-types.ts).
 */
export function replacementsOf(plan: PlanJson, stack: string, statefulType: (type: string) => boolean = isStatefulType): Replacement[] {
  const found: Replacement[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || !statefulType(rc.type)) continue;
    const action = destroysObject(rc.change.actions);
    if (!action) continue;
    found.push({ address: `${stack}:${rc.address}`, type: rc.type, action, ...(rc.action_reason ? { reason: rc.action_reason } : {}) });
  }
  return found.sort((a, b) => a.address.localeCompare(b.address));
}

/**
 * A digest of what a plan would change, independent of who planned it and when: the resources it creates, updates,
 * replaces, deletes or reads (address, actions and planned values after apply) and the outputs that change. `before`
 * values are left out (the refreshed state, which a later plan of the same change may read differently without
 * changing what is done); so are resources without changes. Two plans with the same digest do the same thing.
 */
export function planDigest(plan: PlanJson): string {
  const resources = (plan.resource_changes ?? [])
    .filter((rc) => !isNoOp(rc.change.actions))
    .map((rc) => ({ address: rc.address, actions: rc.change.actions, after: rc.change.after ?? null, afterUnknown: rc.change.after_unknown ?? null, replace: rc.change.replace_paths ?? null }))
    .sort((a, b) => a.address.localeCompare(b.address));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => !isNoOp(c.actions))
    .map(([name, c]) => ({ name, actions: c.actions, after: c.after ?? null, afterUnknown: c.after_unknown ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return `sha256:${createHash('sha256').update(stableJson({ resources, outputs })).digest('hex')}`;
}

/** The digest of a plan with no changes at all (what `No changes.` stands for). */
export const EMPTY_PLAN_DIGEST = planDigest({});

/** Reads a plan's JSON: changed and unknown outputs, stateful replacements, planned output values, digest. */
export function summarizePlan(plan: PlanJson, stack: string, statefulType?: (type: string) => boolean): PlanSummary {
  const changes = plan.output_changes ?? {};
  const changedOutputs = Object.entries(changes).filter(([, c]) => !isNoOp(c.actions)).map(([n]) => n).sort();
  const unknownOutputs = Object.entries(changes).filter(([, c]) => anyUnknown(c.after_unknown)).map(([n]) => n).sort();
  const plannedOutputs: Record<string, PlannedValue> = {};
  for (const [name, planned] of Object.entries(plan.planned_values?.outputs ?? {})) {
    const unknown = anyUnknown(changes[name]?.after_unknown) || !('value' in planned);
    plannedOutputs[name] = unknown
      ? { known: false, sensitive: planned.sensitive === true }
      : { known: true, value: planned.value, sensitive: planned.sensitive === true, ...(planned.type !== undefined ? { type: planned.type } : {}) };
  }
  const resourceChanges = (plan.resource_changes ?? []).some((rc) => rc.mode !== 'data' && !isNoOp(rc.change.actions));
  return {
    changedOutputs,
    unknownOutputs,
    replacements: replacementsOf(plan, stack, statefulType),
    plannedOutputs,
    applyable: plan.applyable ?? (resourceChanges || changedOutputs.length > 0),
    digest: planDigest(plan),
    drift: (plan.resource_drift ?? []).filter((rc) => rc.mode !== 'data' && !isNoOp(rc.change.actions)).length,
  };
}

/**
 * The summary of a plan read from its text alone, when that text settles everything the runner decides on: no
 * resource is deleted or replaced (`destroy` is 0, so there is no replacement to guard), no drift is shown, and the
 * plan changes resources or outputs (so it is applyable). Undefined when the JSON is needed. Planned output values are
 * left out: a consumer chained to this plan reads them from the JSON, written then.
 */
export function planTextSummary(text: PlanText, counts: ChangeCounts | undefined): PlanSummary | undefined {
  if (!counts || counts.destroy > 0 || text.driftShown) return undefined;
  if (counts.add + counts.change === 0 && text.changedOutputs.length === 0) return undefined;
  return { changedOutputs: text.changedOutputs, unknownOutputs: text.unknownOutputs, replacements: [], plannedOutputs: {}, applyable: true, digest: null, drift: 0 };
}

/** Where a plan's text and its JSON disagree about its outputs (planTextSummary's reading): undefined when they agree. */
export function textDisagreement(text: Pick<PlanSummary, 'changedOutputs' | 'unknownOutputs'>, json: PlanSummary): string | undefined {
  const differ = (a: readonly string[], b: readonly string[]): boolean => a.join('\0') !== b.join('\0');
  const list = (names: readonly string[]): string => (names.length ? names.join(', ') : 'none');
  if (differ(text.changedOutputs, json.changedOutputs)) return `changed outputs: text ${list(text.changedOutputs)}, JSON ${list(json.changedOutputs)}`;
  // The text shows a sensitive output as `(sensitive value)`, known or not.
  const jsonUnknown = json.unknownOutputs.filter((o) => json.plannedOutputs[o]?.sensitive !== true);
  if (differ(text.unknownOutputs, jsonUnknown)) return `outputs unknown until apply: text ${list(text.unknownOutputs)}, JSON ${list(jsonUnknown)}`;
  return undefined;
}

/** The summary of a plan terraform reported as `No changes.` (nothing to show, nothing to apply). */
export function emptyPlanSummary(): PlanSummary {
  return { changedOutputs: [], unknownOutputs: [], replacements: [], plannedOutputs: {}, applyable: false, digest: EMPTY_PLAN_DIGEST, drift: 0 };
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
