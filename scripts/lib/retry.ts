/**
 * Retries of terraform commands that failed with a known transient AWS error, with exponential backoff and jitter.
 * The table below is the one place that says which errors, how often and how long to wait (docs/runner.md,
 * "Retries"); every retry is written to the layer's log, printed, and counted in the run report (`retries`).
 *
 * What is never retried here:
 * - a state lock held by someone else, or one terraform could not release: the lock logic (scripts/lib/locks.ts and
 *   the executor) waits for the holder and names it, and a lock left behind must be freed by a person;
 * - a terraform ended by a signal (an interrupt, the out-of-memory killer);
 * - the apply of a plan file (`terraform apply <file>`, which is every apply of the runner): once applying started,
 *   the state no longer matches the plan, so the same file cannot be applied again. A plain apply (a plan made in the
 *   same run) is instead planned and applied again as a whole (`retryApply`, called by the executor): the new plan
 *   starts from what the failed apply left and passes the replacement guard again. The saved plan of `--planned` and
 *   the re-plan of `--reviewed` are never retried: after a partial apply neither is what was reviewed any more;
 * - anything that does not match a rule: a real error repeats, and retrying it only delays the message.
 *
 * A destroy that failed half way is retried as a new `terraform destroy`: terraform saves the state after each
 * resource, so the new run starts from what the first one left and does only what is still missing.
 * The AWS provider itself already retries throttled calls (its `max_retries`, 25 by default) and waits a while for
 * new IAM roles in some resources (Lambda, for one); these rules are the second line, for errors that outlast it.
 */
import * as path from 'path';
import { ACQUIRE_FAILED, RELEASE_FAILED } from './locks';
import type { TerraformResult, TerraformResultExtra, TerraformRunOptions } from './terraform';

/** One row of the retry table. */
export interface RetryRule {
  /** Short name, shown in the report. */
  readonly name: string;
  /** Matched against terraform's error output (stderr), one line at a time. */
  readonly pattern: RegExp;
  /** Runs of the command in all, the first included. */
  readonly maxAttempts: number;
  /** Wait before the first retry; doubles for each further one (with jitter, see `backoffDelay`). */
  readonly baseDelayMs: number;
  readonly why: string;
  readonly docs: readonly string[];
}

/** The retry table: pattern, attempts, base delay, why. The first matching rule wins. */
export const RETRY_RULES: readonly RetryRule[] = [
  {
    name: 'throttling',
    pattern: /\b(Throttling|ThrottlingException|ThrottledException|RequestLimitExceeded|TooManyRequestsException|SlowDown|RequestThrottled|RequestThrottledException|ProvisionedThroughputExceededException|Rate exceeded)\b/,
    maxAttempts: 4,
    baseDelayMs: 15_000,
    why: 'the API limited the request rate: several layers (or other tools) called the same API at once and the provider\'s own retries ran out; waiting lets the bucket refill',
    docs: [
      'https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html',
      'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html',
    ],
  },
  {
    name: 'iam-propagation',
    pattern: /The role defined for the function cannot be assumed by Lambda|InvalidParameterValueException\b.*\brole\b|InvalidParameterException\b.*\b(cannot be assumed|Unable to assume)\b/i,
    maxAttempts: 4,
    baseDelayMs: 10_000,
    why: 'a role created moments before is not yet visible to the service that must assume it (IAM changes reach every endpoint after a delay)',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency',
      'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
    ],
  },
  {
    name: 'sts-assume-role',
    pattern: /is not authorized to perform: sts:AssumeRole\b/,
    maxAttempts: 3,
    baseDelayMs: 10_000,
    why: 'right after a role or its trust policy is created or changed, STS can refuse to assume it for a few seconds; a trust policy that is really wrong fails again after about half a minute',
    docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency'],
  },
  {
    name: 'kms-propagation',
    pattern: /\bis not authorized to use (?:this|the) (?:KMS )?key\b|\bKMS key\b.*\bis not authorized to use\b|The specified KMS key does not exist or is not allowed to be used/i,
    maxAttempts: 3,
    baseDelayMs: 15_000,
    why: 'a key or key policy changed moments before (in the same apply, or by the layer that owns the key) and KMS has not propagated the change yet',
    docs: ['https://docs.aws.amazon.com/kms/latest/developerguide/programming-eventual-consistency.html'],
  },
];

/** Never wait longer than this between two attempts, whatever the rule says. */
export const MAX_DELAY_MS = 120_000;

/** A retry as the report records it. */
export interface RetryRecord {
  readonly command: string;
  readonly rule: string;
  readonly message: string;
  readonly delayMs: number;
  /** The attempt that failed (1 = the first run). */
  readonly attempt: number;
  readonly maxAttempts: number;
}

type Result = TerraformResult & TerraformResultExtra;
/** The shape of `terraform()` and of the executor's injected runner. */
export type TerraformRunner = (args: readonly string[], cwd: string, options: TerraformRunOptions) => Promise<Result>;

/** `terraform apply <planfile>`: the apply of a saved plan, which must not be repeated. */
export function appliesSavedPlan(args: readonly string[]): boolean {
  return args[0] === 'apply' && args.slice(1).some((a) => !a.startsWith('-'));
}

