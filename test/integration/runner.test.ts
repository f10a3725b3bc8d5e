/**
 * The runner with real terraform against a private sandbox (own ports, own temp dir): a plan of every layer of
 * the example organisation with mocks, a broken fixture layer that must skip exactly its dependents and leave
 * no lock behind, drift exit codes, fresh upstream outputs on apply, and where mock values may (not) appear.
 */
import { spawn, spawnSync } from 'child_process';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import type { AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import { SANDBOX_CREDENTIALS, type Mode } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import { buildOrganisation, resolveOrganisation } from '../../lib/organisation';
import { synth } from '../../lib/synth';
import { layerExecutor, type TerraformFn } from '../../scripts/lib/layer-executor';
import { stackDir } from '../../scripts/lib/paths';
import { runLayers, selectLayers, type Action, type RunReport } from '../../scripts/lib/runner';
import { summarizePlan, textDisagreement, type PlanJson } from '../../scripts/lib/plan-json';
import { createBackends, heldLocks, readLock, readStateObject, type StateLocation } from '../../scripts/lib/sandbox';
import { PlanStore, plansDir } from '../../scripts/lib/saved-plans';
import { initIfNeeded, terraform, terraformEnv } from '../../scripts/lib/terraform';
import { FxNet, FxPending, FxValue } from '../fixtures/runner-layers';
import { account, REAL, source, tempDir } from '../helpers';
import { PROJECTS, sandboxEnv, type SandboxEnv } from './sandbox-env';

jest.setTimeout(6 * 60 * 1000);

let env: SandboxEnv;
beforeAll(async () => { env = await sandboxEnv(); });
afterAll(async () => { await env?.sandbox.stop(); });

function contractsOf(stacks: readonly { node: { id: string }; ctx: { layer: string; account: { layers: ReadonlyMap<string, { kind: { contract?: AnyContract } }> } } }[]) {
  return new Map(stacks.map((s) => [s.node.id, s.ctx.account.layers.get(s.ctx.layer)?.kind.contract]));
}

/** Every string (or list item) among the example org's contract mocks that is plainly fake. */
function mockStrings(): string[] {
  const values = new Set<string>();
  for (const contract of contractsOf(env.result.stacks).values()) {
    for (const spec of Object.values(contract?.outputs ?? {}) as { mock: unknown }[]) {
      for (const v of Array.isArray(spec.mock) ? spec.mock : [spec.mock]) if (typeof v === 'string' && /mock/i.test(v)) values.add(v);
    }
  }
  return [...values];
}

describe('the example organisation', () => {
  let report: RunReport;

  // Every layer of every account plans offline in CI: what validates but fails at plan time (a data source calling AWS,
  // an unknown count, a mock of the wrong type) is caught here, not on a real first plan.
  it('plans every layer of every account in the sandbox, seeding mocks for upstreams without state', async () => {
    const nodes = selectLayers(env.result.graph, {});
    expect(nodes.map((n) => n.id).sort()).toEqual(env.result.graph.map((n) => n.id).sort());
    expect(new Set(nodes.map((n) => n.account)).size).toBeGreaterThanOrEqual(7);
    report = await runLayers({
      action: 'plan', nodes, parallelism: 2,
      execute: layerExecutor({ outdir: env.outdir, mode: env.mode, graph: env.result.graph, contracts: contractsOf(env.result.stacks), lockTimeout: '60s' }),
    });
    const failures = report.layers.filter((l) => l.result !== 'done').map((l) => `${l.id}: ${l.result}: ${l.reason}`);
    expect(failures).toEqual([]);
    const network = report.layers.find((l) => l.account === 'apps-prd' && l.layer === 'base-network')!;
    expect(network.add).toBeGreaterThan(10);
    expect(await readStateObject(env.sandbox.endpoints, backendBucketName('acme', 'apps-prd', env.result.graph.find((n) => n.account === 'apps-prd')!.accountId), stateKey('apps-prd', 'base-network'))).toBeDefined();
    for (const account of new Set(nodes.map((n) => n.account))) expect(await heldLocks(env.sandbox.endpoints, lockTableName('acme', account))).toEqual([]);
    // Plans are read from their text; a layer whose planned outputs a chained consumer read also has its JSON. For
    // each of those, what terraform printed agrees with the JSON on the outputs that change and those unknown.
    const store = new PlanStore(plansDir(env.outdir));
    const withJson = report.layers.map((l) => store.get(l.id)!).filter((r) => r.planDigest !== null && !r.noChanges);
    expect(withJson.length).toBeGreaterThanOrEqual(10);
    for (const record of withJson) {
      const json = summarizePlan(JSON.parse(fs.readFileSync(store.paths(record.stack).planJson, 'utf8')) as PlanJson, record.stack);
      expect([record.stack, textDisagreement(record, json)]).toEqual([record.stack, undefined]);
    }
  }, 15 * 60 * 1000);

  it('a second plan of the same change has the same digest (what CI compares with the reviewed plan)', async () => {
    const backend = report.layers.find((l) => l.account === 'apps-prd' && l.layer === 'base-tf-backend')!;
    expect(backend.add).toBeGreaterThan(5);
    const planTwice = async (): Promise<RunReport> => runLayers({
      action: 'plan', nodes: selectLayers(env.result.graph, { stacks: [backend.id] }),
      execute: layerExecutor({ outdir: env.outdir, mode: env.mode, graph: env.result.graph, contracts: contractsOf(env.result.stacks), lockTimeout: '60s', refresh: true, planJson: true }),
    });
    const first = await planTwice();
    const again = await planTwice();
    expect(first.layers[0].planDigest).toMatch(/^sha256:/);
    expect(again.layers[0]).toMatchObject({ result: 'done', add: backend.add, planDigest: first.layers[0].planDigest });
  });

  it('mock values reach sandbox plan files, and never a real synth', () => {
    const mocks = mockStrings();
    expect(mocks.length).toBeGreaterThanOrEqual(5);
    // positive control: a sandbox consumer's saved plan does carry mock values read through remote state (seeded, or
    // from the planned outputs of an upstream planned in the same run)
    const consumer = report.layers.find((l) => l.account === 'apps-prd' && env.result.graph.find((n) => n.id === l.id)!.dependsOn.length > 0 && l.planFile)!;
    const show = spawnSync('terraform', ['show', '-json', path.resolve(consumer.planFile!)], { cwd: stackDir(env.outdir, consumer.id), encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: path.resolve(__dirname, '../../.tfrc/terraform.rc') } });
    expect(show.status).toBe(0);
    expect(mocks.some((m) => show.stdout.includes(m))).toBe(true);
    // a real synth (what a real plan is made from) holds none: mocks live only in sandbox state objects
    const outdir = tempDir('runner-real-');
    const real = synth({ projectsDir: PROJECTS, mode: REAL, outdir, project: 'acme' });
    for (const node of real.graph) {
      const json = fs.readFileSync(path.join(stackDir(outdir, node.id), 'cdk.tf.json'), 'utf8');
      expect(mocks.filter((m) => json.includes(m)).map((m) => `${node.id}: ${m}`)).toEqual([]);
      expect(json).not.toMatch(/127\.0\.0\.1|S3RVER/);
    }
  });
});

