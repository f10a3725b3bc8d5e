/**
 * The loaded organisation as data: every stack's synthesized Terraform JSON (real mode: providers with assume_role
 * and allowed_account_ids, S3 backends with a role), its account, region, layer, kind and place in the run order,
 * plus the organisation config. Besides this steady synth, the model holds the day-zero sequence (`make
 * bootstrap-org`, lib/bootstrap-plan.ts): each step's stack as the bootstrap synth renders it, in the order the
 * sequence applies them; every step runs before any steady stack. Preflight rules read only this model, so they run
 * the same over an organisation built in memory (lib/preflight/load.ts) and over a small JSON fixture in a test.
 */
import { viewOf } from '../policy/engine';
import { block, blocks, isObject, strings, type JsonObject, type ResourceView, type StackView } from '../policy/model';
import { SERVICE_LINKED_ROLES, serviceLinkedRoleArn } from './tables';

export type Severity = 'error' | 'warning';

/** The families of the preflight; each rule belongs to one. */
export type Family = 'identities' | 'service-grants' | 'cross-account' | 'dns' | 'constraints' | 'ordering' | 'versions';

export const FAMILIES: readonly Family[] = ['identities', 'service-grants', 'cross-account', 'dns', 'constraints', 'ordering', 'versions'];

export interface AccountInfo {
  readonly name: string;
  /** 12-digit account id. */
  readonly id: string;
  readonly email?: string;
  readonly environment?: string;
  /** Home region (state backend). */
  readonly region: string;
  /** Role providers, backends and remote-state reads assume in this account (config). */
  readonly deployRoleName?: string;
}

export interface ProjectInfo {
  readonly name: string;
  readonly primaryRegion: string;
  readonly drRegion?: string;
  /** Role Organizations creates in each member account it creates, used until the deploy roles exist. */
  readonly bootstrapRoleName?: string;
  readonly accounts: readonly AccountInfo[];
}

/** One synthesized stack as the loader (or a fixture) gives it. */
export interface StackInput {
  readonly id: string;
  /** Account name. */
  readonly account: string;
  readonly layer: string;
  /** Layer kind (`security`, `base-network`, ...). @default the layer name */
  readonly kind?: string;
  /** Region of the default provider. @default the account's region */
  readonly region?: string;
  readonly stateful?: boolean;
  /** Stack ids whose outputs this stack reads (the layer graph, `cdktf.out/layers.json`). @default [] */
  readonly dependsOn?: readonly string[];
  /** The synthesized Terraform JSON (`cdk.tf.json`). */
  readonly tf: JsonObject;
}

/** One step of the day-zero sequence and the stack it applies (the bootstrap synth of that layer). */
export interface BootstrapStepInput {
  /** Step id, `<account>/<layer>/<kind>` (`backend-local`, `backend-migrate`, `apply`). */
  readonly step: string;
  /** The stack as this step synthesizes it: local state for `backend-local`, the bootstrap identity throughout. */
  readonly stack: StackInput;
}

export interface OrganisationInput {
  readonly project: ProjectInfo;
  /** The steady synth: every enabled layer through its deploy role. */
  readonly stacks: readonly StackInput[];
  /** The day-zero sequence, in the order it runs; all of it runs before any steady stack. @default [] */
  readonly bootstrap?: readonly BootstrapStepInput[];
  /** Why no day-zero sequence could be planned (e.g. an account without a backend layer). */
  readonly bootstrapError?: string;
  /** The day support windows are judged on, `YYYY-MM-DD`. @default today (UTC) */
  readonly today?: string;
}

/** Where an assumed role is used: a provider block, the backend, or a remote-state read. */
export interface RoleUse {
  readonly roleArn: string;
  /** `provider.aws`, `provider.aws.us_west_2`, `terraform.backend.s3`, `data.terraform_remote_state.x`. */
  readonly address: string;
}

/** A provider, backend or remote-state read without `assume_role`: it acts as the caller's own session. */
export interface CallerUse {
  /** `provider.aws`, `terraform.backend.s3`, `data.terraform_remote_state.x`. */
  readonly address: string;
}

export interface RemoteRead {
  /** `data.terraform_remote_state.<name>` */
  readonly address: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly roleArn?: string;
  /** The stack whose state object this reads, when it is part of the organisation. */
  readonly producer?: StackModel;
}

