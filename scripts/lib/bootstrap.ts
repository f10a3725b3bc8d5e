/**
 * Day zero: from an empty management account to every account's deploy role, in one resumable sequence
 * (`make bootstrap-org`, or `make bootstrap ACCOUNT=<a>` for one account added later).
 *
 * For each account, management first (its layers create the member accounts and the permission sets):
 *   1. backend-local    base-tf-backend with local state, as the bootstrap identity (lib/identity.ts)
 *   2. backend-migrate  the same layer with the S3 backend it created: `terraform init -migrate-state`
 *   3. apply            every other day-zero kind (organizations, identities, security), in `bootstrapOrder`,
 *                       through the bucket, still as the bootstrap identity; after organizations, the account ids
 *                       AWS gave new accounts are checked against config (check-account-ids)
 * then, for every account, a handover: the same layers synthesized for the steady step (deploy role) and planned,
 * which proves the deploy role can be assumed and re-initializes their backends with it. The sequence itself (pure
 * data) is lib/bootstrap-plan.ts; this file runs it.
 *
 * Progress is written after every step to a checkpoint file; running again after a failure continues at the failed
 * step. A new run refuses accounts that are already bootstrapped unless forced. The scheduler knows nothing about
 * Terraform: a `BootstrapExecutor` runs one step, so tests drive it with fakes (the runner's pattern).
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeIdentity } from '../../lib/identity';
import { bootstrapPlan, dayZeroAccounts, BootstrapUsageError, type BootstrapStep } from '../../lib/bootstrap-plan';
import type { Organisation, ResolvedAccount } from '../../lib/model';
import { formatDuration } from './runner';

// The pure sequence moved to lib/bootstrap-plan.ts (the preflight reads it too); re-exported for existing callers.
export { bootstrapPlan, dayZeroAccounts, dayZeroLayers, BootstrapUsageError } from '../../lib/bootstrap-plan';
export type { BootstrapStep, PlanOptions, StepKind } from '../../lib/bootstrap-plan';

// ---------------------------------------------------------------- checkpoint

export interface StepRecord {
  readonly status: 'done' | 'failed';
  readonly at: string;
  readonly durationMs: number;
  readonly message?: string;
}

export interface Checkpoint {
  readonly version: 1;
  readonly project: string;
  /** `real` or `sandbox`: a sandbox run never resumes a real one and the other way round. */
  readonly target: 'real' | 'sandbox';
  /** The current (or last) run. */
  run?: {
    readonly accounts: readonly string[];
    readonly backendInBucket: readonly string[];
    readonly startedAt: string;
    finishedAt?: string;
    readonly steps: Record<string, StepRecord>;
  };
  /** Accounts a finished run bootstrapped, with the date. */
  readonly bootstrapped: Record<string, string>;
}

export interface CheckpointStore {
  readonly location: string;
  load(): Checkpoint | undefined;
  save(checkpoint: Checkpoint): void;
}

/** A JSON file, replaced atomically (write then rename) so an interrupted write never leaves half a checkpoint. */
export function fileCheckpoint(file: string): CheckpointStore {
  return {
    location: file,
    load: () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint) : undefined),
    save: (checkpoint) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(checkpoint, null, 2) + '\n');
      fs.renameSync(tmp, file);
    },
  };
}

// ---------------------------------------------------------------- running

export interface StepOutcome {
  readonly ok: boolean;
  /** What happened, one or a few lines (created / migrated / planned with counts), or the error excerpt. */
  readonly message?: string;
  /** What to do about a failure. */
  readonly hint?: string;
  readonly log?: string;
}

export interface BootstrapExecutor {
  /** Whether the account's backend state already sits in its bucket: it was bootstrapped before. */
  backendInBucket(account: ResolvedAccount): Promise<boolean>;
  run(step: BootstrapStep): Promise<StepOutcome>;
}

export interface BootstrapOptions {
  readonly org: Organisation;
  readonly target: 'real' | 'sandbox';
  readonly executor: BootstrapExecutor;
  readonly store: CheckpointStore;
  /** @default every account */
  readonly accounts?: readonly string[];
  /** Re-run accounts that are already bootstrapped. @default false */
  readonly force?: boolean;
  readonly print?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** The command that runs this again, for messages. @default 'make bootstrap-org' */
  readonly command?: string;
}