describe('a deliberately broken fixture', () => {
  const project = 'fx';
  const outdir = tempDir('runner-fx-');
  const lockTable = lockTableName(project, 'work');
  // A fixed id: the state bucket name carries it, and every re-synth below must find the same bucket.
  const WORK_ID = '123456789012';
  let mode: Mode;

  /** Synthesizes the fixture account into `outdir` (same folder every time, like a re-synth) and returns its graph. */
  function synthFixture(options: { parameterType?: string; soloValue?: string } = {}): { graph: GraphNode[]; contracts: Map<string, AnyContract | undefined> } {
    const src = source({
      work: {
        config: account({ id: WORK_ID }),
        layers: {
          net: defineLayer(FxNet, { parameterType: options.parameterType ?? 'NotAType' }),
          app: defineLayer(FxValue, { value: 'app', readsNet: 'net' }),
          'app-child': defineLayer(FxValue, { value: 'child', reads: 'app' }),
          solo: defineLayer(FxValue, { value: options.soloValue ?? 'v1' }),
          'solo-child': defineLayer(FxValue, { value: 'child', reads: 'solo' }),
          pending: defineLayer(FxPending, {}),
          // reads pending, so a sandbox plan of pending is recorded (the record of a layer nobody reads is skipped)
          'pending-reader': defineLayer(FxValue, { value: 'reader', readsPending: 'pending' }),
        },
      },
    }, { name: project });
    const app = new App({ outdir });
    const built = buildOrganisation(app, resolveOrganisation(src, mode));
    app.synth();
    return { graph: [...built.graph], contracts: contractsOf(built.stacks) };
  }

  async function run(action: Action, layers: string[], fixture = synthFixture(), options: { terraform?: TerraformFn; lockTimeout?: string; onNote?: (m: string) => void } = {}): Promise<RunReport> {
    return runLayers({
      action, parallelism: 2, forceStateful: true,
      nodes: selectLayers(fixture.graph, { layers }),
      execute: layerExecutor({
        outdir, mode, graph: fixture.graph, contracts: fixture.contracts, lockTimeout: options.lockTimeout ?? '0s', terraform: options.terraform,
        onNote: (_id, m) => options.onNote?.(m),
      }),
    });
  }
  const stateOf = async (layer: string): Promise<{ serial: number; outputs: Record<string, { value: unknown }> }> =>
    JSON.parse((await readStateObject(env.sandbox.endpoints, backendBucketName(project, 'work', WORK_ID), stateKey('work', layer)))!);
  const locationOf = (layer: string): StateLocation => ({ bucket: backendBucketName(project, 'work', WORK_ID), key: stateKey('work', layer), lockTable });
  const clients = () => {
    const common = { region: 'us-east-1', credentials: { accessKeyId: SANDBOX_CREDENTIALS.accessKey, secretAccessKey: SANDBOX_CREDENTIALS.secretKey } };
    return { s3: new S3Client({ ...common, endpoint: env.sandbox.endpoints.s3, forcePathStyle: true }), dynamodb: new DynamoDBClient({ ...common, endpoint: env.sandbox.endpoints.dynamodb }) };
  };
  const results = (r: RunReport): Record<string, string> => Object.fromEntries(r.layers.map((l) => [l.layer, l.result]));

  beforeAll(async () => {
    mode = env.mode;
    await createBackends(env.sandbox.endpoints, [{ project, account: 'work', accountId: WORK_ID }]);
  });

  it('skips exactly the dependents of the failing layer, runs the independent ones, and leaves no lock held', async () => {
    const report = await run('plan', ['net', 'app', 'app-child', 'solo', 'solo-child']);
    expect(results(report)).toEqual({ net: 'failed', app: 'skipped', 'app-child': 'skipped', solo: 'done', 'solo-child': 'done' });
    expect(report.layers.find((l) => l.layer === 'net')!.reason).toMatch(/expected type to be one of/);
    expect(report.layers.find((l) => l.layer === 'app-child')!.reason).toMatch(/fx-work-(net|app) failed/);
    expect(report.exitCode).toBe(1);
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([]);
    // the state lock of the failed layer is free: with the type fixed, a plan that refuses to wait succeeds
    synthFixture({ parameterType: 'String' });
    const again = await terraform(['plan', '-input=false', '-no-color', '-lock-timeout=0s'], stackDir(outdir, 'fx-work-net'));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });

  it('apply reads upstream outputs fresh: a dependent applied in the same run sees the new upstream value', async () => {
    const first = await run('apply', ['solo', 'solo-child'], synthFixture({ parameterType: 'String', soloValue: 'v1' }));
    expect(results(first)).toEqual({ solo: 'done', 'solo-child': 'done' });
    const second = await run('apply', ['solo', 'solo-child'], synthFixture({ parameterType: 'String', soloValue: 'v2' }));
    expect(results(second)).toEqual({ solo: 'done', 'solo-child': 'done' });
    const state = JSON.parse((await readStateObject(env.sandbox.endpoints, backendBucketName(project, 'work', WORK_ID), stateKey('work', 'solo-child')))!);
    expect(state.outputs.value.value).toBe('child:v2');
  });

  it('drift: clean layers exit 0, a changed layer exit 2, a broken one is an error', async () => {
    const clean = await run('drift', ['solo', 'solo-child'], synthFixture({ parameterType: 'String', soloValue: 'v2' }));
    expect(results(clean)).toEqual({ solo: 'clean', 'solo-child': 'clean' });
    expect(clean.exitCode).toBe(0);
    const drifted = await run('drift', ['solo', 'solo-child'], synthFixture({ parameterType: 'String', soloValue: 'v3' }));
    expect(results(drifted)).toEqual({ solo: 'drifted', 'solo-child': 'clean' });
    expect(drifted.exitCode).toBe(2);
    const broken = await run('drift', ['net', 'solo'], synthFixture({ parameterType: 'NotAType', soloValue: 'v2' }));
    expect(results(broken)).toEqual({ net: 'failed', solo: 'clean' });
    expect(broken.exitCode).toBe(1);
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([]);
  });

  it('an interrupt stops terraform gracefully: nothing new starts and no lock is left behind', async () => {
    const fixture = synthFixture({ parameterType: 'String', soloValue: 'v2' });
    const controller = new AbortController();
    // Interrupt once the first plan (solo's: parallelism 1, upstream first) has printed something: terraform is
    // then running and holds or is taking the state lock. A timer from the layer's start let a fast plan finish first.
    const interruptingPlan: TerraformFn = (args, cwd, options) => terraform(args, cwd, args[0] !== 'plan' ? options
      : { ...options, onOutput: (chunk) => { options.onOutput?.(chunk); controller.abort(); } });
    const report = await runLayers({
      action: 'plan', parallelism: 1, signal: controller.signal,
      nodes: selectLayers(fixture.graph, { layers: ['solo', 'solo-child'] }),
      execute: layerExecutor({ outdir, mode, graph: fixture.graph, contracts: fixture.contracts, lockTimeout: '0s', terraform: interruptingPlan }),
    });
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
    expect(report.layers.find((l) => l.layer === 'solo-child')!.result).toBe('skipped');
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([]);
    const after = await terraform(['plan', '-input=false', '-no-color', '-lock-timeout=0s'], stackDir(outdir, 'fx-work-solo'));
    expect(after.code).toBe(0);
  });

  it('a sandbox plan never changes an applied state: with its upstream gone, the consumer is planned on mocks, its state untouched', async () => {
    const before = await stateOf('solo-child');
    expect(before.outputs.value.value).toBe('child:v2'); // applied above
    const { s3 } = clients();
    await s3.send(new DeleteObjectCommand({ Bucket: backendBucketName(project, 'work', WORK_ID), Key: stateKey('work', 'solo') }));
    s3.destroy();
    const report = await run('plan', ['solo-child'], synthFixture({ parameterType: 'String', soloValue: 'v2' }));
    expect(results(report)).toEqual({ 'solo-child': 'done' });
    expect((await stateOf('solo')).outputs.value.value).toBe('mock-fixture-value'); // the mock the plan read
    const after = await stateOf('solo-child');
    expect([after.serial, after.outputs.value.value]).toEqual([before.serial, 'child:v2']);
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([]);
    // put solo back as applied for what follows
    expect(results(await run('apply', ['solo'], synthFixture({ parameterType: 'String', soloValue: 'v2' })))).toEqual({ solo: 'done' });
  });

  it('a lock terraform could not release fails the layer, even when the refresh-only apply was "non-applyable", with the exact force-unlock', async () => {
    // While the record's refresh-only apply holds the lock, someone replaces it: terraform cannot release its own.
    const location = locationOf('pending');
    const stealing: TerraformFn = async (args, cwd, options) => {
      if (!args.includes('-refresh-only')) return terraform(args, cwd, options);
      let done = false;
      const thief = (async () => {
        const { dynamodb } = clients();
        while (!done) {
          const lock = await readLock(env.sandbox.endpoints, location);
          if (lock) {
            await dynamodb.send(new PutItemCommand({ TableName: lockTable, Item: { LockID: { S: `${location.bucket}/${location.key}` }, Info: { S: JSON.stringify({ ...lock, ID: 'stolen-by-test' }) } } }));
            break;
          }
          await new Promise((r) => setTimeout(r, 40));
        }
        dynamodb.destroy();
      })();
      try {
        return await terraform(args, cwd, options);
      } finally {
        done = true;
        await thief;
      }
    };
    const report = await run('plan', ['pending'], synthFixture({ parameterType: 'String', soloValue: 'v2' }), { terraform: stealing });
    const dir = stackDir(outdir, 'fx-work-pending');
    expect(fs.readFileSync(path.join(outdir, 'logs', 'fx-work-pending.plan.log'), 'utf8')).toContain('Cannot apply non-applyable plan');
    expect(results(report)).toEqual({ pending: 'failed' });
    expect(report.layers[0].reason).toContain(`terraform could not release the state lock stolen-by-test; run \`terraform force-unlock stolen-by-test\` in ${dir}`);
    expect(report.exitCode).toBe(1);
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([`${location.bucket}/${location.key}`]);
    // the printed command frees it (-force: no confirmation prompt in a test)
    expect((await terraform(['force-unlock', '-force', 'stolen-by-test'], dir)).code).toBe(0);
    expect(await heldLocks(env.sandbox.endpoints, lockTable)).toEqual([]);
  });

  it('a stale lock: says who holds it and since when before waiting, and the failure says how to free it', async () => {
    const fixture = synthFixture({ parameterType: 'String', soloValue: 'v2' });
    const dir = stackDir(outdir, 'fx-work-pending');
    expect((await initIfNeeded(dir))?.code ?? 0).toBe(0);
    // An apply waiting at its prompt holds the lock; killed there, it leaves the lock behind.
    const holder = spawn('terraform', ['apply', '-no-color', '-lock-timeout=0s'], { cwd: dir, env: terraformEnv({ TF_INPUT: '1' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => { output += d.toString(); if (output.includes('Enter a value')) resolve(); });
      holder.on('close', () => reject(new Error(`apply ended before prompting:\n${output}`)));
    });
    const stale = (await readLock(env.sandbox.endpoints, locationOf('pending')))!;
    holder.removeAllListeners('close');
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('close', r));

    const timeline: string[] = [];
    const report = await runLayers({
      action: 'plan', nodes: selectLayers(fixture.graph, { layers: ['pending'] }),
      execute: layerExecutor({ outdir, mode, graph: fixture.graph, contracts: fixture.contracts, lockTimeout: '3s', onNote: (_id, m) => timeline.push(`note: ${m}`) }),
      onEvent: (e) => timeline.push(`${e.state}`),
    });
    const since = stale.Created.replace(/\.\d+Z$/, '').replace('T', ' ');
    expect(timeline).toEqual(['queued', 'running', expect.stringMatching(new RegExp(`^note: waiting for lock held by ${stale.Who} since ${since} UTC \\(apply, ${stale.ID}\\), up to 3s$`)), 'failed']);
    expect(report.layers[0].reason).toContain(`state lock held by ${stale.Who} since ${since} UTC (apply, ${stale.ID}) (waited 3s): if that run is gone, run \`terraform force-unlock ${stale.ID}\` in ${dir}`);
    expect((await terraform(['force-unlock', '-force', stale.ID], dir)).code).toBe(0);
    expect(results(await run('plan', ['pending'], fixture))).toEqual({ pending: 'done' });
  });

  it('destroy goes dependents first and empties the states', async () => {
    const fixture = synthFixture({ parameterType: 'String', soloValue: 'v2' });
    const report = await run('destroy', ['solo', 'solo-child'], fixture);
    expect(report.layers.map((l) => [l.layer, l.result])).toEqual([['solo-child', 'done'], ['solo', 'done']]);
    expect(report.layers[0].startedAtMs! + report.layers[0].durationMs).toBeLessThanOrEqual(report.layers[1].startedAtMs!);
    const state = JSON.parse((await readStateObject(env.sandbox.endpoints, backendBucketName(project, 'work', WORK_ID), stateKey('work', 'solo')))!);
    expect(state.outputs).toEqual({});
  });
});