export interface StackModel {
  readonly id: string;
  readonly account: AccountInfo;
  readonly layer: string;
  readonly kind: string;
  /** Region of the default provider. */
  readonly region: string;
  readonly stateful: boolean;
  readonly dependsOn: readonly string[];
  /** Position in the run order (dependencies first); for a day-zero step, its position in the sequence. */
  readonly order: number;
  /** Every steady stack that is applied before this one is (transitive dependencies); empty for a day-zero step. */
  readonly ancestors: ReadonlySet<string>;
  /** Set on the stacks of the day-zero sequence (bootstrap synth); undefined for the steady synth. */
  readonly step?: { readonly id: string; readonly index: number };
  readonly tf: JsonObject;
  /** The policy pack's view of the same JSON: resources, data sources, provider and backend pseudo resources. */
  readonly view: StackView;
  readonly roleUses: readonly RoleUse[];
  readonly callerUses: readonly CallerUse[];
  readonly remoteReads: ReadonlyMap<string, RemoteRead>;
  /** Output name -> value expression. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Region a resource is created in (its `provider` alias, else the default provider's region). */
  regionOf(resource: ResourceView): string;
}

/** A resource somewhere in the organisation. */
export interface Located {
  readonly stack: StackModel;
  readonly resource: ResourceView;
}

/** What a value resolves to: a resource attribute (possibly in another stack), a literal, or something opaque. */
export type Resolved =
  | { readonly kind: 'resource'; readonly stack: StackModel; readonly resource: ResourceView; readonly attribute: string }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'unknown'; readonly expression: string };

export interface OrgModel {
  readonly project: ProjectInfo;
  /** `YYYY-MM-DD`: the day version support windows are judged on. */
  readonly today: string;
  /** Stacks of the steady synth in run order (dependencies first, ties by account order). */
  readonly stacks: readonly StackModel[];
  /** The day-zero sequence (`make bootstrap-org`): one stack per step, in order; it runs before every steady stack. */
  readonly bootstrap: readonly StackModel[];
  /** Why the day-zero sequence could not be planned, when it could not. */
  readonly bootstrapError?: string;
  stack(id: string): StackModel | undefined;
  account(name: string): AccountInfo | undefined;
  accountById(id: string): AccountInfo | undefined;
  /** Stacks of one account, in run order. */
  stacksOf(accountName: string): readonly StackModel[];
  /** Every resource of these types in the organisation, in run order. */
  resources(...types: string[]): Located[];
  /**
   * True when `earlier` is applied before `later` starts: an earlier step of the day-zero sequence, any day-zero step
   * before a steady stack, or a transitive dependency in the layer graph between steady stacks.
   */
  runsBefore(earlier: StackModel, later: StackModel): boolean;
  /** Follows a value through same-stack references and remote-state outputs to what produces it. */
  resolve(stack: StackModel, value: unknown): Resolved;
}

// ---------------------------------------------------------------------------------------------------------------
// References in Terraform JSON.

const RESOURCE_REF = /^\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([a-z0-9_]+)([^}]*)\}$/;
const REMOTE_REF = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)([^}]*)\}$/;
/** `${element(data.terraform_remote_state.r.outputs.o, 2)}`: one element of a list output (Fn.element with a literal index). */
const REMOTE_ELEMENT = /^\$\{element\(data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+),\s*(\d+)\)\}$/;

/** `${aws_kms_key.x.arn}` -> `{ address: 'aws_kms_key.x', attribute: 'arn' }`; a remote-state output is not matched here. */
export function parseResourceRef(value: unknown): { address: string; attribute: string; rest: string } | undefined {
  if (typeof value !== 'string') return undefined;
  if (REMOTE_REF.test(value)) return undefined;
  const m = RESOURCE_REF.exec(value.trim());
  return m ? { address: m[1], attribute: m[2], rest: m[3] } : undefined;
}

/** `${data.terraform_remote_state.r.outputs.o}` -> `{ name: 'r', output: 'o' }`. */
export function parseRemoteRef(value: unknown): { name: string; output: string; rest: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = REMOTE_REF.exec(value.trim());
  return m ? { name: m[1], output: m[2], rest: m[3] } : undefined;
}

/** Account id of an ARN (`arn:aws:iam::123456789012:role/x` -> 123456789012), else undefined. */
export function arnAccount(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn);
  return m ? m[1] : undefined;
}

