/**
 * Saved plans (docs/runner.md, "Saved plans, applied as reviewed"). A plan run keeps, per layer, the binary plan and its
 * JSON in `<outdir>/plans/<stack>/`, and a record of what the plan was made from in `<outdir>/plans/manifest.json`: a
 * hash of the synthesized configuration, the version of the layer's own state, and for every upstream layer the version
 * of its state and a digest of the outputs read from it (or, for a chained plan, of the upstream's planned outputs).
 *
 * The record is what three things compare against:
 * - `apply --planned` applies exactly the saved plan file, refusing per layer when the configuration or an output it
 *   read changed since, when the plan is speculative, or when it replaces a stateful resource nobody allowed;
 * - `apply --reviewed <dir>` (CI on the main branch) plans again and applies only when the new plan's digest equals
 *   the reviewed one's;
 * - a later `plan` of a layer whose configuration, own state and inputs are all unchanged reuses the saved plan
 *   instead of running terraform (`unchanged`).
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { OutputValue } from '../../lib/contract';
import { stableJson, type PlannedValue, type Replacement } from './plan-json';
import type { ChangeCounts } from './runner';
import { describeVersion, sameVersion, type StateVersion } from './state-reader';

export const MANIFEST_FILE = 'manifest.json';
export const PLAN_FILE = 'plan.tfplan';
export const PLAN_JSON_FILE = 'plan.json';
/** The provider lock file the plan was made with (no leading dot: artifact uploads skip hidden files). */
export const LOCK_FILE = 'terraform.lock.hcl';

/** `<outdir>/plans`: the saved plans of a checkout (and what CI uploads). */
export function plansDir(outdir: string): string {
  return path.join(outdir, 'plans');
}

export interface SavedPlanPaths {
  readonly dir: string;
  readonly planFile: string;
  readonly planJson: string;
  readonly lockFile: string;
}

export function savedPlanPaths(dir: string, stack: string): SavedPlanPaths {
  const own = path.join(dir, stack);
  return { dir: own, planFile: path.join(own, PLAN_FILE), planJson: path.join(own, PLAN_JSON_FILE), lockFile: path.join(own, LOCK_FILE) };
}

/** What a plan read from one upstream layer. */
export interface UpstreamInput {
  readonly stack: string;
  /** `state`: the upstream's state object; `planned`: its plan in the same run (a chained, speculative plan). */
  readonly source: 'state' | 'planned';
  /** The output names read. @default every output (the graph did not record which) */
  readonly outputs?: readonly string[];
  /** Digest of the values of those outputs (outputsDigest). */
  readonly digest: string;
  /** `state`: the version of the object read. */
  readonly version?: StateVersion;
  /** `planned`: the outputs read that are unknown until the upstream's apply, replaced by the contract's typed mock. */
  readonly mocked?: readonly string[];
}

/** One layer's saved plan: what it was made from and what it would do. */
export interface PlanRecord {
  readonly stack: string;
  readonly plannedAt: string;
  readonly mode: 'sandbox' | 'real';
  /** Hash of the synthesized configuration (configHash). */
  readonly configHash: string;
  /** The layer's own state when it was planned (terraform also refuses a plan whose state moved on: "stale"). */
  readonly state: StateVersion;
  readonly upstreams: readonly UpstreamInput[];
  /** Planned against an upstream's planned outputs: never applied. */
  readonly speculative: boolean;
  readonly counts: ChangeCounts | null;
  /** Terraform said `No changes.`: no JSON was written and there is nothing to apply. */
  readonly noChanges: boolean;
  readonly applyable: boolean;
  readonly changedOutputs: readonly string[];
  readonly unknownOutputs: readonly string[];
  readonly replacements: readonly Replacement[];
  /**
   * plan-json.ts planDigest: what CI compares a plan on the main branch with. Null for a plan read from its text
   * alone (no JSON written: the layer executor's `planJson` option was off and no chained consumer needed it).
   */
  readonly planDigest: string | null;
  /** Managed resources found changed outside Terraform while refreshing (the plan JSON's `resource_drift`). @default 0 */
  readonly drift?: number;
}

export interface PlanManifest {
  readonly version: 1;
  readonly layers: Readonly<Record<string, PlanRecord>>;
}

