/**
 * `make new-account`, `make new-layer` and `make generate`. Each works in a staged copy of the project (a temporary
 * root linking the rest of the repository): the organisation is read there, the change planned as a set of files
 * (new ones and edited ones), written into a second copy and validated there as a whole organisation (the real build
 * with the policy pack, which also gives the generated files, and the sandbox build of accounts whose id is pending),
 * and only then moved into the repository, each file by rename, so a refused change leaves nothing behind. Reading
 * from fresh copies also means a long-lived process (a test) never sees a project file it loaded before the change.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCidr } from '../../lib/cidr';
import { CONFIG_SHAPES_FILE, useConfigShapes, type ConfigShapes } from '../../lib/config-shape';
import type { AccountConfig } from '../../lib/config';
import type { Organisation, ResolvedAccount } from '../../lib/model';
import { modeFromEnv, type Mode } from '../../lib/mode';
import { backendBucketName, stackId } from '../../lib/naming';
import { PENDING_ACCOUNT_ID, readProjectFolder, resolveOrganisation, sandboxAccountId, type ProjectSource } from '../../lib/organisation';
import { policyMarkdown } from '../../lib/policy/report';
import { UsageError } from '../../lib/problems';
import { buildApp } from '../../lib/synth';
import { DEFAULT_OUS, type OrganizationsConfig } from '../../layers/organizations';
import { docWithRules } from '../preflight';
import { ATLANTIS_FILE, atlantisYaml, ciInput, DRIFT_WORKFLOW_FILE, driftWorkflowYaml, githubWorkflowYaml, WORKFLOW_FILE } from './ci-files';
import { configShapesJson } from './config-shapes';
import { toDot, toMermaid } from './graph-render';
import { KIND_TEMPLATES, layerKinds, type Place } from './scaffold-kinds';
import { addConfigProperty, inputFields, layerFile, quote } from './scaffold-source';

/** A request the command line got wrong: printed as one line, exit 2, nothing written. */
export class ScaffoldUsageError extends UsageError {}

/** Layers every new account gets; the README's "Add an account" explains why they are files, not project config. */
export const BASELINE_KINDS = ['base-tf-backend', 'security', 'compliance'] as const;

const NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]*$/;

export interface Target {
  /** Repository root: projects/, layers/, README.md, docs/, atlantis.yaml, .github/. */
  readonly root: string;
  readonly project: string;
}

/** Files to write, by repo-relative path (new or replacing), and what to tell the user afterwards. */
export interface ChangeSet {
  readonly files: ReadonlyMap<string, string>;
  readonly notes: readonly string[];
}

interface Loaded {
  readonly source: ProjectSource;
  /** Sandbox view: every account, pending ones included with an offline id. */
  readonly org: Organisation;
  readonly idAccounts: readonly string[];
}

const sandboxMode = (root: string): Mode => modeFromEnv({ SANDBOX: '1', BOOTSTRAP_STATE_DIR: path.join(os.tmpdir(), 'scaffold-bootstrap') }, root);
const projectDir = (t: Target): string => path.join(t.root, 'projects', t.project);
const rel = (t: Target, ...parts: string[]): string => ['projects', t.project, ...parts].join('/');

function knownProject(t: Target): void {
  if (!fs.existsSync(path.join(projectDir(t), 'project.ts'))) {
    const known = fs.existsSync(path.join(t.root, 'projects')) ? fs.readdirSync(path.join(t.root, 'projects')).filter((p) => fs.existsSync(path.join(t.root, 'projects', p, 'project.ts'))) : [];
    throw new ScaffoldUsageError(`unknown project "${t.project}"`, known.length > 0 ? known : ['none']);
  }
}

function load(t: Target): Loaded {
  const source = readProjectFolder(projectDir(t));
  const org = resolveOrganisation(source, sandboxMode(t.root));
  const idAccounts = Object.entries(source.accounts).filter(([, a]) => a.config.id !== PENDING_ACCOUNT_ID).map(([name]) => name);
  return { source, org, idAccounts };
}

function place(loaded: Loaded, account: ResolvedAccount, layer: string, kind: string): Place {
  const first: Place = { org: loaded.org, idAccounts: loaded.idAccounts, account, layer, region: account.region };
  return { ...first, region: KIND_TEMPLATES[kind].region?.(first) ?? account.region };
}

