/**
 * Saved plans with real terraform against a private sandbox, on `terraform_data` fixture layers (no AWS provider: every
 * plan, show and apply is real, offline and quick): a chained consumer planned against its upstream's planned outputs
 * (speculative, refused on apply), `apply --planned` applying exactly the saved plan files, refusals when the
 * configuration or an upstream output changed since the plan, a real replacement refused until ALLOW_REPLACE names it,
 * changed outputs adding exactly their readers (INCLUDE_DEPENDENTS=auto), and plans skipped when nothing changed.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import type { AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import type { Mode } from '../../lib/mode';
import { backendBucketName, stateKey } from '../../lib/naming';
import { buildOrganisation, resolveOrganisation } from '../../lib/organisation';
import { autoDependents, outputImpact } from '../../scripts/lib/impact';
import { layerExecutor, type ApplyFrom, type TerraformFn } from '../../scripts/lib/layer-executor';
import { formatSummary, runLayers, selectLayers, type Action, type RunReport } from '../../scripts/lib/runner';
import { createBackends, readStateObject, startSandbox, type RunningSandbox } from '../../scripts/lib/sandbox';
import { planDigest, summarizePlan, type PlanJson } from '../../scripts/lib/plan-json';
import { PlanStore, plansDir } from '../../scripts/lib/saved-plans';
import { terraform } from '../../scripts/lib/terraform';
import { FxData, type FxDataConfig } from '../fixtures/runner-layers';
import { account, source, tempDir } from '../helpers';

jest.setTimeout(4 * 60 * 1000);

const project = 'fy';
let sandbox: RunningSandbox;
let mode: Mode;
const outdir = tempDir('saved-plans-');
const store = new PlanStore(plansDir(outdir));
/** The state bucket name carries the account id: the fixture account keeps one id across re-synths. */
const WORK_ID = '123456789012';

beforeAll(async () => {
  sandbox = await startSandbox({ dir: tempDir('saved-plans-sandbox-'), s3Port: 0, dynamodbPort: 0 });
  mode = { bootstrap: false, bootstrapStateDir: tempDir('bootstrap-'), sandbox: sandbox.endpoints };
  await createBackends(sandbox.endpoints, [{ project, account: 'work', accountId: WORK_ID }]);
});
afterAll(async () => { await sandbox?.stop(); });

/** The fixture account, synthesized into the same folder every time (like a re-synth after an edit). */
function synthFixture(up: Partial<FxDataConfig> = {}, reader: Partial<FxDataConfig> = {}): { graph: GraphNode[]; contracts: Map<string, AnyContract | undefined> } {
  const src = source({
    work: {
      config: account({ id: WORK_ID }),
      layers: {
        up: defineLayer(FxData, { value: 'v1', ...up }),
        reader: defineLayer(FxData, { value: 'r', readsValue: 'up', ...reader }),
        'label-reader': defineLayer(FxData, { value: 'l', readsLabel: 'up' }),
      },
    },
  }, { name: project });
  const app = new App({ outdir });
  const built = buildOrganisation(app, resolveOrganisation(src, mode));
  app.synth();
  return { graph: [...built.graph], contracts: new Map(built.stacks.map((s) => [s.node.id, FxData.contract as unknown as AnyContract])) };
}

/** Every terraform command the runner ran, as `<layer>: <command>`. */
const commands: string[] = [];
const counting: TerraformFn = (args, cwd, options) => {
  commands.push(`${path.basename(cwd).replace(`${project}-work-`, '')}: ${args[0]}${args.includes('-refresh-only') ? ' -refresh-only' : ''}`);
  return terraform(args, cwd, options);
};

async function run(action: Action, layers: string[], fixture = synthFixture(), options: { applyFrom?: ApplyFrom; allowReplace?: string[]; refresh?: boolean; planJson?: boolean; auto?: boolean } = {}): Promise<RunReport> {
  commands.length = 0;
  const report = await runLayers({
    action, parallelism: 2,
    nodes: selectLayers(fixture.graph, { layers }),
    execute: layerExecutor({
      outdir, mode, graph: fixture.graph, contracts: fixture.contracts, lockTimeout: '30s', terraform: counting,
      statefulType: (type) => type === 'terraform_data', applyFrom: options.applyFrom, allowReplace: new Set(options.allowReplace ?? []), refresh: options.refresh,
      planJson: options.planJson,
    }),
    ...(options.auto ? { expand: autoDependents(fixture.graph) } : {}),
  });
  return { ...report, impact: outputImpact(report.layers, fixture.graph) };
}

