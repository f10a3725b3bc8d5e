/**
 * Runs one synthesized layer with terraform: init when needed, sandbox mocks for missing upstream outputs,
 * then plan / apply / destroy / drift with a lock timeout. Full output goes to a log file per layer; the
 * runner prints only state changes.
 *
 * Locks: every command that takes the state lock first tries without waiting, so a lock someone else holds is
 * reported (who, since when) before the wait starts, not after it times out. A lock terraform could not release,
 * or that a killed terraform may have left, fails the layer with the exact `terraform force-unlock` to run.
 *
 * Plans (docs/runner.md, "Saved plans"): a plan is saved with its JSON and a record of what it was made from
 * (scripts/lib/saved-plans.ts); a layer whose inputs are all unchanged since its saved plan is reported `unchanged`
 * without running terraform; a consumer of an upstream whose plan in the same run changes an output it reads is planned
 * against that plan's outputs (chained, `speculative`); apply applies a plan file only after the replacement guard, and
 * `--planned` applies the saved plan file itself, refusing it when what it was made from changed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { mockOutputs, type AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import type { Mode, SandboxEndpoints } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import { isStatefulType } from '../../lib/stateful-types';
import {
  ACQUIRE_FAILED, describeHolder, forceUnlockAdvice, formatDuration, parseDuration, parseLockInfo, RELEASE_FAILED, unreleasedLockId,
  type LockInfo,
} from './locks';
import { stackDir } from './paths';
import { emptyPlanSummary, planTextSummary, summarizePlan, textDisagreement, type PlanJson, type PlanSummary } from './plan-json';
import type { Action, Executor, Outcome } from './runner';
import {
  forgetSandboxState, LockNotReleasedError, markSandboxState, readLock, sandboxState, seedMockState, type StateLocation, type StateOrigin,
} from './sandbox';
import {
  changedSince, configHash, PLAN_FILE, plannedStateDocument, PlanStore, plansDir, prepareChainedWorkdir, replacementRefusal, savedPlanRefusal,
  upstreamRefusal, outputsDigest, type LayerDetails, type PlanRecord, type SavedPlanPaths, type UpstreamInput,
} from './saved-plans';
import {
  cachedStates, ownStateSource, remoteStateSources, s3StateReader, type StateReader, type StateSource, type StateVersion,
} from './state-reader';
import { initIfNeeded, parseChangeCounts, readPlanText, terraform, type TerraformResult, type TerraformResultExtra } from './terraform';

export { PLAN_FILE } from './saved-plans';

export type Seeder = typeof seedMockState;
export type TerraformFn = (
  args: readonly string[], cwd: string, options: { signal?: AbortSignal; onOutput?: (chunk: string) => void; env?: NodeJS.ProcessEnv },
) => Promise<TerraformResult & TerraformResultExtra>;

/** What the executor asks the sandbox about a layer's state (a seam: unit tests answer without a sandbox). */
export interface SandboxStates {
  /** Who wrote the state: a sandbox plan records only into a state that no apply wrote. */
  origin(location: StateLocation): Promise<StateOrigin>;
  /** The state now at `location` was recorded by a sandbox plan. */
  mark(location: StateLocation): Promise<void>;
  /** An apply or destroy wrote the state: it is no longer the runner's record. */
  forget(location: StateLocation): Promise<void>;
  /** The lock held on the state, if any: the exact id for `terraform force-unlock`. */
  lock(location: StateLocation): Promise<LockInfo | undefined>;
}

export function sandboxStates(endpoints: SandboxEndpoints): SandboxStates {
  return {
    origin: async (location) => (await sandboxState(endpoints, location)).origin,
    mark: (location) => markSandboxState(endpoints, location),
    forget: (location) => forgetSandboxState(endpoints, location),
    lock: (location) => readLock(endpoints, location),
  };
}

/** How an apply uses plans. */
export type ApplyFrom =
  /** Plan, guard stateful replacements, apply that plan file (the default). */
  | { readonly kind: 'fresh' }
  /** The saved plan files of this checkout, as they are (`--planned`). */
  | { readonly kind: 'saved' }
  /** Plan again, and apply only a plan whose digest equals the reviewed one (`--reviewed <dir>`, CI on the main branch). */
  | { readonly kind: 'reviewed'; readonly store: PlanStore };

