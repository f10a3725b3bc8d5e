/**
 * Runs one synthesized layer with terraform: init when needed, sandbox mocks for missing upstream outputs,
 * then plan / apply / destroy / drift with a lock timeout. Full output goes to a log file per layer; the
 * runner prints only state changes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { mockOutputs, type AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import type { Mode, SandboxEndpoints } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import { stackDir } from './paths';
import { parseChangeCounts, type Action, type Executor, type Outcome } from './runner';
import { seedMockState } from './sandbox';
import { initIfNeeded, terraform, type TerraformResult } from './terraform';

export type Seeder = typeof seedMockState;
export type TerraformFn = (args: readonly string[], cwd: string, options: { signal?: AbortSignal; onOutput?: (chunk: string) => void }) => Promise<TerraformResult & { killed?: boolean }>;

export const PLAN_FILE = 'plan.tfplan';

export interface LayerExecutorOptions {
  readonly outdir: string;
  readonly mode: Mode;
  /** Every node of the synthesized graph (upstreams outside the selection are still seeded). */
  readonly graph: readonly GraphNode[];
  /** The output contract of each stack id, the source of mock values. */
  readonly contracts: ReadonlyMap<string, AnyContract | undefined>;
  /** How long terraform waits for a state lock held by someone else. @default '5m' */
  readonly lockTimeout?: string;
  /** @default <outdir>/logs */
  readonly logDir?: string;
  /** Called for things worth a line of their own (mock outputs seeded, a lock possibly left behind). */
  readonly onNote?: (id: string, message: string) => void;
  /** Test seams. @default the real ones */
  readonly seed?: Seeder;
  readonly terraform?: TerraformFn;
}

/** Terraform's error blocks, trimmed: what the summary shows for a failed layer. */
export function errorExcerpt(output: string, maxLines = 12): string {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^(│ )?Error: /.test(l.trim()) || /^╷/.test(l.trim()));
  const picked = (start === -1 ? lines.slice(-maxLines) : lines.slice(start))
    .map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd()).filter((l) => l.trim().length > 0);
  return picked.slice(0, maxLines).join('\n');
}

export function commandFor(action: Action, lockTimeout: string): string[] {
  const common = ['-input=false', '-no-color', `-lock-timeout=${lockTimeout}`];
  switch (action) {
    case 'plan': return ['plan', ...common, `-out=${PLAN_FILE}`];
    case 'apply': return ['apply', ...common, '-auto-approve'];
    case 'destroy': return ['destroy', ...common, '-auto-approve'];
    case 'drift': return ['plan', ...common, '-detailed-exitcode', '-refresh=true'];
  }
}

export function layerExecutor(options: LayerExecutorOptions): Executor {
  const run = options.terraform ?? (terraform as TerraformFn);
  const seed = options.seed ?? seedMockState;
  const lockTimeout = options.lockTimeout ?? '5m';
  const logDir = options.logDir ?? path.join(options.outdir, 'logs');
  const nodes = new Map(options.graph.map((n) => [n.id, n]));
  const seeded = new Map<string, Promise<boolean>>();
  const sandbox = options.mode.sandbox;

  /** Each upstream is seeded at most once per run, so two consumers never write its state at the same time. */
  const seedUpstream = (endpoints: SandboxEndpoints, id: string): Promise<boolean> => {
    let pending = seeded.get(id);
    if (!pending) {
      const upstream = nodes.get(id);
      const contract = options.contracts.get(id);
      pending = upstream && contract
        ? seed(endpoints, {
          bucket: backendBucketName(upstream.project, upstream.account, upstream.accountId),
          key: stateKey(upstream.account, upstream.layer),
          lockTable: lockTableName(upstream.project, upstream.account),
        }, mockOutputs(contract))
        : Promise.resolve(false);
      seeded.set(id, pending);
    }
    return pending;
  };

  return async (node: GraphNode, action: Action, signal: AbortSignal): Promise<Outcome> => {
    const dir = stackDir(options.outdir, node.id);
    fs.mkdirSync(logDir, { recursive: true });
    const log = path.join(logDir, `${node.id}.${action}.log`);
    fs.writeFileSync(log, '');
    const write = (chunk: string): void => fs.appendFileSync(log, chunk);
    const step = async (args: readonly string[]): Promise<TerraformResult & { killed?: boolean }> => {
      write(`\n$ terraform ${args.join(' ')}\n`);
      const result = await run(args, dir, { signal, onOutput: write });
      if (result.killed) options.onNote?.(node.id, `terraform was killed; its state lock may be held: run \`terraform force-unlock <id>\` in ${dir}`);
      return result;
    };
    const failed = (result: TerraformResult): Outcome => ({ ok: false, error: errorExcerpt(result.stderr || result.stdout), log });

    const interrupted: Outcome = { ok: false, error: 'interrupted', log };
    const init = await initIfNeeded(dir, { signal, onOutput: write, run: run as typeof terraform });
    if (signal.aborted) return interrupted;
    if (init && init.code !== 0) return failed(init);

    // Mocks: sandbox only, and never for apply (an apply must read what its upstreams really published).
    if (sandbox && action !== 'apply') {
      for (const dep of node.dependsOn) {
        const first = !seeded.has(dep);
        if (await seedUpstream(sandbox, dep) && first) {
          write(`mock outputs seeded for ${dep} (sandbox only)\n`);
          options.onNote?.(node.id, `mock outputs seeded for ${dep} (sandbox only)`);
        }
      }
    }

    // A plan file left by an earlier run (maybe a sandbox one) must never outlive a failed plan of this run.
    if (action === 'plan') fs.rmSync(path.join(dir, PLAN_FILE), { force: true });
    const main = await step(commandFor(action, lockTimeout));
    const counts = parseChangeCounts(main.stdout);
    if (signal.aborted) return { ...interrupted, counts };
    if (action === 'drift') {
      if (main.code === 0 || main.code === 2) return { ok: true, drifted: main.code === 2, counts, log };
      return failed(main);
    }
    if (main.code !== 0) return { ...failed(main), counts };
    if (sandbox && action === 'plan') {
      // The sandbox cannot create resources; a refresh-only apply records the layer's state object at its key.
      const record = await step(['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color', `-lock-timeout=${lockTimeout}`]);
      // "non-applyable": no output has a known value yet, so there is nothing to record; consumers get mocks.
      if (record.code !== 0 && !/Cannot apply non-applyable plan/.test(record.stderr)) return { ...failed(record), counts };
    }
    return { ok: true, counts, log };
  };
}
