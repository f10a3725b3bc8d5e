import { CycleError, type GraphNode } from '../../lib/graph';
import {
  executionOrder, formatEvent, formatSummary, runLayers, SelectionError, selectLayers,
  type Action, type Executor, type Outcome, type RunEvent,
} from '../../scripts/lib/runner';
import { parseChangeCounts } from '../../scripts/lib/terraform';

/** A graph node `<account>/<layer>` with id `p-<account>-<layer>`; deps are given as `account/layer` too. */
function node(ref: string, deps: string[] = [], stateful = false): GraphNode {
  const [account, layer] = ref.split('/');
  return { id: `p-${account}-${layer}`, project: 'p', account, accountId: '123456789012', layer, kind: layer, region: 'us-east-1', stateful, dependsOn: deps.map(id) };
}
const id = (ref: string): string => `p-${ref.replace('/', '-')}`;

/** An executor whose layers finish only when the test says so; records the order things happen in. */
function controlled() {
  const log: string[] = [];
  const waiting = new Map<string, (o: Outcome) => void>();
  const execute: Executor = (n) => new Promise<Outcome>((resolve) => {
    log.push(`start ${n.id}`);
    waiting.set(n.id, (o) => { log.push(`end ${n.id}`); resolve(o); });
  });
  const settle = async (): Promise<void> => { for (let i = 0; i < 10; i += 1) await Promise.resolve(); };
  return {
    log,
    execute,
    running: () => [...waiting.keys()],
    async finish(ref: string, outcome: Outcome = { ok: true }): Promise<void> {
      await settle();
      const resolve = waiting.get(id(ref));
      if (!resolve) throw new Error(`${ref} is not running (running: ${[...waiting.keys()].join(', ')})`);
      waiting.delete(id(ref));
      resolve(outcome);
      await settle();
    },
    settle,
  };
}

/** Executor that succeeds at once, recording the order, failing the listed layers. */
function instant(fail: string[] = [], outcome: Partial<Outcome> = {}) {
  const order: string[] = [];
  const execute: Executor = async (n) => {
    order.push(n.id);
    await new Promise((r) => setImmediate(r));
    return fail.includes(n.id) ? { ok: false, error: `boom in ${n.id}\nmore detail` } : { ok: true, ...outcome };
  };
  return { order, execute };
}

// network/base-network <- apps/base-network-consumer style graph used by most tests
const backend = node('apps/backend', [], true);
const network = node('net/network');
const vpc = node('apps/vpc', ['net/network']);
const eks = node('apps/eks', ['apps/vpc']);
const db = node('apps/db', ['apps/vpc'], true);
const app = node('apps/app', ['apps/eks', 'apps/db']);
const graph = [network, backend, vpc, eks, db, app];

describe('execution order', () => {
  it('runs dependencies first for plan/apply/drift and dependents first for destroy', () => {
    const forward = executionOrder('apply', graph).map((n) => n.id);
    for (const n of graph) for (const dep of n.dependsOn) expect(forward.indexOf(dep)).toBeLessThan(forward.indexOf(n.id));
    const backward = executionOrder('destroy', graph).map((n) => n.id);
    expect(backward).toEqual([...forward].reverse());
    expect(backward.indexOf(app.id)).toBeLessThan(backward.indexOf(vpc.id));
  });

  it('refuses a cycle before running anything, naming it', async () => {
    const a = node('x/a', ['x/b']);
    const b = node('x/b', ['x/a']);
    const { order, execute } = instant();
    await expect(runLayers({ action: 'plan', nodes: [a, b], execute })).rejects.toThrow(CycleError);
    await expect(runLayers({ action: 'plan', nodes: [a, b], execute })).rejects.toThrow(/p-x-a -> p-x-b -> p-x-a/);
    expect(order).toEqual([]);
  });

  it('executes sequentially in dependency order with parallelism 1', async () => {
    const { order, execute } = instant();
    const report = await runLayers({ action: 'plan', nodes: graph, execute, parallelism: 1 });
    expect(report.exitCode).toBe(0);
    expect(order).toEqual(executionOrder('plan', graph).map((n) => n.id));
  });

  it('destroys dependents before what they read', async () => {
    const { order, execute } = instant();
    const report = await runLayers({ action: 'destroy', nodes: graph, execute, parallelism: 3, forceStateful: true });
    expect(report.exitCode).toBe(0);
    expect(order.indexOf(app.id)).toBeLessThan(order.indexOf(eks.id));
    expect(order.indexOf(eks.id)).toBeLessThan(order.indexOf(vpc.id));
    expect(order.indexOf(vpc.id)).toBeLessThan(order.indexOf(network.id));
  });

  it('ignores dependencies outside the selection (they are taken as already there)', async () => {
    const { order, execute } = instant();
    await runLayers({ action: 'plan', nodes: [eks, app], execute });
    expect(order).toEqual([eks.id, app.id]);
  });
});

