/**
 * Runs one synthesized layer with terraform: init when needed, sandbox mocks for missing upstream outputs,
 * then plan / apply / destroy / drift with a lock timeout. Full output goes to a log file per layer; the
 * runner prints only state changes.
 *
 * Locks: every command that takes the state lock first tries without waiting, so a lock someone else holds is
 * reported (who, since when) before the wait starts, not after it times out. A lock terraform could not release,
 * or that a killed terraform may have left, fails the layer with the exact `terraform force-unlock` to run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { mockOutputs, type AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import type { Mode, SandboxEndpoints } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import {
  ACQUIRE_FAILED, describeHolder, forceUnlockAdvice, formatDuration, parseDuration, parseLockInfo, RELEASE_FAILED, unreleasedLockId,
  type LockInfo,
} from './locks';
import { stackDir } from './paths';
import { parseChangeCounts, type Action, type Executor, type Outcome } from './runner';
import {
  forgetSandboxState, LockNotReleasedError, markSandboxState, readLock, sandboxState, seedMockState, type StateLocation, type StateOrigin,
} from './sandbox';
import { initIfNeeded, terraform, type TerraformResult, type TerraformResultExtra } from './terraform';

export type Seeder = typeof seedMockState;
export type TerraformFn = (args: readonly string[], cwd: string, options: { signal?: AbortSignal; onOutput?: (chunk: string) => void }) => Promise<TerraformResult & TerraformResultExtra>;

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

export const PLAN_FILE = 'plan.tfplan';

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
  /** Test seams. @default the real ones */
  readonly seed?: Seeder;
  readonly terraform?: TerraformFn;
  readonly states?: SandboxStates;
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

