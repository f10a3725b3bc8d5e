/**
 * Loads `projects/<project>/` (project.ts, one folder per account with account.ts and one file per layer),
 * validates the whole configuration, then constructs the layer stacks. Nothing is synthesized unless every
 * check passes, so a bad config never leaves a half-written cdktf.out behind.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Aspects, type App } from 'cdktf';
import { overlaps, parseCidr, type Cidr } from './cidr';
import type { AccountConfig, LayerDeclaration, ProjectConfig } from './config';
import { configShapes, shapeProblems, type Shape } from './config-shape';
import { CycleError, topologicalOrder, type GraphNode } from './graph';
import { checkIdentityAccounts, isBootstrapKind, keepsLocalState, resolveIdentityConfig, stepOf } from './identity';
import type { LayerKind, LayerStack } from './layer-stack';
import type { LayerContext, Organisation, ResolvedAccount, ResolvedProject } from './model';
import type { Mode } from './mode';
import { backendBucketName, backendLogBucketName, globalNameProblem, stackId } from './naming';
import { PolicyAspect } from './policy/engine';
import { ConfigError, ProblemSink, type ConfigProblem } from './problems';
import { AWS_REGIONS } from './regions';
import { resourceNameProblems } from './resource-names';
import { redactSecrets, secretsIn, type FoundSecret } from './secret-values';
import { accountEmail, awsName, IAM_ROLE_NAME, MAX_TAGS, tagProblems, tagValue } from './validators';

export const DEFAULT_ACCOUNT_ORDER = ['management', 'security', 'shared', 'network'];
const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const ACCOUNT_FILE = 'account.ts';

/**
 * The id of a member account that AWS Organizations has not created yet (`make new-account` without ID=). The
 * organizations layer creates it from its e-mail; its id is known only after that apply. Until it is set:
 * - in the sandbox the account is an ordinary account with an offline id (`sandboxAccountId`), so it plans;
 * - in a real synth it is left out of `org.accounts` (its own layers are not synthesized, no other layer sees it),
 *   except for the layer kind that `createsAccounts`, which sees it with the id `pendingIdMarker(name)`; any stack
 *   that would still contain that marker is refused, so no made-up id ever reaches a real plan or apply.
 */
export const PENDING_ACCOUNT_ID = 'pending';

/**
 * How `make new-layer` writes a value only the user has (a certificate ARN, an add-on version): `<fill in: what>`.
 * A layer still holding one is refused whatever its kind checks, so a placeholder never reaches a plan.
 */
export const PLACEHOLDER_PREFIX = '<fill in: ';

/** Dotted paths of the placeholders left in a layer's config (plain objects and arrays only). */
export function placeholderFields(value: unknown, at = ''): string[] {
  if (typeof value === 'string') return value.startsWith(PLACEHOLDER_PREFIX) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholderFields(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => placeholderFields(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** What a real synth puts where a pending account's id would go; a stack containing it is refused. */
export function pendingIdMarker(account: string): string {
  return `pending-account-id(${account})`;
}

/**
 * The id a pending account has in the sandbox: 12 digits derived from project and account name (stable across
 * runs), skipping any id in `taken`. It never appears in a real synth.
 */
export function sandboxAccountId(project: string, account: string, taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt += 1) {
    const digest = crypto.createHash('sha256').update(`${project}/${account}/${attempt}`).digest();
    const id = (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, '0');
    if (!taken.has(id)) return id;
  }
}

/** The raw files of a project before validation; tests build these in memory. */
export interface ProjectSource {
  readonly project: ProjectConfig;
  /** Account folder name -> account config and its layer files (file name without .ts -> declaration). */
  readonly accounts: Readonly<Record<string, { readonly config: AccountConfig; readonly layers: Readonly<Record<string, unknown>> }>>;
}

/** Reads a project folder. Layer files are `require`d, so their imports of layers/ and modules/ run here. */
export function readProjectFolder(dir: string): ProjectSource {
  const project = defaultExport(path.join(dir, 'project.ts'), 'project.ts') as ProjectConfig;
  const accounts: Record<string, { config: AccountConfig; layers: Record<string, unknown> }> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || !fs.existsSync(path.join(dir, entry.name, ACCOUNT_FILE))) continue;
    const accountDir = path.join(dir, entry.name);
    const layers: Record<string, unknown> = {};
    for (const file of fs.readdirSync(accountDir).sort()) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file === ACCOUNT_FILE) continue;
      layers[file.slice(0, -3)] = defaultExport(path.join(accountDir, file), `${entry.name}/${file}`);
    }
    accounts[entry.name] = { config: defaultExport(path.join(accountDir, ACCOUNT_FILE), `${entry.name}/${ACCOUNT_FILE}`) as AccountConfig, layers };
  }
  return { project, accounts };
}

