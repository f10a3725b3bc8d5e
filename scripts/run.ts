/**
 * Runs terraform over synthesized layers in dependency order.
 *   run.ts plan|apply [--project P] [--account A] [--layer L]
 * SANDBOX=1 targets the offline sandbox (make sandbox-up first); there, upstream layers without outputs are
 * seeded with their contract's mock outputs so any layer can be planned before anything is applied.
 */
import { topologicalOrder, type GraphNode } from '../lib/graph';
import { mockOutputs } from '../lib/contract';
import { modeFromEnv } from '../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../lib/naming';
import { ConfigError } from '../lib/problems';
import { synth } from '../lib/synth';
import { DEFAULT_OUTDIR, PROJECTS_DIR, stackDir } from './lib/paths';
import { seedMockState } from './lib/sandbox';
import { initIfNeeded, terraform } from './lib/terraform';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  const action = process.argv[2];
  if (action !== 'plan' && action !== 'apply') {
    console.error('usage: run.ts plan|apply [--project P] [--account A] [--layer L]');
    return 2;
  }
  const mode = modeFromEnv();
  const outdir = process.env.CDKTF_OUTDIR ?? DEFAULT_OUTDIR;
  const result = synth({ projectsDir: PROJECTS_DIR, mode, outdir, project: arg('project') });
  const account = arg('account');
  const layer = arg('layer');
  const selected = topologicalOrder(result.graph).filter((n) => (!account || n.account === account) && (!layer || n.layer === layer));
  if (selected.length === 0) throw new Error(`no enabled layer matches account=${account ?? '*'} layer=${layer ?? '*'}`);
  const stacks = new Map(result.stacks.map((s) => [s.node.id, s]));
  const nodes = new Map(result.graph.map((n) => [n.id, n]));
  for (const node of selected) {
    if (mode.sandbox) await seedUpstreams(node, nodes, stacks, mode.sandbox);
    const dir = stackDir(outdir, node.id);
    console.log(`==> ${node.id}: terraform ${action}`);
    const init = await initIfNeeded(dir);
    if (init && init.code !== 0) return fail(node, init.stdout + init.stderr);
    const args = action === 'plan' ? ['plan', '-input=false', '-no-color'] : ['apply', '-input=false', '-no-color', '-auto-approve'];
    const run = await terraform(args, dir, { onOutput: (c) => process.stdout.write(c) });
    if (run.code !== 0) return fail(node, run.stderr);
    if (mode.sandbox && action === 'plan') {
      // The sandbox cannot create resources; a refresh-only apply records the layer's (empty) state at its key.
      const record = await terraform(['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color'], dir);
      if (record.code !== 0) return fail(node, record.stderr);
      console.log(`    state: s3://${backendBucketName(node.project, node.account)}/${stateKey(node.account, node.layer)}`);
    }
  }
  return 0;
}

async function seedUpstreams(
  node: GraphNode,
  nodes: Map<string, GraphNode>,
  stacks: Map<string, { ctx: { account: { layers: ReadonlyMap<string, { kind: { contract?: Parameters<typeof mockOutputs>[0] } }> } } }>,
  endpoints: NonNullable<ReturnType<typeof modeFromEnv>['sandbox']>,
): Promise<void> {
  for (const id of node.dependsOn) {
    const upstream = nodes.get(id);
    const contract = upstream && stacks.get(id)?.ctx.account.layers.get(upstream.layer)?.kind.contract;
    if (!upstream || !contract) continue;
    const seeded = await seedMockState(endpoints, {
      bucket: backendBucketName(upstream.project, upstream.account),
      key: stateKey(upstream.account, upstream.layer),
      lockTable: lockTableName(upstream.project, upstream.account),
    }, mockOutputs(contract));
    if (seeded) console.log(`    mock outputs seeded for ${id} (sandbox only)`);
  }
}

function fail(node: GraphNode, detail: string): number {
  console.error(`${node.id} failed:\n${detail}`);
  return 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