/** The file of `kind` at `place`, from its template (scripts/lib/scaffold-kinds.ts). */
export function renderLayer(kind: string, at: Place, overrides: Record<string, unknown> = {}): { content: string; inputs: string[] } {
  const template = KIND_TEMPLATES[kind];
  const spec = layerKinds().get(kind);
  if (!template || !spec) throw new Error(`scaffold: no template for layer kind "${kind}"`);
  const config = { ...template.config(at), ...overrides };
  return {
    content: layerFile({
      kind: spec.spec,
      config,
      region: at.region !== at.account.region ? at.region : undefined,
      comment: template.comment?.(at),
    }),
    inputs: inputFields(config),
  };
}

// ------------------------------------------------------------------ new account

export interface NewAccountRequest {
  readonly account: string;
  readonly email: string;
  readonly environment: string;
  /** OU path in the organizations layer. @default the OU named after the environment */
  readonly ou?: string;
  /** Id of an account that already exists. @default 'pending': the organizations layer creates it */
  readonly id?: string;
  /** 'auto' (a free /16), 'none' (no base-network) or a CIDR. @default 'auto' */
  readonly vpc?: string;
}

/** Validates, plans, stages, checks and writes a new account; returns the files written and the next steps. */
export function newAccount(t: Target, req: NewAccountRequest): { written: string[]; notes: readonly string[] } {
  checkNewAccount(t, req);
  return inStage(t, (staged) => planNewAccount(staged, req));
}

/** The checks that need only the command line and the repository's folders (usage errors). */
function checkNewAccount(t: Target, req: NewAccountRequest): void {
  if (!NAME.test(req.account)) throw new ScaffoldUsageError(`ACCOUNT "${req.account}" must be lowercase letters, digits and dashes, starting with a letter`);
  // A pending account has no id yet; every id has 12 digits, so any stands in for the length.
  const bucket = backendBucketName(t.project, req.account, req.id ?? '000000000000');
  if (bucket.length > 63) {
    throw new ScaffoldUsageError(`ACCOUNT "${req.account}" is too long: its state bucket ${bucket} would exceed 63 characters`);
  }
  if (!EMAIL.test(req.email)) throw new ScaffoldUsageError(`EMAIL "${req.email}" is not an e-mail address`);
  if (!ENVIRONMENT.test(req.environment)) throw new ScaffoldUsageError(`ENVIRONMENT "${req.environment}" must be a lowercase name such as prd or devstg`);
  if (req.id !== undefined && !/^\d{12}$/.test(req.id)) throw new ScaffoldUsageError(`ID "${req.id}" is not a 12-digit AWS account id`);
  const vpc = req.vpc ?? 'auto';
  if (vpc !== 'auto' && vpc !== 'none' && typeof parseCidr(vpc) === 'string') throw new ScaffoldUsageError(`VPC "${vpc}" must be auto, none or a CIDR such as 10.60.0.0/16`);
  if (fs.existsSync(path.join(projectDir(t), req.account))) {
    throw new ScaffoldUsageError(`account "${req.account}" already exists (${rel(t, req.account)}): nothing written`);
  }
  knownProject(t);
}