/**
 * Set when the app runs from its prebuilt bundle (scripts/bundle.js): every project file compiled into the bundle, by
 * absolute path. A project file must come from there, as a `require` of the .ts file would load second copies of lib/,
 * layers/ and modules/ beside the bundled ones.
 */
const BUNDLED_PROJECT_FILES = Symbol.for('cdktf-leverage/bundled-project-files');

function loadFile(file: string, label: string): { default?: unknown } {
  const bundled = (globalThis as { [BUNDLED_PROJECT_FILES]?: ReadonlyMap<string, () => unknown> })[BUNDLED_PROJECT_FILES];
  if (!bundled) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as { default?: unknown };
  }
  const load = bundled.get(file);
  if (!load) throw new Error(`${label} was added after the app bundle was built: run the synth again (it rebuilds the bundle)`);
  return load() as { default?: unknown };
}

function defaultExport(file: string, label: string): unknown {
  const mod = loadFile(file, label);
  if (mod.default === undefined) throw new Error(`${label} has no default export`);
  return mod.default;
}

function isDeclaration(value: unknown): value is LayerDeclaration {
  return typeof value === 'object' && value !== null && typeof (value as LayerDeclaration).kind === 'function' &&
    typeof (value as LayerDeclaration).enabled === 'boolean';
}

