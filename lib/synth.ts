/** Synthesizes every project under `projects/` (or one), after validating all of it. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { GraphNode } from './graph';
import type { LayerStack } from './layer-stack';
import type { Mode } from './mode';
import type { Organisation } from './model';
import { stackId } from './naming';
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
  /** The organisations read (every project, or the one asked for), whether or not `only` built their stacks. */
  readonly organisations: readonly Organisation[];
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
    return { app, stacks, graph, organisations: orgs };
  } catch (error) {
    for (const dir of created.reverse()) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Builds, then writes cdktf.out/stacks/<id>/cdk.tf.json for each stack and the graph as layers.json, and removes
 * stack folders that are stale (removeStaleStacks).
 */
export function synth(options: SynthOptions): SynthResult {
  const result = buildApp(options);
  result.app.synth();
  fs.writeFileSync(path.join(result.app.outdir, GRAPH_FILE), JSON.stringify({ stacks: result.graph }, null, 2) + '\n');
  removeStaleStacks(result.app.outdir, {
    synthesized: new Set(result.stacks.map((s) => s.node.id)),
    organisations: result.organisations,
    everyProject: options.project === undefined,
    sandbox: options.mode.sandbox !== undefined,
  });
  return result;
}

/**
 * Removes the folders under `<outdir>/stacks` that a later validate, plan or CI run must not pick up:
 * - a stack that no longer exists (its layer was deleted or disabled, or its project is gone), and
 * - a stack last synthesized in the other mode (a sandbox folder, with loopback endpoints and dummy keys, in a
 *   real-mode output, or the reverse).
 * A synth of a subset (`only`, one project) keeps the other stacks' folders of the same mode, and folders of
 * projects it did not read; the folders it wrote keep their `.terraform` (so init can be skipped). Returns the
 * removed ids.
 */
export function removeStaleStacks(outdir: string, current: {
  /** Stack ids written by this synth. */
  readonly synthesized: ReadonlySet<string>;
  /** The organisations this synth read: their enabled layers are the stacks that exist. */
  readonly organisations: readonly Organisation[];
  /** Every project of the projects folder was read, so a stack outside them belongs to no project. */
  readonly everyProject: boolean;
  readonly sandbox: boolean;
}): string[] {
  const dir = path.join(outdir, 'stacks');
  if (!fs.existsSync(dir)) return [];
  const projects = new Set(current.organisations.map((o) => o.project.name));
  const exists = new Set<string>();
  for (const org of current.organisations) {
    for (const account of org.accounts.values()) {
      for (const [layer, declaration] of account.layers) if (declaration.enabled) exists.add(stackId(org.project.name, account.name, layer));
    }
  }
  const removed: string[] = [];
  for (const id of fs.readdirSync(dir).sort()) {
    if (current.synthesized.has(id) || !fs.statSync(path.join(dir, id)).isDirectory()) continue;
    const written = synthesizedAs(path.join(dir, id));
    const ours = written?.project !== undefined ? projects.has(written.project) : current.everyProject;
    const gone = !exists.has(id) && (ours || current.everyProject);
    const otherMode = written !== undefined && written.sandbox !== current.sandbox;
    if (!gone && !otherMode) continue;
    fs.rmSync(path.join(dir, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

/** The project and mode a stack folder was synthesized for, from its cdk.tf.json (undefined when it has none). */
function synthesizedAs(dir: string): { readonly project?: string; readonly sandbox: boolean } | undefined {
  let json: { terraform?: { backend?: { s3?: { endpoints?: unknown } } }; provider?: { aws?: { access_key?: string; default_tags?: { tags?: Record<string, string> }[] }[] } };
  try {
    json = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const aws = json.provider?.aws ?? [];
  return {
    project: aws.map((p) => p.default_tags?.[0]?.tags?.Project).find((p) => p !== undefined),
    sandbox: json.terraform?.backend?.s3?.endpoints !== undefined || aws.some((p) => p.access_key === 'sandbox'),
  };
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