const results = (r: RunReport): Record<string, string> => Object.fromEntries(r.layers.map((l) => [l.layer, l.result]));
const layerOf = (r: RunReport, layer: string) => r.layers.find((l) => l.layer === layer)!;
const stateOf = async (layer: string): Promise<{ serial: number; outputs: Record<string, { value: unknown }> }> =>
  JSON.parse((await readStateObject(sandbox.endpoints, backendBucketName(project, 'work', WORK_ID), stateKey('work', layer)))!);
const saved: ApplyFrom = { kind: 'saved' };

describe('saved plans, chained plans, the replacement guard and impact by output', () => {
  it('chains a consumer to its upstream\'s plan when the upstream changes what it reads; only that upstream\'s plan JSON is written', async () => {
    const report = await run('plan', ['up', 'reader', 'label-reader']);
    expect(results(report)).toEqual({ up: 'done', reader: 'done', 'label-reader': 'done' });
    const up = layerOf(report, 'up');
    expect(up.changedOutputs).toEqual(['value']); // created, unknown until apply (label was already recorded by the sandbox)
    expect(up).toMatchObject({ add: 1, speculative: false });
    // reader reads `value`, which up's plan leaves unknown: planned against up's planned outputs, the unknown one mocked
    const reader = layerOf(report, 'reader');
    expect(reader.speculative).toBe(true);
    expect(reader.upstreams).toEqual([expect.objectContaining({ stack: 'fy-work-up', source: 'planned', outputs: ['value'], mocked: ['value'] })]);
    const shown = await terraform(['show', '-json', path.resolve(reader.planFile!)], path.join(outdir, 'stacks', 'fy-work-reader'));
    expect(JSON.stringify(JSON.parse(shown.stdout).resource_changes)).toContain('r:mock-fx-data-value');
    // label-reader reads only `label`, which up's plan does not change: planned against up's state, not speculative
    expect(layerOf(report, 'label-reader')).toMatchObject({ speculative: false, upstreams: [expect.objectContaining({ source: 'state', outputs: ['label'] })] });
    for (const l of report.layers) {
      expect(fs.existsSync(l.planFile!)).toBe(true);
      expect(l.configHash).toMatch(/^sha256:/);
    }
    // Each plan was read from its text (one terraform process); reader needed up's planned values, so up's JSON was
    // written for it (show -json, once) and up's record gained its digest. What terraform printed agrees with the JSON.
    expect(commands.filter((c) => c.endsWith(': show'))).toEqual(['up: show']);
    const upJson = JSON.parse(fs.readFileSync(store.paths('fy-work-up').planJson, 'utf8')) as PlanJson;
    expect(store.get('fy-work-up')).toMatchObject({ planDigest: planDigest(upJson), changedOutputs: summarizePlan(upJson, 'fy-work-up').changedOutputs });
    expect(store.get('fy-work-up')!.unknownOutputs).toEqual(summarizePlan(upJson, 'fy-work-up').unknownOutputs);
    expect(store.get('fy-work-reader')!.planDigest).toBeNull();
    expect(fs.readFileSync(reader.log!, 'utf8')).not.toContain('disagree');
    // the stack folder itself was not touched by the chained plan, and the summary says what happened
    expect(fs.readFileSync(path.join(outdir, 'stacks', 'fy-work-reader', 'cdk.tf.json'), 'utf8')).not.toContain('"local"');
    const summary = formatSummary(report);
    expect(summary).toContain('Speculative plans (planned against the planned outputs of an upstream in this run; never applied):\n  work/reader <- work/up (mocked: value)');
    expect(summary).toContain('work/up: value changed → 1 layer in 1 account');
  });

  it('apply --planned applies exactly the saved plans and refuses the speculative one', async () => {
    const report = await run('apply', ['up', 'reader', 'label-reader'], synthFixture(), { applyFrom: saved });
    expect(results(report)).toEqual({ up: 'done', reader: 'refused', 'label-reader': 'done' });
    expect(layerOf(report, 'reader').reason).toMatch(/^its saved plan is speculative \(planned against the planned outputs of fy-work-up, with value mocked\) and is never applied: apply fy-work-up first, then re-plan/);
    // up's apply changed its state, but not the `label` label-reader read: its saved plan still stands
    expect(commands.filter((c) => c.endsWith(': apply')).sort()).toEqual(['label-reader: apply', 'up: apply']);
    expect(commands.some((c) => c.endsWith(': plan'))).toBe(false);
    expect((await stateOf('up')).outputs.value.value).toBe('v1');
    expect((await stateOf('label-reader')).outputs.value.value).toBe('l:label');
    expect(report.exitCode).toBe(1);
  });

  it('re-planned after its upstream is applied, the consumer is applied as planned; a plan of nothing is not applied', async () => {
    const plan = await run('plan', ['up', 'reader']);
    expect(results(plan)).toEqual({ up: 'done', reader: 'done' });
    expect(layerOf(plan, 'up')).toMatchObject({ add: 0, change: 0, destroy: 0, changedOutputs: [] });
    expect(layerOf(plan, 'up').planJson).toBeUndefined(); // "No changes.": nothing to show
    expect(layerOf(plan, 'reader')).toMatchObject({ speculative: false, add: 1 });
    const apply = await run('apply', ['up', 'reader'], synthFixture(), { applyFrom: saved });
    expect(results(apply)).toEqual({ up: 'done', reader: 'done' });
    expect(commands.filter((c) => c.endsWith(': apply'))).toEqual(['reader: apply']);
    expect((await stateOf('reader')).outputs.value.value).toBe('r:v1');
    expect(store.get('fy-work-reader')).toBeUndefined(); // a saved plan is applied once
  });

  it('a plan whose configuration, state and inputs did not change is reported unchanged without running terraform; REFRESH=1 plans', async () => {
    await run('plan', ['up', 'reader', 'label-reader']);
    const again = await run('plan', ['up', 'reader', 'label-reader']);
    expect(results(again)).toEqual({ up: 'unchanged', reader: 'unchanged', 'label-reader': 'unchanged' });
    expect(commands).toEqual([]);
    expect(layerOf(again, 'label-reader').planFile).toBeDefined();
    const refreshed = await run('plan', ['up'], synthFixture(), { refresh: true });
    expect(results(refreshed)).toEqual({ up: 'done' });
    expect(commands).toContain('up: plan');
    // an edit of the consumer's configuration plans it again; its upstream stays unchanged
    const edited = await run('plan', ['up', 'reader'], synthFixture({}, { value: 'r2' }));
    expect(results(edited)).toEqual({ up: 'unchanged', reader: 'done' });
  });

  it('apply --planned refuses a plan whose configuration changed since, and one whose upstream output changed since', async () => {
    // reader was planned with value r2 above; the configuration now says r3
    const config = await run('apply', ['reader'], synthFixture({}, { value: 'r3' }), { applyFrom: saved });
    expect(layerOf(config, 'reader').result).toBe('refused');
    expect(layerOf(config, 'reader').reason).toMatch(/^its configuration changed since it was planned \(.* UTC\): re-plan \(make plan ACCOUNT=work LAYER=reader\)$/);
    // back to r2, but up's value changes under it (applied by someone else)
    expect(results(await run('apply', ['up'], synthFixture({ value: 'v2' })))).toEqual({ up: 'done' });
    const upstream = await run('apply', ['reader'], synthFixture({ value: 'v2' }, { value: 'r2' }), { applyFrom: saved });
    expect(layerOf(upstream, 'reader').result).toBe('refused');
    expect(layerOf(upstream, 'reader').reason).toMatch(/^fy-work-up changed since this layer was planned \(serial \d+ .* → serial \d+ .*, and the outputs read from it \(value\) changed\): re-plan/);
    expect(commands).toEqual([]);
  });

  it('a replacement of a stateful resource is listed, its readers are added by INCLUDE_DEPENDENTS=auto, and apply refuses it unless ALLOW_REPLACE names it', async () => {
    const fixture = synthFixture({ value: 'v2', generation: '2' }, { value: 'r2' });
    const plan = await run('plan', ['up'], fixture, { auto: true });
    const up = layerOf(plan, 'up');
    expect(up.replacements).toEqual([{ address: 'fy-work-up:terraform_data.data', type: 'terraform_data', action: 'replace', reason: 'replace_because_cannot_update' }]);
    expect(up.changedOutputs).toEqual(['value']);
    // exactly the layer that reads `value` joined the run, planned against up's plan; label-reader reads only `label`
    expect(plan.layers.map((l) => l.layer)).toEqual(['up', 'reader']);
    expect(layerOf(plan, 'reader')).toMatchObject({ result: 'done', speculative: true, addedBy: { stack: 'fy-work-up', outputs: ['value'] } });
    expect(plan.impact).toEqual([{ stack: 'fy-work-up', output: 'value', readers: ['fy-work-reader'], accounts: ['work'], inRun: ['fy-work-reader'] }]);
    expect(formatSummary(plan)).toContain('Stateful resources deleted or replaced (apply refuses each unless ALLOW_REPLACE=<address>,… names it):\n  fy-work-up:terraform_data.data (terraform_data: replace, replace_because_cannot_update)');

    const refused = await run('apply', ['up'], fixture, { applyFrom: saved });
    expect(layerOf(refused, 'up').result).toBe('refused');
    expect(layerOf(refused, 'up').reason).toBe('refusing to replace stateful resources: fy-work-up:terraform_data.data (replace, replace_because_cannot_update); ' +
      'apply only with ALLOW_REPLACE=fy-work-up:terraform_data.data (--allow-replace) once that loss is intended');
    const fresh = await run('apply', ['up'], fixture); // a plain apply plans, and the guard reads that plan
    expect(layerOf(fresh, 'up').result).toBe('refused');
    expect(commands.filter((c) => c.endsWith(': apply'))).toEqual([]);
    const allowed = await run('apply', ['up'], fixture, { applyFrom: saved, allowReplace: ['fy-work-up:terraform_data.data'] });
    expect(results(allowed)).toEqual({ up: 'done' });
    expect(layerOf(allowed, 'up')).toMatchObject({ add: 1, destroy: 1, appliedPlan: 'saved' });
  });

  it('CI: a plan made again elsewhere has the digest of the reviewed one, is applied, and a different one is refused', async () => {
    const fixture = synthFixture({ value: 'v3', generation: '2' }, { value: 'r2' });
    const pr = await run('plan', ['up'], fixture, { planJson: true }); // the generated plan job passes --plan-json
    const again = await run('plan', ['up'], fixture, { refresh: true, planJson: true });
    expect(layerOf(pr, 'up')).toMatchObject({ change: 1, changedOutputs: ['value'] });
    expect(layerOf(again, 'up').planDigest).toBe(layerOf(pr, 'up').planDigest); // same change, same digest
    const reviewedDir = tempDir('reviewed-');
    fs.copyFileSync(store.manifestFile, path.join(reviewedDir, 'manifest.json')); // what the PR's plan job uploads
    const reviewed: ApplyFrom = { kind: 'reviewed', store: new PlanStore(reviewedDir) };
    const differs = await run('apply', ['up'], synthFixture({ value: 'v4', generation: '2' }, { value: 'r2' }), { applyFrom: reviewed });
    expect(layerOf(differs, 'up').result).toBe('refused');
    expect(layerOf(differs, 'up').reason).toMatch(/^the plan now differs from the reviewed plan of /);
    const applied = await run('apply', ['up'], synthFixture({ value: 'v3', generation: '2' }, { value: 'r2' }), { applyFrom: reviewed });
    expect([layerOf(applied, 'up').reason, layerOf(applied, 'up')]).toMatchObject([undefined, { result: 'done', appliedPlan: 'reviewed', change: 1 }]);
    expect(commands).toEqual(['up: plan', 'up: show', 'up: apply']);
    expect((await stateOf('up')).outputs.value.value).toBe('v3');
  });
});