export function commandFor(action: Action, lockTimeout: string): string[] {
  const common = ['-input=false', '-no-color', `-lock-timeout=${lockTimeout}`];
  switch (action) {
    case 'plan': return ['plan', ...common, `-out=${PLAN_FILE}`];
    case 'apply': return ['apply', ...common, '-auto-approve'];
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

/** One terraform command's result; `killedBecause` says why, when a signal ended it. */
type Step = TerraformResult & TerraformResultExtra & { readonly killedBecause?: string };

const withLockTimeout = (args: readonly string[], timeout: string): string[] =>
  args.map((a) => (a.startsWith('-lock-timeout=') ? `-lock-timeout=${timeout}` : a));

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
  const states = sandbox ? options.states ?? sandboxStates(sandbox) : undefined;

  /** Each upstream is seeded at most once per run, so two consumers never write its state at the same time. */
  const seedUpstream = (endpoints: SandboxEndpoints, id: string, note: (message: string) => void): Promise<boolean> => {
    let pending = seeded.get(id);
    if (!pending) {
      const upstream = nodes.get(id);
      const contract = options.contracts.get(id);
      pending = upstream && contract
        ? seed(endpoints, {
          bucket: backendBucketName(upstream.project, upstream.account),
          key: stateKey(upstream.account, upstream.layer),
          lockTable: lockTableName(upstream.project, upstream.account),
          stack: id,
        }, mockOutputs(contract), { lockTimeoutMs, onWait: (holder) => note(`waiting for lock held by ${describeHolder(holder)} to seed ${id}`) })
        : Promise.resolve(false);
      seeded.set(id, pending);
    }
    return pending;
  };

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
    const step = async (args: readonly string[]): Promise<Step> => {
      write(`\n$ terraform ${args.join(' ')}\n`);
      const started = Date.now();
      const result = await run(args, dir, { signal, onOutput: write });
      if (!result.signal && !result.killed) return result;
      const killedBecause = await killedReason(args, result, Date.now() - started);
      note(killedBecause); // at once: after an interrupt it is the one thing left to do by hand
      return { ...result, code: result.code || 1, killedBecause };
    };
    /** A command that takes the state lock: tries without waiting first, to say who holds it before waiting. */
    const locked = async (args: readonly string[]): Promise<Step> => {
      const started = Date.now();
      const first = await step(withLockTimeout(args, '0s'));
      if (!ACQUIRE_FAILED.test(first.stderr) || signal.aborted) return first;
      const remaining = lockTimeoutMs - (Date.now() - started);
      if (remaining <= 0) return first;
      const holder = parseLockInfo(first.stderr);
      note(holder ? `waiting for lock held by ${describeHolder(holder)}, up to ${lockTimeout}` : `waiting for the state lock, up to ${lockTimeout}`);
      return step(withLockTimeout(args, formatDuration(remaining)));
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
    const failed = async (result: Step, counts?: Outcome['counts']): Promise<Outcome> => {
      const excerpt = errorExcerpt(result.stderr || result.stdout);
      const lock = result.killedBecause ? undefined : await lockProblem(result);
      const down = sandbox && /connect: connection refused/.test(`${result.stdout}${result.stderr}`)
        ? `the sandbox does not answer at ${sandbox.s3}: start it with make sandbox-up` : undefined;
      // The reason first (the summary shows the first line), terraform's own error blocks after it.
      const error = [result.killedBecause, lock, down, excerpt].filter(Boolean).join('\n');
      write(`\n${error}\n`);
      return { ok: false, error, log, counts };
    };

    const interrupted: Outcome = { ok: false, error: 'interrupted', log };
    const interruptedDuring = (result: Step): Outcome => ({ ...interrupted, error: result.killedBecause ? `interrupted: ${result.killedBecause}` : 'interrupted' });
    const init = await initIfNeeded(dir, { signal, onOutput: write, run: run as typeof terraform });
    if (signal.aborted) return interrupted;
    if (init && init.code !== 0) return failed(init);

    // Mocks: sandbox only, and never for apply (an apply must read what its upstreams really published).
    if (sandbox && action !== 'apply') {
      for (const dep of node.dependsOn) {
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

    // A plan file left by an earlier run (maybe a sandbox one) must never outlive a failed plan of this run.
    if (action === 'plan') fs.rmSync(path.join(dir, PLAN_FILE), { force: true });
    const main = await locked(commandFor(action, lockTimeout));
    const counts = parseChangeCounts(main.stdout);
    if (signal.aborted) return { ...interruptedDuring(main), counts };
    const ok = action === 'drift' ? main.code === 0 || main.code === 2 : main.code === 0;
    // Terraform can finish its work and still fail to release the lock: that is never success.
    if (!ok || RELEASE_FAILED.test(main.stderr)) return failed(main, counts);
    if (action === 'drift') return { ok: true, drifted: main.code === 2, counts, log };
    if (sandbox && location && (action === 'apply' || action === 'destroy')) await states!.forget(location);
    if (sandbox && location && action === 'plan' && read.has(node.id)) {
      // The sandbox cannot create resources; a refresh-only apply records the layer's state object at its key, so
      // consumers can be planned. Only into a state no apply wrote: a plan never changes applied outputs. Only for a
      // layer that something reads: the record is a second terraform run (provider start, schema, refresh) as dear
      // as the plan, and a state nobody reads is never used (docs/benchmarks.md, "First plans").
      const origin = await states!.origin(location);
      if (origin === 'applied') {
        write('\nstate written by an apply: the plan is not recorded into it\n');
        return { ok: true, counts, log };
      }
      const record = await locked(recordCommand(lockTimeout));
      if (signal.aborted) return { ...interruptedDuring(record), counts };
      // "non-applyable": no output has a known value yet, so there is nothing to record; consumers get mocks.
      // Only that error is harmless: anything else, "Error releasing the state lock" above all, fails the layer.
      const harmless = record.code !== 0 && errorTitles(record.stderr).every((t) => t === 'Cannot apply non-applyable plan') && errorTitles(record.stderr).length > 0;
      if (record.code !== 0 && !harmless) return failed(record, counts);
      if (record.code === 0) await states!.mark(location);
    }
    return { ok: true, counts, log };
  };
}