/** What a layer's line in the run report says about its plan (fields added to LayerReport). */
export interface LayerDetails {
  /** The saved binary plan, relative to the working directory. */
  readonly planFile?: string;
  /** Its `terraform show -json`; absent when terraform said `No changes.` */
  readonly planJson?: string;
  readonly configHash?: string;
  readonly planDigest?: string;
  /** What the plan read from each upstream layer: the state version and outputs, or the upstream's planned outputs. */
  readonly upstreams?: readonly UpstreamInput[];
  /** Planned against an upstream's planned outputs (chained): never applied. */
  readonly speculative?: boolean;
  /** Stateful resources the plan deletes or replaces (`<stack>:<address>`). */
  readonly replacements?: readonly Replacement[];
  /** Outputs whose value changes. */
  readonly changedOutputs?: readonly string[];
  /** Managed resources terraform found changed outside Terraform while refreshing (plan JSON `resource_drift`), when any. */
  readonly drift?: number;
  /** apply: the plan applied was the saved one (`--planned`) or a new one equal to the reviewed one (`--reviewed`). */
  readonly appliedPlan?: 'saved' | 'reviewed';
}

/** The saved plans of a folder: the manifest and one folder of files per layer. */
export class PlanStore {
  constructor(readonly dir: string) {}

  get manifestFile(): string {
    return path.join(this.dir, MANIFEST_FILE);
  }

  /** The manifest as it is on disk now (several runs of one checkout write it one layer at a time). */
  read(): PlanManifest {
    if (!fs.existsSync(this.manifestFile)) return { version: 1, layers: {} };
    let parsed: PlanManifest;
    try {
      parsed = JSON.parse(fs.readFileSync(this.manifestFile, 'utf8')) as PlanManifest;
    } catch (error) {
      throw new Error(`${this.manifestFile} is not readable JSON (${(error as Error).message}): delete it and plan again`);
    }
    if (parsed.version !== 1 || typeof parsed.layers !== 'object') throw new Error(`${this.manifestFile} is not a plan manifest of version 1: delete it and plan again`);
    return parsed;
  }

  get(stack: string): PlanRecord | undefined {
    return this.read().layers[stack];
  }

  paths(stack: string): SavedPlanPaths {
    return savedPlanPaths(this.dir, stack);
  }

  put(record: PlanRecord): void {
    this.write({ ...this.read().layers, [record.stack]: record });
  }

  /** Forgets a layer's saved plan and deletes its files (before it is planned again, after it was applied). */
  remove(stack: string): void {
    const layers = { ...this.read().layers };
    if (stack in layers) {
      delete layers[stack];
      this.write(layers);
    }
    fs.rmSync(this.paths(stack).dir, { recursive: true, force: true });
  }