/**
 * The rule and the matching line when a failed command is worth running again; undefined when it is not (it
 * succeeded, drift's exit code 2, a signal, a lock problem, the apply of a plan file, or no rule matches).
 */
export function transientFailure(args: readonly string[], result: Result, rules: readonly RetryRule[] = RETRY_RULES): { rule: RetryRule; line: string } | undefined {
  if (result.code === 2 && args.includes('-detailed-exitcode')) return undefined;
  if (appliesSavedPlan(args)) return undefined;
  return transientError(result, rules);
}

/** Whatever the command: a failure with a known transient error and no lock problem or signal, and the rule it matched. */
export function transientError(result: Result, rules: readonly RetryRule[] = RETRY_RULES): { rule: RetryRule; line: string } | undefined {
  if (result.code === 0 || result.signal || result.killed) return undefined;
  const output = `${result.stdout}\n${result.stderr}`;
  if (ACQUIRE_FAILED.test(output) || RELEASE_FAILED.test(output)) return undefined;
  // stderr only: a plan's stdout lists attribute values, and a value may contain any of these words.
  const lines = result.stderr.split('\n').map((l) => l.replace(/^[│╷╵ ]+/, '').trim()).filter(Boolean);
  for (const rule of rules) {
    const line = lines.find((l) => rule.pattern.test(l));
    if (line) return { rule, line };
  }
  return undefined;
}

/**
 * Exponential backoff with "equal jitter": half of base·2^(n-1) fixed, the other half random, so parallel layers that
 * failed together do not come back together, and no retry comes back at once (an IAM change needs seconds).
 */
export function backoffDelay(rule: RetryRule, failedAttempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, rule.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryOptions {
  /** @default RETRY_RULES */
  readonly rules?: readonly RetryRule[];
  /** @default a timer that an abort ends early */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Called before each wait, with the stack folder the command runs in. */
  readonly onRetry?: (cwd: string, retry: RetryRecord) => void;
}

/** A terraform runner that retries transient failures, and remembers every retry per stack. */
export interface RetryingRunner extends TerraformRunner {
  /**
   * The retries made so far for a stack, oldest first: `id` is the stack id or any folder named after it (its stack
   * folder, or the folder of its chained plan).
   */
  retriesIn(id: string): RetryRecord[];
  /**
   * After the apply of a plan made in the same run failed (`failed` is its result, `attempt` the how-manyth apply it
   * was): when the failure is a known transient one with attempts left, records the retry, waits and resolves true,
   * and the caller plans and applies again. False otherwise, at once.
   */
  retryApply(cwd: string, failed: Result, attempt: number, options: TerraformRunOptions): Promise<boolean>;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(() => { signal?.removeEventListener('abort', stop); resolve(); }, ms);
    const stop = (): void => { clearTimeout(timer); resolve(); };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Wraps `run` (terraform itself, or a fake in tests) with the retry table. */
export function withRetries(run: TerraformRunner, options: RetryOptions = {}): RetryingRunner {
  const rules = options.rules ?? RETRY_RULES;
  const sleep = options.sleep ?? abortableSleep;
  const records = new Map<string, RetryRecord[]>();
  /** Records, logs and announces a retry, then waits; false when an abort came meanwhile. */
  const wait = async (command: string, transient: { rule: RetryRule; line: string }, attempt: number, cwd: string, runOptions: TerraformRunOptions, how: string): Promise<boolean> => {
    const record: RetryRecord = {
      command, rule: transient.rule.name, message: transient.line,
      delayMs: backoffDelay(transient.rule, attempt, options.random), attempt, maxAttempts: transient.rule.maxAttempts,
    };
    const id = path.basename(cwd);
    records.set(id, [...(records.get(id) ?? []), record]);
    runOptions.onOutput?.(`\n[retry] terraform ${command} failed with a known transient error (${record.rule}): ${record.message}\n` +
      `[retry] attempt ${attempt + 1} of ${record.maxAttempts} in ${(record.delayMs / 1000).toFixed(1)}s${how}\n`);
    options.onRetry?.(cwd, record);
    await sleep(record.delayMs, runOptions.signal);
    return !runOptions.signal?.aborted;
  };
  const retrying = async (args: readonly string[], cwd: string, runOptions: TerraformRunOptions): Promise<Result> => {
    for (let attempt = 1; ; attempt += 1) {
      const result = await run(args, cwd, runOptions);
      const transient = transientFailure(args, result, rules);
      if (!transient || attempt >= transient.rule.maxAttempts || runOptions.signal?.aborted) return result;
      const how = args[0] === 'destroy' ? ' (a new destroy: it starts from the state the failed one left)' : '';
      if (!(await wait(args[0], transient, attempt, cwd, runOptions, how))) return result;
    }
  };
  const retryApply = async (cwd: string, failed: Result, attempt: number, runOptions: TerraformRunOptions): Promise<boolean> => {
    const transient = transientError(failed, rules);
    if (!transient || attempt >= transient.rule.maxAttempts || runOptions.signal?.aborted) return false;
    return wait('apply', transient, attempt, cwd, runOptions, ' (planned again from the state the failed apply left, then applied)');
  };
  return Object.assign(retrying, { retriesIn: (id: string) => [...(records.get(path.basename(id)) ?? [])], retryApply });
}