/** Validates config and returns the organisation model; throws ConfigError listing every problem. */
export function resolveOrganisation(source: ProjectSource, mode: Mode): Organisation {
  const sink = new ProblemSink();
  const raw = source.project;
  const projectName = typeof raw.name === 'string' ? raw.name : '?';
  const at = { project: projectName };
  const secrets: FoundSecret[] = [];
  // Shapes and secrets first: a wrong type would break the checks below, and a secret must never be echoed.
  let malformed = checkShape(sink, at, raw, configShapes().project);
  checkSecrets(sink, at, raw, secrets);
  for (const [name, { config }] of Object.entries(source.accounts)) {
    malformed = checkShape(sink, { project: projectName, account: name }, config, configShapes().account) || malformed;
    checkSecrets(sink, { project: projectName, account: name }, config, secrets);
  }
  if (malformed) throwProblems(sink, secrets);
  if (!/^[a-z][a-z0-9]{1,11}$/.test(projectName)) {
    sink.report(at, 'name', `"${projectName}" must be 2-12 lowercase letters or digits, starting with a letter (it prefixes every bucket name)`);
  }
  checkRegion(sink, at, 'primaryRegion', raw.primaryRegion);
  if (raw.drRegion !== undefined) {
    checkRegion(sink, at, 'drRegion', raw.drRegion);
    if (raw.drRegion === raw.primaryRegion) sink.report(at, 'drRegion', `must differ from primaryRegion (${raw.primaryRegion})`);
  }
  checkZones(sink, at, 'availabilityZones', raw.availabilityZones ?? {});
  for (const field of ['deployRoleName', 'bootstrapRoleName'] as const) {
    const role = raw[field];
    const bad = role === undefined ? undefined : awsName(role, IAM_ROLE_NAME);
    if (bad) sink.report(at, field, bad);
  }
  checkTags(sink, at, raw.tags ?? {});
  const project: ResolvedProject = {
    ...raw,
    deployRoleName: raw.deployRoleName ?? 'DevOps',
    bootstrapRoleName: raw.bootstrapRoleName ?? 'OrganizationAccountAccessRole',
    ...resolveIdentityConfig(raw, sink, at),
    tags: raw.tags ?? {},
    accountOrder: raw.accountOrder ?? DEFAULT_ACCOUNT_ORDER,
  };

  const accounts = new Map<string, ResolvedAccount>();
  const ids = new Map<string, string>();
  const emails = new Map<string, string>();
  const pending: string[] = [];
  for (const [name, { config, layers }] of Object.entries(source.accounts)) {
    const where = { project: projectName, account: name };
    if (!NAME_PATTERN.test(name)) sink.report(where, 'name', `account folder "${name}" must be lowercase letters, digits and dashes`);
    if (typeof config.id === 'string' && /^\d{12}$/.test(config.id)) {
      // Only the account's own derived names are known here; layers check theirs (LayerStack.globalName).
      for (const bucket of [backendBucketName(projectName, name, config.id), backendLogBucketName(projectName, name, config.id)]) {
        const problem = globalNameProblem('s3-bucket', bucket);
        if (problem) sink.report(where, 'name', `state bucket name ${problem}`);
      }
    }
    if (config.id === PENDING_ACCOUNT_ID) {
      pending.push(name);
    } else if (typeof config.id !== 'string' || !/^\d{12}$/.test(config.id)) {
      sink.report(where, 'id', `"${String(config.id)}" is not a 12-digit AWS account id (or '${PENDING_ACCOUNT_ID}' for an account the organizations layer creates)`);
    } else if (ids.has(config.id)) {
      sink.report(where, 'id', `${config.id} is already the id of account ${ids.get(config.id)}`);
    } else {
      ids.set(config.id, name);
    }
    const badEmail = typeof config.email === 'string' ? accountEmail(config.email) : `"${String(config.email)}" is not an e-mail address`;
    if (badEmail) {
      sink.report(where, 'email', badEmail);
    } else if (emails.has(config.email.toLowerCase())) {
      // Organizations creates (and AWS signs in) each account by its root e-mail: one address, one account.
      sink.report(where, 'email', `${config.email} is already the root e-mail of account ${emails.get(config.email.toLowerCase())}; ` +
        'AWS Organizations needs a different e-mail for every account');
    } else {
      emails.set(config.email.toLowerCase(), name);
    }
    if (config.deployRoleName !== undefined) {
      const bad = awsName(config.deployRoleName, IAM_ROLE_NAME);
      if (bad) sink.report(where, 'deployRoleName', bad);
    }
    checkTags(sink, where, config.tags ?? {}, raw.tags ?? {});
    if (typeof config.environment !== 'string' || !/^[a-z][a-z0-9-]*$/.test(config.environment)) {
      sink.report(where, 'environment', `"${String(config.environment)}" must be a lowercase name such as prd or devstg`);
    } else if (tagValue(config.environment)) {
      sink.report(where, 'environment', `${tagValue(config.environment)} (it is the Environment tag of every resource)`);
    }
    const region = config.region ?? project.primaryRegion;
    if (config.region !== undefined) checkRegion(sink, where, 'region', config.region);
    if (config.availabilityZones) checkZones(sink, where, 'availabilityZones', config.availabilityZones);
    const declared = new Map<string, LayerDeclaration>();
    for (const [layer, declaration] of Object.entries(layers)) {
      if (!NAME_PATTERN.test(layer)) sink.report({ ...where, layer }, 'file', `layer file name "${layer}.ts" must be lowercase letters, digits and dashes`);
      if (!isDeclaration(declaration)) {
        sink.report({ ...where, layer }, 'default export', 'must be defineLayer(<LayerClass>, config)');
        continue;
      }
      declared.set(layer, declaration);
    }
    accounts.set(name, {
      name,
      id: config.id,
      email: config.email,
      environment: config.environment,
      region,
      deployRoleName: config.deployRoleName ?? project.deployRoleName,
      tags: config.tags ?? {},
      availabilityZones: { ...project.availabilityZones, ...(config.availabilityZones ?? {}) },
      layers: declared,
    });
  }
  for (const [i, name] of project.accountOrder.entries()) {
    if (!accounts.has(name) && !DEFAULT_ACCOUNT_ORDER.includes(name)) {
      sink.report(at, `accountOrder[${i}]`, `unknown account "${name}"`);
    }
  }
  const { members, pendingAccounts, creatorAccounts } = placePendingAccounts(accounts, pending, projectName, mode, ids);
  if (pending.length > 0 && !declaresAccountCreator(accounts)) {
    for (const name of pending) {
      sink.report({ project: projectName, account: name }, 'id', `'${PENDING_ACCOUNT_ID}', but no enabled layer of the project creates accounts ` +
        '(organizations): set the 12-digit id of the existing account');
    }
  }
  const org: Organisation = { project, accounts: members, mode, problems: new ProblemSink(), pendingAccounts };
  if (pendingAccounts.size > 0) creatorViews.set(org, { ...org, accounts: creatorAccounts });
  checkIdentityAccounts(org, raw, sink);
  checkLayers(org, sink, secrets);
  for (const account of pendingAccounts.values()) checkLayerSecrets(org, account, sink, secrets);
  if (sink.problems.length > 0) {
    // Layers naming a pending account report it as an unknown account: say why, once per such account.
    for (const name of [...pendingAccounts.keys()].filter((n) => sink.problems.some((p) => p.message.includes(`"${n}"`)))) {
      sink.report({ project: projectName, account: name }, 'id', `'${PENDING_ACCOUNT_ID}': a real synth leaves this account out until ` +
        'its id is set, so a layer that names it finds no such account');
    }
  }
  throwProblems(sink, secrets);
  return org;
}