export interface BootstrapResult {
  /** 0 done, 1 a step failed or accounts were refused. */
  readonly exitCode: number;
  readonly steps: readonly BootstrapStep[];
  /** Steps run now (not skipped as done by an earlier run). */
  readonly ran: readonly string[];
  readonly refused: readonly string[];
}

export async function runBootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const { org, executor, store, target } = options;
  const print = options.print ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const command = options.command ?? 'make bootstrap-org';
  const project = org.project.name;
  const accounts = dayZeroAccounts(org, options.accounts).map((a) => a.name);

  const loaded = store.load();
  if (loaded && (loaded.project !== project || loaded.target !== target)) {
    throw new BootstrapUsageError(`${store.location} records a ${loaded.target} run of project ${loaded.project}, not a ${target} run of ${project}: use another BOOTSTRAP_DIR`);
  }
  const checkpoint: Checkpoint = loaded ?? { version: 1, project, target, bootstrapped: {} };
  const previous = checkpoint.run;
  const resuming = previous !== undefined && previous.finishedAt === undefined && sameList(previous.accounts, accounts);

  if (resuming) {
    const done = Object.values(previous.steps).filter((s) => s.status === 'done').length;
    print(`resuming the ${target} run started ${previous.startedAt} (${done} step(s) done; progress in ${store.location})`);
  } else {
    if (previous && previous.finishedAt === undefined) {
      print(`an unfinished run of ${previous.accounts.join(', ')} is in ${store.location}; starting a new run of ${accounts.join(', ')}`);
    }
    const already: string[] = [];
    for (const name of accounts) {
      if (checkpoint.bootstrapped[name] !== undefined || await executor.backendInBucket(org.accounts.get(name)!)) already.push(name);
    }
    if (already.length > 0 && !options.force) {
      print(`refusing: already bootstrapped: ${already.join(', ')} (its backend state is in its bucket${already.some((a) => checkpoint.bootstrapped[a]) ? ', or a finished run recorded it' : ''}).`);
      print(`Day-zero layers run as the bootstrap identity, not the deploy role: re-run them only on purpose, with FORCE=1 (${command} FORCE=1).`);
      print('Every later change goes through make plan / make apply.');
      return { exitCode: 1, steps: [], ran: [], refused: already };
    }
    checkpoint.run = { accounts, backendInBucket: already, startedAt: new Date(now()).toISOString(), steps: {} };
    store.save(checkpoint);
  }
  const run = checkpoint.run!;
  const steps = bootstrapPlan(org, { accounts, backendInBucket: new Set(run.backendInBucket) });

  print(`day zero of ${project} (${target}): ${accounts.join(', ')}; ${steps.length} steps`);
  const ran: string[] = [];
  for (const [i, step] of steps.entries()) {
    const head = `[${String(i + 1).padStart(String(steps.length).length)}/${steps.length}] ${step.title}`;
    const record = run.steps[step.id];
    if (record?.status === 'done') {
      print(head);
      print(`      done earlier (${record.at})`);
      continue;
    }
    print(head);
    print(`      as ${describeIdentity(step.identity)}`);
    const start = now();
    let outcome: StepOutcome;
    try {
      outcome = await executor.run(step);
    } catch (error) {
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const durationMs = now() - start;
    run.steps[step.id] = { status: outcome.ok ? 'done' : 'failed', at: new Date(now()).toISOString(), durationMs, message: outcome.message };
    store.save(checkpoint);
    ran.push(step.id);
    for (const line of (outcome.message ?? '').split('\n').filter(Boolean)) print(`      ${line}`);
    if (!outcome.ok) {
      print(`      FAILED after ${formatDuration(durationMs)}${outcome.log ? ` (log: ${outcome.log})` : ''}`);
      if (outcome.hint) print(`      ${outcome.hint}`);
      print(`Fix the cause and run ${command} again: it continues at this step (progress: ${store.location}).`);
      return { exitCode: 1, steps, ran, refused: [] };
    }
    print(`      ok (${formatDuration(durationMs)})`);
  }
  run.finishedAt = new Date(now()).toISOString();
  for (const name of accounts) checkpoint.bootstrapped[name] = run.finishedAt;
  store.save(checkpoint);
  print(`day zero done for ${accounts.join(', ')}: every other layer now runs through the deploy role (make plan / make apply).`);
  return { exitCode: 0, steps, ran, refused: [] };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
