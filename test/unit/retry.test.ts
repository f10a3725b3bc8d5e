/**
 * Retries of known transient AWS errors (scripts/lib/retry.ts), with fake terraform results: a throttled first
 * attempt then success is retried once and counted; a permanent error, a lock, a signal, a saved plan's apply and
 * drift's exit code 2 are not retried; attempts stop at the rule's limit; the wait grows and is jittered. Then in the
 * executor: a plain apply is planned and applied again as a whole, never the same plan file; the saved plan of
 * PLANNED=1 and the re-plan of --reviewed are never applied twice; the retries reach the layer's log.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GraphNode } from '../../lib/graph';
import { layerExecutor, type ApplyFrom, type TerraformFn } from '../../scripts/lib/layer-executor';
import { stackDir } from '../../scripts/lib/paths';
import { planDigest, type PlanJson } from '../../scripts/lib/plan-json';
import { appliesSavedPlan, backoffDelay, MAX_DELAY_MS, RETRY_RULES, transientFailure, withRetries, type RetryRecord, type TerraformRunner } from '../../scripts/lib/retry';
import { configHash, PlanStore, plansDir } from '../../scripts/lib/saved-plans';
import { REAL, tempDir } from '../helpers';

type Result = { code: number; stdout?: string; stderr?: string; signal?: NodeJS.Signals };

const THROTTLED = `
Error: reading EC2 VPC (vpc-0abc): operation error EC2: DescribeVpcs, https response error StatusCode: 503, RequestID: 1f2e, api error RequestLimitExceeded: Request limit exceeded.

  with aws_vpc.main,
  on cdk.tf.json line 120, in resource.aws_vpc.main:
`;
const LAMBDA_ROLE = '│ Error: creating Lambda Function (acme-apps-prd-api): operation error Lambda: CreateFunction, https response error StatusCode: 400, RequestID: 9a, InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.';
const PERMANENT = 'Error: creating S3 Bucket (acme-logs): operation error S3: CreateBucket, https response error StatusCode: 409, BucketAlreadyExists';
const LOCKED = 'Error: Error acquiring the state lock\n\nError message: operation error DynamoDB: PutItem, ConditionalCheckFailedException\nLock Info:\n  ID:        3e23b01a\n  Who:       alice@laptop\n  Operation: OperationTypeApply\n  Created:   2026-11-30 09:15:00 UTC\n\nThrottling';

/** A fake terraform answering each call with the next scripted result; records the calls. */
function scripted(...results: Result[]) {
  const calls: string[][] = [];
  const run: TerraformRunner = async (args) => {
    calls.push([...args]);
    const next = results.length > 1 ? results.shift()! : results[0];
    return { code: next.code, stdout: next.stdout ?? '', stderr: next.stderr ?? '', ...(next.signal ? { signal: next.signal } : {}) };
  };
  return { run, calls };
}

const noSleep = { sleeps: [] as number[], sleep: async function (this: void, ms: number) { noSleep.sleeps.push(ms); } };
beforeEach(() => { noSleep.sleeps = []; });