/** Throws the ConfigError of every problem so far, with each secret found masked wherever a message quotes it. */
function throwProblems(sink: ProblemSink, secrets: readonly FoundSecret[]): void {
  if (sink.problems.length === 0) return;
  const redact = (p: ConfigProblem): ConfigProblem => ({ ...p, field: redactSecrets(p.field, secrets), message: redactSecrets(p.message, secrets) });
  throw new ConfigError(secrets.length > 0 ? sink.problems.map(redact) : sink.problems);
}

type Where = Omit<ConfigProblem, 'field' | 'message'>;

/**
 * Reports keys the config interfaces do not have, values of the wrong type and literals outside their union
 * (lib/config-shape.ts). Returns true when a value has the wrong type, so checks that assume the types must not run.
 */
function checkShape(sink: ProblemSink, where: Where, value: unknown, shape: Shape): boolean {
  const problems = shapeProblems(value, shape);
  for (const p of problems) sink.report(where, p.field, p.message);
  return problems.some((p) => p.kind === 'type');
}

/** Reports every secret recognised by its value (lib/secret-values.ts), masked, and remembers it for redaction. */
function checkSecrets(sink: ProblemSink, where: Where, value: unknown, found: FoundSecret[]): void {
  for (const s of secretsIn(value)) {
    found.push(s);
    sink.report(where, s.field, `looks like ${s.what} (${s.masked}): secrets never go in config, where they would reach cdk.tf.json, ` +
      'plans and state; keep the value in Secrets Manager (a secrets layer and fromSecrets(...), or a secret ARN) and rotate this one');
  }
}

/** Default tags every resource gets from the framework (LayerStack.tags), which project and account tags must not set. */
const FRAMEWORK_TAGS = ['Project', 'Account', 'Environment', 'Layer', 'ManagedBy'];

/**
 * Project or account tags, which become the default tags of every resource: AWS's tag rules, no framework tag, no
 * key twice ignoring case (IAM compares tag keys case-insensitively and refuses both), and room for the resource's own.
 */