/** The new account's files, planned against the organisation at `t` (a staged copy). */
export function planNewAccount(t: Target, req: NewAccountRequest): ChangeSet {
  const vpc = req.vpc ?? 'auto';
  const loaded = load(t);
  const { org, source } = loaded;
  for (const [name, { config }] of Object.entries(source.accounts)) {
    if (config.email.toLowerCase() === req.email.toLowerCase()) throw new ScaffoldUsageError(`EMAIL ${req.email} is already the e-mail of account ${name} (AWS requires one per account)`);
    if (req.id !== undefined && config.id === req.id) throw new ScaffoldUsageError(`ID ${req.id} is already the id of account ${name}`);
  }
  const creator = accountCreator(org);
  if (!creator && req.id === undefined) {
    throw new ScaffoldUsageError(`project ${t.project} has no organizations layer to create the account: pass ID=<12-digit id> of the existing account`);
  }
  if (!creator && req.ou !== undefined) throw new ScaffoldUsageError(`OU=${req.ou} needs an organizations layer, and project ${t.project} has none`);
  const files = new Map<string, string>();
  const notes: string[] = [];
  let ou: string | undefined;
  if (creator) {
    const ous = creator.config.organizationalUnits ?? DEFAULT_OUS;
    const byEnvironment = ous.filter((o) => o.split('/').pop() === req.environment);
    ou = req.ou ?? (byEnvironment.length === 1 ? byEnvironment[0] : undefined);
    if (ou === undefined) throw new ScaffoldUsageError(`OU= is required: no single OU is named after environment "${req.environment}"`, ous);
    if (!ous.includes(ou)) throw new ScaffoldUsageError(`OU "${ou}" is not an OU of ${creator.account}/${creator.layer}`, ous);
    const file = rel(t, creator.account, `${creator.layer}.ts`);
    files.set(file, addConfigProperty(fs.readFileSync(path.join(t.root, file), 'utf8'), file, 'accountOus', req.account, quote(ou)));
    notes.push(`${file}: ${req.account} placed in OU ${ou}`);
  }

  const taken = new Set(Object.values(source.accounts).map((a) => a.config.id));
  const account: ResolvedAccount = {
    name: req.account,
    id: req.id ?? sandboxAccountId(t.project, req.account, taken),
    email: req.email,
    environment: req.environment,
    region: org.project.primaryRegion,
    deployRoleName: org.project.deployRoleName,
    tags: {},
    availabilityZones: org.project.availabilityZones,
    layers: new Map(),
  };
  files.set(rel(t, req.account, 'account.ts'), accountFile(req, creator?.account, creator?.layer));
  // An OU an organisation backup policy covers needs the vaults and role the policy names: the backup layer creates them.
  const backedUp = ou !== undefined && Object.values(creator?.config.backupPolicies ?? {})
    .some((p) => p.targets.some((target) => target === 'root' || ou === target || ou!.startsWith(`${target}/`)));
  const kinds: string[] = [...BASELINE_KINDS, ...(vpc === 'none' ? [] : ['base-network']), ...(backedUp ? ['backup'] : [])];
  for (const kind of kinds) {
    const overrides = kind === 'base-network' && vpc !== 'auto' ? { vpcCidr: vpc } : {};
    files.set(rel(t, req.account, `${kind}.ts`), renderLayer(kind, place(loaded, account, kind, kind), overrides).content);
  }
  if (req.id === undefined) {
    notes.push(`${rel(t, req.account, 'account.ts')}: id 'pending' — the sandbox plans the account now; a real synth leaves it out until the id is set:`,
      `  1. make apply SANDBOX=0 ACCOUNT=${creator!.account} LAYER=${creator!.layer}   (AWS Organizations creates ${req.account})`,
      `  2. put the id it outputs (account_ids, in the order of account_names) in ${rel(t, req.account, 'account.ts')}, then make generate`,
      `  3. make bootstrap ACCOUNT=${req.account} SANDBOX=0, then plan and apply its layers`);
  } else {
    notes.push(`next: make bootstrap ACCOUNT=${req.account} SANDBOX=0, then plan and apply its layers` +
      (creator ? ` (the account exists: import it into ${creator.account}/${creator.layer} before its next apply, which would otherwise try to create it)` : ''));
  }
  return { files, notes };
}

function accountCreator(org: Organisation): { account: string; layer: string; config: OrganizationsConfig } | undefined {
  for (const account of org.accounts.values()) {
    for (const [layer, declaration] of account.layers) {
      if (declaration.enabled && declaration.kind.createsAccounts) return { account: account.name, layer, config: declaration.config as OrganizationsConfig };
    }
  }
  return undefined;
}

function accountFile(req: NewAccountRequest, creatorAccount?: string, creatorLayer?: string): string {
  const config: AccountConfig = { id: req.id ?? PENDING_ACCOUNT_ID, email: req.email, environment: req.environment };
  const idLine = req.id !== undefined ? `  id: ${quote(config.id)},` : [
    `  // '${PENDING_ACCOUNT_ID}' until AWS Organizations creates the account (${creatorAccount}/${creatorLayer} creates it from the`,
    '  // e-mail below): then put its 12-digit id here. Until then a real synth leaves this account out, and refuses any',
    '  // stack that would need its id; the sandbox plans it with an offline id.',
    `  id: ${quote(config.id)},`,
  ].join('\n');
  return `import { defineAccount } from '../../../lib/config';\n\nexport default defineAccount({\n${idLine}\n` +
    `  email: ${quote(config.email)},\n  environment: ${quote(config.environment)},\n});\n`;
}

// ------------------------------------------------------------------ new layer

export interface NewLayerRequest {
  readonly account: string;
  readonly kind: string;
  /** File name without .ts. @default the kind */
  readonly layer?: string;
}

export function kindNames(): string[] {
  return Object.keys(KIND_TEMPLATES).sort();
}