/** Region of an ARN (`arn:aws:kms:us-east-1:...`), '' for global services, undefined for a non-ARN. */
export function arnRegion(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):/.exec(arn);
  return m ? m[1] : undefined;
}

/** Role name (without path) and path of an IAM role ARN. */
export function parseRoleArn(arn: string): { accountId: string; path: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
  return m ? { accountId: m[1], path: m[2], name: m[3] } : undefined;
}

export function literalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && !value.includes('${') ? value : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Building the model.

function providerConfigs(tf: JsonObject): JsonObject[] {
  const providers = isObject(tf.provider) ? tf.provider.aws : undefined;
  return Array.isArray(providers) ? providers.filter(isObject) : isObject(providers) ? [providers] : [];
}

function roleOf(config: unknown): string | undefined {
  const role = block(isObject(config) ? config.assume_role : undefined)?.role_arn;
  return typeof role === 'string' ? role : undefined;
}

class Stack implements StackModel {
  readonly kind: string;
  readonly region: string;
  readonly stateful: boolean;
  readonly dependsOn: readonly string[];
  order = 0;
  ancestors: ReadonlySet<string> = new Set();
  readonly step?: { readonly id: string; readonly index: number };
  readonly view: StackView;
  readonly roleUses: RoleUse[] = [];
  readonly callerUses: CallerUse[] = [];
  readonly remoteReads = new Map<string, RemoteRead>();
  readonly outputs: Readonly<Record<string, unknown>>;
  private readonly providerRegions = new Map<string, string>();