function checkTags(sink: ProblemSink, where: Where, tags: Readonly<Record<string, string>>, inherited: Readonly<Record<string, string>> = {}): void {
  for (const p of tagProblems(tags)) sink.report(where, `tags.${p.field}`, p.message);
  const taken = new Map([...FRAMEWORK_TAGS.map((k) => [k.toLowerCase(), 'the framework'] as const),
    ...Object.keys(inherited).map((k) => [k.toLowerCase(), `project tag ${k}`] as const)]);
  for (const key of Object.keys(tags)) {
    const owner = taken.get(key.toLowerCase());
    if (owner === 'the framework') sink.report(where, `tags.${key}`, `is set on every resource by the framework (${FRAMEWORK_TAGS.join(', ')}); choose another key`);
    else if (owner && !Object.prototype.hasOwnProperty.call(inherited, key)) {
      sink.report(where, `tags.${key}`, `differs only in case from ${owner}; IAM compares tag keys ignoring case and refuses both on one role`);
    }
    const seen = Object.keys(tags).filter((k) => k.toLowerCase() === key.toLowerCase());
    if (seen.length > 1 && seen[0] !== key) sink.report(where, `tags.${key}`, `differs only in case from tag ${seen[0]}; IAM refuses both on one role`);
  }
  const total = new Set([...FRAMEWORK_TAGS, ...Object.keys(inherited), ...Object.keys(tags)]).size;
  if (total > MAX_TAGS - 10) {
    sink.report(where, 'tags', `${total} default tags with the framework's ${FRAMEWORK_TAGS.length}; AWS accepts ${MAX_TAGS} per resource and resources ` +
      'add their own (Name, Tier, ...): keep the default tags at 40 or fewer');
  }
}

/** The organisation as a layer that creates accounts sees it in a real synth: pending accounts included. */
const creatorViews = new WeakMap<Organisation, Organisation>();

function declaresAccountCreator(accounts: ReadonlyMap<string, ResolvedAccount>): boolean {
  return [...accounts.values()].some((a) => [...a.layers.values()].some((d) => d.enabled && d.kind.createsAccounts === true));
}

/**
 * Gives each pending account its id for this mode (see PENDING_ACCOUNT_ID) and, in real mode, moves it out of the
 * accounts every layer sees. The declaration order of `accounts` is kept in every map.
 */
function placePendingAccounts(accounts: Map<string, ResolvedAccount>, pending: readonly string[], project: string, mode: Mode, ids: ReadonlyMap<string, string>): {
  members: Map<string, ResolvedAccount>; pendingAccounts: Map<string, ResolvedAccount>; creatorAccounts: Map<string, ResolvedAccount>;
} {
  const taken = new Set(ids.keys());
  const withIds = new Map([...accounts].map(([name, account]) => {
    if (!pending.includes(name)) return [name, account];
    const id = mode.sandbox ? sandboxAccountId(project, name, taken) : pendingIdMarker(name);
    taken.add(id);
    return [name, { ...account, id }];
  }));
  if (mode.sandbox) return { members: withIds, pendingAccounts: new Map(), creatorAccounts: withIds };
  return {
    members: new Map([...withIds].filter(([name]) => !pending.includes(name))),
    pendingAccounts: new Map([...withIds].filter(([name]) => pending.includes(name))),
    creatorAccounts: withIds,
  };
}

function checkRegion(sink: ProblemSink, where: { project: string; account?: string; layer?: string }, field: string, region: unknown): void {
  if (typeof region !== 'string' || region.length === 0) sink.report(where, field, 'is missing');
  else if (!AWS_REGIONS.has(region)) sink.report(where, field, `"${region}" is not an AWS region`);
}

function checkZones(sink: ProblemSink, where: { project: string; account?: string }, field: string, zones: Readonly<Record<string, readonly string[]>>): void {
  for (const [region, names] of Object.entries(zones)) {
    checkRegion(sink, where, `${field}.${region}`, region);
    names.forEach((zone, i) => {
      if (!new RegExp(`^${region}[a-z]$`).test(zone)) {
        sink.report(where, `${field}.${region}[${i}]`, `availability zone "${zone}" is not in region ${region}`);
      }
    });
    if (new Set(names).size !== names.length) sink.report(where, `${field}.${region}`, 'lists an availability zone twice');
  }
}

/** The context a layer is built with; also used to validate it. */
export function layerContext(org: Organisation, account: ResolvedAccount, layer: string, declaration: LayerDeclaration): LayerContext {
  const region = declaration.region ?? account.region;
  return {
    org: (declaration.kind.createsAccounts === true && creatorViews.get(org)) || org,
    account,
    layer,
    region,
    azs: account.availabilityZones[region] ?? [],
    localState: keepsLocalState(org.mode, declaration.kind),
    step: stepOf(org.mode, declaration.kind),
  };
}

