/**
 * Issue 13 (saved plans applied as reviewed, the replacement guard, chained plans, impact by output) and issue 16 item 3
 * (plans that skip unchanged work) with a fake terraform and fake state objects: what a plan's JSON is read for, what a
 * saved plan records, when it may be applied, when a layer is planned against an upstream's planned outputs, which
 * layers INCLUDE_DEPENDENTS=auto adds, and when terraform does not run at all.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { defineContract, type AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import { readersOf, readsOutput } from '../../lib/graph';
import { isStatefulType, STATEFUL_RESOURCE_TYPES } from '../../lib/stateful-types';
import { parseCommand, UsageError } from '../../scripts/lib/cli';
import { savedPlanLines } from '../../scripts/lib/confirm';
import { autoDependents, outputImpact } from '../../scripts/lib/impact';
import { layerExecutor, type ApplyFrom, type SandboxStates, type TerraformFn } from '../../scripts/lib/layer-executor';
import { EMPTY_PLAN_DIGEST, planDigest, planTextSummary, replacementsOf, summarizePlan, textDisagreement, type PlanJson } from '../../scripts/lib/plan-json';
import { formatSummary, IMPACT_LINES, runLayers, type Action, type Executor, type Outcome, type RunReport } from '../../scripts/lib/runner';
import {
  changedSince, configHash, outputsDigest, plannedStateDocument, PlanStore, plansDir, replacementRefusal, savedPlanRefusal, upstreamRefusal,
  type PlanRecord,
} from '../../scripts/lib/saved-plans';
import {
  cachedStates, credentialsFor, ownStateSource, remoteStateSources, sameVersion, stateSourceOf, type StateSnapshot, type StateSource,
} from '../../scripts/lib/state-reader';
import { synth } from '../../lib/synth';
import { readPlanText } from '../../scripts/lib/terraform';
import { REAL, SANDBOX, tempDir } from '../helpers';

// ---------------------------------------------------------------- fixtures

/** `a/<layer>` → node `p-a-<layer>`; `reads` maps an upstream layer to the outputs read from it. */
function node(layer: string, reads: Record<string, string[]> = {}, account = 'a'): GraphNode {
  const dependsOn = Object.keys(reads).map((l) => (l.includes('/') ? `p-${l.replace('/', '-')}` : `p-${account}-${l}`));
  return {
    id: `p-${account}-${layer}`, project: 'p', account, accountId: '111111111111', layer, kind: layer, region: 'us-east-1', stateful: false, dependsOn,
    reads: Object.fromEntries(Object.entries(reads).map(([l, o]) => [l.includes('/') ? `p-${l.replace('/', '-')}` : `p-${account}-${l}`, o])),
  };
}

const upContract = defineContract('up', {
  vpc_id: { description: 'id', mock: 'vpc-0mock' },
  subnet_ids: { description: 'ids', mock: ['subnet-mock1', 'subnet-mock2'] },
  name: { description: 'name', mock: 'mock-name' },
}) as unknown as AnyContract;

/** A plan's JSON as terraform 1.11 writes it: one resource change and the outputs' changes. */
function planJson(options: { actions?: string[]; type?: string; address?: string; outputs?: Record<string, { after?: unknown; unknown?: boolean; noop?: boolean }> } = {}): PlanJson {
  const outputs = options.outputs ?? {};
  return {
    format_version: '1.2',
    applyable: true,
    resource_changes: [{
      address: options.address ?? 'aws_vpc.main', mode: 'managed', type: options.type ?? 'aws_vpc',
      change: { actions: options.actions ?? ['create'], after: { cidr_block: '10.0.0.0/16' }, after_unknown: { id: true } },
      ...(options.actions?.includes('delete') ? { action_reason: 'replace_because_cannot_update' } : {}),
    }],
    output_changes: Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, {
      actions: o.noop ? ['no-op'] : ['update'], before: 'old', ...(o.unknown ? {} : { after: o.after }), after_unknown: o.unknown === true,
    }])),
    planned_values: {
      outputs: Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, { sensitive: false, ...(o.unknown ? {} : { value: o.after, type: Array.isArray(o.after) ? ['list', 'string'] : 'string' }) }])),
    },
  };
}

/** The text `terraform plan -no-color` prints for `plan`: its counts, drift note and "Changes to Outputs:" section. */
function planText(plan: PlanJson): string {
  const counts = { add: 0, change: 0, destroy: 0 };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    if (rc.change.actions.includes('create')) counts.add += 1;
    if (rc.change.actions.includes('update')) counts.change += 1;
    if (rc.change.actions.includes('delete')) counts.destroy += 1;
  }
  const outputs = Object.entries(plan.output_changes ?? {}).filter(([, c]) => !c.actions.every((a) => a === 'no-op'));
  return [
    ...((plan.resource_drift ?? []).length ? ['Note: Objects have changed outside of Terraform', ''] : []),
    `Plan: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy.`,
    ...(outputs.length ? ['', 'Changes to Outputs:', ...outputs.map(([name, c]) =>
      `  ${c.actions.includes('delete') ? '-' : c.actions.includes('create') ? '+' : '~'} ${name} = ${c.after_unknown === true ? '(known after apply)' : JSON.stringify(c.after)}`)] : []),
    '',
  ].join('\n');
}

interface Call {
  readonly stack: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The cdk.tf.json terraform ran on, read at the time of the call. */
  readonly config: string;
}

/**
 * Stack folders for `nodes` (S3 backend, a terraform_remote_state per dependency), a fake terraform that writes plan
 * files and answers `show -json` from `plans`, and fake state objects.
 */