describe('bounded parallelism', () => {
  it('starts a layer as soon as its own dependencies finished, not when the whole wave did', async () => {
    // slow and fast have no deps; afterFast reads fast. Waves would hold afterFast until slow finished.
    const slow = node('a/slow');
    const fast = node('a/fast');
    const afterFast = node('a/after-fast', ['a/fast']);
    const c = controlled();
    const events: RunEvent[] = [];
    const run = runLayers({ action: 'plan', nodes: [slow, fast, afterFast], execute: c.execute, parallelism: 2, onEvent: (e) => events.push(e) });
    await c.settle();
    expect(c.running().sort()).toEqual([fast.id, slow.id]);
    await c.finish('a/fast');
    expect(c.running().sort()).toEqual([afterFast.id, slow.id]);
    await c.finish('a/after-fast');
    await c.finish('a/slow');
    const report = await run;
    expect(c.log).toEqual([`start ${slow.id}`, `start ${fast.id}`, `end ${fast.id}`, `start ${afterFast.id}`, `end ${afterFast.id}`, `end ${slow.id}`]);
    const seq = events.map((e) => `${e.state} ${e.id}`);
    expect(seq.indexOf(`running ${afterFast.id}`)).toBeLessThan(seq.indexOf(`done ${slow.id}`));
    expect(report.layers.every((l) => l.result === 'done')).toBe(true);
  });

  it('never runs more than N layers at once', async () => {
    const wide = Array.from({ length: 7 }, (_, i) => node(`w/l${i}`));
    let now = 0;
    let peak = 0;
    const execute: Executor = async () => {
      now += 1;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, 5));
      now -= 1;
      return { ok: true };
    };
    await runLayers({ action: 'plan', nodes: wide, execute, parallelism: 3 });
    expect(peak).toBe(3);
  });

  it('timestamps show independent layers overlapping', async () => {
    const a = node('t/a');
    const b = node('t/b');
    const execute: Executor = async () => { await new Promise((r) => setTimeout(r, 60)); return { ok: true }; };
    const report = await runLayers({ action: 'plan', nodes: [a, b], execute, parallelism: 2 });
    const [ra, rb] = report.layers;
    expect(Math.abs(ra.startedAtMs! - rb.startedAtMs!)).toBeLessThan(40);
    expect(report.durationMs).toBeLessThan(ra.durationMs + rb.durationMs);
  });
});