  constructor(readonly input: StackInput, readonly account: AccountInfo, step?: { id: string; index: number }) {
    this.step = step;
    if (step) this.order = step.index;
    this.kind = input.kind ?? input.layer;
    this.stateful = input.stateful ?? false;
    this.dependsOn = input.dependsOn ?? [];
    const view = viewOf(input.id, input.tf, { environment: account.environment });
    // Rules ask for resources by type all the time: index them once.
    const byType = new Map<string, ResourceView[]>();
    for (const r of view.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    this.view = { ...view, ofType: (...types) => (types.length === 1 ? byType.get(types[0]) ?? [] : types.flatMap((t) => byType.get(t) ?? [])) };
    let defaultRegion = input.region;
    for (const p of providerConfigs(input.tf)) {
      const alias = typeof p.alias === 'string' ? p.alias : undefined;
      const region = typeof p.region === 'string' ? p.region : undefined;
      if (region) this.providerRegions.set(alias ?? '', region);
      if (!alias && region && !defaultRegion) defaultRegion = region;
      const role = roleOf(p);
      const address = alias ? `provider.aws.${alias}` : 'provider.aws';
      if (role) this.roleUses.push({ roleArn: role, address });
      else this.callerUses.push({ address });
    }
    this.region = defaultRegion ?? account.region;
    if (!this.providerRegions.has('')) this.providerRegions.set('', this.region);
    const backend = isObject(input.tf.terraform) && isObject(input.tf.terraform.backend) ? input.tf.terraform.backend : {};
    for (const [type, config] of Object.entries(backend)) {
      const role = roleOf(config);
      if (role) this.roleUses.push({ roleArn: role, address: `terraform.backend.${type}` });
      else if (type === 's3') this.callerUses.push({ address: `terraform.backend.${type}` }); // a local backend acts as nobody
    }
    const remote = isObject(input.tf.data) && isObject(input.tf.data.terraform_remote_state) ? input.tf.data.terraform_remote_state : {};
    for (const [name, raw] of Object.entries(remote)) {
      const config = isObject(raw) && isObject(raw.config) ? raw.config : {};
      const address = `data.terraform_remote_state.${name}`;
      const roleArn = roleOf(config);
      if (roleArn) this.roleUses.push({ roleArn, address });
      else this.callerUses.push({ address });
      this.remoteReads.set(name, {
        address,
        bucket: typeof config.bucket === 'string' ? config.bucket : undefined,
        key: typeof config.key === 'string' ? config.key : undefined,
        roleArn,
      });
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(isObject(input.tf.output) ? input.tf.output : {})) {
      outputs[name] = isObject(raw) ? raw.value : undefined;
    }
    this.outputs = outputs;
  }

  get id(): string {
    return this.input.id;
  }

  get layer(): string {
    return this.input.layer;
  }

  get tf(): JsonObject {
    return this.input.tf;
  }

  regionOf(resource: ResourceView): string {
    const provider = resource.config.provider;
    if (typeof provider === 'string' && provider.startsWith('aws.')) {
      return this.providerRegions.get(provider.slice(4)) ?? this.region;
    }
    return this.region;
  }
}

/** The stack whose backend writes `bucket`/`key`: a remote-state read's producer. */
function backendKey(tf: JsonObject): string | undefined {
  const backend = isObject(tf.terraform) && isObject(tf.terraform.backend) ? block(tf.terraform.backend.s3) : undefined;
  return backend && typeof backend.bucket === 'string' && typeof backend.key === 'string' ? `${backend.bucket}/${backend.key}` : undefined;
}

export function buildModel(input: OrganisationInput): OrgModel {
  const accounts = new Map(input.project.accounts.map((a) => [a.name, a]));
  const accountsById = new Map(input.project.accounts.map((a) => [a.id, a]));
  const stacks = input.stacks.map((s) => {
    const account = accounts.get(s.account);
    if (!account) throw new Error(`stack ${s.id}: unknown account "${s.account}"`);
    return new Stack(s, account);
  });
  const byId = new Map(stacks.map((s) => [s.id, s]));

  // Run order: dependencies first; ties keep account order then the input order (as the runner does).
  const accountRank = new Map(input.project.accounts.map((a, i) => [a.name, i]));
  const position = new Map(stacks.map((s, i) => [s.id, i]));
  const ordered: Stack[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const rank = (s: Stack) => (accountRank.get(s.account.name) ?? 0) * 100000 + (position.get(s.id) ?? 0);
  const visit = (s: Stack, path: string[]): void => {
    if (state.get(s.id) === 'done') return;
    if (state.get(s.id) === 'visiting') throw new Error(`layer dependency cycle: ${[...path, s.id].join(' -> ')}`);
    state.set(s.id, 'visiting');
    const deps = s.dependsOn.map((d) => byId.get(d)).filter((d): d is Stack => d !== undefined).sort((a, b) => rank(a) - rank(b));
    for (const dep of deps) visit(dep, [...path, s.id]);
    state.set(s.id, 'done');
    ordered.push(s);
  };
  for (const s of [...stacks].sort((a, b) => rank(a) - rank(b))) visit(s, []);
  ordered.forEach((s, i) => {
    s.order = i;
    const ancestors = new Set<string>();
    for (const dep of s.dependsOn) {
      const d = byId.get(dep);
      if (!d) continue;
      ancestors.add(d.id);
      for (const a of d.ancestors) ancestors.add(a);
    }
    s.ancestors = ancestors;
  });

  // The day-zero sequence: its stacks share ids with the steady synth (same layers), so they are kept apart.
  const bootstrap = (input.bootstrap ?? []).map((b, index) => {
    const account = accounts.get(b.stack.account);
    if (!account) throw new Error(`day-zero step ${b.step}: unknown account "${b.stack.account}"`);
    return new Stack(b.stack, account, { id: b.step, index });
  });

  const byBackend = new Map<string, Stack>();
  for (const s of stacks) {
    const key = backendKey(s.tf);
    if (key) byBackend.set(key, s);
  }
  for (const s of [...stacks, ...bootstrap]) {
    for (const [name, read] of s.remoteReads) {
      const producer = read.bucket && read.key ? byBackend.get(`${read.bucket}/${read.key}`) : undefined;
      if (producer) s.remoteReads.set(name, { ...read, producer });
    }
  }

  const byType = new Map<string, Located[]>();
  for (const s of ordered) {
    for (const resource of [...s.view.resources, ...s.view.dataSources]) {
      const type = resource.address.startsWith('data.') ? `data.${resource.type}` : resource.type;
      let list = byType.get(type);
      if (!list) byType.set(type, (list = []));
      list.push({ stack: s, resource });
    }
  }
  const stacksOf = new Map<string, Stack[]>();
  for (const s of ordered) {
    let list = stacksOf.get(s.account.name);
    if (!list) stacksOf.set(s.account.name, (list = []));
    list.push(s);
  }

  return {
    project: input.project,
    today: input.today ?? new Date().toISOString().slice(0, 10),
    stacks: ordered,
    bootstrap,
    bootstrapError: input.bootstrapError,
    stack: (id) => byId.get(id),
    account: (name) => accounts.get(name),
    accountById: (id) => accountsById.get(id),
    stacksOf: (name) => stacksOf.get(name) ?? [],
    resources: (...types) => (types.length === 1 ? byType.get(types[0]) ?? [] : types.flatMap((t) => byType.get(t) ?? []).sort((a, b) => a.stack.order - b.stack.order)),
    runsBefore: (earlier, later) => {
      if (earlier.step) return later.step === undefined || earlier.step.index < later.step.index;
      return later.step === undefined && later.ancestors.has(earlier.id);
    },
    resolve: (stack, value) => resolveValue(stack, value),
  };
}

/** Follows a value through same-stack references and remote-state outputs (whole, `[n]` or `element(…, n)` of a list) to what produces it. */
export function resolveValue(stack: StackModel, value: unknown, depth = 0): Resolved {
  if (typeof value !== 'string') return { kind: 'unknown', expression: JSON.stringify(value) ?? 'undefined' };
  if (!value.includes('${')) return { kind: 'literal', value };
  if (depth > 8) return { kind: 'unknown', expression: value };
  const remote = parseRemoteRef(value);
  if (remote) {
    const producer = stack.remoteReads.get(remote.name)?.producer;
    const index = /^\[(\d+)\]$/.exec(remote.rest);
    if (!producer || (remote.rest !== '' && !index)) return { kind: 'unknown', expression: value };
    const output = producer.outputs[remote.output];
    if (!index) return resolveValue(producer, output, depth + 1);
    // `outputs.o[2]`: an element of a list output whose elements the producer wrote out (Terraform refuses an index past the end).
    const i = Number(index[1]);
    return Array.isArray(output) && i < output.length ? resolveValue(producer, output[i], depth + 1) : { kind: 'unknown', expression: value };
  }
  const element = REMOTE_ELEMENT.exec(value.trim());
  if (element) {
    const producer = stack.remoteReads.get(element[1])?.producer;
    const output = producer?.outputs[element[2]];
    // element() wraps around the list's length, as Terraform's does.
    return producer && Array.isArray(output) && output.length > 0
      ? resolveValue(producer, output[Number(element[3]) % output.length], depth + 1)
      : { kind: 'unknown', expression: value };
  }
  const ref = parseResourceRef(value);
  if (ref && ref.rest === '') {
    const resource = stack.view.byAddress(ref.address);
    if (resource) return { kind: 'resource', stack, resource, attribute: ref.attribute };
  }
  return { kind: 'unknown', expression: value };
}

/**
 * The ARN an IAM principal value stands for: a literal, or the `arn` of a role or service-linked role whose name is
 * known at synth (e.g. a key policy naming `${aws_iam_service_linked_role.x.arn}` or another layer's output of it).
 */
export function principalArn(stack: StackModel, value: string): string | undefined {
  const resolved = resolveValue(stack, value);
  if (resolved.kind === 'literal') return resolved.value;
  if (resolved.kind !== 'resource' || resolved.attribute !== 'arn') return undefined;
  const { resource, stack: owner } = resolved;
  if (resource.type === 'aws_iam_role') {
    const name = literalString(resource.config.name);
    const path = literalString(resource.config.path) ?? '/';
    return name ? `arn:aws:iam::${owner.account.id}:role${path}${name}` : undefined;
  }
  if (resource.type === 'aws_iam_service_linked_role') {
    const spec = SERVICE_LINKED_ROLES.find((s) => s.service === resource.config.aws_service_name);
    const suffix = literalString(resource.config.custom_suffix);
    return spec ? serviceLinkedRoleArn(owner.account.id, suffix ? { ...spec, name: `${spec.name}_${suffix}` } : spec) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers shared by rules.

/** Attribute at a dotted path through nested blocks (`server_side_encryption.kms_key_arn`); every match. */
export function valuesAt(config: JsonObject, path: string): unknown[] {
  let current: unknown[] = [config];
  for (const part of path.split('.')) {
    current = current.flatMap((c) => blocks(c)).map((o) => o[part]).filter((v) => v !== undefined);
  }
  return current.flatMap((v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : [v]));
}

export function depends(resource: ResourceView): string[] {
  return strings(resource.config.depends_on);
}
