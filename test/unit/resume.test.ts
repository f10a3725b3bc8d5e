/**
 * RESUME=1 (scripts/lib/runner.ts resumeSelection, scripts/lib/config-hash.ts): a run resumes the layers the last
 * report of the same action did not finish, plus those whose synthesized config changed since, plus what reads them;
 * the rest are carried into the new report. Refused, one line, without a previous report or across actions or modes.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GraphNode } from '../../lib/graph';
import { parseCommand } from '../../scripts/lib/cli';
import { stackConfigHash, stackConfigHashes } from '../../scripts/lib/config-hash';
import { stackDir } from '../../scripts/lib/paths';
import { exitCodeOf, resumeSelection, runLayers, SelectionError, withKeptLayers, type LayerReport, type LayerResult, type PreviousReport } from '../../scripts/lib/runner';
import { tempDir } from '../helpers';

function node(ref: string, deps: string[] = []): GraphNode {
  const [account, layer] = ref.split('/');
  return { id: `p-${account}-${layer}`, project: 'p', account, accountId: '111111111111', layer, kind: layer, region: 'us-east-1', stateful: false, dependsOn: deps.map((d) => `p-${d.replace('/', '-')}`) };
}
// net/vpc <- apps/vpc <- apps/eks <- apps/app ; apps/dns independent
const graph = [node('net/vpc'), node('apps/vpc', ['net/vpc']), node('apps/eks', ['apps/vpc']), node('apps/app', ['apps/eks']), node('apps/dns')];
const hashes = new Map(graph.map((n) => [n.id, `sha256:${n.id}`]));

function previous(results: Record<string, LayerResult>, extra: Partial<PreviousReport> = {}, hashOf = (id: string) => hashes.get(id)): PreviousReport {
  return {
    action: 'apply', mode: 'real', startedAt: '2026-11-30T08:00:00.000Z',
    layers: Object.entries(results).map(([ref, result]): LayerReport & { configHash?: string } => {
      const n = graph.find((g) => g.id === `p-${ref.replace('/', '-')}`)!;
      return { id: n.id, project: 'p', account: n.account, layer: n.layer, action: 'apply', result, add: 1, change: 0, destroy: 0, durationMs: 1000, startedAtMs: 0, configHash: hashOf(n.id) };
    }),
    ...extra,
  };
}

describe('resumeSelection', () => {
  it('runs what failed and what was skipped because of it; keeps what finished', () => {
    const last = previous({ 'net/vpc': 'done', 'apps/vpc': 'done', 'apps/eks': 'failed', 'apps/app': 'skipped', 'apps/dns': 'done' });
    const resumed = resumeSelection(graph, last, hashes, 'apply', 'real');
    expect(resumed.run.map((n) => n.id)).toEqual(['p-apps-eks', 'p-apps-app']);
    expect([...resumed.reasons]).toEqual([['p-apps-eks', 'failed'], ['p-apps-app', 'skipped']]);
    expect(resumed.kept.map((l) => [l.id, l.result, l.carriedOver])).toEqual([
      ['p-net-vpc', 'done', true], ['p-apps-vpc', 'done', true], ['p-apps-dns', 'done', true],
    ]);
  });

  it('also runs a finished layer whose config changed since, and every selected layer that reads it', () => {
    const last = previous({ 'net/vpc': 'done', 'apps/vpc': 'done', 'apps/eks': 'done', 'apps/app': 'done', 'apps/dns': 'done' });
    const now = new Map(hashes).set('p-apps-vpc', 'sha256:edited');
    const resumed = resumeSelection(graph, last, now, 'apply', 'real');
    expect([...resumed.reasons]).toEqual([['p-apps-vpc', 'config changed'], ['p-apps-eks', 'reads p-apps-vpc'], ['p-apps-app', 'reads p-apps-eks']]);
    expect(resumed.kept.map((l) => l.id)).toEqual(['p-net-vpc', 'p-apps-dns']);
  });

  it('runs layers the last run did not have, and those it recorded no hash for', () => {
    const last = previous({ 'net/vpc': 'done', 'apps/vpc': 'done' }, {}, (id) => (id === 'p-apps-vpc' ? undefined : hashes.get(id)));
    const resumed = resumeSelection(graph, last, hashes, 'apply');
    expect([...resumed.reasons]).toEqual([
      ['p-apps-vpc', 'config changed'], ['p-apps-eks', 'not in the last run'], ['p-apps-app', 'not in the last run'], ['p-apps-dns', 'not in the last run'],
    ]);
  });

  it('nothing to do when everything finished unchanged; drift\'s clean and drifted count as finished', () => {
    expect(resumeSelection(graph, previous(Object.fromEntries(graph.map((n) => [`${n.account}/${n.layer}`, 'done']))), hashes, 'apply').run).toEqual([]);
    const drift = previous({ 'net/vpc': 'clean', 'apps/vpc': 'drifted', 'apps/eks': 'failed', 'apps/app': 'skipped', 'apps/dns': 'clean' }, { action: 'drift' });
    expect(resumeSelection(graph, drift, hashes, 'drift').run.map((n) => n.id)).toEqual(['p-apps-eks', 'p-apps-app']);
  });

  it('a plan\'s unchanged layer (its saved plan still stands) is finished; one whose plan failed is run again', () => {
    const plan = previous({ 'net/vpc': 'unchanged', 'apps/vpc': 'done', 'apps/eks': 'failed', 'apps/app': 'skipped', 'apps/dns': 'unchanged' }, { action: 'plan' });
    const resumed = resumeSelection(graph, plan, hashes, 'plan', 'real');
    expect(resumed.run.map((n) => n.id)).toEqual(['p-apps-eks', 'p-apps-app']);
    expect(resumed.kept.map((l) => [l.id, l.result])).toEqual([['p-net-vpc', 'unchanged'], ['p-apps-vpc', 'done'], ['p-apps-dns', 'unchanged']]);
  });

  it('the report of a resumed run: this run\'s layers and the kept ones in graph order, a kept one run again (auto) replaced; kept drift still counts', () => {
    const last = previous({ 'net/vpc': 'done', 'apps/vpc': 'drifted', 'apps/eks': 'failed', 'apps/app': 'skipped', 'apps/dns': 'done' }, { action: 'drift' });
    const resumed = resumeSelection(graph, last, hashes, 'drift');
    const rerun = (id: string, result: LayerResult): LayerReport => ({ ...last.layers.find((l) => l.id === id)!, result, durationMs: 5 });
    // apps/eks and apps/app ran again; INCLUDE_DEPENDENTS=auto also ran apps/dns, which RESUME had kept
    const ran = [rerun('p-apps-eks', 'clean'), rerun('p-apps-app', 'clean'), rerun('p-apps-dns', 'clean')];
    const layers = withKeptLayers(ran, resumed.kept, new Map(graph.map((n, i) => [n.id, i])));
    expect(layers.map((l) => [l.id, l.result, l.carriedOver ?? false])).toEqual([
      ['p-net-vpc', 'done', true], ['p-apps-vpc', 'drifted', true], ['p-apps-eks', 'clean', false], ['p-apps-app', 'clean', false], ['p-apps-dns', 'clean', false],
    ]);
    expect(exitCodeOf(layers, false)).toBe(2);
  });

  it('a refused layer is not finished', () => {
    expect(resumeSelection(graph, previous({ 'net/vpc': 'refused' }), hashes, 'apply').reasons.get('p-net-vpc')).toBe('refused');
  });

  it('refuses without a previous report, across actions and across modes, in one line', () => {
    expect(() => resumeSelection(graph, undefined, hashes, 'apply')).toThrow(new SelectionError('RESUME=1: there is no previous apply report to resume from (run it once without RESUME)'));
    expect(() => resumeSelection(graph, previous({}), hashes, 'plan')).toThrow('RESUME=1: the last report is of apply, not plan: run plan without RESUME');
    expect(() => resumeSelection(graph, previous({}), hashes, 'apply', 'sandbox')).toThrow('RESUME=1: the last apply ran in real mode, this one in sandbox mode');
  });

  it('the resumed layers run in dependency order like any selection', async () => {
    const resumed = resumeSelection(graph, previous({ 'net/vpc': 'done', 'apps/vpc': 'failed', 'apps/dns': 'done' }), hashes, 'apply');
    const order: string[] = [];
    await runLayers({ action: 'apply', nodes: resumed.run, execute: async (n) => { order.push(n.id); return { ok: true }; } });
    expect(order).toEqual(['p-apps-vpc', 'p-apps-eks', 'p-apps-app']);
  });
});

describe('RESUME on the command line', () => {
  it('--resume or RESUME=1; anything but 1 or 0 is refused', () => {
    expect((parseCommand(['apply', '--resume'], {}) as { resume: boolean }).resume).toBe(true);
    expect((parseCommand(['apply'], { RESUME: '1' }) as { resume: boolean }).resume).toBe(true);
    expect((parseCommand(['apply'], {}) as { resume: boolean }).resume).toBe(false);
    expect(() => parseCommand(['apply'], { RESUME: 'yes' })).toThrow('RESUME (--resume) must be 1 or 0');
  });
});

describe('config hashes', () => {
  it('change exactly when a stack\'s cdk.tf.json changes', () => {
    const outdir = tempDir('hash-');
    const write = (id: string, body: string): void => {
      fs.mkdirSync(stackDir(outdir, id), { recursive: true });
      fs.writeFileSync(path.join(stackDir(outdir, id), 'cdk.tf.json'), body);
    };
    write('a', '{"resource":{}}');
    write('b', '{"resource":{}}');
    const first = stackConfigHash(outdir, 'a');
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stackConfigHash(outdir, 'b')).toBe(first);
    write('a', '{"resource":{"x":{}}}');
    expect(stackConfigHash(outdir, 'a')).not.toBe(first);
    expect(stackConfigHash(outdir, 'missing')).toBeUndefined();
    expect([...stackConfigHashes(outdir, ['a', 'missing', 'b']).keys()]).toEqual(['a', 'b']);
  });
});