  private write(layers: Record<string, PlanRecord>): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const sorted = Object.fromEntries(Object.entries(layers).sort(([a], [b]) => a.localeCompare(b)));
    const tmp = `${this.manifestFile}.${process.pid}.${randomUUID()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, layers: sorted }, null, 2) + '\n');
    fs.renameSync(tmp, this.manifestFile);
  }
}

/**
 * CI's apply on the main branch: of the layers `stacks` (one apply job's), those the reviewed manifest offers for
 * `--reviewed` — planned against real states (not speculative) and with something to apply — in the order given, and
 * the speculative ones it leaves for a plan after their upstream's apply. A layer without a record is in neither: the
 * pull request did not plan it, so there is nothing reviewed to apply.
 */
export function reviewedToApply(manifest: PlanManifest, stacks: readonly string[]): { readonly apply: string[]; readonly speculative: string[] } {
  const records = stacks.map((id) => manifest.layers[id]).filter((r): r is PlanRecord => r !== undefined);
  return {
    apply: records.filter((r) => !r.speculative && !r.noChanges && r.applyable).map((r) => r.stack),
    speculative: records.filter((r) => r.speculative).map((r) => r.stack),
  };
}

/**
 * Hash of what terraform plans from in a stack folder: cdk.tf.json, the assets it references (Lambda zips) and the
 * provider lock file.
 */
export function configHash(stackDir: string): string {
  const hash = createHash('sha256');
  const add = (rel: string): void => {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(stackDir, rel)));
    hash.update('\0');
  };
  add('cdk.tf.json');
  if (fs.existsSync(path.join(stackDir, '.terraform.lock.hcl'))) add('.terraform.lock.hcl');
  const walk = (rel: string): string[] => fs.readdirSync(path.join(stackDir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(rel, e.name)) : [path.join(rel, e.name)]));
  if (fs.existsSync(path.join(stackDir, 'assets'))) for (const rel of walk('assets').sort()) add(rel);
  return `sha256:${hash.digest('hex')}`;
}

/** Digest of the values of `names` among `outputs` (every output when undefined); a missing one counts as null. */
export function outputsDigest(outputs: Readonly<Record<string, unknown>>, names?: readonly string[]): string {
  const picked = Object.fromEntries((names ?? Object.keys(outputs)).map((n) => [n, outputs[n] ?? null]));
  return `sha256:${createHash('sha256').update(stableJson(picked)).digest('hex')}`;
}

function outputType(value: unknown): unknown {
  if (Array.isArray(value)) return ['list', 'string'];
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'string';
}

/**
 * The state a chained consumer reads instead of an upstream's: every output the upstream's plan gives a known value
 * keeps it; one unknown until apply gets the contract's typed mock. A local file, read through a `local`
 * terraform_remote_state: nothing is written to any backend.
 */
export function plannedStateDocument(planned: Readonly<Record<string, PlannedValue>>, mocks: Readonly<Record<string, OutputValue>>): { document: string; values: Record<string, unknown>; mocked: string[] } {
  const outputs: Record<string, { value: unknown; type: unknown; sensitive?: true }> = {};
  const values: Record<string, unknown> = {};
  const mocked: string[] = [];
  for (const name of [...new Set([...Object.keys(planned), ...Object.keys(mocks)])].sort()) {
    const p = planned[name];
    let value: unknown;
    if (p?.known) value = p.value;
    else if (name in mocks) {
      value = mocks[name];
      mocked.push(name);
    } else value = null;
    values[name] = value;
    outputs[name] = { value, type: p?.known && p.type !== undefined ? p.type : outputType(value), ...(p?.sensitive ? { sensitive: true as const } : {}) };
  }
  const document = JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'planned-outputs', outputs, resources: [], check_results: null }, null, 2);
  return { document, values, mocked };
}

/**
 * Prepares `workdir` for a chained plan: the stack's cdk.tf.json with the given `terraform_remote_state` blocks read
 * from local state files instead of S3, and every other file of the stack folder linked in (assets, the provider lock
 * file). Terraform runs there with TF_DATA_DIR pointing at the stack folder's `.terraform`, so nothing is initialized
 * again and the stack folder itself is never changed.
 */
export function prepareChainedWorkdir(stackDir: string, workdir: string, redirects: ReadonlyMap<string, string>): void {
  fs.rmSync(workdir, { recursive: true, force: true });
  fs.mkdirSync(workdir, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as { data?: { terraform_remote_state?: Record<string, unknown> } };
  const blocks = config.data?.terraform_remote_state ?? {};
  for (const [name, file] of redirects) {
    if (!(name in blocks)) throw new Error(`no terraform_remote_state "${name}" in ${path.join(stackDir, 'cdk.tf.json')}`);
    blocks[name] = { backend: 'local', config: { path: file } };
  }
  fs.writeFileSync(path.join(workdir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
  for (const entry of fs.readdirSync(stackDir)) {
    if (entry === 'cdk.tf.json' || entry === '.terraform' || entry.endsWith('.tfplan')) continue;
    fs.symlinkSync(path.join(stackDir, entry), path.join(workdir, entry));
  }
}

// ---------------------------------------------------------------- refusals and the unchanged check

const when = (record: PlanRecord): string => record.plannedAt.replace(/\.\d+Z$/, 'Z').replace('T', ' ').replace('Z', ' UTC');

/** What a layer's inputs are now, to compare with its record. */
export interface CurrentInputs {
  readonly mode: 'sandbox' | 'real';
  readonly configHash: string;
  readonly state: StateVersion;
  readonly upstreams: readonly UpstreamInput[];
}

/** Why a saved plan cannot stand for a plan now (undefined: nothing it was made from changed). */
export function changedSince(record: PlanRecord, now: CurrentInputs, files: SavedPlanPaths): string | undefined {
  if (!fs.existsSync(files.planFile) || (!record.noChanges && record.planDigest !== null && !fs.existsSync(files.planJson))) return 'its saved plan files are gone';
  if (record.mode !== now.mode) return `it was planned for ${record.mode === 'sandbox' ? 'the sandbox' : 'real AWS'}`;
  if (record.configHash !== now.configHash) return 'its synthesized configuration changed';
  if (!sameVersion(record.state, now.state)) return `its state changed (${describeVersion(record.state)} → ${describeVersion(now.state)})`;
  const before = new Map(record.upstreams.map((u) => [u.stack, u]));
  if (before.size !== now.upstreams.length || now.upstreams.some((u) => !before.has(u.stack))) return 'it reads other layers now';
  for (const u of now.upstreams) {
    const was = before.get(u.stack)!;
    if (was.source !== u.source) return u.source === 'planned' ? `${u.stack} has changes its plan would read` : `${u.stack} no longer has pending changes it reads`;
    if (was.digest !== u.digest) return `outputs it reads from ${u.stack} changed`;
  }
  return undefined;
}

/** A saved plan that replaces stateful resources not named by ALLOW_REPLACE: the refusal, else undefined. */
export function replacementRefusal(replacements: readonly Replacement[], allowed: ReadonlySet<string>): string | undefined {
  const blocked = replacements.filter((r) => !allowed.has(r.address));
  if (blocked.length === 0) return undefined;
  return `refusing to ${blocked.some((r) => r.action === 'replace') ? 'replace' : 'delete'} stateful resources: ` +
    `${blocked.map((r) => `${r.address} (${r.action}${r.reason ? `, ${r.reason}` : ''})`).join(', ')}; ` +
    `apply only with ALLOW_REPLACE=${blocked.map((r) => r.address).join(',')} (--allow-replace) once that loss is intended`;
}

/** Why `apply --planned` refuses a layer before looking at its upstreams; undefined when nothing does. */
export function savedPlanRefusal(record: PlanRecord | undefined, now: { mode: 'sandbox' | 'real'; configHash?: string; files: SavedPlanPaths }, allowed: ReadonlySet<string>, replan: string): string | undefined {
  if (!record) return `no saved plan for this layer: ${replan} first`;
  if (record.speculative) {
    const chained = record.upstreams.filter((u) => u.source === 'planned');
    return `its saved plan is speculative (planned against the planned outputs of ${chained.map((u) => u.stack).join(', ')}` +
      `${chained.some((u) => u.mocked?.length) ? `, with ${chained.flatMap((u) => u.mocked ?? []).join(', ')} mocked` : ''}) and is never applied: ` +
      `apply ${chained.map((u) => u.stack).join(', ')} first, then re-plan (${replan})`;
  }
  if (record.mode !== now.mode) return `its saved plan was made for ${record.mode === 'sandbox' ? 'the sandbox' : 'real AWS'}: re-plan (${replan})`;
  if (!fs.existsSync(now.files.planFile)) return `its saved plan file ${now.files.planFile} is gone: re-plan (${replan})`;
  if (now.configHash !== undefined && now.configHash !== record.configHash) {
    return `its configuration changed since it was planned (${when(record)}): re-plan (${replan})`;
  }
  return replacementRefusal(record.replacements, allowed);
}

/** An upstream's state moved on since a plan read it: the refusal when an output the plan read changed, else undefined. */
export function upstreamRefusal(recorded: UpstreamInput, now: { version: StateVersion; digest: string }, replan: string): string | undefined {
  if (recorded.source !== 'state' || sameVersion(recorded.version, now.version) || recorded.digest === now.digest) return undefined;
  return `${recorded.stack} changed since this layer was planned (${describeVersion(recorded.version)} → ${describeVersion(now.version)}, ` +
    `and the outputs read from it${recorded.outputs ? ` (${recorded.outputs.join(', ')})` : ''} changed): re-plan (${replan})`;
}
