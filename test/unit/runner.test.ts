import { CycleError, type GraphNode } from '../../lib/graph';
import {
  executionOrder, formatEvent, formatSummary, parseChangeCounts, runLayers, selectLayers,
  type Action, type Executor, type Outcome, type RunEvent,
} from '../../scripts/lib/runner';

/** A graph node `<account>/<layer>` with id `p-<account>-<layer>`; deps are given as `account/layer` too. */
function node(ref: string, deps: string[] = [], stateful = false): GraphNode {
  const [account, layer] = ref.split('/');
  return { id: `p-${account}-${layer}`, project: 'p', account, layer, kind: layer, region: 'us-east-1', stateful, dependsOn: deps.map(id) };
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
    expect(() => selectLayers(graph, { accounts: ['nope'] })).toThrow(/unknown account: nope \(known: apps, net\)/);
    expect(() => selectLayers(graph, { accounts: ['net'], layers: ['eks'] })).toThrow(/unknown layer in net: eks \(known: network\)/);
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