describe('the retry table', () => {
  it('has, per rule, a pattern, a limit, a base delay, a reason and AWS documentation', () => {
    expect(RETRY_RULES.map((r) => r.name)).toEqual(['throttling', 'iam-propagation', 'sts-assume-role', 'kms-propagation']);
    for (const rule of RETRY_RULES) {
      expect(rule.maxAttempts).toBeGreaterThanOrEqual(2);
      expect(rule.maxAttempts).toBeLessThanOrEqual(5);
      expect(rule.baseDelayMs).toBeGreaterThanOrEqual(5_000);
      expect(rule.why.length).toBeGreaterThan(40);
      for (const url of rule.docs) expect(url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  it.each([
    ['throttling', 'Error: reading KMS Key: operation error KMS: DescribeKey, api error ThrottlingException: Rate exceeded'],
    ['throttling', THROTTLED],
    ['throttling', 'Error: putting S3 object: api error SlowDown: Please reduce your request rate.'],
    ['throttling', 'Error: creating API Gateway: TooManyRequestsException: Too Many Requests'],
    ['iam-propagation', LAMBDA_ROLE],
    ['sts-assume-role', 'Error: User: arn:aws:sts::666666666666:assumed-role/GitHubActionsApply/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::666666666666:role/DevOps'],
    ['kms-propagation', 'Error: creating CloudWatch Logs Log Group: The specified KMS key does not exist or is not allowed to be used with Arn \'arn:aws:logs:us-east-1:666666666666:log-group:x\''],
  ])('recognises %s in %s', (rule, stderr) => {
    expect(transientFailure(['plan'], { code: 1, stdout: '', stderr })?.rule.name).toBe(rule);
  });

  it('does not take as transient: success, a permanent error, drift, a lock, a signal, a saved plan, words in a plan\'s stdout', () => {
    expect(transientFailure(['plan'], { code: 0, stdout: '', stderr: THROTTLED })).toBeUndefined();
    expect(transientFailure(['plan'], { code: 1, stdout: '', stderr: PERMANENT })).toBeUndefined();
    expect(transientFailure(['plan', '-detailed-exitcode'], { code: 2, stdout: '', stderr: THROTTLED })).toBeUndefined();
    expect(transientFailure(['plan'], { code: 1, stdout: '', stderr: LOCKED })).toBeUndefined();
    expect(transientFailure(['plan'], { code: 1, stdout: '', stderr: THROTTLED, signal: 'SIGKILL' })).toBeUndefined();
    expect(transientFailure(['apply', '-input=false', 'plan.tfplan'], { code: 1, stdout: '', stderr: THROTTLED })).toBeUndefined();
    expect(transientFailure(['plan'], { code: 1, stdout: '+ throttling_burst_limit = "Throttling"\n+ x = "RequestLimitExceeded"', stderr: PERMANENT })).toBeUndefined();
  });

  it('tells a saved plan\'s apply from an apply that plans', () => {
    expect(appliesSavedPlan(['apply', '-input=false', '-no-color', 'plan.tfplan'])).toBe(true);
    expect(appliesSavedPlan(['apply', '-input=false', '-auto-approve'])).toBe(false);
    expect(appliesSavedPlan(['plan', '-out=plan.tfplan'])).toBe(false);
  });

  it('backs off exponentially with jitter: half the ceiling fixed, half random, never over the cap', () => {
    const throttling = RETRY_RULES[0];
    expect([1, 2, 3].map((n) => backoffDelay(throttling, n, () => 0))).toEqual([7_500, 15_000, 30_000]);
    expect([1, 2, 3].map((n) => backoffDelay(throttling, n, () => 1))).toEqual([15_000, 30_000, 60_000]);
    expect(backoffDelay(throttling, 20, () => 1)).toBe(MAX_DELAY_MS);
  });
});

describe('withRetries', () => {
  it('a throttled first attempt then success: retried once, after a wait, and counted', async () => {
    const fake = scripted({ code: 1, stderr: THROTTLED }, { code: 0, stdout: 'Plan: 1 to add, 0 to change, 0 to destroy.' });
    const output: string[] = [];
    const seen: RetryRecord[] = [];
    const run = withRetries(fake.run, { sleep: noSleep.sleep, random: () => 0.5, onRetry: (_cwd, r) => seen.push(r) });
    const result = await run(['plan', '-input=false'], '/stacks/a', { onOutput: (c) => output.push(c) });
    expect(result.code).toBe(0);
    expect(fake.calls).toHaveLength(2);
    expect(noSleep.sleeps).toEqual([11_250]);
    const expected = { command: 'plan', rule: 'throttling', attempt: 1, maxAttempts: 4, delayMs: 11_250, message: expect.stringContaining('RequestLimitExceeded') };
    expect(run.retriesIn('/stacks/a')).toEqual([expected]);
    expect(seen).toEqual([expected]);
    expect(run.retriesIn('/stacks/b')).toEqual([]);
    expect(output.join('')).toContain('[retry] attempt 2 of 4 in 11.3s');
  });

  it('a permanent error: run once, not retried, nothing counted', async () => {
    const fake = scripted({ code: 1, stderr: PERMANENT });
    const run = withRetries(fake.run, { sleep: noSleep.sleep });
    expect((await run(['destroy', '-auto-approve'], '/stacks/a', {})).code).toBe(1);
    expect(fake.calls).toHaveLength(1);
    expect(noSleep.sleeps).toEqual([]);
    expect(run.retriesIn('/stacks/a')).toEqual([]);
  });

  it('stops at the rule\'s limit and returns the last failure', async () => {
    const fake = scripted({ code: 1, stderr: LAMBDA_ROLE });
    const run = withRetries(fake.run, { sleep: noSleep.sleep, random: () => 0 });
    const result = await run(['destroy', '-auto-approve'], '/stacks/a', {});
    expect(result.stderr).toBe(LAMBDA_ROLE);
    expect(fake.calls).toHaveLength(4);
    expect(noSleep.sleeps).toEqual([5_000, 10_000, 20_000]);
    expect(run.retriesIn('/stacks/a').map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it('never repeats the apply of a saved plan, even after a transient error', async () => {
    const fake = scripted({ code: 1, stderr: THROTTLED });
    const run = withRetries(fake.run, { sleep: noSleep.sleep });
    await run(['apply', '-input=false', 'plan.tfplan'], '/stacks/a', {});
    expect(fake.calls).toHaveLength(1);
  });

  it('an interrupt during the wait ends it without another attempt', async () => {
    const fake = scripted({ code: 1, stderr: THROTTLED }, { code: 0 });
    const controller = new AbortController();
    const run = withRetries(fake.run, { sleep: async () => { controller.abort(); } });
    const result = await run(['plan'], '/stacks/a', { signal: controller.signal });
    expect(result.code).toBe(1);
    expect(fake.calls).toHaveLength(1);
  });
});

describe('in the executor', () => {
  const node: GraphNode = { id: 'acme-apps-prd-api', project: 'acme', account: 'apps-prd', accountId: '666666666666', layer: 'api', kind: 'serverless', region: 'us-east-1', stateful: false, dependsOn: [] };
  const PLAN_JSON = JSON.stringify({
    format_version: '1.2', applyable: true,
    resource_changes: [{ address: 'aws_lambda_function.api', mode: 'managed', type: 'aws_lambda_function', change: { actions: ['create'] } }],
  });

  /**
   * An initialized stack folder and a fake terraform: every plan says `Plan: 3 to add` (and writes its -out file),
   * show gives a plan creating a Lambda function, each apply answers with the next of `applies` (the last one repeats).
   */
  function stack(applies: Result[]) {
    const outdir = tempDir('retry-exec-');
    const dir = stackDir(outdir, node.id);
    fs.mkdirSync(path.join(dir, '.terraform'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ terraform: {} }));
    fs.writeFileSync(path.join(dir, '.terraform', 'cdktf-init-fingerprint'), JSON.stringify({ backend: true, terraform: {} }));
    const calls: string[] = [];
    const fake: TerraformRunner = async (args, cwd) => {
      calls.push(args[0]);
      if (args[0] === 'plan') {
        const out = args.find((a) => a.startsWith('-out='))?.slice('-out='.length);
        if (out) fs.writeFileSync(path.isAbsolute(out) ? out : path.join(cwd, out), 'binary plan');
        return { code: 0, stdout: 'Plan: 3 to add, 0 to change, 0 to destroy.', stderr: '' };
      }
      if (args[0] === 'show') return { code: 0, stdout: PLAN_JSON, stderr: '' };
      const next = applies.length > 1 ? applies.shift()! : applies[0];
      return { code: next.code, stdout: next.stdout ?? '', stderr: next.stderr ?? '' };
    };
    const run = withRetries(fake, { sleep: noSleep.sleep });
    const executor = (applyFrom?: ApplyFrom) => layerExecutor({
      outdir, mode: REAL, graph: [node], contracts: new Map(), terraform: run as TerraformFn, retryApply: run.retryApply, applyFrom,
      stateReader: async () => ({ version: { missing: true }, outputs: {} }),
    });
    return { outdir, dir, calls, run, executor };
  }

  it('a plain apply that failed with a transient error is planned and applied again: one layer result, done, the retry logged and counted', async () => {
    const s = stack([{ code: 1, stderr: LAMBDA_ROLE }, { code: 0, stdout: 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.' }]);
    const outcome = await s.executor()(node, 'apply', new AbortController().signal);
    expect(outcome).toMatchObject({ ok: true, counts: { add: 3, change: 0, destroy: 0 } });
    // the failed plan file is never applied again: a new plan (and the replacement guard's look at it), then its apply
    expect(s.calls).toEqual(['plan', 'show', 'apply', 'plan', 'show', 'apply']);
    expect(s.run.retriesIn(node.id)).toEqual([expect.objectContaining({ command: 'apply', rule: 'iam-propagation', attempt: 1, maxAttempts: 4 })]);
    expect(fs.readFileSync(outcome.log!, 'utf8')).toContain('[retry] terraform apply failed with a known transient error (iam-propagation)');
    expect(fs.readFileSync(outcome.log!, 'utf8')).toContain('(planned again from the state the failed apply left, then applied)');
  });

  it('a plain apply stops at the rule\'s limit; a permanent error or a lock is not retried', async () => {
    const limit = stack([{ code: 1, stderr: LAMBDA_ROLE }]);
    expect(await limit.executor()(node, 'apply', new AbortController().signal)).toMatchObject({ ok: false });
    expect(limit.calls.filter((c) => c === 'apply')).toHaveLength(4);
    const permanent = stack([{ code: 1, stderr: PERMANENT }]);
    expect(await permanent.executor()(node, 'apply', new AbortController().signal)).toMatchObject({ ok: false });
    expect(permanent.calls).toEqual(['plan', 'show', 'apply']);
    const locked = stack([{ code: 1, stderr: 'Error: Error releasing the state lock\n\nThrottling' }]);
    expect(await locked.executor()(node, 'apply', new AbortController().signal)).toMatchObject({ ok: false });
    expect(locked.calls).toEqual(['plan', 'show', 'apply']);
  });

  it('the saved plan of PLANNED=1 is applied once, never again after a transient error', async () => {
    const s = stack([{ code: 1, stderr: THROTTLED }]);
    const store = new PlanStore(plansDir(s.outdir));
    const files = store.paths(node.id);
    fs.mkdirSync(files.dir, { recursive: true });
    fs.writeFileSync(files.planFile, 'binary plan');
    fs.writeFileSync(files.planJson, PLAN_JSON);
    store.put({
      stack: node.id, plannedAt: '2026-11-30T10:00:00.000Z', mode: 'real', configHash: configHash(s.dir), state: { missing: true }, upstreams: [],
      speculative: false, counts: { add: 3, change: 0, destroy: 0 }, noChanges: false, applyable: true, changedOutputs: [], unknownOutputs: [],
      replacements: [], planDigest: 'sha256:reviewed',
    });
    const outcome = await s.executor({ kind: 'saved' })(node, 'apply', new AbortController().signal);
    expect(outcome).toMatchObject({ ok: false });
    expect(s.calls).toEqual(['apply']);
    expect(s.run.retriesIn(node.id)).toEqual([]);
  });

  it('the re-plan of --reviewed is not applied again after a transient error: a partial apply is not what was reviewed', async () => {
    const s = stack([{ code: 1, stderr: THROTTLED }]);
    const reviewedDir = tempDir('retry-reviewed-');
    const reviewed = new PlanStore(reviewedDir);
    reviewed.put({
      stack: node.id, plannedAt: '2026-11-30T10:00:00.000Z', mode: 'real', configHash: configHash(s.dir), state: { missing: true }, upstreams: [],
      speculative: false, counts: { add: 3, change: 0, destroy: 0 }, noChanges: false, applyable: true, changedOutputs: [], unknownOutputs: [],
      replacements: [], planDigest: planDigest(JSON.parse(PLAN_JSON) as PlanJson),
    });
    const outcome = await s.executor({ kind: 'reviewed', store: reviewed })(node, 'apply', new AbortController().signal);
    expect(outcome).toMatchObject({ ok: false });
    expect(s.calls).toEqual(['plan', 'show', 'apply']);
  });
});