/** Secrets in every layer file of an account, enabled or not: a disabled file still holds its value in the repository. */
function checkLayerSecrets(org: Organisation, account: ResolvedAccount, sink: ProblemSink, secrets: FoundSecret[]): void {
  for (const [layer, declaration] of account.layers) checkSecrets(sink, { project: org.project.name, account: account.name, layer }, declaration.config, secrets);
}

function checkLayers(org: Organisation, sink: ProblemSink, secrets: FoundSecret[]): void {
  const claims: { where: { project: string; account: string; layer: string }; field: string; cidr: Cidr; region: string }[] = [];
  for (const account of org.accounts.values()) {
    checkLayerSecrets(org, account, sink, secrets);
    for (const [layer, declaration] of account.layers) {
      if (!declaration.enabled) continue;
      const where = { project: org.project.name, account: account.name, layer };
      const ctx = layerContext(org, account, layer, declaration);
      if (declaration.region !== undefined) checkRegion(sink, where, 'region', declaration.region);
      if (ctx.azs.length === 0) sink.report(where, 'region', `no availabilityZones configured for region ${ctx.region}`);
      const kind = declaration.kind as LayerKind<unknown>;
      const placeholders = new Set(placeholderFields(declaration.config));
      for (const field of placeholders) sink.report(where, field, 'is still the placeholder make new-layer wrote: fill it in');
      // Unknown keys and wrong types first; a config of the wrong types is not handed to the kind's own checks.
      const shaped = shapeProblems(declaration.config, configShapes().kinds[kind.name] ?? '*').filter((p) => !placeholders.has(p.field));
      if (shaped.some((p) => p.kind === 'type')) {
        for (const p of shaped) sink.report(where, p.field, p.message);
        continue;
      }
      const own = kind.validate?.(declaration.config, ctx) ?? [];
      // A field the kind reports itself (an enum it explains, an old name it names the new one for, e.g. preventDestroy
      // now protect) is reported once, in the kind's words.
      for (const p of shaped.filter((x) => !own.some((o) => o.field === x.field))) sink.report(where, p.field, p.message);
      // A placeholder field is reported once, as a placeholder, not again by the kind's own format checks.
      for (const problem of own) {
        if (!placeholders.has(problem.field)) sink.report(where, problem.field, problem.message);
      }
      for (const claim of kind.networks?.(declaration.config, ctx) ?? []) {
        const cidr = parseCidr(claim.cidr);
        if (typeof cidr === 'string') continue; // the kind's own validate reports malformed CIDRs
        const clash = claims.find((c) => overlaps(c.cidr, cidr));
        if (clash) {
          sink.report(where, claim.field, `${cidr.text} (${ctx.region}) overlaps ${clash.cidr.text} of ` +
            `${clash.where.account}/${clash.where.layer} ${clash.field} (${clash.region})`);
        }
        claims.push({ where, field: claim.field, cidr, region: ctx.region });
      }
    }
  }
}

export interface BuildOptions {
  /** Build only these stack ids (the config is still validated whole). @default every enabled layer */
  readonly only?: ReadonlySet<string>;
}

export interface BuiltOrganisation {
  readonly org: Organisation;
  readonly stacks: readonly LayerStack[];
  readonly graph: readonly GraphNode[];
}

export interface PlannedStack {
  readonly id: string;
  readonly account: ResolvedAccount;
  readonly layer: string;
  readonly declaration: LayerDeclaration;
}

/** The stacks buildOrganisation constructs, in its order: every enabled layer (when bootstrapping, the backends only). */
export function plannedStacks(org: Organisation): PlannedStack[] {
  const planned: PlannedStack[] = [];
  for (const account of sortAccounts(org)) {
    for (const [layer, declaration] of account.layers) {
      if (!declaration.enabled) continue;
      if (org.mode.bootstrap && !isBootstrapKind(declaration.kind)) continue;
      planned.push({ id: stackId(org.project.name, account.name, layer), account, layer, declaration });
    }
  }
  return planned;
}