describe('failure handling', () => {
  it('skips exactly the dependents of a failed layer and lets independent layers continue', async () => {
    const { order, execute } = instant([vpc.id]);
    const events: RunEvent[] = [];
    const report = await runLayers({ action: 'plan', nodes: graph, execute, parallelism: 2, onEvent: (e) => events.push(e) });
    const result = Object.fromEntries(report.layers.map((l) => [l.id, l.result]));
    expect(result).toEqual({
      [network.id]: 'done', [backend.id]: 'done', [vpc.id]: 'failed', [eks.id]: 'skipped', [db.id]: 'skipped', [app.id]: 'skipped',
    });
    expect(order).not.toContain(eks.id);
    expect(report.layers.find((l) => l.id === app.id)!.reason).toBe(`${vpc.id} failed`);
    expect(report.layers.find((l) => l.id === vpc.id)!.reason).toMatch(/boom/);
    expect(events.filter((e) => e.state === 'skipped').map((e) => e.id).sort()).toEqual([app.id, db.id, eks.id].sort());
    expect(report.exitCode).toBe(1);
  });

  it('treats a thrown executor error as a failure', async () => {
    const execute: Executor = async (n) => { if (n.id === network.id) throw new Error('spawn terraform ENOENT'); return { ok: true }; };
    const report = await runLayers({ action: 'plan', nodes: [network, vpc, backend], execute });
    expect(report.layers.map((l) => [l.layer, l.result])).toEqual([['network', 'failed'], ['vpc', 'skipped'], ['backend', 'done']]);
    expect(report.layers[0].reason).toContain('ENOENT');
  });

  it('fail-fast stops launching new layers but lets running ones finish', async () => {
    const a = node('f/a');
    const b = node('f/b');
    const c2 = node('f/c');
    const d = node('f/d');
    const c = controlled();
    const run = runLayers({ action: 'apply', nodes: [a, b, c2, d], execute: c.execute, parallelism: 2, failFast: true });
    await c.settle();
    await c.finish('f/a', { ok: false, error: 'broken' });
    expect(c.running()).toEqual([b.id]); // nothing new started
    await c.finish('f/b');
    const report = await run;
    expect(report.layers.map((l) => [l.layer, l.result])).toEqual([['a', 'failed'], ['b', 'done'], ['c', 'skipped'], ['d', 'skipped']]);
    expect(report.layers[2].reason).toMatch(/fail-fast/);
    expect(report.exitCode).toBe(1);
  });

  it('without fail-fast the same failure lets every independent layer run', async () => {
    const nodes = [node('f/a'), node('f/b'), node('f/c'), node('f/d')];
    const { order, execute } = instant([nodes[0].id]);
    const report = await runLayers({ action: 'apply', nodes, execute, parallelism: 2 });
    expect(order.length).toBe(4);
    expect(report.layers.filter((l) => l.result === 'done').length).toBe(3);
  });

  it('an abort stops launching, tells running executors and reports the rest as skipped', async () => {
    const nodes = [node('i/a'), node('i/b'), node('i/c')];
    const controller = new AbortController();
    const seen: boolean[] = [];
    const execute: Executor = (_n, _a, signal) => new Promise<Outcome>((resolve) => {
      signal.addEventListener('abort', () => { seen.push(signal.aborted); resolve({ ok: false, error: 'interrupted' }); });
    });
    const run = runLayers({ action: 'apply', nodes, execute, parallelism: 2, signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    const report = await run;
    expect(seen).toEqual([true, true]);
    expect(report.layers.map((l) => l.result)).toEqual(['failed', 'failed', 'skipped']);
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
  });
});

describe('destroy of stateful layers', () => {
  it('refuses stateful layers unless forced, and keeps what they read', async () => {
    const { order, execute } = instant();
    const report = await runLayers({ action: 'destroy', nodes: graph, execute, parallelism: 2 });
    const result = Object.fromEntries(report.layers.map((l) => [l.id, l.result]));
    expect(result[db.id]).toBe('refused');
    expect(result[backend.id]).toBe('refused');
    // db (kept) reads vpc, which reads network: both must stay.
    expect(result[vpc.id]).toBe('skipped');
    expect(result[network.id]).toBe('skipped');
    expect(result[app.id]).toBe('done');
    expect(result[eks.id]).toBe('done');
    expect(order.sort()).toEqual([app.id, eks.id].sort());
    expect(report.exitCode).toBe(1);
  });

  it('destroys stateful layers with forceStateful', async () => {
    const { order, execute } = instant();
    const report = await runLayers({ action: 'destroy', nodes: graph, execute, forceStateful: true });
    expect(order.length).toBe(graph.length);
    expect(report.exitCode).toBe(0);
  });

  it('stateful layers are planned and applied normally', async () => {
    const { order, execute } = instant();
    for (const action of ['plan', 'apply'] as Action[]) await runLayers({ action, nodes: [backend, db, vpc, network], execute });
    expect(order.filter((i) => i === db.id).length).toBe(2);
  });
});

describe('drift', () => {
  it('reports drifted and clean layers and exits 2 when something drifted', async () => {
    const execute: Executor = async (n) => ({ ok: true, drifted: n.id === vpc.id });
    const report = await runLayers({ action: 'drift', nodes: [network, vpc], execute });
    expect(report.layers.map((l) => l.result)).toEqual(['clean', 'drifted']);
    expect(report.exitCode).toBe(2);
    expect(formatSummary(report)).toContain('drifted: apps/vpc');
  });

  it('an error outranks drift in the exit code', async () => {
    const execute: Executor = async (n) => (n.id === network.id ? { ok: false, error: 'x' } : { ok: true, drifted: true });
    const report = await runLayers({ action: 'drift', nodes: [network, backend], execute });
    expect(report.exitCode).toBe(1);
  });
});

describe('selection', () => {
  const ids = (nodes: GraphNode[]): string[] => nodes.map((n) => n.id);

  it('selects an account, a layer subset, or stack ids', () => {
    expect(ids(selectLayers(graph, { accounts: ['apps'] }))).toEqual([backend.id, vpc.id, eks.id, db.id, app.id]);
    expect(ids(selectLayers(graph, { accounts: ['apps'], layers: ['eks', 'db'] }))).toEqual([eks.id, db.id]);
    expect(ids(selectLayers(graph, { stacks: [network.id] }))).toEqual([network.id]);
    expect(selectLayers(graph, {}).length).toBe(graph.length);
  });

  it('include-dependents pulls in what reads the selection, across accounts, transitively', () => {
    expect(ids(selectLayers(graph, { accounts: ['net'], includeDependents: true })))
      .toEqual([network.id, vpc.id, eks.id, db.id, app.id]);
    expect(ids(selectLayers(graph, { layers: ['db'], includeDependents: true }))).toEqual([db.id, app.id]);
  });

  it('refuses unknown accounts and layers with what exists', () => {
    expect(() => selectLayers(graph, { accounts: ['nope'] })).toThrow(new SelectionError('unknown account: nope', ['apps', 'net']));
    expect(() => selectLayers(graph, { accounts: ['net'], layers: ['eks'] })).toThrow('unknown layer in net: eks; valid: network');
  });
});

describe('output', () => {
  it('parses plan, apply and destroy counts', () => {
    expect(parseChangeCounts('Plan: 3 to add, 1 to change, 2 to destroy.')).toEqual({ add: 3, change: 1, destroy: 2 });
    expect(parseChangeCounts('Plan: 1 to import, 4 to add, 0 to change, 0 to destroy.')).toEqual({ add: 4, change: 0, destroy: 0 });
    expect(parseChangeCounts('No changes. Your infrastructure matches the configuration.')).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(parseChangeCounts('Apply complete! Resources: 5 added, 0 changed, 1 destroyed.')).toEqual({ add: 5, change: 0, destroy: 1 });
    expect(parseChangeCounts('Destroy complete! Resources: 7 destroyed.')).toEqual({ add: 0, change: 0, destroy: 7 });
    expect(parseChangeCounts('Error: Invalid CIDR')).toBeUndefined();
  });

  it('prints one line per state change with elapsed time, and a summary table with totals', async () => {
    const lines: string[] = [];
    const execute: Executor = async (n) => (n.id === vpc.id ? { ok: false, error: 'Error: bad cidr' } : { ok: true, counts: { add: 2, change: 0, destroy: 0 } });
    const report = await runLayers({ action: 'plan', nodes: [network, vpc, eks], execute, onEvent: (e) => lines.push(formatEvent(e)) });
    expect(lines[0]).toMatch(/^\[ +0\.0s\] p-net-network +queued$/);
    expect(lines).toContainEqual(expect.stringMatching(/p-apps-vpc +failed \(\d+\.\ds\) - Error: bad cidr$/));
    expect(lines).toContainEqual(expect.stringMatching(/p-apps-eks +skipped - p-apps-vpc failed$/));
    const table = formatSummary(report);
    expect(table.split('\n')[0]).toMatch(/^LAYER +ACTION +RESULT +ADD +CHANGE +DESTROY +DURATION$/);
    expect(table).toMatch(/net\/network +plan +done +2 +0 +0 +\d/);
    expect(table).toMatch(/apps\/eks +plan +skipped +- +- +- +-/);
    expect(table).toContain('3 layers: 1 done, 1 failed, 1 skipped; 2 to add, 0 to change, 0 to destroy');
  });
});

// ---------------------------------------------------------------- terraform executor, CLI, confirmations

import * as fs from 'fs';
import * as path from 'path';
import { defineContract, mockOutputs } from '../../lib/contract';
import type { AnyContract } from '../../lib/contract';
import { parseCommand, UsageError } from '../../scripts/lib/cli';
import { confirmApply, confirmDestroy, destroyConfirmationName, type Prompt } from '../../scripts/lib/confirm';
import { errorExcerpt, layerExecutor, type SandboxStates, type Seeder, type TerraformFn } from '../../scripts/lib/layer-executor';
import { mockStateDocument, mockStateUpdate, seedMockState } from '../../scripts/lib/sandbox';
import { REAL, SANDBOX, tempDir } from '../helpers';

const upstreamContract = defineContract('up', { vpc_id: { description: 'id', mock: 'vpc-0mockunit' }, azs: { description: 'azs', mock: ['us-east-1a'] } }) as unknown as AnyContract;

function executorFixture(mode: typeof REAL, codes: Record<string, number> = {}) {
  const outdir = tempDir('runner-exec-');
  const up = node('a/up');
  const c1 = node('a/c1', ['a/up']);
  const c2 = node('a/c2', ['a/up']);
  for (const n of [up, c1, c2]) {
    fs.mkdirSync(path.join(outdir, 'stacks', n.id), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'stacks', n.id, 'cdk.tf.json'), JSON.stringify({
      terraform: { backend: { s3: { bucket: 'p-a-terraform-backend-123456789012', key: `a/${n.layer}/terraform.tfstate`, dynamodb_table: 'p-a-terraform-backend' } } },
      data: { terraform_remote_state: n.dependsOn.length ? { 'remote-a-up': { backend: 's3', config: { bucket: 'p-a-terraform-backend-123456789012', key: 'a/up/terraform.tfstate' } } } : {} },
    }));
  }
  const calls: string[] = [];
  const seeds: { key: string; outputs: Record<string, unknown> }[] = [];
  const terraform: TerraformFn = async (args, cwd) => {
    const cmd = `${path.basename(cwd)}: ${args.join(' ')}`;
    calls.push(cmd);
    await new Promise((r) => setImmediate(r));
    if (args[0] === 'show') return { code: 0, stdout: JSON.stringify({ format_version: '1.2', applyable: true }), stderr: '' };
    const code = Object.entries(codes).find(([k]) => cmd.includes(k))?.[1] ?? 0;
    return { code, stdout: code === 0 ? 'Plan: 2 to add, 0 to change, 0 to destroy.' : '', stderr: code === 1 ? 'Error: Invalid CIDR\n\n  on cdk.tf.json line 3' : '' };
  };
  const seed: Seeder = async (_e, location, outputs) => { seeds.push({ key: location.key, outputs: { ...outputs } }); return true; };
  // Every state is the runner's own record (none was applied), no lock is held.
  const states: SandboxStates = { origin: async () => 'sandbox', mark: async () => undefined, forget: async () => undefined, lock: async () => undefined };
  const execute = layerExecutor({
    // `reader` (not planned here) reads c1 and c2, so their sandbox plans are recorded for it.
    outdir, mode, graph: [up, c1, c2, node('a/reader', ['a/c1', 'a/c2'])], contracts: new Map([[up.id, upstreamContract]]), lockTimeout: '7s', seed, terraform, states,
    stateReader: async () => ({ version: { missing: true as const }, outputs: {} }),
  });
  const leafOnly = layerExecutor({
    outdir, mode, graph: [up, c1, c2], contracts: new Map([[up.id, upstreamContract]]), lockTimeout: '7s', seed, terraform, states,
    stateReader: async () => ({ version: { missing: true as const }, outputs: {} }),
  });
  return { outdir, up, c1, c2, calls, seeds, execute, leafOnly };
}

describe('terraform executor', () => {
  it('in real mode never seeds mock outputs, and plans into a plan file, first without waiting for the lock', async () => {
    const f = executorFixture(REAL);
    const report = await runLayers({ action: 'plan', nodes: [f.up, f.c1, f.c2], execute: f.execute, parallelism: 2 });
    expect(report.exitCode).toBe(0);
    expect(f.seeds).toEqual([]);
    // -lock-timeout=0s: a held lock is reported (who, since when) before the run waits LOCK_TIMEOUT for it
    expect(f.calls).toContain(`p-a-c1: plan -input=false -no-color -lock-timeout=0s -out=${path.join(f.outdir, 'plans', 'p-a-c1', 'plan.tfplan')}`);
    expect(f.calls.filter((c) => c.includes('-refresh-only'))).toEqual([]);
    expect(report.layers[0]).toMatchObject({ add: 2, change: 0, destroy: 0 });
  });

  it('in the sandbox seeds an upstream once with its contract mocks, then records each plan with a refresh-only apply', async () => {
    const f = executorFixture(SANDBOX);
    await runLayers({ action: 'plan', nodes: [f.c1, f.c2], execute: f.execute, parallelism: 2 });
    expect(f.seeds).toEqual([{ key: 'a/up/terraform.tfstate', outputs: mockOutputs(upstreamContract) }]);
    expect(f.calls.filter((c) => c.includes('-refresh-only')).length).toBe(2);
  });

  it('does not record the plan of a layer nobody reads: the refresh-only apply would be a second terraform run for nothing', async () => {
    const f = executorFixture(SANDBOX);
    await runLayers({ action: 'plan', nodes: [f.up, f.c1, f.c2], execute: f.leafOnly, parallelism: 2 });
    // up is read by c1 and c2: recorded; c1 and c2 are read by nothing in this graph: planned only
    expect(f.calls.filter((c) => c.includes('-refresh-only'))).toEqual(['p-a-up: apply -refresh-only -auto-approve -input=false -no-color -lock-timeout=0s']);
    expect(f.calls.filter((c) => c.includes(': plan ')).length).toBe(3);
  });

  it('never seeds for apply, even in the sandbox: an apply reads what upstreams really published', async () => {
    const f = executorFixture(SANDBOX);
    await runLayers({ action: 'apply', nodes: [f.c1], execute: f.execute });
    expect(f.seeds).toEqual([]);
    // it plans, shows the plan to the replacement guard, and applies exactly that plan file
    const planFile = path.join(f.outdir, 'stacks', 'p-a-c1', 'apply.tfplan');
    expect(f.calls.filter((c) => c.startsWith('p-a-c1:'))).toEqual([
      'p-a-c1: init -input=false -no-color -reconfigure',
      `p-a-c1: plan -input=false -no-color -lock-timeout=0s -out=${planFile}`,
      `p-a-c1: show -json -no-color ${planFile}`,
      `p-a-c1: apply -input=false -no-color -lock-timeout=0s ${planFile}`,
    ]);
  });

  it('maps drift exit codes: 0 clean, 2 drifted, anything else failed', async () => {
    const f = executorFixture(REAL, { 'p-a-c1: plan': 2, 'p-a-c2: plan': 1 });
    const report = await runLayers({ action: 'drift', nodes: [f.up, f.c1, f.c2], execute: f.execute, parallelism: 1 });
    expect(f.calls).toContain('p-a-up: plan -input=false -no-color -lock-timeout=0s -detailed-exitcode -refresh=true');
    expect(report.layers.map((l) => [l.layer, l.result])).toEqual([['up', 'clean'], ['c1', 'drifted'], ['c2', 'failed']]);
    expect(report.layers[2].reason).toContain('Error: Invalid CIDR');
    expect(report.exitCode).toBe(1);
  });

  it('a failed init fails the layer without running the action', async () => {
    const f = executorFixture(REAL, { 'p-a-up: init': 1 });
    const report = await runLayers({ action: 'plan', nodes: [f.up, f.c1], execute: f.execute });
    expect(report.layers.map((l) => l.result)).toEqual(['failed', 'skipped']);
    expect(f.calls.some((c) => c.startsWith('p-a-up: plan'))).toBe(false);
  });

  it('extracts terraform error blocks for the summary', () => {
    const out = 'noise\n╷\n│ Error: Invalid CIDR block\n│ \n│   on cdk.tf.json line 12\n╵\n';
    expect(errorExcerpt(out)).toBe('Error: Invalid CIDR block\n  on cdk.tf.json line 12');
  });
});

describe('sandbox mock state', () => {
  it('refuses to write mocks through anything but loopback endpoints', async () => {
    await expect(seedMockState({ s3: 'https://s3.us-east-1.amazonaws.com', dynamodb: 'https://dynamodb.us-east-1.amazonaws.com' },
      { bucket: 'b', key: 'k', lockTable: 't' }, { a: 'b' })).rejects.toThrow(/only loopback sandbox endpoints/);
  });

  it('fills only missing or unknown outputs and keeps known ones', () => {
    const current = JSON.stringify({ version: 4, serial: 3, lineage: 'L', outputs: { azs: { value: ['x'] }, ids: { value: [null, null] } }, resources: [] });
    const next = JSON.parse(mockStateUpdate(current, { azs: ['mock'], ids: ['m1'], vpc_id: 'vpc-m' }, 'new')!);
    expect(next.outputs).toEqual({ azs: { value: ['x'], type: ['list', 'string'] }, ids: { value: ['m1'], type: ['list', 'string'] }, vpc_id: { value: 'vpc-m', type: 'string' } });
    expect(next.lineage).toBe('L');
    expect(next.serial).toBe(4);
  });

  it('never touches a state that holds resources or already has every output', () => {
    const applied = JSON.stringify({ version: 4, outputs: {}, resources: [{ type: 'aws_vpc' }] });
    expect(mockStateUpdate(applied, { vpc_id: 'vpc-m' }, 'x')).toBeUndefined();
    expect(mockStateUpdate(mockStateDocument({ vpc_id: 'vpc-real' }, 'l'), { vpc_id: 'vpc-m' }, 'x')).toBeUndefined();
  });

  it('fills outputs of a state that holds only data sources (a sandbox plan recorded its remote-state reads)', () => {
    const planned = JSON.stringify({ version: 4, serial: 1, outputs: { vpc_id: { value: null, type: 'string' } }, resources: [{ mode: 'data', type: 'terraform_remote_state' }] });
    expect(JSON.parse(mockStateUpdate(planned, { vpc_id: 'vpc-m' }, 'x')!).outputs.vpc_id.value).toBe('vpc-m');
  });
});

describe('command line', () => {
  it('reads the Makefile environment and lets flags win', () => {
    const env = { ACCOUNT: 'apps-prd', LAYERS: 'eks,databases', INCLUDE_DEPENDENTS: '1', PARALLELISM: '3', FAIL_FAST: '1', AUTO_APPROVE: '1' };
    expect(parseCommand(['apply'], env)).toMatchObject({
      action: 'apply', accounts: ['apps-prd'], layers: ['eks', 'databases'], includeDependents: true, parallelism: 3, failFast: true, autoApprove: true,
    });
    expect(parseCommand(['plan', '--account', 'network', '--layer', 'base-network', '--parallelism=1'], env))
      .toMatchObject({ accounts: ['network'], layers: ['base-network'], parallelism: 1 });
    expect(parseCommand(['plan'], { PARALLELISM: '' })).toMatchObject({ parallelism: expect.any(Number), accounts: [], autoApprove: false });
  });

  it('refuses unknown actions, flags and bad numbers; --help', () => {
    expect(parseCommand(['plan', '--help'])).toBe('help');
    expect(() => parseCommand(['deploy'], {})).toThrow(UsageError);
    expect(() => parseCommand(['plan', '--acount', 'x'], {})).toThrow(/^unknown option --acount; valid: --project, --account, /);
    expect(() => parseCommand(['plan', '--parallelism', '0'], {})).toThrow(/positive integer/);
    expect(() => parseCommand(['plan', '--account'], {})).toThrow(/--account needs a value/);
  });
});

describe('confirmations', () => {
  const prompt = (answer: string | undefined): Prompt & { asked: string[] } => {
    const asked: string[] = [];
    return { asked, ask: async (q) => { asked.push(q); return answer; } };
  };
  const quiet = (): void => undefined;

  it('apply asks unless auto-approved, and refuses without a terminal', async () => {
    expect((await confirmApply(graph, true, prompt(undefined), quiet)).proceed).toBe(true);
    expect(await confirmApply(graph, false, prompt(undefined), quiet)).toMatchObject({ proceed: false, message: expect.stringMatching(/AUTO_APPROVE=1/) });
    expect((await confirmApply(graph, false, prompt('no'), quiet)).proceed).toBe(false);
    expect((await confirmApply(graph, false, prompt('yes'), quiet)).proceed).toBe(true);
  });

  it('destroy lists the order and wants the account name typed (the project name for several accounts)', async () => {
    const apps = graph.filter((n) => n.account === 'apps');
    const lines: string[] = [];
    const p = prompt('apps');
    expect((await confirmDestroy(apps, { forceStateful: false }, p, (l) => lines.push(l))).proceed).toBe(true);
    expect(p.asked[0]).toContain('"apps"');
    expect(lines.findIndex((l) => l.includes('apps/app'))).toBeLessThan(lines.findIndex((l) => l.includes('apps/vpc')));
    expect(lines.find((l) => l.includes('apps/db'))).toContain('REFUSED');
    expect(lines.find((l) => l.includes('apps/vpc'))).toContain('kept: p-apps-db still reads it');
    expect(lines.find((l) => l.includes('apps/eks'))).not.toContain('kept');
    expect((await confirmDestroy(apps, { forceStateful: false }, prompt('yes'), quiet)).proceed).toBe(false);
    expect((await confirmDestroy(apps, { forceStateful: false }, prompt(undefined), quiet)).message).toMatch(/CONFIRM=apps \(--confirm apps\)/);
    expect((await confirmDestroy(apps, { forceStateful: true, confirm: 'apps' }, prompt(undefined), quiet)).proceed).toBe(true);
    expect(destroyConfirmationName(graph)).toBe('p');
  });
});