/** Validates, plans, stages, checks and writes a new layer file; returns the files written and the next steps. */
export function newLayer(t: Target, req: NewLayerRequest): { written: string[]; notes: readonly string[] } {
  knownProject(t);
  checkNewLayer(t, req);
  return inStage(t, (staged) => planNewLayer(staged, req));
}

function checkNewLayer(t: Target, req: NewLayerRequest): void {
  if (!(req.kind in KIND_TEMPLATES)) throw new ScaffoldUsageError(`unknown KIND "${req.kind}"`, kindNames());
  const layer = req.layer ?? req.kind;
  if (!NAME.test(layer)) throw new ScaffoldUsageError(`LAYER "${layer}" must be lowercase letters, digits and dashes`);
  if (!NAME.test(req.account) || !fs.existsSync(path.join(projectDir(t), req.account, 'account.ts'))) {
    const known = fs.existsSync(projectDir(t)) ? fs.readdirSync(projectDir(t)).filter((a) => fs.existsSync(path.join(projectDir(t), a, 'account.ts'))).sort() : [];
    throw new ScaffoldUsageError(`unknown ACCOUNT "${req.account}" in project ${t.project}`, known.length > 0 ? known : ['none']);
  }
  const file = rel(t, req.account, `${layer}.ts`);
  if (fs.existsSync(path.join(t.root, file))) throw new ScaffoldUsageError(`${file} already exists: nothing written`);
}

/** The new layer file, planned against the organisation at `t` (a staged copy). */
export function planNewLayer(t: Target, req: NewLayerRequest): ChangeSet {
  const layer = req.layer ?? req.kind;
  const file = rel(t, req.account, `${layer}.ts`);
  const loaded = load(t);
  const account = loaded.org.accounts.get(req.account)!;
  const { content, inputs } = renderLayer(req.kind, place(loaded, account, layer, req.kind));
  const notes = inputs.length > 0
    ? [`${file}: switched off until you fill in ${inputs.join(', ')} (a placeholder left in place is refused), then remove enabled: false`]
    : [];
  return { files: new Map([[file, content]]), notes };
}

// ------------------------------------------------------------------ generated files

/** The README block `make graph` writes (same markers as scripts/graph.ts). */
const README_GRAPH = /(<!-- graph:start -->\n```mermaid\n)[\s\S]*?(```\n<!-- graph:end -->)/;

/**
 * Every generated file of the repository, computed from the project at `root` (one real-mode build): the layer graph
 * (docs/graph.mmd, docs/graph.dot, the README block), atlantis.yaml, the GitHub workflows, docs/policy.md, the
 * rule table of docs/real-aws.md and the config shapes (lib/generated/config-shapes.json).
 * test/unit/generated-files.test.ts, policy-pack.test.ts, preflight.test.ts and validation-keys.test.ts fail when a
 * committed copy differs.
 */