/** Constructs every enabled layer of the organisation into `app`, then checks the reads between them. */
export function buildOrganisation(app: App, org: Organisation, options: BuildOptions = {}): BuiltOrganisation {
  const stacks: LayerStack[] = [];
  const nodes: GraphNode[] = [];
  for (const { id, account, layer, declaration } of plannedStacks(org)) {
    if (options.only && !options.only.has(id)) continue;
    const ctx = layerContext(org, account, layer, declaration);
    const kind = declaration.kind as LayerKind<unknown>;
    const stack = new kind(app, ctx, declaration.config);
    Aspects.of(stack).add(new PolicyAspect()); // per stack: aspects on the App never run
    checkPublished(org, stack, kind);
    stacks.push(stack);
  }
  for (const stack of stacks) {
    const declaration = stack.ctx.account.layers.get(stack.ctx.layer)!;
    const dependsOn = [...stack.reads.values()].map((r) => stackId(org.project.name, r.account, r.layer));
    const reads = Object.fromEntries([...stack.reads.values()].map((r) => [stackId(org.project.name, r.account, r.layer), [...r.outputs].sort()]));
    nodes.push({
      id: stack.node.id,
      project: org.project.name,
      account: stack.ctx.account.name,
      accountId: stack.ctx.account.id,
      layer: stack.ctx.layer,
      kind: declaration.kind.contract?.name ?? declaration.kind.name,
      region: stack.ctx.region,
      stateful: declaration.kind.stateful === true,
      dependsOn: [...new Set(dependsOn)].sort(),
      reads: Object.fromEntries(Object.entries(reads).sort(([a], [b]) => a.localeCompare(b))),
    });
  }
  // Resolved once for both checks below; the policy pack resolves on its own, as constructs may still be added to a built stack.
  const resolved = new Map(stacks.map((s) => [s, s.toTerraform() as Record<string, unknown>]));
  if (org.pendingAccounts.size > 0) refusePendingIds(org, stacks, resolved);
  // Names AWS would refuse or that two layers would both create, over everything built (lib/resource-names.ts).
  for (const p of resourceNameProblems(stacks, (s) => resolved.get(s)!)) org.problems.report({ project: p.project, account: p.account, layer: p.layer }, p.field, p.message);
  org.problems.throwIfAny();
  if (!options.only) {
    try {
      topologicalOrder(nodes);
    } catch (error) {
      if (!(error instanceof CycleError)) throw error;
      throw new ConfigError([{ project: org.project.name, field: 'remote state reads', message: error.message }]);
    }
  }
  // Lets `cdktf deploy 'acme-*'` order stacks too; the runner uses the graph itself.
  const byId = new Map(stacks.map((s) => [s.node.id, s]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      const producer = byId.get(dep);
      if (producer) byId.get(node.id)!.addDependency(producer);
    }
  }
  return { org, stacks, graph: nodes };
}

/** Real mode: a stack that would carry the made-up id of a pending account is refused (see PENDING_ACCOUNT_ID). */
function refusePendingIds(org: Organisation, stacks: readonly LayerStack[], resolved: ReadonlyMap<LayerStack, unknown>): void {
  for (const stack of stacks) {
    const json = JSON.stringify(resolved.get(stack));
    for (const name of org.pendingAccounts.keys()) {
      if (!json.includes(pendingIdMarker(name))) continue;
      org.problems.report({ project: org.project.name, account: stack.ctx.account.name, layer: stack.ctx.layer }, 'account id',
        `needs the id of account ${name}, which AWS Organizations has not created yet (id '${PENDING_ACCOUNT_ID}' in ${name}/${ACCOUNT_FILE}): ` +
        'apply the organizations layer alone first, then set the id it outputs');
    }
  }
}

function checkPublished(org: Organisation, stack: LayerStack, kind: LayerKind<unknown>): void {
  const missing = Object.keys(kind.contract?.outputs ?? {}).filter((name) => !stack.published.has(name));
  if (missing.length > 0) {
    org.problems.report({ project: org.project.name, account: stack.ctx.account.name, layer: stack.ctx.layer },
      'outputs', `does not publish ${missing.join(', ')} of its ${kind.contract!.name} contract`);
  }
}

/** Accounts in the project's run order: the configured ones first, the rest alphabetically. */
export function sortAccounts(org: Organisation): ResolvedAccount[] {
  const rank = (name: string): number => {
    const i = org.project.accountOrder.indexOf(name);
    return i === -1 ? org.project.accountOrder.length : i;
  };
  return [...org.accounts.values()].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
