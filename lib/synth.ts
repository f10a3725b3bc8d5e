/** Synthesizes every project under `projects/` (or one), after validating all of it. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { GraphNode } from './graph';
import type { LayerStack } from './layer-stack';
import type { Mode } from './mode';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from './organisation';
import { enforcePolicy } from './policy';
import { resolveOnce } from './resolve-once';

export interface SynthOptions {
  readonly projectsDir: string;
  readonly mode: Mode;
  /** Output folder. @default cdktf's own (CDKTF_OUTDIR or cdktf.out) */
  readonly outdir?: string;
  /** Only this project. @default every folder of projectsDir with a project.ts */
  readonly project?: string;
  /** Only these stack ids. @default every enabled layer */
  readonly only?: ReadonlySet<string>;
  /** Run the policy pack before anything is written; error findings throw PolicyError. @default true */
  readonly policy?: boolean;
}

export const GRAPH_FILE = 'layers.json';

export interface SynthResult {
  readonly app: App;
  readonly stacks: readonly LayerStack[];
  readonly graph: readonly GraphNode[];
}

/**
 * Builds the stacks of every selected project; throws ConfigError before anything is written. cdktf's App
 * creates its output folders when constructed, so folders it created are removed again on failure.
 */
export function buildApp(options: SynthOptions): SynthResult {
  const sources = projectDirs(options).map((dir) => readProjectFolder(dir));
  const orgs = sources.map((source) => resolveOrganisation(source, options.mode));
  const outdir = path.resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const created = [outdir, path.join(outdir, 'stacks')].filter((dir) => !fs.existsSync(dir));
  const app = new App({ outdir });
  try {
    const stacks: LayerStack[] = [];
    const graph: GraphNode[] = [];
    for (const org of orgs) {
      const built = buildOrganisation(app, org, { only: options.only });
      stacks.push(...built.stacks);
      graph.push(...built.graph);
    }
    if (options.only) {
      const missing = [...options.only].filter((id) => !stacks.some((s) => s.node.id === id));
      if (missing.length > 0) throw new Error(`unknown or disabled stack: ${missing.join(', ')}`);
    }
    for (const stack of stacks) resolveOnce(stack); // the policy pack and the writer share one resolution
    if (options.policy !== false) enforcePolicy(stacks);
    return { app, stacks, graph };
  } catch (error) {
    for (const dir of created.reverse()) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Builds, then writes cdktf.out/stacks/<id>/cdk.tf.json for each stack and the graph as layers.json. */
export function synth(options: SynthOptions): SynthResult {
  const result = buildApp(options);
  result.app.synth();
  fs.writeFileSync(path.join(result.app.outdir, GRAPH_FILE), JSON.stringify({ stacks: result.graph }, null, 2) + '\n');
  return result;
}

/** The project folders a synth reads: options.project, or every folder of projectsDir with a project.ts. */
export function projectDirs(options: SynthOptions): string[] {
  const names = options.project
    ? [options.project]
    : fs.readdirSync(options.projectsDir).filter((name) => fs.existsSync(path.join(options.projectsDir, name, 'project.ts'))).sort();
  return names.map((name) => {
    const dir = path.resolve(options.projectsDir, name);
    if (!fs.existsSync(path.join(dir, 'project.ts'))) throw new Error(`no project "${name}" under ${options.projectsDir}`);
    return dir;
  });
}