export interface LayerExecutorOptions {
  readonly outdir: string;
  readonly mode: Mode;
  /** Every node of the synthesized graph (upstreams outside the selection are still seeded). */
  readonly graph: readonly GraphNode[];
  /** The output contract of each stack id, the source of mock values. */
  readonly contracts: ReadonlyMap<string, AnyContract | undefined>;
  /** How long terraform waits for a state lock held by someone else (terraform's duration syntax). @default '5m' */
  readonly lockTimeout?: string;
  /** @default <outdir>/logs */
  readonly logDir?: string;
  /** Called for things worth a line of their own (mock outputs seeded, waiting for a lock). */
  readonly onNote?: (id: string, message: string) => void;
  /** Saved plans: where plan writes them and `apply --planned` reads them. @default <outdir>/plans */
  readonly plans?: PlanStore;
  /** @default fresh */
  readonly applyFrom?: ApplyFrom;
  /** `<stack>:<resource address>` of stateful resources an apply may delete or replace (ALLOW_REPLACE). @default none */
  readonly allowReplace?: ReadonlySet<string>;
  /** plan: run terraform even when nothing the saved plan was made from changed (REFRESH=1). @default false */
  readonly refresh?: boolean;
  /**
   * plan: write every plan's JSON (`terraform show -json`) and digest, as CI's plan job does for the reviewed apply.
   * Without it, a plan whose text settles what the runner needs (plan-json.ts planTextSummary) is read from its text,
   * and its JSON is written only when a consumer chained to it in the same run reads its planned outputs: one terraform
   * process per layer instead of two (docs/benchmarks.md, "First plans"). @default false
   */
  readonly planJson?: boolean;
  /** What counts as stateful for the replacement guard. @default lib/stateful-types.ts */
  readonly statefulType?: (type: string) => boolean;
  /** The command that plans a layer again, for refusals. @default make plan ACCOUNT=<account> LAYER=<layer> */
  readonly replanHint?: (node: GraphNode) => string;
  /**
   * A plain apply (`applyFrom` fresh) whose plan file failed to apply: whether to plan and apply again, after waiting
   * (scripts/lib/retry.ts `retryApply`: known transient errors only). @default never
   */
  readonly retryApply?: (cwd: string, failed: TerraformResult & TerraformResultExtra, attempt: number, options: { signal?: AbortSignal; onOutput?: (chunk: string) => void }) => Promise<boolean>;
  /** Test seams. @default the real ones */
  readonly seed?: Seeder;
  readonly terraform?: TerraformFn;
  readonly states?: SandboxStates;
  readonly stateReader?: StateReader;
}

/** Terraform's error blocks, trimmed: what the summary shows for a failed layer. */
export function errorExcerpt(output: string, maxLines = 12): string {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^(│ )?Error: /.test(l.trim()) || /^╷/.test(l.trim()));
  const picked = (start === -1 ? lines.slice(-maxLines) : lines.slice(start))
    .map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd()).filter((l) => l.trim().length > 0);
  return picked.slice(0, maxLines).join('\n');
}

/** The titles of terraform's `Error: …` diagnostics, in order. */
export function errorTitles(output: string): string[] {
  return [...output.matchAll(/^[│ ]*Error: (.+)$/gm)].map((m) => m[1].trim());
}

/** The terraform command of an action; `planFile` is where plan writes its plan and what apply applies. */
export function commandFor(action: Action, lockTimeout: string, planFile: string = PLAN_FILE): string[] {
  const common = ['-input=false', '-no-color', `-lock-timeout=${lockTimeout}`];
  switch (action) {
    case 'plan': return ['plan', ...common, `-out=${planFile}`];
    case 'apply': return ['apply', ...common, planFile];
    case 'destroy': return ['destroy', ...common, '-auto-approve'];
    case 'drift': return ['plan', ...common, '-detailed-exitcode', '-refresh=true'];
  }
}

/** The sandbox plan's record of the layer's own state (see docs/runner.md). */
export function recordCommand(lockTimeout: string): string[] {
  return ['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color', `-lock-timeout=${lockTimeout}`];
}

/** The S3 backend of a synthesized stack (undefined for local state, e.g. a bootstrap synth). */
export function backendLocation(dir: string, stack: string): StateLocation | undefined {
  const synthesized = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { terraform?: { backend?: { s3?: Record<string, unknown> } } };
  const s3 = synthesized.terraform?.backend?.s3;
  if (typeof s3?.bucket !== 'string' || typeof s3.key !== 'string') return undefined;
  return { bucket: s3.bucket, key: s3.key, lockTable: String(s3.dynamodb_table ?? ''), stack };
}

/** Terraform said the plan changes nothing at all (no resource, no output): there is nothing to show or apply. */
export const NO_CHANGES = /^No changes\. /m;
/** Terraform's refusal of a saved plan whose state moved on since it was made. */
export const STALE_PLAN = /Saved plan is stale/;

/** One terraform command's result; `killedBecause` says why, when a signal ended it. */
type Step = TerraformResult & TerraformResultExtra & { readonly killedBecause?: string };

const withLockTimeout = (args: readonly string[], timeout: string): string[] =>
  args.map((a) => (a.startsWith('-lock-timeout=') ? `-lock-timeout=${timeout}` : a));

/** `terraform show -json` of a saved plan, summarized for `stack`; a failure is returned as the Outcome to give. */
type ShowPlan = (planFile: string, jsonFile: string | undefined, where?: { cwd?: string; env?: NodeJS.ProcessEnv }, stack?: string) => Promise<PlanSummary | Outcome>;
const isOutcome = (value: PlanSummary | Outcome): value is Outcome => 'ok' in value;

