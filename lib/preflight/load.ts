/**
 * Builds the organisation in memory in REAL mode (providers with assume_role and allowed_account_ids, S3 backends
 * with a role), whatever SANDBOX says: the sandbox drops roles, and the preflight is about what real AWS will see.
 * Besides the steady synth it builds the day-zero synths (`BOOTSTRAP=1`: local state for a backend's first step, the
 * bucket for every later step) and orders them as `make bootstrap-org` runs them (lib/bootstrap-plan.ts), so that the
 * identity rules judge every step with the identity it really has.
 * Nothing is written: cdktf's App needs an output folder, so a temporary one is used and removed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { bootstrapPlan, BootstrapUsageError, type BootstrapStep } from '../bootstrap-plan';
import type { GraphNode } from '../graph';
import type { LayerStack } from '../layer-stack';
import type { Mode } from '../mode';
import type { Organisation } from '../model';
import { buildOrganisation, readProjectFolder, resolveOrganisation, sortAccounts, type ProjectSource } from '../organisation';
import type { JsonObject } from '../policy/model';
import { UsageError } from '../problems';
import { buildModel, type BootstrapStepInput, type OrgModel, type StackInput } from './model';

export const REAL_MODE: Mode = { bootstrap: false, bootstrapStateDir: path.join(os.tmpdir(), 'preflight-bootstrap') };
/** The day-zero synth once the backend bucket exists (every step but a backend's first). */
export const BOOTSTRAP_MODE: Mode = { ...REAL_MODE, bootstrap: true, localBackendState: false };
/** The day-zero synth of a backend's first step: local state, the bucket does not exist yet. */
export const BOOTSTRAP_LOCAL_MODE: Mode = { ...REAL_MODE, bootstrap: true, localBackendState: true };

export interface ProjectLoadOptions {
  /** Day support windows are judged on, `YYYY-MM-DD`. @default today */
  readonly today?: string;
  /** Which roles the steady synth assumes: the deploy roles, or CI's plan roles (`ACCESS=plan`). @default 'deploy' */
  readonly access?: Mode['access'];
}

export interface LoadOptions extends ProjectLoadOptions {
  readonly projectsDir: string;
  /** Only this project. @default every project */
  readonly project?: string;
}

export interface LoadedProject {
  readonly model: OrgModel;
  /** Time to construct and resolve every stack (synth), milliseconds, day-zero synths included. */
  readonly synthMs: number;
  /** Of synthMs, the day-zero synths (both bootstrap modes). */
  readonly bootstrapSynthMs: number;
}

export interface Loaded {
  readonly models: readonly OrgModel[];
  readonly synthMs: number;
  readonly bootstrapSynthMs: number;
}

/** Builds the selected stacks of `source` under `mode` into `outdir` and returns them as model inputs, by stack id. */
function synthInputs(source: ProjectSource, mode: Mode, outdir: string, only?: ReadonlySet<string>): { org: Organisation; inputs: Map<string, StackInput> } {
  const org = resolveOrganisation(source, mode);
  const { stacks, graph } = buildOrganisation(new App({ outdir }), org, { only });
  return { org, inputs: stackInputs(stacks, graph) };
}

function stackInputs(stacks: readonly LayerStack[], graph: readonly GraphNode[]): Map<string, StackInput> {
  const nodes = new Map(graph.map((n) => [n.id, n]));
  const byId = new Map<string, StackInput>();
  for (const stack of stacks) {
    const node = nodes.get(stack.node.id)!;
    byId.set(node.id, {
      id: node.id,
      account: node.account,
      layer: node.layer,
      kind: node.kind,
      region: node.region,
      stateful: node.stateful,
      dependsOn: node.dependsOn,
      tf: stack.toTerraform() as JsonObject,
    });
  }
  return byId;
}

/** The day-zero steps that apply a stack (the account-id check and the handover apply nothing new), or why there are none. */
function applyingSteps(org: Organisation): BootstrapStep[] | string {
  try {
    return bootstrapPlan(org).filter((s) => s.kind === 'backend-local' || s.kind === 'backend-migrate' || s.kind === 'apply');
  } catch (error) {
    if (error instanceof BootstrapUsageError) return error.message;
    throw error;
  }
}

/** The model of one project: its steady synth and its day-zero sequence. Throws ConfigError on bad config. */
export function loadProject(source: ProjectSource, options: ProjectLoadOptions = {}): LoadedProject {
  const started = process.hrtime.bigint();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
  try {
    const steadyMode: Mode = options.access === 'plan' ? { ...REAL_MODE, access: 'plan' } : REAL_MODE;
    const steady = synthInputs(source, steadyMode, outdir);
    const bootstrapStarted = process.hrtime.bigint();
    const plan = applyingSteps(steady.org);
    const steps = typeof plan === 'string' ? [] : plan;
    const idsOf = (local: boolean) => new Set(steps.filter((s) => (s.kind === 'backend-local') === local).map((s) => s.stacks[0]));
    const viaBucket = idsOf(false);
    const localState = idsOf(true);
    const bucketInputs = viaBucket.size > 0 ? synthInputs(source, BOOTSTRAP_MODE, outdir, viaBucket).inputs : new Map<string, StackInput>();
    const localInputs = localState.size > 0 ? synthInputs(source, BOOTSTRAP_LOCAL_MODE, outdir, localState).inputs : new Map<string, StackInput>();
    const bootstrapSynthMs = Number(process.hrtime.bigint() - bootstrapStarted) / 1e6;
    const bootstrap: BootstrapStepInput[] = steps.map((step) => ({
      step: step.id,
      stack: (step.kind === 'backend-local' ? localInputs : bucketInputs).get(step.stacks[0])!,
    }));
    const org = steady.org;
    const model = buildModel({
      project: {
        name: org.project.name,
        primaryRegion: org.project.primaryRegion,
        drRegion: org.project.drRegion,
        bootstrapRoleName: org.project.bootstrapRoleName,
        accounts: sortAccounts(org).map((a) => ({
          name: a.name, id: a.id, email: a.email, environment: a.environment, region: a.region, deployRoleName: a.deployRoleName,
        })),
      },
      stacks: [...steady.inputs.values()],
      bootstrap,
      bootstrapError: typeof plan === 'string' ? plan : undefined,
      today: options.today,
    });
    return { model, synthMs: Number(process.hrtime.bigint() - started) / 1e6, bootstrapSynthMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** One model per project (each project is its own organisation). */
export function loadOrganisations(options: LoadOptions): Loaded {
  const all = fs.readdirSync(options.projectsDir).filter((name) => fs.existsSync(path.join(options.projectsDir, name, 'project.ts'))).sort();
  if (options.project && !all.includes(options.project)) throw new UsageError(`no project "${options.project}" under ${options.projectsDir}`, all);
  const names = options.project ? [options.project] : all;
  const loaded = names.map((name) => loadProject(readProjectFolder(path.resolve(options.projectsDir, name)), options));
  const withStacks = loaded.filter((l) => l.model.stacks.length > 0);
  return {
    models: withStacks.map((l) => l.model),
    synthMs: loaded.reduce((sum, l) => sum + l.synthMs, 0),
    bootstrapSynthMs: loaded.reduce((sum, l) => sum + l.bootstrapSynthMs, 0),
  };
}