function harness(nodes: readonly GraphNode[], mode = REAL, options: { applyFrom?: ApplyFrom; allowReplace?: string[]; refresh?: boolean; planJson?: boolean; outdir?: string } = {}) {
  const outdir = options.outdir ?? tempDir('saved-plans-unit-');
  const bucket = 'p-a-terraform-backend-111111111111';
  const writeConfig = (n: GraphNode, extra: Record<string, unknown> = {}): void => {
    const dir = path.join(outdir, 'stacks', n.id);
    fs.mkdirSync(path.join(dir, '.terraform'), { recursive: true });
    const config = {
      terraform: { backend: { s3: { bucket, key: `${n.account}/${n.layer}/terraform.tfstate`, region: 'us-east-1', dynamodb_table: bucket, ...(mode.sandbox ? {} : { assume_role: { role_arn: 'arn:aws:iam::111111111111:role/DevOps' } }) } } },
      data: {
        terraform_remote_state: Object.fromEntries(n.dependsOn.map((d) => [`remote-${d}`, {
          backend: 's3', config: { bucket, key: `${d.split('-')[1]}/${d.split('-').slice(2).join('-')}/terraform.tfstate`, region: 'us-east-1' },
        }])),
      },
      ...extra,
    };
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, '.terraform', 'cdktf-init-fingerprint'), JSON.stringify({ backend: true, terraform: config.terraform }));
  };
  for (const n of nodes) writeConfig(n);
  const calls: Call[] = [];
  const plans = new Map<string, PlanJson>();
  const planOutput = new Map<string, string>();
  const applyOutput = new Map<string, { code: number; stdout?: string; stderr?: string }>();
  const states = new Map<string, StateSnapshot>();
  const reads: string[] = [];
  const stackOf = (cwd: string): string => path.basename(cwd);
  const terraform: TerraformFn = async (args, cwd, opts) => {
    const stack = stackOf(cwd);
    calls.push({ stack, args, cwd, env: opts.env, config: fs.readFileSync(path.join(cwd, 'cdk.tf.json'), 'utf8') });
    await new Promise((r) => setImmediate(r));
    if (args[0] === 'plan') {
      const out = args.find((a) => a.startsWith('-out='))?.slice('-out='.length);
      if (out) fs.writeFileSync(path.isAbsolute(out) ? out : path.join(cwd, out), `binary plan of ${stack}`);
      return { code: 0, stdout: planOutput.get(stack) ?? planText(plans.get(stack) ?? planJson()), stderr: '' };
    }
    if (args[0] === 'show') return { code: 0, stdout: JSON.stringify(plans.get(stack) ?? planJson()), stderr: '' };
    if (args[0] === 'apply' && !args.includes('-refresh-only')) {
      const scripted = applyOutput.get(stack);
      if (scripted) return { stdout: '', stderr: '', ...scripted };
      return { code: 0, stdout: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.', stderr: '' };
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  const stateReader = async (source: StateSource): Promise<StateSnapshot> => {
    reads.push(`${source.bucket}/${source.key}${source.roleArn ? ` as ${source.roleArn}` : ''}`);
    return states.get(source.key) ?? { version: { missing: true }, outputs: {} };
  };
  const sandboxStates: SandboxStates = { origin: async () => 'missing', mark: async () => undefined, forget: async () => undefined, lock: async () => undefined };
  const contracts = new Map<string, AnyContract | undefined>(nodes.map((n) => [n.id, upContract]));
  const execute = (more: { applyFrom?: ApplyFrom; allowReplace?: string[]; refresh?: boolean; planJson?: boolean } = {}): Executor => layerExecutor({
    outdir, mode, graph: nodes, contracts, lockTimeout: '5s', terraform, stateReader, states: sandboxStates, seed: async () => false,
    applyFrom: more.applyFrom ?? options.applyFrom, allowReplace: new Set(more.allowReplace ?? options.allowReplace ?? []), refresh: more.refresh ?? options.refresh,
    planJson: more.planJson ?? options.planJson,
  });
  const run = async (action: Action, selected: readonly GraphNode[], more: { applyFrom?: ApplyFrom; allowReplace?: string[]; refresh?: boolean; planJson?: boolean; auto?: boolean } = {}): Promise<RunReport> => {
    calls.length = 0;
    return runLayers({ action, nodes: selected, execute: execute(more), parallelism: 2, ...(more.auto ? { expand: autoDependents(nodes) } : {}) });
  };
  /** Puts a state object for `layer` (serial bumps the version). */
  const setState = (layer: string, serial: number, outputs: Record<string, unknown>): void => {
    states.set(`a/${layer}/terraform.tfstate`, { version: { serial, lineage: `lineage-${layer}`, etag: `etag-${layer}-${serial}` }, outputs });
  };
  const store = new PlanStore(plansDir(outdir));
  const commands = (stack?: string): string[] => calls.filter((c) => !stack || c.stack === stack).map((c) => `${c.stack}: ${c.args[0]}`);
  return { outdir, calls, plans, planOutput, applyOutput, states, reads, run, setState, store, writeConfig, commands };
}

const result = (r: RunReport): Record<string, string> => Object.fromEntries(r.layers.map((l) => [l.layer, l.result]));
const layer = (r: RunReport, name: string) => r.layers.find((l) => l.layer === name)!;

// ---------------------------------------------------------------- the plan's JSON

describe('what a plan\'s text is read for', () => {
  // As terraform 1.11 prints it (-no-color), abridged: the section ends where its indentation does.
  const TEXT = [
    'Terraform will perform the following actions:',
    '',
    '  # aws_vpc.main will be created',
    '  + resource "aws_vpc" "main" {',
    '      + cidr_block = "10.0.0.0/16"',
    '    }',
    '',
    'Plan: 1 to add, 0 to change, 0 to destroy.',
    '',
    'Changes to Outputs:',
    '  + azs                      = [',
    '      + "us-east-1a",',
    '    ]',
    '  ~ database_subnet_ids      = [',
    '      + (known after apply),',
    '    ]',
    '  + label                    = "(known after apply)"',
    '  - old_name                 = "x" -> null',
    '  + token                    = (sensitive value)',
    '  + vpc_id                   = (known after apply)',
    '',
    '─────────────────────────────────────────────────────────────────────────────',
    '',
    'Saved the plan to: plan.tfplan',
  ].join('\n');

  it('the outputs under "Changes to Outputs:", those unknown until apply, and whether drift is shown', () => {
    expect(readPlanText(TEXT)).toEqual({
      changedOutputs: ['azs', 'database_subnet_ids', 'label', 'old_name', 'token', 'vpc_id'],
      unknownOutputs: ['database_subnet_ids', 'vpc_id'], // a quoted "(known after apply)" is a value; sensitive ones show neither
      driftShown: false,
    });
    expect(readPlanText('Note: Objects have changed outside of Terraform\n\nNo changes.')).toEqual({ changedOutputs: [], unknownOutputs: [], driftShown: true });
  });

  it('settles the record only when nothing is destroyed, no drift is shown and something changes; otherwise the JSON is read', () => {
    const text = readPlanText(TEXT);
    expect(planTextSummary(text, { add: 1, change: 0, destroy: 0 })).toEqual({
      changedOutputs: text.changedOutputs, unknownOutputs: text.unknownOutputs, replacements: [], plannedOutputs: {}, applyable: true, digest: null, drift: 0,
    });
    expect(planTextSummary(text, { add: 1, change: 0, destroy: 1 })).toBeUndefined(); // a replacement to guard, perhaps
    expect(planTextSummary(text, undefined)).toBeUndefined(); // no counts printed
    expect(planTextSummary({ ...text, driftShown: true }, { add: 1, change: 0, destroy: 0 })).toBeUndefined();
    expect(planTextSummary({ changedOutputs: [], unknownOutputs: [], driftShown: false }, { add: 0, change: 0, destroy: 0 })).toBeUndefined(); // an import, a forget
    expect(planTextSummary({ changedOutputs: ['x'], unknownOutputs: [], driftShown: false }, { add: 0, change: 0, destroy: 0 })).toMatchObject({ applyable: true });
  });

  it('is checked against the JSON: changed outputs, and unknown ones except the sensitive', () => {
    const json = summarizePlan(planJson({ outputs: { vpc_id: { unknown: true }, name: { after: 'n' } } }), 's');
    expect(textDisagreement({ changedOutputs: ['name', 'vpc_id'], unknownOutputs: ['vpc_id'] }, json)).toBeUndefined();
    expect(textDisagreement({ changedOutputs: ['vpc_id'], unknownOutputs: ['vpc_id'] }, json)).toBe('changed outputs: text vpc_id, JSON name, vpc_id');
    expect(textDisagreement({ changedOutputs: ['name', 'vpc_id'], unknownOutputs: [] }, json)).toBe('outputs unknown until apply: text none, JSON vpc_id');
    const secret = summarizePlan({ ...planJson({ outputs: { token: { unknown: true } } }), planned_values: { outputs: { token: { sensitive: true } } } }, 's');
    expect(textDisagreement({ changedOutputs: ['token'], unknownOutputs: [] }, secret)).toBeUndefined();
  });
});

describe('what a plan\'s JSON is read for', () => {
  it('changed outputs, the ones unknown until apply, planned values, and stateful replacements only', () => {
    const plan: PlanJson = {
      ...planJson({ outputs: { vpc_id: { unknown: true }, name: { after: 'n2' }, subnet_ids: { after: ['s1'], noop: true } } }),
      resource_changes: [
        { address: 'aws_kms_key.main', mode: 'managed', type: 'aws_kms_key', change: { actions: ['delete', 'create'] }, action_reason: 'replace_because_cannot_update' },
        { address: 'aws_s3_bucket.logs', mode: 'managed', type: 'aws_s3_bucket', change: { actions: ['delete'] }, action_reason: 'delete_because_no_resource_config' },
        { address: 'aws_s3_bucket.kept', mode: 'managed', type: 'aws_s3_bucket', change: { actions: ['forget'] } },
        { address: 'aws_db_instance.db', mode: 'managed', type: 'aws_db_instance', change: { actions: ['update'] } },
        { address: 'aws_iam_role.r', mode: 'managed', type: 'aws_iam_role', change: { actions: ['create', 'delete'] } },
        { address: 'data.aws_s3_bucket.b', mode: 'data', type: 'aws_s3_bucket', change: { actions: ['read'] } },
      ],
    };
    const summary = summarizePlan(plan, 'p-a-up');
    expect(summary.changedOutputs).toEqual(['name', 'vpc_id']);
    expect(summary.unknownOutputs).toEqual(['vpc_id']);
    expect(summary.plannedOutputs).toEqual({ vpc_id: { known: false, sensitive: false }, name: { known: true, value: 'n2', sensitive: false, type: 'string' }, subnet_ids: { known: true, value: ['s1'], sensitive: false, type: ['list', 'string'] } });
    expect(summary.replacements).toEqual([
      { address: 'p-a-up:aws_kms_key.main', type: 'aws_kms_key', action: 'replace', reason: 'replace_because_cannot_update' },
      { address: 'p-a-up:aws_s3_bucket.logs', type: 'aws_s3_bucket', action: 'delete', reason: 'delete_because_no_resource_config' },
    ]);
    // a list with one unknown element is unknown as a whole
    const partial = summarizePlan({ output_changes: { ids: { actions: ['update'], after: ['x', null], after_unknown: [false, true] } }, planned_values: { outputs: { ids: { sensitive: false } } } }, 's');
    expect([partial.unknownOutputs, partial.plannedOutputs.ids.known]).toEqual([['ids'], false]);
  });

  it('counts the managed resources changed outside Terraform (resource_drift) for the report, apart from what the plan does', async () => {
    const drifted: PlanJson = {
      ...planJson(),
      resource_drift: [
        { address: 'aws_security_group.web', mode: 'managed', type: 'aws_security_group', change: { actions: ['update'] } },
        { address: 'aws_s3_bucket.gone', mode: 'managed', type: 'aws_s3_bucket', change: { actions: ['delete'] } },
        { address: 'aws_subnet.same', mode: 'managed', type: 'aws_subnet', change: { actions: ['no-op'] } },
      ],
    };
    expect(summarizePlan(drifted, 's').drift).toBe(2);
    expect(summarizePlan(planJson(), 's').drift).toBe(0);
    expect(planDigest(drifted)).toBe(planDigest(planJson()));
    // the saved plan's record and the layer's report carry it
    const up = node('up');
    const h = harness([up]);
    h.plans.set(up.id, drifted);
    const report = await h.run('plan', [up]);
    expect(layer(report, 'up').drift).toBe(2);
    expect(h.store.get(up.id)!.drift).toBe(2);
  });

  it('the digest is what the plan does: same for the same change whatever the refreshed state, different otherwise', () => {
    const base = planJson({ outputs: { name: { after: 'n2' } } });
    const refreshedDifferently: PlanJson = {
      ...base,
      resource_changes: [...base.resource_changes!.map((rc) => ({ ...rc, change: { ...rc.change, before: { id: 'other' } } })),
        { address: 'aws_subnet.untouched', mode: 'managed', type: 'aws_subnet', change: { actions: ['no-op'], after: { id: 'subnet-1' } } }],
    };
    expect(planDigest(refreshedDifferently)).toBe(planDigest(base));
    expect(planDigest(planJson({ outputs: { name: { after: 'n3' } } }))).not.toBe(planDigest(base));
    expect(planDigest(planJson({ actions: ['delete', 'create'], outputs: { name: { after: 'n2' } } }))).not.toBe(planDigest(base));
    expect(summarizePlan({}, 's').digest).toBe(EMPTY_PLAN_DIGEST);
  });

  it('what counts as stateful is one list, and every type on it is one the AWS provider has', () => {
    const providerLib = path.join(path.dirname(require.resolve('@cdktf/provider-aws/package.json')), 'lib');
    const missing = Object.keys(STATEFUL_RESOURCE_TYPES).filter((t) => !fs.existsSync(path.join(providerLib, t.replace(/^aws_/, '').replace(/_/g, '-'))));
    expect(missing).toEqual([]);
    for (const t of ['aws_s3_bucket', 'aws_kms_key', 'aws_rds_cluster', 'aws_db_instance', 'aws_dynamodb_table', 'aws_elasticache_replication_group', 'aws_route53_zone',
      'aws_organizations_account', 'aws_ecr_repository', 'aws_secretsmanager_secret', 'aws_efs_file_system', 'aws_backup_vault']) expect(isStatefulType(t)).toBe(true);
    expect(isStatefulType('aws_iam_role')).toBe(false);
    expect(replacementsOf(planJson({ actions: ['delete', 'create'], type: 'aws_iam_role' }), 's')).toEqual([]);
  });
});

// ---------------------------------------------------------------- state versions and what a record compares

describe('state versions', () => {
  it('reads the S3 settings terraform uses: the sandbox\'s endpoint and keys, or the role real AWS assumes', async () => {
    const sandbox = stateSourceOf({ bucket: 'b', key: 'k', region: 'eu-west-1', endpoints: { s3: 'http://127.0.0.1:4569' }, use_path_style: true, access_key: 'S3RVER', secret_key: 'S3RVER' })!;
    expect(sandbox).toEqual({ bucket: 'b', key: 'k', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4569', pathStyle: true, accessKey: 'S3RVER', secretKey: 'S3RVER' });
    expect(await credentialsFor(sandbox)).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    const real = stateSourceOf({ bucket: 'b', key: 'k', region: 'us-east-1', assume_role: { role_arn: 'arn:aws:iam::1:role/TerraformStateReader' } })!;
    expect(real).toEqual({ bucket: 'b', key: 'k', region: 'us-east-1', roleArn: 'arn:aws:iam::1:role/TerraformStateReader' });
    expect(typeof (await credentialsFor(real))).toBe('function'); // a provider that assumes the role when asked
    const stack = { terraform: { backend: { s3: { bucket: 'b', key: 'own' } } }, data: { terraform_remote_state: { 'remote-x': { backend: 's3', config: { bucket: 'b', key: 'up' } }, local: { backend: 'local', config: { path: 'x' } } } } };
    expect(ownStateSource(stack)?.key).toBe('own');
    expect([...remoteStateSources(stack).keys()]).toEqual(['remote-x']);
  });

  it('same version: serial and lineage, and ETag and version id where both have them; each object is read once until forgotten', async () => {
    expect(sameVersion({ missing: true }, { missing: true })).toBe(true);
    expect(sameVersion({ serial: 3, lineage: 'l', etag: 'e' }, { serial: 3, lineage: 'l', etag: 'e' })).toBe(true);
    expect(sameVersion({ serial: 3, lineage: 'l', etag: 'e' }, { serial: 3, lineage: 'l', etag: 'f' })).toBe(false);
    expect(sameVersion({ serial: 3, lineage: 'l' }, { serial: 4, lineage: 'l' })).toBe(false);
    expect(sameVersion({ serial: 3, lineage: 'l' }, { missing: true })).toBe(false);
    expect(sameVersion({ serial: 3, lineage: 'l', versionId: 'v1' }, { serial: 3, lineage: 'l', versionId: 'v2' })).toBe(false);
    expect(sameVersion({}, {})).toBe(false); // unreadable (local state): never taken as unchanged
    let reads = 0;
    const cached = cachedStates(async () => { reads += 1; return { version: { serial: reads }, outputs: {} }; });
    const source = { bucket: 'b', key: 'k', region: 'r' };
    await cached.read(source);
    expect((await cached.read(source)).version.serial).toBe(1);
    cached.forget('b', 'k');
    expect((await cached.read(source)).version.serial).toBe(2);
  });

  it('the digest of outputs read covers the names read only, in any order; the config hash covers cdk.tf.json, assets and the lock file', () => {
    expect(outputsDigest({ a: 1, b: 2, c: 3 }, ['b', 'a'])).toBe(outputsDigest({ b: 2, a: 1, c: 99 }, ['a', 'b']));
    expect(outputsDigest({ a: 1 }, ['a', 'gone'])).toBe(outputsDigest({ a: 1, gone: null }, ['a', 'gone']));
    expect(outputsDigest({ a: 1, b: 2 })).not.toBe(outputsDigest({ a: 1, b: 3 }));
    const dir = tempDir('config-hash-');
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), '{}');
    const first = configHash(dir);
    fs.writeFileSync(path.join(dir, 'plan.tfplan'), 'x');
    fs.mkdirSync(path.join(dir, '.terraform'));
    fs.writeFileSync(path.join(dir, '.terraform', 'anything'), 'x');
    expect(configHash(dir)).toBe(first);
    fs.mkdirSync(path.join(dir, 'assets', 'fn'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'assets', 'fn', 'archive.zip'), 'zip1');
    const withAsset = configHash(dir);
    expect(withAsset).not.toBe(first);
    fs.writeFileSync(path.join(dir, 'assets', 'fn', 'archive.zip'), 'zip2');
    expect(configHash(dir)).not.toBe(withAsset);
    fs.writeFileSync(path.join(dir, '.terraform.lock.hcl'), 'provider');
    expect(configHash(dir)).not.toBe(withAsset);
  });

  it('a chained plan reads known planned values as they are and the contract\'s typed mock for unknown ones', () => {
    const summary = summarizePlan(planJson({ outputs: { vpc_id: { unknown: true }, name: { after: 'planned-name' }, subnet_ids: { after: ['s-1'] } } }), 'up');
    const built = plannedStateDocument(summary.plannedOutputs, { vpc_id: 'vpc-0mock', subnet_ids: ['m'], name: 'mock-name' });
    expect(built.mocked).toEqual(['vpc_id']);
    expect(built.values).toEqual({ name: 'planned-name', subnet_ids: ['s-1'], vpc_id: 'vpc-0mock' });
    const doc = JSON.parse(built.document);
    expect(doc).toMatchObject({ version: 4, resources: [] });
    expect(doc.outputs).toEqual({ name: { value: 'planned-name', type: 'string' }, subnet_ids: { value: ['s-1'], type: ['list', 'string'] }, vpc_id: { value: 'vpc-0mock', type: 'string' } });
  });
});

describe('the plan store', () => {
  const record = (stack: string, more: Partial<PlanRecord> = {}): PlanRecord => ({
    stack, plannedAt: '2026-11-30T10:00:00.000Z', mode: 'real', configHash: 'sha256:c', state: { serial: 1, lineage: 'l' }, upstreams: [], speculative: false,
    counts: { add: 1, change: 0, destroy: 0 }, noChanges: false, applyable: true, changedOutputs: [], unknownOutputs: [], replacements: [], planDigest: 'sha256:d', ...more,
  });

  it('keeps one record per layer across runs and deletes a layer\'s files with its record; a broken manifest says what to do', () => {
    const store = new PlanStore(tempDir('store-'));
    store.put(record('x'));
    new PlanStore(store.dir).put(record('y')); // another run of the same checkout
    fs.mkdirSync(store.paths('x').dir, { recursive: true });
    fs.writeFileSync(store.paths('x').planFile, 'p');
    expect(Object.keys(store.read().layers)).toEqual(['x', 'y']);
    store.remove('x');
    expect([store.get('x'), fs.existsSync(store.paths('x').dir), store.get('y')?.stack]).toEqual([undefined, false, 'y']);
    fs.writeFileSync(store.manifestFile, '{');
    expect(() => store.read()).toThrow(/manifest.json is not readable JSON .*: delete it and plan again/);
  });

  it('says why a saved plan no longer stands for a plan now', () => {
    const store = new PlanStore(tempDir('store-'));
    const files = store.paths('x');
    fs.mkdirSync(files.dir, { recursive: true });
    fs.writeFileSync(files.planFile, 'p');
    fs.writeFileSync(files.planJson, '{}');
    const up = { stack: 'up', source: 'state' as const, outputs: ['vpc_id'], digest: 'sha256:1', version: { serial: 1, lineage: 'u' } };
    const r = record('x', { upstreams: [up] });
    const now = { mode: 'real' as const, configHash: 'sha256:c', state: { serial: 1, lineage: 'l' }, upstreams: [up] };
    expect(changedSince(r, now, files)).toBeUndefined();
    expect(changedSince(r, { ...now, upstreams: [{ ...up, version: { serial: 2, lineage: 'u' } }] }, files)).toBeUndefined(); // same outputs read
    expect(changedSince(r, { ...now, configHash: 'sha256:other' }, files)).toBe('its synthesized configuration changed');
    expect(changedSince(r, { ...now, state: { serial: 2, lineage: 'l' } }, files)).toBe('its state changed (serial 1 (lineage l…) → serial 2 (lineage l…))');
    expect(changedSince(r, { ...now, upstreams: [{ ...up, digest: 'sha256:2' }] }, files)).toBe('outputs it reads from up changed');
    expect(changedSince(r, { ...now, upstreams: [{ ...up, source: 'planned', digest: 'sha256:1' }] }, files)).toBe('up has changes its plan would read');
    expect(changedSince(r, { ...now, mode: 'sandbox' }, files)).toBe('it was planned for real AWS');
    fs.rmSync(files.planJson);
    expect(changedSince(r, now, files)).toBe('its saved plan files are gone');
  });

  it('refuses to apply a saved plan that is missing, speculative, for the other mode, of another configuration, or replacing what nobody allowed', () => {
    const store = new PlanStore(tempDir('store-'));
    const files = store.paths('x');
    fs.mkdirSync(files.dir, { recursive: true });
    fs.writeFileSync(files.planFile, 'p');
    const now = { mode: 'real' as const, configHash: 'sha256:c', files };
    const none = new Set<string>();
    const hint = 'make plan ACCOUNT=a LAYER=x';
    expect(savedPlanRefusal(undefined, now, none, hint)).toBe('no saved plan for this layer: make plan ACCOUNT=a LAYER=x first');
    expect(savedPlanRefusal(record('x', { speculative: true, upstreams: [{ stack: 'up', source: 'planned', digest: 'd', mocked: ['vpc_id'] }] }), now, none, hint))
      .toBe('its saved plan is speculative (planned against the planned outputs of up, with vpc_id mocked) and is never applied: apply up first, then re-plan (make plan ACCOUNT=a LAYER=x)');
    expect(savedPlanRefusal(record('x', { mode: 'sandbox' }), now, none, hint)).toBe('its saved plan was made for the sandbox: re-plan (make plan ACCOUNT=a LAYER=x)');
    expect(savedPlanRefusal(record('x'), { ...now, configHash: 'sha256:new' }, none, hint)).toBe('its configuration changed since it was planned (2026-11-30 10:00:00 UTC): re-plan (make plan ACCOUNT=a LAYER=x)');
    const replacing = record('x', { replacements: [{ address: 'x:aws_kms_key.k', type: 'aws_kms_key', action: 'replace' }, { address: 'x:aws_s3_bucket.b', type: 'aws_s3_bucket', action: 'delete' }] });
    expect(savedPlanRefusal(replacing, now, none, hint)).toBe('refusing to replace stateful resources: x:aws_kms_key.k (replace), x:aws_s3_bucket.b (delete); ' +
      'apply only with ALLOW_REPLACE=x:aws_kms_key.k,x:aws_s3_bucket.b (--allow-replace) once that loss is intended');
    expect(savedPlanRefusal(replacing, now, new Set(['x:aws_kms_key.k']), hint)).toMatch(/^refusing to delete stateful resources: x:aws_s3_bucket.b \(delete\)/);
    expect(savedPlanRefusal(replacing, now, new Set(['x:aws_kms_key.k', 'x:aws_s3_bucket.b']), hint)).toBeUndefined();
    expect(replacementRefusal([], none)).toBeUndefined();
    fs.rmSync(files.planFile);
    expect(savedPlanRefusal(record('x'), now, none, hint)).toMatch(/^its saved plan file .*plan.tfplan is gone: re-plan/);
    // an upstream that moved on: refused only when an output the plan read changed
    const up = { stack: 'up', source: 'state' as const, outputs: ['vpc_id'], digest: 'sha256:1', version: { serial: 1, lineage: 'u' } };
    expect(upstreamRefusal(up, { version: { serial: 2, lineage: 'u' }, digest: 'sha256:1' }, hint)).toBeUndefined();
    expect(upstreamRefusal(up, { version: { serial: 2, lineage: 'u' }, digest: 'sha256:2' }, hint))
      .toBe('up changed since this layer was planned (serial 1 (lineage u…) → serial 2 (lineage u…), and the outputs read from it (vpc_id) changed): re-plan (make plan ACCOUNT=a LAYER=x)');
  });
});

// ---------------------------------------------------------------- the executor with a fake terraform

describe('plan: saved with its JSON and what it was made from', () => {
  it('saves the plan file and a record: config hash, own state version, upstream versions and the digest of the outputs read; with PLAN_JSON its JSON', async () => {
    const up = node('up');
    const app = node('app', { up: ['vpc_id'] });
    const h = harness([up, app]);
    h.setState('up', 7, { vpc_id: 'vpc-1', name: 'n' });
    h.setState('app', 3, {});
    h.plans.set(app.id, planJson({ outputs: { url: { after: 'https://x' } } }));
    // by default one terraform process: the plan's text says what the record needs (nothing destroyed, no drift)
    const lean = await h.run('plan', [app]);
    expect(result(lean)).toEqual({ app: 'done' });
    const files = h.store.paths(app.id);
    expect(h.calls.map((c) => c.args.join(' '))).toEqual([`plan -input=false -no-color -lock-timeout=0s -out=${files.planFile}`]);
    expect(fs.existsSync(files.planJson)).toBe(false);
    expect(h.store.get(app.id)).toMatchObject({ counts: { add: 1, change: 0, destroy: 0 }, changedOutputs: ['url'], unknownOutputs: [], replacements: [], applyable: true, planDigest: null });
    expect(layer(lean, 'app').planJson).toBeUndefined();
    expect(layer(lean, 'app').planDigest).toBeUndefined();
    // PLAN_JSON=1 (CI's plan job): the JSON and its digest too
    const report = await h.run('plan', [app], { planJson: true, refresh: true });
    expect(result(report)).toEqual({ app: 'done' });
    expect(h.calls.map((c) => c.args.join(' '))).toEqual([
      `plan -input=false -no-color -lock-timeout=0s -out=${files.planFile}`,
      `show -json -no-color ${files.planFile}`,
    ]);
    expect(JSON.parse(fs.readFileSync(files.planJson, 'utf8'))).toEqual(h.plans.get(app.id));
    const record = h.store.get(app.id)!;
    expect(record.planDigest).toBe(planDigest(h.plans.get(app.id)!));
    expect(record).toMatchObject({
      mode: 'real', configHash: configHash(path.join(h.outdir, 'stacks', app.id)), state: { serial: 3, lineage: 'lineage-app' }, speculative: false,
      counts: { add: 1, change: 0, destroy: 0 }, changedOutputs: ['url'], noChanges: false,
      upstreams: [{ stack: up.id, source: 'state', outputs: ['vpc_id'], digest: outputsDigest({ vpc_id: 'vpc-1' }), version: { serial: 7, lineage: 'lineage-up', etag: 'etag-up-7' } }],
    });
    // real AWS: the state objects are read as the backend and the remote-state read would (own backend role; reader as configured)
    expect(h.reads).toContain('p-a-terraform-backend-111111111111/a/app/terraform.tfstate as arn:aws:iam::111111111111:role/DevOps');
    expect(layer(report, 'app')).toMatchObject({ planFile: path.relative(process.cwd(), files.planFile), planJson: path.relative(process.cwd(), files.planJson), changedOutputs: ['url'], speculative: false });
  });

  it('reads the JSON when the text cannot settle the record: a plan that destroys (the replacement guard), or drift shown', async () => {
    const db = node('db');
    const h = harness([db]);
    h.plans.set(db.id, planJson({ actions: ['delete', 'create'], type: 'aws_db_instance', address: 'aws_db_instance.main' }));
    const report = await h.run('plan', [db]);
    expect(h.commands()).toEqual(['p-a-db: plan', 'p-a-db: show']);
    expect(layer(report, 'db').replacements).toEqual([{ address: 'p-a-db:aws_db_instance.main', type: 'aws_db_instance', action: 'replace', reason: 'replace_because_cannot_update' }]);
    expect(h.store.get(db.id)!.planDigest).toBe(planDigest(h.plans.get(db.id)!));
    h.plans.set(db.id, { ...planJson(), resource_drift: [{ address: 'aws_vpc.main', mode: 'managed', type: 'aws_vpc', change: { actions: ['update'] } }] });
    const drifted = await h.run('plan', [db], { refresh: true });
    expect(h.commands()).toEqual(['p-a-db: plan', 'p-a-db: show']);
    expect(layer(drifted, 'db').drift).toBe(1);
  });

  it('notes where the text and the JSON disagree, and keeps the JSON', async () => {
    const app = node('app');
    const h = harness([app], REAL, { planJson: true });
    h.plans.set(app.id, planJson({ outputs: { url: { after: 'https://x' } } }));
    h.planOutput.set(app.id, 'Plan: 1 to add, 0 to change, 0 to destroy.\n'); // no "Changes to Outputs:" section
    const report = await h.run('plan', [app]);
    expect(layer(report, 'app').changedOutputs).toEqual(['url']);
    expect(fs.readFileSync(layer(report, 'app').log!, 'utf8')).toContain('the plan text and its JSON disagree (changed outputs: text none, JSON url)');
  });

  it('"No changes." writes no JSON and records nothing to apply; a failed plan leaves no saved plan behind', async () => {
    const x = node('x');
    const h = harness([x]);
    h.planOutput.set(x.id, 'No changes. Your infrastructure matches the configuration.');
    await h.run('plan', [x]);
    expect(h.commands()).toEqual(['p-a-x: plan']);
    expect(h.store.get(x.id)).toMatchObject({ noChanges: true, applyable: false, planDigest: EMPTY_PLAN_DIGEST });
    expect(fs.existsSync(h.store.paths(x.id).planJson)).toBe(false);
    h.writeConfig(x, { locals: { changed: true } });
    const broken: TerraformFn = async () => ({ code: 1, stdout: '', stderr: 'Error: boom' });
    const report = await runLayers({ action: 'plan', nodes: [x], execute: layerExecutor({ outdir: h.outdir, mode: REAL, graph: [x], contracts: new Map(), terraform: broken, stateReader: async () => ({ version: { missing: true }, outputs: {} }) }) });
    expect(report.layers[0].result).toBe('failed');
    expect(h.store.get(x.id)).toBeUndefined();
    expect(fs.existsSync(h.store.paths(x.id).dir)).toBe(false);
  });
});

describe('plans that skip unchanged work', () => {
  const up = node('up');
  const app = node('app', { up: ['vpc_id'] });

  it('a layer whose configuration, own state and outputs read are unchanged since its plan is "unchanged", without terraform', async () => {
    const h = harness([up, app]);
    h.setState('up', 1, { vpc_id: 'vpc-1', name: 'n1' });
    h.plans.set(up.id, planJson({ outputs: { vpc_id: { after: 'vpc-1', noop: true } } }));
    const first = await h.run('plan', [up, app]);
    expect(result(first)).toEqual({ up: 'done', app: 'done' });
    const again = await h.run('plan', [up, app]);
    expect(result(again)).toEqual({ up: 'unchanged', app: 'unchanged' });
    expect(h.calls).toEqual([]);
    expect(layer(again, 'app')).toMatchObject({ add: 1, change: 0, destroy: 0, planFile: layer(first, 'app').planFile });
    expect(formatSummary(again)).toContain('2 layers: 2 unchanged;');
    // an output it does not read changes (up applied elsewhere): still unchanged
    h.setState('up', 2, { vpc_id: 'vpc-1', name: 'n2' });
    expect(result(await h.run('plan', [app]))).toEqual({ app: 'unchanged' });
    // REFRESH=1 plans anyway
    expect(result(await h.run('plan', [app], { refresh: true }))).toEqual({ app: 'done' });
    expect(h.commands()).toEqual(['p-a-app: plan']);
    // a saved plan without its JSON is planned again when this run writes every JSON (PLAN_JSON=1)
    expect(result(await h.run('plan', [app], { planJson: true }))).toEqual({ app: 'done' });
    expect(h.commands()).toEqual(['p-a-app: plan', 'p-a-app: show']);
    expect(result(await h.run('plan', [app], { planJson: true }))).toEqual({ app: 'unchanged' });
  });

  it('plans again when the configuration, its own state, or an output it reads changed', async () => {
    const h = harness([up, app]);
    h.setState('up', 1, { vpc_id: 'vpc-1' });
    await h.run('plan', [app]);
    h.setState('up', 2, { vpc_id: 'vpc-2' });
    expect(result(await h.run('plan', [app]))).toEqual({ app: 'done' });
    expect(fs.readFileSync(path.join(h.outdir, 'logs', `${app.id}.plan.log`), 'utf8')).toMatch(/^planning again: outputs it reads from p-a-up changed/);
    h.setState('app', 5, {});
    expect(result(await h.run('plan', [app]))).toEqual({ app: 'done' });
    h.writeConfig(app, { locals: { edited: true } });
    expect(result(await h.run('plan', [app]))).toEqual({ app: 'done' });
    expect(result(await h.run('plan', [app]))).toEqual({ app: 'unchanged' });
    // drift always runs terraform
    await h.run('drift', [app]);
    expect(h.commands()).toEqual(['p-a-app: plan']);
  });
});

describe('chained plans', () => {
  const up = node('up');
  const app = node('app', { up: ['vpc_id', 'subnet_ids'] });
  const namer = node('namer', { up: ['name'] });

  for (const mode of [REAL, SANDBOX]) {
    it(`${mode.sandbox ? 'sandbox' : 'real AWS'}: a consumer of an output its upstream's plan changes is planned against that plan, unknown values mocked, and marked speculative`, async () => {
      const h = harness([up, app, namer], mode);
      h.plans.set(up.id, planJson({ outputs: { vpc_id: { unknown: true }, subnet_ids: { after: ['subnet-planned'] }, name: { after: 'n', noop: true } } }));
      const report = await h.run('plan', [up, app, namer]);
      expect(result(report)).toEqual({ up: 'done', app: 'done', namer: 'done' });
      const plan = h.calls.find((c) => c.stack === app.id && c.args[0] === 'plan')!;
      // in a folder of its own, with the stack's .terraform, reading up from a local file built from up's plan
      const speculativeDir = path.join(h.outdir, 'speculative', app.id);
      expect(plan.cwd).toBe(speculativeDir);
      expect(plan.env).toEqual({ TF_DATA_DIR: path.join(h.outdir, 'stacks', app.id, '.terraform') });
      const block = JSON.parse(plan.config).data.terraform_remote_state[`remote-${up.id}`];
      expect(block).toEqual({ backend: 'local', config: { path: path.join(h.outdir, 'speculative', `${up.id}.planned.tfstate`) } });
      const state = JSON.parse(fs.readFileSync(block.config.path, 'utf8'));
      expect(Object.fromEntries(Object.entries(state.outputs).map(([k, v]) => [k, (v as { value: unknown }).value]))).toEqual({ vpc_id: 'vpc-0mock', subnet_ids: ['subnet-planned'], name: 'n' });
      // up's plan was read from its text; app, chained to it, needed its planned values: show -json ran once, for up,
      // and up's record gained the digest. app's own plan (nothing reads it) was read from its text.
      expect(h.commands().filter((c) => c.endsWith(': show'))).toEqual([`${up.id}: show`]);
      expect(h.calls.find((c) => c.args[0] === 'show')!.cwd).toBe(path.join(h.outdir, 'stacks', up.id));
      expect(h.store.get(up.id)!.planDigest).toBe(planDigest(h.plans.get(up.id)!));
      expect(h.store.get(app.id)!.planDigest).toBeNull();
      // the consumer's log names the command it waited for (docs and npm run bench:plan count commands from the logs)
      expect(fs.readFileSync(layer(report, 'app').log!, 'utf8')).toMatch(new RegExp(`^\\$ terraform show -json -no-color ${h.store.paths(up.id).planFile}$`, 'm'));
      expect(fs.readFileSync(layer(report, 'up').log!, 'utf8')).not.toContain('$ terraform show');
      // the stack folder keeps its S3 read; nothing was written to any backend for it
      expect(JSON.parse(fs.readFileSync(path.join(h.outdir, 'stacks', app.id, 'cdk.tf.json'), 'utf8')).data.terraform_remote_state[`remote-${up.id}`].backend).toBe('s3');
      expect(h.calls.filter((c) => c.stack === app.id && c.args.includes('-refresh-only'))).toEqual([]);
      expect(layer(report, 'app')).toMatchObject({ speculative: true, upstreams: [{ stack: up.id, source: 'planned', outputs: ['subnet_ids', 'vpc_id'], mocked: ['vpc_id'] }] });
      // namer reads only `name`, which up's plan leaves as it is: a normal plan against up's state
      expect(layer(report, 'namer')).toMatchObject({ speculative: false, upstreams: [{ stack: up.id, source: 'state' }] });
      expect(h.calls.find((c) => c.stack === namer.id && c.args[0] === 'plan')!.cwd).toBe(path.join(h.outdir, 'stacks', namer.id));
      expect(formatSummary(report)).toMatch(/a\/app +plan +done +1 +0 +0 +\S+ +speculative\n/);
      // planned again with nothing changed: the chain is the same, so both are unchanged
      expect(result(await h.run('plan', [up, app, namer]))).toEqual({ up: 'unchanged', app: 'unchanged', namer: 'unchanged' });
      // up applied for real: its state is what app reads now, so app is planned against it (not speculative)
      h.setState('up', 1, { vpc_id: 'vpc-real', subnet_ids: ['subnet-real'], name: 'n' });
      h.planOutput.set(up.id, 'No changes. Your infrastructure matches the configuration.');
      const later = await h.run('plan', [up, app]);
      expect(layer(later, 'app')).toMatchObject({ result: 'done', speculative: false });
    });
  }

  it('an upstream outside the run, or one whose plan changes nothing the consumer reads, is read from its state', async () => {
    const h = harness([up, app]);
    h.setState('up', 1, { vpc_id: 'v', subnet_ids: ['s'], name: 'n' });
    expect(layer(await h.run('plan', [app]), 'app').speculative).toBe(false);
    h.plans.set(up.id, planJson({ outputs: { name: { after: 'new-name' } } }));
    const report = await h.run('plan', [up, app], { refresh: true });
    expect(layer(report, 'app').speculative).toBe(false);
  });
});

describe('apply: exactly the saved plan, or a fresh one behind the replacement guard', () => {
  const up = node('up');
  const app = node('app', { up: ['vpc_id'] });
  const saved: ApplyFrom = { kind: 'saved' };

  it('--planned applies the saved plan file itself, then forgets it; refuses without one; a plan of nothing is not applied', async () => {
    const h = harness([up, app]);
    h.setState('up', 1, { vpc_id: 'v' });
    h.planOutput.set(up.id, 'No changes. Your infrastructure matches the configuration.');
    await h.run('plan', [up, app]);
    const report = await h.run('apply', [up, app], { applyFrom: saved });
    expect(result(report)).toEqual({ up: 'done', app: 'done' });
    expect(h.calls.map((c) => `${c.stack}: ${c.args.join(' ')}`)).toEqual([`${app.id}: apply -input=false -no-color -lock-timeout=0s ${h.store.paths(app.id).planFile}`]);
    expect(layer(report, 'app')).toMatchObject({ appliedPlan: 'saved', add: 1 });
    expect(h.store.read().layers).toEqual({});
    const again = await h.run('apply', [app], { applyFrom: saved });
    expect(layer(again, 'app')).toMatchObject({ result: 'refused', reason: 'no saved plan for this layer: make plan ACCOUNT=a LAYER=app first' });
  });

  it('--planned puts back the provider lock file the plan was made with when the stack folder lost it', async () => {
    const h = harness([up]);
    const lock = path.join(h.outdir, 'stacks', up.id, '.terraform.lock.hcl');
    fs.writeFileSync(lock, 'provider "registry.terraform.io/hashicorp/aws" { version = "5.100.0" }\n');
    await h.run('plan', [up]);
    fs.rmSync(lock);
    expect(result(await h.run('apply', [up], { applyFrom: saved }))).toEqual({ up: 'done' });
    expect(fs.readFileSync(lock, 'utf8')).toContain('5.100.0');
  });

  it('--planned refuses a speculative plan, and skips what reads a refused layer', async () => {
    const next = node('next', { app: ['vpc_id'] });
    const h = harness([up, app, next]);
    h.plans.set(up.id, planJson({ outputs: { vpc_id: { unknown: true } } }));
    h.plans.set(app.id, planJson({ outputs: { vpc_id: { after: 'x', noop: true } } }));
    await h.run('plan', [up, app, next]);
    const report = await h.run('apply', [up, app, next], { applyFrom: saved });
    expect(result(report)).toEqual({ up: 'done', app: 'refused', next: 'skipped' });
    expect(layer(report, 'next').reason).toBe('p-a-app was refused');
    expect(report.exitCode).toBe(1);
  });

  it('--planned refuses when an output the plan read changed since, not when only the upstream\'s version did', async () => {
    const h = harness([up, app]);
    h.setState('up', 1, { vpc_id: 'v1', name: 'a' });
    await h.run('plan', [app]);
    h.setState('up', 2, { vpc_id: 'v1', name: 'b' });
    expect(result(await h.run('apply', [app], { applyFrom: saved }))).toEqual({ app: 'done' });
    await h.run('plan', [app]);
    h.setState('up', 3, { vpc_id: 'v2', name: 'b' });
    const report = await h.run('apply', [app], { applyFrom: saved });
    expect(layer(report, 'app').reason).toMatch(/^p-a-up changed since this layer was planned \(serial 2 .* → serial 3 .*, and the outputs read from it \(vpc_id\) changed\): re-plan \(make plan ACCOUNT=a LAYER=app\)$/);
    expect(h.calls).toEqual([]);
  });

  it('--planned says to re-plan when terraform finds the plan stale (the layer\'s own state moved on)', async () => {
    const h = harness([up]);
    await h.run('plan', [up]);
    h.applyOutput.set(up.id, { code: 1, stderr: 'Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.' });
    const report = await h.run('apply', [up], { applyFrom: saved });
    expect(layer(report, 'up').result).toBe('failed');
    expect(layer(report, 'up').reason).toMatch(/^its state changed since it was planned \(.*; terraform: "Saved plan is stale"\): re-plan \(make plan ACCOUNT=a LAYER=up\)\nError: Saved plan is stale/);
  });

  it('a plain apply plans, shows that plan to the guard, and applies it only when no stateful resource is deleted or replaced unless allowed', async () => {
    const h = harness([up]);
    h.plans.set(up.id, planJson({ actions: ['delete', 'create'], type: 'aws_db_instance', address: 'aws_db_instance.main' }));
    const refused = await h.run('apply', [up]);
    expect(layer(refused, 'up')).toMatchObject({ result: 'refused', replacements: [{ address: 'p-a-up:aws_db_instance.main', action: 'replace' }] });
    expect(layer(refused, 'up').reason).toContain('ALLOW_REPLACE=p-a-up:aws_db_instance.main (--allow-replace)');
    expect(h.commands()).toEqual(['p-a-up: plan', 'p-a-up: show']);
    expect(fs.existsSync(path.join(h.outdir, 'stacks', up.id, 'apply.tfplan'))).toBe(false);
    const allowed = await h.run('apply', [up], { allowReplace: ['p-a-up:aws_db_instance.main'] });
    expect(result(allowed)).toEqual({ up: 'done' });
    expect(h.commands()).toEqual(['p-a-up: plan', 'p-a-up: show', 'p-a-up: apply']);
    // a plan of no change is not applied at all
    h.planOutput.set(up.id, 'No changes. Your infrastructure matches the configuration.');
    expect(result(await h.run('apply', [up]))).toEqual({ up: 'done' });
    expect(h.commands()).toEqual(['p-a-up: plan']);
  });

  it('--reviewed (CI): plans again and applies only a plan whose digest equals the reviewed one', async () => {
    const reviewedDir = tempDir('reviewed-');
    // planned without its JSON, a plan has no digest: --reviewed refuses it
    const lean = harness([up], REAL);
    lean.plans.set(up.id, planJson({ outputs: { vpc_id: { after: 'v' } } }));
    await lean.run('plan', [up]);
    const leanDir = tempDir('reviewed-lean-');
    fs.copyFileSync(lean.store.manifestFile, path.join(leanDir, 'manifest.json'));
    const unreviewable = await lean.run('apply', [up], { applyFrom: { kind: 'reviewed', store: new PlanStore(leanDir) } });
    expect(layer(unreviewable, 'up')).toMatchObject({ result: 'refused', reason: expect.stringMatching(/^its reviewed plan has no digest: .*--plan-json/) });
    expect(lean.commands()).toEqual([]);
    // CI's plan job: --plan-json
    const pr = harness([up], REAL, { planJson: true });
    pr.plans.set(up.id, planJson({ outputs: { vpc_id: { after: 'v' } } }));
    await pr.run('plan', [up]);
    fs.copyFileSync(pr.store.manifestFile, path.join(reviewedDir, 'manifest.json')); // the PR's artifact
    const reviewed: ApplyFrom = { kind: 'reviewed', store: new PlanStore(reviewedDir) };
    const main = harness([up, app], REAL);
    main.plans.set(up.id, planJson({ outputs: { vpc_id: { after: 'v' } } }));
    const report = await main.run('apply', [up], { applyFrom: reviewed });
    expect(layer(report, 'up')).toMatchObject({ result: 'done', appliedPlan: 'reviewed' });
    expect(main.commands()).toEqual(['p-a-up: plan', 'p-a-up: show', 'p-a-up: apply']);
    main.plans.set(up.id, planJson({ outputs: { vpc_id: { after: 'other' } } }));
    const differs = await main.run('apply', [up], { applyFrom: reviewed });
    expect(layer(differs, 'up').result).toBe('refused');
    expect(layer(differs, 'up').reason).toMatch(/^the plan now differs from the reviewed plan of .* \(reviewed: 1 to add, 0 to change, 0 to destroy; now: 1 to add, 0 to change, 0 to destroy\): re-plan it in a pull request and review that plan$/);
    expect(main.commands()).toEqual(['p-a-up: plan', 'p-a-up: show']);
    const missing = await main.run('apply', [app], { applyFrom: reviewed });
    expect(layer(missing, 'app').reason).toBe(`no reviewed plan for this layer in ${reviewedDir}: plan it in a pull request first`);
  });

  it('a destroy forgets the saved plan', async () => {
    const h = harness([up]);
    await h.run('plan', [up]);
    await h.run('destroy', [up]);
    expect(h.store.get(up.id)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- impact by output and INCLUDE_DEPENDENTS=auto

describe('impact by output', () => {
  const net = node('network');
  const eks = node('eks', { network: ['private_subnet_ids', 'vpc_id'] });
  const db = node('db', { 'b/network': ['private_subnet_ids'] }, 'c');
  const dns = node('dns', { network: ['vpc_id'] });
  const app = node('app', { eks: ['cluster_name'] });
  const legacy: GraphNode = { ...node('legacy'), dependsOn: ['p-a-network'], reads: undefined };
  const graph = [net, eks, db, dns, app, legacy];

  it('the graph says which outputs each layer reads; without a record every output counts', () => {
    expect(readsOutput(eks, net.id, 'vpc_id')).toBe(true);
    expect(readsOutput(dns, net.id, 'private_subnet_ids')).toBe(false);
    expect(readsOutput(legacy, net.id, 'anything')).toBe(true);
    expect(readersOf(graph, net.id, ['private_subnet_ids']).map((n) => n.layer)).toEqual(['eks', 'legacy']);
  });

  it('lists the readers of each changed output, across accounts, and how many are in the run', () => {
    const graph2 = [net, eks, dns, node('db', { network: ['private_subnet_ids'] }, 'a'), node('db', { 'a/network': ['private_subnet_ids'] }, 'c')];
    const report = { layers: [{ id: net.id, changedOutputs: ['private_subnet_ids'] }, { id: eks.id }] } as unknown as RunReport;
    const impact = outputImpact(report.layers, graph2);
    expect(impact).toEqual([{ stack: net.id, output: 'private_subnet_ids', readers: ['p-a-eks', 'p-a-db', 'p-c-db'], accounts: ['a', 'c'], inRun: ['p-a-eks'] }]);
    const text = formatSummary({ action: 'plan', parallelism: 1, failFast: false, startedAt: '', durationMs: 0, interrupted: false, exitCode: 0, layers: [], impact });
    expect(text).toContain('Changed outputs and the layers that read them:\n  p-a-network: private_subnet_ids changed → 3 layers in 2 accounts (1 in this run; INCLUDE_DEPENDENTS=auto plans the other 2)');
  });

  it('the summary lists the widest impact first and cuts a long list (the report keeps all)', () => {
    const impact = Array.from({ length: IMPACT_LINES + 3 }, (_, i) => ({ stack: net.id, output: `o${i}`, readers: Array.from({ length: i + 1 }, (__, j) => `r${j}`), accounts: ['a'], inRun: [] }));
    const text = formatSummary({ action: 'plan', parallelism: 1, failFast: false, startedAt: '', durationMs: 0, interrupted: false, exitCode: 0, layers: [], impact });
    const lines = text.split('\n').filter((l) => l.includes(' changed → '));
    expect(lines).toHaveLength(IMPACT_LINES);
    expect(lines[0]).toContain(`o${IMPACT_LINES + 2} changed → ${IMPACT_LINES + 3} layers in 1 account`);
    expect(text).toContain('  … and 3 more changed outputs (impact in the run report)');
  });

  it('INCLUDE_DEPENDENTS=auto adds exactly the layers that read a changed output, as the plans come in, transitively', async () => {
    const changes: Record<string, string[]> = { [net.id]: ['private_subnet_ids'], [eks.id]: ['cluster_name'] };
    const order: string[] = [];
    const execute: Executor = async (n): Promise<Outcome> => {
      order.push(n.id);
      await new Promise((r) => setImmediate(r));
      return { ok: true, details: { changedOutputs: changes[n.id] ?? [] } };
    };
    const report = await runLayers({ action: 'plan', nodes: [net], execute, parallelism: 2, expand: autoDependents(graph) });
    expect(report.layers.map((l) => l.id)).toEqual([net.id, eks.id, legacy.id, app.id]);
    expect(order.indexOf(app.id)).toBeGreaterThan(order.indexOf(eks.id));
    expect(report.layers.find((l) => l.id === eks.id)!.addedBy).toEqual({ stack: net.id, outputs: ['private_subnet_ids'] });
    expect(report.layers.find((l) => l.id === app.id)!.addedBy).toEqual({ stack: eks.id, outputs: ['cluster_name'] });
    // dns reads vpc_id only and db reads another account's network: not added
    expect(order).not.toContain(dns.id);
    expect(formatSummary(report)).toContain('reads private_subnet_ids of p-a-network');
  });

  it('a layer added while an upstream of it in the run failed is skipped; one of the run that reads an added layer waits for it', async () => {
    const a = node('a');
    const b = node('b', { a: ['x'] });
    const c = node('c', { b: ['y'], a: ['z'] });
    const execute: Executor = async (n) => (n.id === a.id ? { ok: true, details: { changedOutputs: ['x'] } } : { ok: true });
    const order: string[] = [];
    const report = await runLayers({ action: 'plan', nodes: [a, c], execute: async (n, act, s) => { order.push(n.id); return execute(n, act, s); }, expand: autoDependents([a, b, c]) });
    expect(report.layers.map((l) => [l.layer, l.result])).toEqual([['a', 'done'], ['c', 'done'], ['b', 'done']]);
    expect(order).toEqual([a.id, b.id, c.id]); // c waited for b, which joined after a's plan
    const failing = await runLayers({ action: 'plan', nodes: [a, node('other')], execute: async (n) => (n.id === a.id ? { ok: true, details: { changedOutputs: ['x'] } } : { ok: false, error: 'boom' }), expand: () => [{ node: node('late', { other: ['q'] }), addedBy: { stack: 'p-a-other', outputs: ['q'] } }] });
    expect(failing.layers.find((l) => l.layer === 'late')).toMatchObject({ result: 'skipped', reason: 'p-a-other failed' });
  });
});

// ---------------------------------------------------------------- command line and confirmation

describe('command line', () => {
  it('PLANNED, REVIEWED, REFRESH and INCLUDE_DEPENDENTS=auto; ALLOW_REPLACE only as a flag', () => {
    expect(parseCommand(['apply', '--planned'], {})).toMatchObject({ planned: true, autoDependents: false });
    expect(parseCommand(['apply'], { PLANNED: '1' })).toMatchObject({ planned: true });
    expect(parseCommand(['plan'], { PLANNED: '1' })).toMatchObject({ planned: false }); // PLANNED belongs to apply
    expect(parseCommand(['apply', '--reviewed', 'reviewed/apps'], {})).toMatchObject({ reviewed: 'reviewed/apps' });
    expect(parseCommand(['plan'], { REFRESH: '1' })).toMatchObject({ refresh: true });
    expect(parseCommand(['plan'], { PLAN_JSON: '1' })).toMatchObject({ planJson: true });
    expect(parseCommand(['plan', '--plan-json'], {})).toMatchObject({ planJson: true });
    expect(parseCommand(['apply'], { PLAN_JSON: '1' })).toMatchObject({ planJson: false }); // PLAN_JSON belongs to plan
    expect(() => parseCommand(['apply', '--plan-json'], {})).toThrow('--plan-json is for plan, not apply');
    expect(parseCommand(['plan', '--include-dependents=auto'], {})).toMatchObject({ autoDependents: true, includeDependents: false });
    expect(parseCommand(['apply'], { INCLUDE_DEPENDENTS: 'auto' })).toMatchObject({ autoDependents: true });
    expect(parseCommand(['apply', '--allow-replace', 'acme-apps-prd-databases:aws_rds_cluster.aurora,x:aws_kms_key.k[0]'], {}))
      .toMatchObject({ allowReplace: ['acme-apps-prd-databases:aws_rds_cluster.aurora', 'x:aws_kms_key.k[0]'] });
    expect(parseCommand(['apply'], { ALLOW_REPLACE: 'x:aws_kms_key.k' })).toMatchObject({ allowReplace: [] });
  });

  it('refuses what makes no sense, in one line', () => {
    expect(() => parseCommand(['plan', '--planned'], {})).toThrow(new UsageError('--planned is for apply, not plan'));
    expect(() => parseCommand(['apply', '--refresh'], {})).toThrow('--refresh is for plan, not apply');
    expect(() => parseCommand(['destroy'], { INCLUDE_DEPENDENTS: 'auto' })).toThrow('INCLUDE_DEPENDENTS=auto (--include-dependents=auto) is for plan and apply, not destroy');
    expect(() => parseCommand(['apply', '--planned', '--reviewed', 'x'], {})).toThrow(/choose one/);
    expect(() => parseCommand(['apply', '--planned', '--include-dependents=auto'], {})).toThrow(/INCLUDE_DEPENDENTS=auto picks layers by their new plans/);
    expect(() => parseCommand(['apply', '--allow-replace', 'aws_rds_cluster.aurora'], {})).toThrow('--allow-replace takes <stack>:<resource address>, e.g. acme-apps-prd-databases:aws_rds_cluster.aurora; not aws_rds_cluster.aurora');
    expect(() => parseCommand(['apply'], { PLANNED: 'yes' })).toThrow('PLANNED (--planned) must be 1 or 0, not "yes"');
  });

  it('apply --planned lists what it will apply and what it will refuse before asking', () => {
    const store = new PlanStore(tempDir('store-'));
    const base = { plannedAt: '2026-11-30T10:00:00.000Z', mode: 'real' as const, configHash: 'c', state: {}, upstreams: [], counts: { add: 1, change: 2, destroy: 0 }, noChanges: false, applyable: true, changedOutputs: [], unknownOutputs: [], planDigest: 'd' };
    store.put({ ...base, stack: 'p-a-up', speculative: false, replacements: [{ address: 'p-a-up:aws_kms_key.k', type: 'aws_kms_key', action: 'replace' }] });
    store.put({ ...base, stack: 'p-a-app', speculative: true, replacements: [] });
    const lines = savedPlanLines([node('up'), node('app', { up: ['x'] }), node('other')], (id) => store.get(id), new Set());
    expect(lines).toEqual([
      '  a/up: 1 to add, 2 to change, 0 to destroy (planned 2026-11-30T10:00:00.000Z) [replaces p-a-up:aws_kms_key.k: refused without ALLOW_REPLACE]',
      '  a/app: 1 to add, 2 to change, 0 to destroy (planned 2026-11-30T10:00:00.000Z) [speculative: will be refused]',
      '  a/other: no saved plan (will be refused)',
    ]);
  });
});

describe('make passes the saved-plan switches to the runner', () => {
  const dryRun = (args: string[]): string => {
    const ran = spawnSync('make', ['-n', '--no-print-directory', ...args], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', env: { ...process.env, SANDBOX: '0' } });
    expect(ran.status).toBe(0);
    return ran.stdout.split('\n').find((l) => l.includes('scripts/run.ts'))!;
  };

  it('PLANNED, REVIEWED and ALLOW_REPLACE (quoted) to apply, REFRESH and PLAN_JSON to plan, and nothing to the other target', () => {
    expect(dryRun(['apply', 'SANDBOX=0', 'ACCOUNT=apps', 'PLANNED=1', 'ALLOW_REPLACE=acme-apps-db:aws_kms_key.k["logs"]']))
      .toMatch(/scripts\/run\.ts apply --project acme --account apps +--planned=1 +--allow-replace 'acme-apps-db:aws_kms_key\.k\["logs"\]'$/);
    expect(dryRun(['apply', 'SANDBOX=0', 'REVIEWED=reviewed/apps'])).toMatch(/--reviewed 'reviewed\/apps'/);
    expect(dryRun(['plan', 'SANDBOX=0', 'REFRESH=1', 'PLANNED=1', 'ALLOW_REPLACE=x:y'])).toMatch(/scripts\/run\.ts plan --project acme +--refresh=1 *$/);
    expect(dryRun(['plan', 'SANDBOX=0', 'PLAN_JSON=1'])).toMatch(/scripts\/run\.ts plan --project acme +--plan-json=1$/);
    expect(dryRun(['apply', 'SANDBOX=0', 'PLAN_JSON=1'])).not.toMatch(/--plan-json/);
  });
});

describe('the graph records which outputs each layer reads', () => {
  it('per dependency, from the layers\' own remote(...).get(name) calls, and layers.json carries it', () => {
    const outdir = tempDir('graph-reads-');
    const built = synth({ projectsDir: path.resolve(__dirname, '../../projects'), mode: REAL, project: 'acme', outdir, only: new Set(['acme-apps-devstg-eks', 'acme-apps-devstg-base-network', 'acme-apps-devstg-security']), policy: false });
    const eks = built.graph.find((n) => n.id === 'acme-apps-devstg-eks')!;
    expect(Object.keys(eks.reads!)).toEqual([...eks.dependsOn]);
    expect(eks.reads!['acme-apps-devstg-base-network']).toEqual(expect.arrayContaining(['private_subnet_ids', 'vpc_id']));
    expect(eks.reads!['acme-apps-devstg-base-network']).not.toContain('public_subnet_ids');
    const written = JSON.parse(fs.readFileSync(path.join(outdir, 'layers.json'), 'utf8')).stacks as GraphNode[];
    expect(written.find((n) => n.id === eks.id)!.reads).toEqual(eks.reads);
  });
});
