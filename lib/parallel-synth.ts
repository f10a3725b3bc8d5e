/**
 * Synthesizes a large organisation in worker processes, whole accounts per worker, and merges what they write into
 * one cdktf.out as a single process would have written it (byte for byte: test/unit/tooling.test.ts).
 *
 * Why: a synth costs about 12 ms a stack in one process (docs/benchmarks.md), so 50 workload accounts (800 stacks)
 * take 10 s on one core; each stack is independent once the configuration is validated, so the work splits cleanly.
 * Each worker is the same app with STACKS set to its share: it loads and validates the whole configuration, builds
 * and policy-checks its stacks and writes them to a folder of its own. Only when every worker succeeded are the stack
 * folders moved into place and manifest.json and layers.json written for all stacks, so a failure writes nothing.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Manifest, type StackManifest } from 'cdktf';
import { CycleError, topologicalOrder, type GraphNode } from './graph';
import { ConfigError } from './problems';
import { GRAPH_FILE } from './synth';

/** Below this many stacks a second process costs more than it saves (loading the app is about 0.3 s). */
export const PARALLEL_FROM_STACKS = 150;

/**
 * Worker processes for `stacks` stacks: SYNTH_WORKERS=<n> when set (1 = synthesize in this process), otherwise one per
 * core (at most 4) from PARALLEL_FROM_STACKS stacks on.
 */
export function synthWorkers(stacks: number, env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): number {
  if (env.SYNTH_WORKERS !== undefined && env.SYNTH_WORKERS !== '') {
    const n = Number(env.SYNTH_WORKERS);
    if (!Number.isInteger(n) || n < 1) throw new Error(`SYNTH_WORKERS=${env.SYNTH_WORKERS}: must be a whole number of processes, 1 or more`);
    return n;
  }
  return stacks >= PARALLEL_FROM_STACKS ? Math.max(1, Math.min(cores, 4)) : 1;
}

/**
 * Splits stacks into at most `workers` groups of whole accounts with about the same number of stacks (the largest
 * account goes to the emptiest group first). Each group keeps the order of `stacks`.
 */
export function partitionByAccount(stacks: readonly { readonly id: string; readonly account: string }[], workers: number): string[][] {
  const byAccount = new Map<string, string[]>();
  for (const s of stacks) byAccount.set(s.account, [...(byAccount.get(s.account) ?? []), s.id]);
  const groups = Array.from({ length: Math.min(workers, byAccount.size) }, () => new Set<string>());
  for (const ids of [...byAccount.values()].sort((a, b) => b.length - a.length)) {
    const emptiest = groups.reduce((min, g) => (g.size < min.size ? g : min));
    for (const id of ids) emptiest.add(id);
  }
  return groups.map((g) => stacks.map((s) => s.id).filter((id) => g.has(id))).filter((g) => g.length > 0);
}

export interface WorkerSynthOptions {
  /** The cdktf output folder. */
  readonly outdir: string;
  /** Every stack to synthesize, in the order a single-process synth builds them (layers.json keeps that order). */
  readonly stacks: readonly { readonly id: string; readonly account: string }[];
  readonly workers: number;
  /** Starts a process that synthesizes exactly `only` into `outdir` (cdktf.out layout, manifest.json, layers.json). */
  readonly spawnWorker: (only: readonly string[], outdir: string) => ChildProcess;
}

export class SynthWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthWorkerError';
  }
}

/** Runs the workers, then merges their output into `outdir`; throws (and writes nothing) if any worker failed. */
export async function synthInWorkers(options: WorkerSynthOptions): Promise<void> {
  const outdir = path.resolve(options.outdir);
  const created = !fs.existsSync(outdir);
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, '.partial-'));
  try {
    const groups = partitionByAccount(options.stacks, options.workers);
    const dirs = groups.map((_, i) => path.join(staging, `worker-${i}`));
    const codes = await Promise.all(groups.map((only, i) => exitCode(options.spawnWorker(only, dirs[i]))));
    const failed = codes.map((code, i) => ({ code, i })).filter((w) => w.code !== 0);
    if (failed.length > 0) {
      const accounts = (i: number) => [...new Set(options.stacks.filter((s) => groups[i].includes(s.id)).map((s) => s.account))].join(', ');
      throw new SynthWorkerError(failed.map((w) => `synth of ${accounts(w.i)} failed (exit code ${w.code}); nothing was written`).join('\n'));
    }
    merge(outdir, dirs, options.stacks.map((s) => s.id));
  } catch (error) {
    if (created) fs.rmSync(outdir, { recursive: true, force: true });
    throw error;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Moves each worker's stack folders into `outdir`, then writes manifest.json and layers.json for all of them. */
function merge(outdir: string, dirs: readonly string[], ids: readonly string[]): void {
  const nodes = new Map<string, GraphNode>();
  const manifests = new Map<string, StackManifest>();
  let version = '';
  for (const dir of dirs) {
    for (const node of (JSON.parse(fs.readFileSync(path.join(dir, GRAPH_FILE), 'utf8')) as { stacks: GraphNode[] }).stacks) nodes.set(node.id, node);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, Manifest.fileName), 'utf8')) as { version: string; stacks: Record<string, StackManifest> };
    version = manifest.version;
    for (const [id, stack] of Object.entries(manifest.stacks)) manifests.set(id, stack);
  }
  const missing = ids.filter((id) => !nodes.has(id) || !manifests.has(id));
  if (missing.length > 0) throw new SynthWorkerError(`the synth workers did not write ${missing.join(', ')}`);
  const graph = ids.map((id) => nodes.get(id)!);
  try {
    topologicalOrder(graph); // a worker sees part of the graph only
  } catch (error) {
    if (!(error instanceof CycleError)) throw error;
    throw new ConfigError([{ project: nodes.get(error.cycle[0])?.project ?? '?', field: 'remote state reads', message: error.message }]);
  }

  const stacksDir = path.join(outdir, Manifest.stacksFolder);
  fs.mkdirSync(stacksDir, { recursive: true });
  for (const dir of dirs) {
    for (const id of fs.readdirSync(path.join(dir, Manifest.stacksFolder))) {
      fs.rmSync(path.join(stacksDir, id), { recursive: true, force: true });
      fs.renameSync(path.join(dir, Manifest.stacksFolder, id), path.join(stacksDir, id));
    }
  }
  // A worker records the dependencies on the stacks it built itself; one process builds them all.
  const built = new Set(ids);
  const manifest = new Manifest(version, outdir, false);
  for (const node of graph) {
    Object.assign(manifest.stacks, { [node.id]: { ...manifests.get(node.id)!, dependencies: node.dependsOn.filter((d) => built.has(d)) } });
  }
  manifest.writeToFile();
  fs.writeFileSync(path.join(outdir, GRAPH_FILE), JSON.stringify({ stacks: graph }, null, 2) + '\n');
}