export function generatedFiles(root: string, project: string): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-'));
  const saved = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir; // ciInput builds with cdktf's default output folder: keep it out of the tree
  try {
    // The shapes of the code first: the build below checks configs against them, not against the file being rewritten.
    const shapes = configShapesJson(root);
    useConfigShapes(JSON.parse(shapes) as ConfigShapes);
    const input = ciInput(project, path.join(root, 'projects'), root);
    const graph = input.stacks.map((s) => s.node);
    const mermaid = toMermaid(graph);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    if (!README_GRAPH.test(readme)) throw new Error('README.md has no <!-- graph:start --> ```mermaid ... ``` <!-- graph:end --> block');
    return new Map([
      ['docs/graph.mmd', mermaid],
      ['docs/graph.dot', toDot(graph)],
      ['README.md', readme.replace(README_GRAPH, (_, start: string, end: string) => `${start}${mermaid}${end}`)],
      [ATLANTIS_FILE, atlantisYaml(input)],
      [WORKFLOW_FILE, githubWorkflowYaml(input)],
      [DRIFT_WORKFLOW_FILE, driftWorkflowYaml(input)],
      ['docs/policy.md', `${policyMarkdown()}\n`],
      ['docs/real-aws.md', docWithRules(fs.readFileSync(path.join(root, 'docs', 'real-aws.md'), 'utf8'))],
      [CONFIG_SHAPES_FILE, shapes],
    ]);
  } finally {
    if (saved === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Generated files whose copy in the repository differs from what the code gives now (read from a staged copy). */
export function staleGeneratedFiles(t: Target): Map<string, string> {
  knownProject(t);
  const stage = stageRoot(t);
  try {
    return changedFiles(t.root, generatedFiles(stage, t.project));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function changedFiles(root: string, files: ReadonlyMap<string, string>): Map<string, string> {
  const current = (file: string): string | undefined => (fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : undefined);
  return new Map([...files].filter(([file, content]) => current(file) !== content));
}

// ------------------------------------------------------------------ validate in a staged copy, then write

/** A temporary root: the project copied, every other entry of the repository linked. */
function stageRoot(t: Target): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'scaffold-'));
  for (const entry of fs.readdirSync(t.root)) {
    if (entry !== 'projects') fs.symlinkSync(path.join(t.root, entry), path.join(stage, entry));
  }
  fs.cpSync(projectDir(t), path.join(stage, 'projects', t.project), { recursive: true });
  return stage;
}

/**
 * Plans a change against one staged copy, writes it into a second one (a module once loaded is never read again in
 * the same process, so the checked organisation must be read from paths not loaded before), builds that in real mode
 * (every layer of every account with an id, policy pack included; this build also gives the generated files) and the
 * layers of pending accounts in sandbox mode, and only if all of it passes writes the change and the generated files
 * it alters into `t.root`. Any problem throws before a byte is written there.
 */
function inStage(t: Target, plan: (staged: Target) => ChangeSet): { written: string[]; notes: readonly string[] } {
  const stages: string[] = [];
  const stage = (): string => {
    stages.push(stageRoot(t));
    return stages[stages.length - 1];
  };
  try {
    const change = plan({ root: stage(), project: t.project });
    const checked = stage();
    for (const [file, content] of change.files) {
      fs.mkdirSync(path.dirname(path.join(checked, file)), { recursive: true });
      fs.writeFileSync(path.join(checked, file), content);
    }
    // The real build behind the generated files checks every layer with an account id, policy pack included; the
    // layers of accounts still 'pending' exist only in the sandbox, so they are built there.
    const generated = generatedFiles(checked, t.project);
    const source = readProjectFolder(path.join(checked, 'projects', t.project));
    const pending = Object.entries(source.accounts).filter(([, a]) => a.config.id === PENDING_ACCOUNT_ID)
      .flatMap(([account, a]) => Object.entries(a.layers).filter(([, d]) => (d as { enabled?: boolean }).enabled !== false).map(([layer]) => stackId(t.project, account, layer)));
    if (pending.length > 0) {
      buildApp({ projectsDir: path.join(checked, 'projects'), mode: sandboxMode(checked), outdir: path.join(checked, '.out'), project: t.project, only: new Set(pending) });
    }
    const all = new Map([...change.files, ...changedFiles(t.root, generated)]);
    writeAll(t.root, all);
    return { written: [...all.keys()], notes: change.notes };
  } finally {
    for (const dir of stages) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes every file or none: new folders are built under `<root>/.scaffold-<pid>/` and renamed into place, other
 * files are written next to their target and renamed over it; a failure undoes the renames already done.
 */
export function writeAll(root: string, files: ReadonlyMap<string, string>): void {
  const scratch = path.join(root, `.scaffold-${process.pid}`);
  const moves: { from: string; to: string; original?: string }[] = [];
  const newDirs = new Map<string, string>();
  try {
    for (const [file, content] of files) {
      const target = path.join(root, file);
      let top = target;
      while (!fs.existsSync(path.dirname(top))) top = path.dirname(top);
      if (top !== target) {
        // A folder that does not exist yet: build it in the scratch folder, move it whole.
        if (!newDirs.has(top)) {
          newDirs.set(top, path.join(scratch, String(newDirs.size)));
          moves.push({ from: newDirs.get(top)!, to: top });
        }
        const staged = path.join(newDirs.get(top)!, path.relative(top, target));
        fs.mkdirSync(path.dirname(staged), { recursive: true });
        fs.writeFileSync(staged, content);
      } else {
        const temp = `${target}.scaffold-${process.pid}.tmp`;
        moves.push({ from: temp, to: target, original: fs.existsSync(target) && fs.statSync(target).isFile() ? fs.readFileSync(target, 'utf8') : undefined });
        fs.writeFileSync(temp, content);
      }
    }
    const done: typeof moves = [];
    try {
      for (const move of moves) {
        fs.renameSync(move.from, move.to);
        done.push(move);
      }
    } catch (error) {
      for (const move of done.reverse()) {
        if (move.original !== undefined) fs.writeFileSync(move.to, move.original);
        else fs.rmSync(move.to, { recursive: true, force: true });
      }
      throw error;
    }
  } finally {
    for (const move of moves) if (fs.existsSync(move.from)) fs.rmSync(move.from, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