/** What a consumer lends to read an upstream's plan JSON: its own show step (logged in its log) and its notes. */
interface ConsumerSteps {
  readonly showPlan: ShowPlan;
  readonly note: (message: string) => void;
}

/** A layer planned (or found unchanged) in this run: consumers chain from it when it changes what they read. */
interface PlannedLayer {
  readonly record: PlanRecord;
  readonly files: SavedPlanPaths;
}

export function layerExecutor(options: LayerExecutorOptions): Executor {
  const run = options.terraform ?? (terraform as TerraformFn);
  const seed = options.seed ?? seedMockState;
  const lockTimeout = options.lockTimeout ?? '5m';
  const lockTimeoutMs = parseDuration(lockTimeout);
  const logDir = options.logDir ?? path.join(options.outdir, 'logs');
  const nodes = new Map(options.graph.map((n) => [n.id, n]));
  /** Layers some other layer reads (in any account): only their sandbox state is worth recording. */
  const read = new Set(options.graph.flatMap((n) => n.dependsOn));
  const seeded = new Map<string, Promise<boolean>>();
  const sandbox = options.mode.sandbox;
  const modeName = sandbox ? 'sandbox' : 'real';
  const states = sandbox ? options.states ?? sandboxStates(sandbox) : undefined;
  const plans = options.plans ?? new PlanStore(plansDir(options.outdir));
  const applyFrom = options.applyFrom ?? { kind: 'fresh' };
  const allowReplace = options.allowReplace ?? new Set<string>();
  const statefulType = options.statefulType ?? isStatefulType;
  const versions = cachedStates(options.stateReader ?? s3StateReader());
  const replan = options.replanHint ?? ((n: GraphNode) => `make plan ACCOUNT=${n.account} LAYER=${n.layer}`);
  const retryApply = options.retryApply ?? (() => Promise.resolve(false));
  /** Layers planned in this run, by id. */
  const planned = new Map<string, PlannedLayer>();
  /** The local state file of each upstream's planned outputs, written once per run. */
  const plannedStates = new Map<string, { readonly file: string; readonly values: Record<string, unknown>; readonly mocked: readonly string[] }>();
  /** The JSON summary of each layer planned in this run that a chained consumer read, by id. */
  const planJsons = new Map<string, Promise<PlanSummary>>();
  const specDir = path.join(options.outdir, 'speculative');

  /** Each upstream is seeded at most once per run, so two consumers never write its state at the same time. */
  const seedUpstream = (endpoints: SandboxEndpoints, id: string, note: (message: string) => void): Promise<boolean> => {
    let pending = seeded.get(id);
    if (!pending) {
      const upstream = nodes.get(id);
      const contract = options.contracts.get(id);
      const bucket = upstream && backendBucketName(upstream.project, upstream.account, upstream.accountId);
      const key = upstream && stateKey(upstream.account, upstream.layer);
      pending = upstream && contract
        ? seed(endpoints, { bucket: bucket!, key: key!, lockTable: lockTableName(upstream.project, upstream.account), stack: id },
          mockOutputs(contract), { lockTimeoutMs, onWait: (holder) => note(`waiting for lock held by ${describeHolder(holder)} to seed ${id}`) })
          .then((wrote) => {
            if (wrote) versions.forget(bucket!, key!);
            return wrote;
          })
        : Promise.resolve(false);
      seeded.set(id, pending);
    }
    return pending;
  };

  /**
   * The JSON summary of a layer planned in this run, for a consumer chained to it. A plan read from its text alone
   * has no JSON yet: the consumer's own show step (so the command is in the consumer's log) writes it into the
   * upstream's plan.json, once, in the upstream's stack folder, and the upstream's record gains the digest.
   */
  const planJsonOf = (id: string, consumer: ConsumerSteps): Promise<PlanSummary> => {
    let pending = planJsons.get(id);
    if (!pending) {
      pending = (async () => {
        const upstream = planned.get(id)!;
        let summary: PlanSummary;
        if (fs.existsSync(upstream.files.planJson)) {
          summary = summarizePlan(JSON.parse(fs.readFileSync(upstream.files.planJson, 'utf8')) as PlanJson, id, statefulType);
        } else {
          const shown = await consumer.showPlan(path.resolve(upstream.files.planFile), upstream.files.planJson, { cwd: stackDir(options.outdir, id) }, id);
          if (isOutcome(shown)) throw new Error(`the plan JSON of ${id}: ${shown.error}`);
          summary = shown;
        }
        const disagree = textDisagreement(upstream.record, summary);
        if (disagree) consumer.note(`the plan text of ${id} and its JSON disagree (${disagree}): the text was read wrongly, plan with PLAN_JSON=1`);
        if (upstream.record.planDigest === null) {
          const record: PlanRecord = { ...upstream.record, planDigest: summary.digest, ...(summary.drift > 0 ? { drift: summary.drift } : {}) };
          plans.put(record);
          planned.set(id, { ...upstream, record });
        }
        return summary;
      })();
      planJsons.set(id, pending);
      pending.catch(() => planJsons.delete(id));
    }
    return pending;
  };

  /** The planned outputs of an upstream planned in this run, as a local state file (unknown values: contract mocks). */
  const plannedStateOf = async (id: string, consumer: ConsumerSteps): Promise<{ file: string; values: Record<string, unknown>; mocked: readonly string[] }> => {
    let found = plannedStates.get(id);
    if (!found) {
      const summary = await planJsonOf(id, consumer);
      const contract = options.contracts.get(id);
      const built = plannedStateDocument(summary.plannedOutputs, contract ? mockOutputs(contract) : {});
      const file = path.join(specDir, `${id}.planned.tfstate`);
      fs.mkdirSync(specDir, { recursive: true });
      fs.writeFileSync(file, built.document);
      found = { file, values: built.values, mocked: built.mocked };
      plannedStates.set(id, found);
    }
    return found;
  };

  /** The output names `node` reads from `dep`, undefined when the graph did not record them (every output). */
  const namesRead = (node: GraphNode, dep: string): readonly string[] | undefined => {
    const names = node.reads?.[dep];
    return names ? [...names].sort() : undefined;
  };

  /** Whether a plan of `dep` in this run changes an output `node` reads: then `node` is planned against that plan. */
  const chainsFrom = (node: GraphNode, dep: string): boolean => {
    const upstream = planned.get(dep);
    if (!upstream || upstream.record.noChanges) return false;
    const names = namesRead(node, dep);
    return upstream.record.changedOutputs.some((o) => names === undefined || names.includes(o));
  };

  /**
   * What `node` reads from each upstream now: the upstream's state object (its version and the read outputs' digest),
   * or, for an upstream planned in this run that changes what `node` reads, that plan's outputs (`redirects` names the
   * terraform_remote_state blocks to read from a local file instead).
   */
  const inputsOf = async (node: GraphNode, remote: ReadonlyMap<string, StateSource>, consumer: ConsumerSteps): Promise<{ inputs: UpstreamInput[]; redirects: Map<string, string> }> => {
    const inputs: UpstreamInput[] = [];
    const redirects = new Map<string, string>();
    for (const dep of node.dependsOn) {
      const upstream = nodes.get(dep);
      if (!upstream) continue;
      const bucket = backendBucketName(upstream.project, upstream.account, upstream.accountId);
      const key = stateKey(upstream.account, upstream.layer);
      const block = [...remote].find(([, s]) => s.bucket === bucket && s.key === key);
      if (!block) throw new Error(`${node.id} reads ${dep}, but its cdk.tf.json has no terraform_remote_state for s3://${bucket}/${key}`);
      const names = namesRead(node, dep);
      if (chainsFrom(node, dep)) {
        const state = await plannedStateOf(dep, consumer);
        redirects.set(block[0], state.file);
        const mocked = state.mocked.filter((m) => names === undefined || names.includes(m));
        inputs.push({ stack: dep, source: 'planned', ...(names ? { outputs: names } : {}), digest: outputsDigest(state.values, names), ...(mocked.length ? { mocked } : {}) });
      } else {
        const snapshot = await versions.read(block[1]);
        inputs.push({ stack: dep, source: 'state', ...(names ? { outputs: names } : {}), digest: outputsDigest(snapshot.outputs, names), version: snapshot.version });
      }
    }
    return { inputs, redirects };
  };

  const relative = (file: string): string => path.relative(process.cwd(), file) || file;
  /** The report fields of a saved plan. */
  const detailsOf = (record: PlanRecord, files: SavedPlanPaths): LayerDetails => ({
    planFile: relative(files.planFile),
    ...(record.noChanges || record.planDigest === null ? {} : { planJson: relative(files.planJson) }),
    configHash: record.configHash,
    ...(record.planDigest === null ? {} : { planDigest: record.planDigest }),
    upstreams: record.upstreams,
    speculative: record.speculative,
    replacements: record.replacements,
    changedOutputs: record.changedOutputs,
    ...(record.drift ? { drift: record.drift } : {}),
  });

  return async (node: GraphNode, action: Action, signal: AbortSignal): Promise<Outcome> => {
    const dir = stackDir(options.outdir, node.id);
    fs.mkdirSync(logDir, { recursive: true });
    const log = path.join(logDir, `${node.id}.${action}.log`);
    fs.writeFileSync(log, '');
    const write = (chunk: string): void => fs.appendFileSync(log, chunk);
    const note = (message: string): void => {
      write(`${message}\n`);
      options.onNote?.(node.id, message);
    };
    const location = backendLocation(dir, node.id);
    const synthesized = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as Parameters<typeof ownStateSource>[0];
    const own = ownStateSource(synthesized);
    const ownVersion = async (): Promise<StateVersion> => (own ? (await versions.read(own)).version : {});
    /** The layer's own state may have been written: read it again next time. */
    const wroteOwnState = (): void => {
      if (own) versions.forget(own.bucket, own.key);
    };
    const step = async (args: readonly string[], where: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Step> => {
      write(`\n$ terraform ${args.join(' ')}\n`);
      const started = Date.now();
      const result = await run(args, where.cwd ?? dir, { signal, onOutput: write, ...(where.env ? { env: where.env } : {}) });
      if (!result.signal && !result.killed) return result;
      const killedBecause = await killedReason(args, result, Date.now() - started);
      note(killedBecause); // at once: after an interrupt it is the one thing left to do by hand
      return { ...result, code: result.code || 1, killedBecause };
    };
    /** A command that takes the state lock: tries without waiting first, to say who holds it before waiting. */
    const locked = async (args: readonly string[], where: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Step> => {
      const started = Date.now();
      const first = await step(withLockTimeout(args, '0s'), where);
      if (!ACQUIRE_FAILED.test(first.stderr) || signal.aborted) return first;
      const remaining = lockTimeoutMs - (Date.now() - started);
      if (remaining <= 0) return first;
      const holder = parseLockInfo(first.stderr);
      note(holder ? `waiting for lock held by ${describeHolder(holder)}, up to ${lockTimeout}` : `waiting for the state lock, up to ${lockTimeout}`);
      return step(withLockTimeout(args, formatDuration(remaining)), where);
    };
    /** Why a killed terraform failed, and what may be left of its lock. */
    const killedReason = async (args: readonly string[], result: TerraformResultExtra, ms: number): Promise<string> => {
      const how = result.killed ? 'SIGKILL (it did not stop within the grace period after the interrupt)' : result.signal ?? 'a signal';
      const what = `terraform ${args[0]}${args.includes('-refresh-only') ? ' -refresh-only' : ''} was killed by ${how} after ${(ms / 1000).toFixed(1)}s`;
      if (!location) return what;
      const held = await states?.lock(location).catch(() => undefined);
      if (held) return `${what}; the state lock is still held by ${describeHolder(held)}: if no other run uses this layer, ${forceUnlockAdvice(held.ID, dir)}`;
      if (states) return `${what}; no state lock was left behind`;
      return `${what}; its state lock may still be held (item LockID ${location.bucket}/${location.key} in DynamoDB table ${location.lockTable}): ` +
        `the next run prints its ID, then run \`terraform force-unlock <ID>\` in ${dir}`;
    };
    /** A lock problem in a command's output, as the one line that says what to do; undefined when there is none. */
    const lockProblem = async (result: Step): Promise<string | undefined> => {
      const output = `${result.stdout}\n${result.stderr}`;
      if (RELEASE_FAILED.test(output)) {
        const held = location ? await states?.lock(location).catch(() => undefined) : undefined;
        const id = held?.ID ?? unreleasedLockId(output);
        return `terraform could not release the state lock${id ? ` ${id}` : ''}; ` +
          (id ? forceUnlockAdvice(id, dir) : `the next run prints its ID, then run \`terraform force-unlock <ID>\` in ${dir}`);
      }
      if (ACQUIRE_FAILED.test(output)) {
        const holder = parseLockInfo(output);
        return holder
          ? `state lock held by ${describeHolder(holder)} (waited ${lockTimeout}): if that run is gone, ${forceUnlockAdvice(holder.ID, dir)}`
          : undefined;
      }
      return undefined;
    };
    const failed = async (result: Step, counts?: Outcome['counts'], why?: string): Promise<Outcome> => {
      const excerpt = errorExcerpt(result.stderr || result.stdout);
      const lock = result.killedBecause ? undefined : await lockProblem(result);
      const down = sandbox && /connect: connection refused/.test(`${result.stdout}${result.stderr}`)
        ? `the sandbox does not answer at ${sandbox.s3}: start it with make sandbox-up` : undefined;
      // The reason first (the summary shows the first line), terraform's own error blocks after it.
      const error = [result.killedBecause, lock, down, why, excerpt].filter(Boolean).join('\n');
      write(`\n${error}\n`);
      return { ok: false, error, log, counts };
    };
    const refused = (reason: string, details?: LayerDetails): Outcome => {
      write(`\nrefused: ${reason}\n`);
      return { ok: false, refused: true, error: reason, log, ...(details ? { details } : {}) };
    };

    const interrupted: Outcome = { ok: false, error: 'interrupted', log };
    const interruptedDuring = (result: Step): Outcome => ({ ...interrupted, error: result.killedBecause ? `interrupted: ${result.killedBecause}` : 'interrupted' });

    /** ShowPlan as a step of this layer: the command and its output go into this layer's log. */
    const showPlan: ShowPlan = async (planFile, jsonFile, where = {}, stack = node.id) => {
      const shown = await step(['show', '-json', '-no-color', planFile], where);
      if (signal.aborted) return interruptedDuring(shown);
      if (shown.code !== 0) return failed(shown);
      let json: PlanJson;
      try {
        json = JSON.parse(shown.stdout) as PlanJson;
      } catch {
        return failed(shown, undefined, `terraform show -json ${planFile} printed no plan JSON`);
      }
      if (jsonFile) fs.writeFileSync(jsonFile, shown.stdout);
      return summarizePlan(json, stack, statefulType);
    };

    // ------------------------------------------------------------------ plan: unchanged since the saved plan?
    const remote = remoteStateSources(synthesized);
    if (action === 'plan' && !options.refresh) {
      const record = plans.get(node.id);
      if (record) {
        const files = plans.paths(node.id);
        const { inputs } = await inputsOf(node, remote, { showPlan, note });
        const why = options.planJson && record.planDigest === null && !record.noChanges
          ? 'its saved plan has no JSON, which this run writes for every plan'
          : changedSince(record, { mode: modeName, configHash: configHash(dir), state: await ownVersion(), upstreams: inputs }, files);
        if (!why) {
          planned.set(node.id, { record, files });
          write(`unchanged since its plan of ${record.plannedAt}: configuration, state and the outputs it reads are the same; ` +
            `saved plan ${files.planFile} (REFRESH=1 plans anyway)\n`);
          return { ok: true, unchanged: true, counts: record.counts ?? undefined, log, details: detailsOf(record, files) };
        }
        write(`planning again: ${why}\n`);
      }
    }
    // An apply from saved plans checks what it can before terraform runs at all.
    if (action === 'apply' && applyFrom.kind === 'saved') {
      const record = plans.get(node.id);
      const files = plans.paths(node.id);
      // A stack folder without its provider lock file (a fresh synth) gets the one the plan was made with, for init to honour.
      if (record && !fs.existsSync(path.join(dir, '.terraform.lock.hcl')) && fs.existsSync(files.lockFile)) fs.copyFileSync(files.lockFile, path.join(dir, '.terraform.lock.hcl'));
      const refusal = savedPlanRefusal(record, { mode: modeName, configHash: configHash(dir), files }, allowReplace, replan(node));
      if (refusal) return refused(refusal, record ? detailsOf(record, files) : undefined);
      for (const upstream of record!.upstreams) {
        const source = [...remote.values()].find((s) => {
          const n = nodes.get(upstream.stack);
          return n && s.bucket === backendBucketName(n.project, n.account, n.accountId) && s.key === stateKey(n.account, n.layer);
        });
        if (!source) return refused(`it no longer reads ${upstream.stack}: re-plan (${replan(node)})`);
        const now = await versions.read(source);
        const problem = upstreamRefusal(upstream, { version: now.version, digest: outputsDigest(now.outputs, upstream.outputs) }, replan(node));
        if (problem) return refused(problem, detailsOf(record!, files));
      }
      if (record!.noChanges || !record!.applyable) {
        plans.remove(node.id);
        write('the saved plan changes nothing: nothing to apply\n');
        return { ok: true, counts: { add: 0, change: 0, destroy: 0 }, log, details: { ...detailsOf(record!, files), appliedPlan: 'saved' } };
      }
    }

    if (action === 'plan') plans.remove(node.id); // a failed plan must never leave an older saved plan to be applied
    const init = await initIfNeeded(dir, { signal, onOutput: write, run: run as typeof terraform });
    if (signal.aborted) return interrupted;
    if (init && init.code !== 0) return failed(init);

    // Mocks: sandbox only, and never for apply (an apply must read what its upstreams really published). Not for an
    // upstream planned in this run either: its state is what its saved plan was made against (writing it would make
    // that plan stale), and a consumer reading what its plan changes reads the plan's outputs instead.
    if (sandbox && action !== 'apply') {
      for (const dep of node.dependsOn) {
        if (planned.has(dep)) continue;
        const first = !seeded.has(dep);
        try {
          if (await seedUpstream(sandbox, dep, note) && first) note(`mock outputs seeded for ${dep} (sandbox only)`);
        } catch (error) {
          const message = error instanceof LockNotReleasedError
            ? `${error.message}: ${forceUnlockAdvice(error.lockId, stackDir(options.outdir, dep))}`
            : error instanceof Error ? error.message : String(error);
          write(`\n${message}\n`);
          return { ok: false, error: `cannot seed mock outputs for ${dep}: ${message}`, log };
        }
      }
    }

    if (action === 'plan') return planLayer();
    if (action === 'apply') return applyFrom.kind === 'saved' ? applySaved() : applyFresh();
    const main = await locked(commandFor(action, lockTimeout));
    const counts = parseChangeCounts(main.stdout);
    if (signal.aborted) return { ...interruptedDuring(main), counts };
    const ok = action === 'drift' ? main.code === 0 || main.code === 2 : main.code === 0;
    // Terraform can finish its work and still fail to release the lock: that is never success.
    if (!ok || RELEASE_FAILED.test(main.stderr)) return failed(main, counts);
    if (action === 'drift') return { ok: true, drifted: main.code === 2, counts, log };
    // destroy
    wroteOwnState();
    plans.remove(node.id);
    if (sandbox && location) await states!.forget(location);
    return { ok: true, counts, log };

    /** plan: chained or not, saved with a record of what it was made from (and its JSON where something needs it). */
    async function planLayer(): Promise<Outcome> {
      const { inputs, redirects } = await inputsOf(node, remote, { showPlan, note });
      const speculative = redirects.size > 0;
      if (sandbox && location && !speculative && read.has(node.id)) {
        // The sandbox cannot create resources; a refresh-only apply records the layer's state object at its key, so
        // consumers can be planned. Only into a state no apply wrote: a plan never changes applied outputs. Before the
        // plan, so that the saved plan is made against the state it will find when applied. Only for a layer that
        // something reads: the record is a second terraform run (provider start, schema, refresh) as dear as the
        // plan, and a state nobody reads is never used (docs/benchmarks.md, "First plans").
        const origin = await states!.origin(location);
        if (origin === 'applied') write('\nstate written by an apply: the plan is not recorded into it\n');
        else {
          const record = await locked(recordCommand(lockTimeout));
          if (signal.aborted) return interruptedDuring(record);
          // "non-applyable": no output has a known value yet, so there is nothing to record; consumers get mocks.
          // Only that error is harmless: anything else, "Error releasing the state lock" above all, fails the layer.
          const harmless = record.code !== 0 && errorTitles(record.stderr).every((t) => t === 'Cannot apply non-applyable plan') && errorTitles(record.stderr).length > 0;
          if (record.code !== 0 && !harmless) return failed(record);
          if (record.code === 0) {
            await states!.mark(location);
            wroteOwnState();
          }
        }
      }
      const files = plans.paths(node.id);
      fs.mkdirSync(files.dir, { recursive: true });
      const state = await ownVersion();
      const hash = configHash(dir);
      // A chained plan runs in a folder of its own whose cdk.tf.json reads those upstreams from local files.
      const workdir = path.join(specDir, node.id);
      if (speculative) {
        prepareChainedWorkdir(dir, workdir, redirects);
        const from = inputs.filter((i) => i.source === 'planned');
        note(`speculative: planned against the planned outputs of ${from.map((i) => i.stack).join(', ')}` +
          `${from.some((i) => i.mocked) ? ` (${from.flatMap((i) => i.mocked ?? []).join(', ')} unknown until apply: mocked)` : ''}; never applied`);
      }
      const where = speculative ? { cwd: workdir, env: { TF_DATA_DIR: path.join(dir, '.terraform') } } : {};
      const main = await locked(commandFor('plan', lockTimeout, files.planFile), where);
      const counts = parseChangeCounts(main.stdout);
      if (signal.aborted) return { ...interruptedDuring(main), counts };
      if (main.code !== 0 || RELEASE_FAILED.test(main.stderr)) {
        plans.remove(node.id);
        return failed(main, counts);
      }
      const noChanges = NO_CHANGES.test(main.stdout);
      const text = readPlanText(main.stdout);
      const fromText = options.planJson ? undefined : planTextSummary(text, counts);
      const summary = noChanges ? emptyPlanSummary() : fromText ?? await showPlan(files.planFile, files.planJson, where);
      if (isOutcome(summary)) {
        plans.remove(node.id);
        return { ...summary, counts };
      }
      const disagree = !noChanges && !fromText ? textDisagreement(text, summary) : undefined;
      if (disagree) note(`the plan text and its JSON disagree (${disagree}): the JSON is used; a plan without PLAN_JSON=1 would read the text wrongly`);
      if (fs.existsSync(path.join(dir, '.terraform.lock.hcl'))) fs.copyFileSync(path.join(dir, '.terraform.lock.hcl'), files.lockFile);
      const record: PlanRecord = {
        stack: node.id, plannedAt: new Date().toISOString(), mode: modeName, configHash: hash, state, upstreams: inputs, speculative,
        counts: counts ?? null, noChanges, applyable: summary.applyable, changedOutputs: summary.changedOutputs,
        unknownOutputs: summary.unknownOutputs, replacements: summary.replacements, planDigest: summary.digest,
        ...(summary.drift > 0 ? { drift: summary.drift } : {}),
      };
      plans.put(record);
      planned.set(node.id, { record, files });
      if (summary.replacements.length > 0) {
        note(`replaces stateful resources: ${summary.replacements.map((r) => `${r.address} (${r.action})`).join(', ')}; apply refuses unless ALLOW_REPLACE names them`);
      }
      return { ok: true, counts, log, details: detailsOf(record, files) };
    }

    /** apply: a new plan (guarded, and for --reviewed compared with the reviewed one), then exactly that plan file. */
    async function applyFresh(): Promise<Outcome> {
      const planFile = path.join(dir, 'apply.tfplan');
      fs.rmSync(planFile, { force: true });
      const reviewed = applyFrom.kind === 'reviewed' ? applyFrom.store.get(node.id) : undefined;
      if (applyFrom.kind === 'reviewed') {
        if (!reviewed) return refused(`no reviewed plan for this layer in ${applyFrom.store.dir}: plan it in a pull request first`);
        if (reviewed.speculative) return refused(`its reviewed plan was speculative (planned against planned upstream outputs): it is never applied; plan it again once ${reviewed.upstreams.filter((u) => u.source === 'planned').map((u) => u.stack).join(', ')} is applied`);
        if (reviewed.mode !== modeName) return refused(`its reviewed plan was made for ${reviewed.mode === 'sandbox' ? 'the sandbox' : 'real AWS'}`);
        if (reviewed.planDigest === null && !reviewed.noChanges) return refused('its reviewed plan has no digest: the pull request planned it without its JSON (run.ts plan --plan-json, as the generated plan job does)');
      }
      try {
        for (let attempt = 1; ; attempt += 1) {
          fs.rmSync(planFile, { force: true });
          const plan = await locked(commandFor('plan', lockTimeout, planFile));
          const plannedCounts = parseChangeCounts(plan.stdout);
          if (signal.aborted) return { ...interruptedDuring(plan), counts: plannedCounts };
          if (plan.code !== 0 || RELEASE_FAILED.test(plan.stderr)) return failed(plan, plannedCounts);
          const noChanges = NO_CHANGES.test(plan.stdout);
          const summary = noChanges ? emptyPlanSummary() : await showPlan(planFile, undefined);
          if (isOutcome(summary)) return summary;
          const details: LayerDetails = { ...(summary.digest === null ? {} : { planDigest: summary.digest }), replacements: summary.replacements, changedOutputs: summary.changedOutputs, ...(reviewed ? { appliedPlan: 'reviewed' as const } : {}) };
          if (reviewed && reviewed.planDigest !== summary.digest) {
            const was = reviewed.counts ? `${reviewed.counts.add} to add, ${reviewed.counts.change} to change, ${reviewed.counts.destroy} to destroy` : 'unknown counts';
            const now = plannedCounts ? `${plannedCounts.add} to add, ${plannedCounts.change} to change, ${plannedCounts.destroy} to destroy` : 'unknown counts';
            const outputs = [...new Set([...reviewed.changedOutputs, ...summary.changedOutputs])].filter((o) => reviewed.changedOutputs.includes(o) !== summary.changedOutputs.includes(o));
            return refused(`the plan now differs from the reviewed plan of ${reviewed.plannedAt} (reviewed: ${was}; now: ${now}` +
              `${outputs.length ? `; outputs changing differ: ${outputs.join(', ')}` : ''}): re-plan it in a pull request and review that plan`, details);
          }
          const refusal = replacementRefusal(summary.replacements, allowReplace);
          if (refusal) return refused(refusal, details);
          if (noChanges) {
            write('\nNo changes: nothing to apply\n');
            return { ok: true, counts: plannedCounts, log, details };
          }
          const applied = await locked(commandFor('apply', lockTimeout, planFile));
          wroteOwnState();
          const counts = parseChangeCounts(applied.stdout);
          if (signal.aborted) return { ...interruptedDuring(applied), counts };
          if (applied.code !== 0 || RELEASE_FAILED.test(applied.stderr)) {
            // A known transient error (throttling, IAM or KMS propagation): plan again from what the apply left, guard
            // and apply that. Never for --reviewed: after a partial apply the new plan is not the reviewed one.
            if (applyFrom.kind === 'fresh' && !RELEASE_FAILED.test(applied.stderr) && await retryApply(dir, applied, attempt, { signal, onOutput: write })) continue;
            return failed(applied, counts);
          }
          plans.remove(node.id); // its saved plan, if any, was made against the state this apply replaced
          if (sandbox && location) await states!.forget(location);
          return { ok: true, counts, log, details };
        }
      } finally {
        fs.rmSync(planFile, { force: true });
      }
    }

    /** apply --planned: exactly the saved plan file, checked above. */
    async function applySaved(): Promise<Outcome> {
      const record = plans.get(node.id)!;
      const files = plans.paths(node.id);
      const details: LayerDetails = { ...detailsOf(record, files), appliedPlan: 'saved' };
      const applied = await locked(commandFor('apply', lockTimeout, files.planFile));
      wroteOwnState();
      const counts = parseChangeCounts(applied.stdout);
      if (signal.aborted) return { ...interruptedDuring(applied), counts, details };
      if (applied.code !== 0 || RELEASE_FAILED.test(applied.stderr)) {
        const stale = STALE_PLAN.test(`${applied.stdout}${applied.stderr}`)
          ? `its state changed since it was planned (${record.plannedAt}; terraform: "Saved plan is stale"): re-plan (${replan(node)})` : undefined;
        return { ...(await failed(applied, counts, stale)), details };
      }
      plans.remove(node.id);
      if (sandbox && location) await states!.forget(location);
      return { ok: true, counts, log, details };
    }
  };
}
