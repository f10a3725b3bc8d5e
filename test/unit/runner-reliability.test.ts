/**
 * Issue 17 with the fake executor and fake terraform: destroy never strands a reader, no success over a lock left
 * behind, who holds a lock is said while waiting, a killed terraform has a real reason, a sandbox plan never records
 * into an applied state, switches mean one thing, refusals name the make variables, and drift has a verdict.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defineContract, type AnyContract } from '../../lib/contract';
import type { GraphNode } from '../../lib/graph';
import { modeFromEnv, ModeError, parseSwitch } from '../../lib/mode';
import { ConfigError } from '../../lib/problems';
import { parseCommand, UsageError } from '../../scripts/lib/cli';
import { confirmDestroy, strandedReaders, type Prompt } from '../../scripts/lib/confirm';
import { errorTitles, layerExecutor, type SandboxStates, type Seeder, type TerraformFn } from '../../scripts/lib/layer-executor';
import { LockNotReleasedError } from '../../scripts/lib/sandbox';
import { describeHolder, parseDuration, parseLockInfo, unreleasedLockId, type LockInfo } from '../../scripts/lib/locks';
import { runLayers, selectLayers, type Action, type Executor } from '../../scripts/lib/runner';
import { REAL, SANDBOX, tempDir } from '../helpers';

function node(ref: string, deps: string[] = [], stateful = false): GraphNode {
  const [account, layer] = ref.split('/');
  return { id: `p-${account}-${layer}`, project: 'p', account, accountId: '111111111111', layer, kind: layer, region: 'us-east-1', stateful, dependsOn: deps.map((d) => `p-${d.replace('/', '-')}`) };
}

// Terraform 1.11.4's own words, captured against the sandbox (a lock held by an apply waiting at its prompt; a
// lock replaced while a refresh-only apply held it).
const LOCK_HELD = `
Error: Error acquiring the state lock

Error message: operation error DynamoDB: PutItem, https response error
StatusCode: 400, RequestID:
ZSMB0KR1PWCGMC1Q4DN2NH7MRXHJI5DFKQXAHQYSUJZFPOYKZEAK,
ConditionalCheckFailedException: The conditional request failed
Lock Info:
  ID:        3e23b01a-4d68-9727-54af-b22a64a14ee6
  Path:      fx-work-terraform-backend/work/pend/terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-11-30 13:38:58.113010714 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
`;
const NOT_APPLYABLE = `
Error: Cannot apply non-applyable plan

The given plan is not applyable. If this seems like a bug in Terraform, then
please report it!
`;
const NOT_RELEASED = `
Error: Error releasing the state lock

Error message: lock ID "bf3344ba-0549-a88d-4544-55d9919a033b" does not match
existing lock ("stolen-0000")
Lock Info:
  ID:        stolen-0000
  Path:      fx-work-terraform-backend/work/pend/terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-11-30 13:39:28.907800447 +0000 UTC
  Info:      


Terraform acquires a lock when accessing your state to prevent others
running Terraform to potentially modify the state at the same time. An
error occurred while releasing this lock.
`;
const OWN_LOCK_NOT_RELEASED = `
Error: Error releasing the state lock

Error message: failed to retrieve lock info for lock ID "a1b2c3d4-0000": operation error DynamoDB: GetItem, dial tcp 127.0.0.1:4567: connect: connection refused
`;

describe('destroy never strands a reader', () => {
  // net/vpc is read by apps/db (another account) and net/dns; apps/app reads apps/db.
  const vpc = node('net/vpc');
  const dns = node('net/dns', ['net/vpc']);
  const db = node('apps/db', ['net/vpc'], true);
  const app = node('apps/app', ['apps/db']);
  const graph = [vpc, dns, db, app];
  const quiet = (): void => undefined;
  const noTerminal: Prompt = { ask: async () => undefined };

  it('lists every layer outside the selection, in any account, that reads a selected one', () => {
    expect(strandedReaders(graph, [vpc]).map((s) => [s.reader.id, s.reads.map((r) => r.id)])).toEqual([
      [dns.id, [vpc.id]], [db.id, [vpc.id]],
    ]);
    expect(strandedReaders(graph, selectLayers(graph, { accounts: ['net'], layers: ['vpc'], includeDependents: true }))).toEqual([]);
  });

  it('refuses before asking anything, naming the readers and the make variables that would allow it', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    const decision = await confirmDestroy([vpc], { forceStateful: false, confirm: 'net', graph }, { ask: async (q) => { asked.push(q); return 'net'; } }, (l) => lines.push(l));
    expect(decision.proceed).toBe(false);
    expect(decision.message).toMatch(/INCLUDE_DEPENDENTS=1 \(--include-dependents\)/);
    expect(decision.message).toMatch(/FORCE_ORPHANS=1 \(--force-orphans\)/);
    expect(lines).toContain('  net/dns reads net/vpc');
    expect(lines).toContain('  apps/db reads net/vpc');
    expect(asked).toEqual([]);
  });

  it('goes ahead when the readers are selected too, or with FORCE_ORPHANS, saying who is left reading what', async () => {
    const all = selectLayers(graph, { accounts: ['net'], layers: ['vpc'], includeDependents: true });
    expect(all.map((n) => n.id).sort()).toEqual([app.id, db.id, dns.id, vpc.id].sort());
    expect((await confirmDestroy(all, { forceStateful: true, confirm: 'p', graph }, noTerminal, quiet)).proceed).toBe(true);
    const lines: string[] = [];
    const forced = await confirmDestroy([vpc], { forceStateful: false, forceOrphans: true, confirm: 'net', graph }, noTerminal, (l) => lines.push(l));
    expect(forced.proceed).toBe(true);
    expect(lines[0]).toMatch(/^FORCE_ORPHANS=1: 2 layer\(s\) outside the selection will be left reading a destroyed layer/);
  });

  it('FORCE_ORPHANS comes only from the flag make passes, 1 or 0', () => {
    expect(parseCommand(['destroy', '--force-orphans'], {})).toMatchObject({ forceOrphans: true, forceStateful: false });
    expect(parseCommand(['destroy', '--force-orphans=0'], {})).toMatchObject({ forceOrphans: false });
    expect(parseCommand(['destroy'], { FORCE_ORPHANS: '1', FORCE_STATEFUL: '1' })).toMatchObject({ forceOrphans: false, forceStateful: false });
    expect(() => parseCommand(['destroy', '--force-stateful=yes'], {})).toThrow('FORCE_STATEFUL (--force-stateful) must be 1 or 0, not "yes"');
  });
});

/** A layer folder with an S3 backend, an executor over a scripted terraform, and what it was asked. */
function scripted(
  mode: typeof REAL,
  script: (args: readonly string[], call: number) => { code: number; stdout?: string; stderr?: string; signal?: NodeJS.Signals; killed?: boolean },
  states: Partial<SandboxStates> = {},
  seed: Seeder = async () => false,
) {
  const outdir = tempDir('runner-rel-');
  const up = node('a/up');
  const layer = node('a/layer', ['a/up']);
  for (const n of [up, layer]) {
    fs.mkdirSync(path.join(outdir, 'stacks', n.id), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'stacks', n.id, 'cdk.tf.json'), JSON.stringify({
      terraform: { backend: { s3: { bucket: 'p-a-terraform-backend-111111111111', key: `a/${n.layer}/terraform.tfstate`, dynamodb_table: 'p-a-terraform-backend' } } },
      data: { terraform_remote_state: Object.fromEntries(n.dependsOn.map((d) => [`remote-${d}`, { backend: 's3', config: { bucket: 'p-a-terraform-backend-111111111111', key: `a/${d.slice('p-a-'.length)}/terraform.tfstate` } }])) },
    }));
    // initialised already: init is skipped, so every call below is a command of the action
    fs.mkdirSync(path.join(outdir, 'stacks', n.id, '.terraform'));
    fs.writeFileSync(path.join(outdir, 'stacks', n.id, '.terraform', 'cdktf-init-fingerprint'), JSON.stringify({ backend: true, terraform: JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', n.id, 'cdk.tf.json'), 'utf8')).terraform }));
  }
  const calls: string[] = [];
  const notes: string[] = [];
  const marks: string[] = [];
  const terraform: TerraformFn = async (args) => {
    calls.push(args.join(' '));
    if (args[0] === 'show') return { code: 0, stdout: JSON.stringify({ format_version: '1.2', applyable: true }), stderr: '' };
    const r = script(args, calls.length);
    return { code: r.code, stdout: r.stdout ?? '', stderr: r.stderr ?? '', killed: r.killed, ...(r.signal ? { signal: r.signal } : {}) };
  };
  const fakeStates: SandboxStates = {
    origin: states.origin ?? (async () => 'missing'),
    mark: states.mark ?? (async (l) => { marks.push(`mark ${l.key}`); }),
    forget: states.forget ?? (async (l) => { marks.push(`forget ${l.key}`); }),
    lock: states.lock ?? (async () => undefined),
  };
  const contract = defineContract('up', { id: { description: 'id', mock: 'mock-id' } }) as unknown as AnyContract;
  const execute = layerExecutor({
    // a/reader (never run here) reads the layer, so a sandbox plan of it is recorded (a refresh-only apply)
    outdir, mode, graph: [up, layer, node('a/reader', ['a/layer'])], contracts: new Map([[up.id, contract]]), lockTimeout: '7s', terraform, states: fakeStates,
    seed, onNote: (_id, m) => notes.push(m), stateReader: async () => ({ version: { missing: true }, outputs: {} }),
  });
  const dir = path.join(outdir, 'stacks', layer.id);
  const runOne = (action: Action) => runLayers({ action, nodes: [layer], execute });
  return { calls, notes, marks, dir, runOne, layer, execute };
}

describe('no success over a lock left behind', () => {
  it('a refresh-only apply that is "non-applyable" and could not release its lock fails the layer with the exact force-unlock', async () => {
    const f = scripted(SANDBOX, (args) => (args.includes('-refresh-only') ? { code: 1, stderr: NOT_APPLYABLE + NOT_RELEASED } : { code: 0, stdout: 'Plan: 1 to add, 0 to change, 0 to destroy.' }));
    const report = await f.runOne('plan');
    expect(report.layers[0].result).toBe('failed');
    expect(report.layers[0].reason).toContain(`terraform could not release the state lock stolen-0000; run \`terraform force-unlock stolen-0000\` in ${f.dir}`);
    expect(report.exitCode).toBe(1);
    expect(f.marks).toEqual([]);
  });

  it('in the sandbox the id comes from the lock table; without it, from what terraform printed', async () => {
    const held: LockInfo = { ID: 'from-the-table', Operation: 'OperationTypeApply', Who: 'root@vm', Created: '2026-11-30T13:39:28.9Z' };
    const sandbox = scripted(SANDBOX, (args) => (args.includes('-refresh-only') ? { code: 1, stderr: NOT_APPLYABLE + OWN_LOCK_NOT_RELEASED } : { code: 0 }), { lock: async () => held });
    expect((await sandbox.runOne('plan')).layers[0].reason).toContain('terraform force-unlock from-the-table');
    const real = scripted(REAL, () => ({ code: 1, stderr: OWN_LOCK_NOT_RELEASED }));
    const reason = (await real.runOne('apply')).layers[0].reason!;
    expect(reason).toContain(`run \`terraform force-unlock a1b2c3d4-0000\` in ${real.dir}`);
  });

  it('a command that did its work but could not release the lock is a failure too (exit code 0 or not)', async () => {
    const f = scripted(REAL, () => ({ code: 0, stdout: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.', stderr: NOT_RELEASED }));
    const report = await f.runOne('apply');
    expect(report.layers[0]).toMatchObject({ result: 'failed', add: 1 });
    expect(report.layers[0].reason).toMatch(/^terraform could not release the state lock stolen-0000/);
  });

  it('only "non-applyable" alone is harmless: nothing to record, the layer is done', async () => {
    const f = scripted(SANDBOX, (args) => (args.includes('-refresh-only') ? { code: 1, stderr: NOT_APPLYABLE } : { code: 0 }));
    expect((await f.runOne('plan')).layers[0].result).toBe('done');
    expect(errorTitles(NOT_APPLYABLE + NOT_RELEASED)).toEqual(['Cannot apply non-applyable plan', 'Error releasing the state lock']);
  });
});

describe('a lock the mock seeder could not release', () => {
  it('fails the consumer with the exact force-unlock, in the upstream\'s folder', async () => {
    const f = scripted(SANDBOX, () => ({ code: 0 }), {}, async (_e, location) => {
      throw new LockNotReleasedError(location, 'seeder-lock-1', 'the sandbox does not answer at 127.0.0.1:4567 (connection refused): start it with make sandbox-up');
    });
    const report = await f.runOne('plan');
    expect(report.layers[0].reason).toBe('cannot seed mock outputs for p-a-up: could not release the state lock seeder-lock-1 of p-a-up (the sandbox does not answer ' +
      `at 127.0.0.1:4567 (connection refused): start it with make sandbox-up): run \`terraform force-unlock seeder-lock-1\` in ${path.join(path.dirname(f.dir), 'p-a-up')}`);
    expect(f.calls).toEqual([]); // nothing planned on top of it
  });
});

describe('a held lock is reported while waiting', () => {
  it('says who holds it and since when before waiting the rest of LOCK_TIMEOUT, then goes on', async () => {
    const f = scripted(REAL, (_args, call) => (call === 1 ? { code: 1, stdout: 'Acquiring state lock. This may take a few moments...\n', stderr: LOCK_HELD } : { code: 0, stdout: 'No changes.' }));
    const report = await f.runOne('plan');
    expect(report.layers[0].result).toBe('done');
    expect(f.calls[0]).toContain('-lock-timeout=0s');
    expect(f.calls[1]).toMatch(/-lock-timeout=[1-7]s/);
    expect(f.notes).toEqual(['waiting for lock held by root@vm since 2026-11-30 13:38:58 UTC (apply, 3e23b01a-4d68-9727-54af-b22a64a14ee6), up to 7s']);
  });

  it('when the wait runs out, the layer fails naming the holder and the force-unlock for a dead holder', async () => {
    const f = scripted(REAL, () => ({ code: 1, stderr: LOCK_HELD }));
    const report = await f.runOne('plan');
    expect(f.calls).toHaveLength(2);
    expect(report.layers[0].reason).toContain('state lock held by root@vm since 2026-11-30 13:38:58 UTC (apply, 3e23b01a-4d68-9727-54af-b22a64a14ee6) (waited 7s): ' +
      `if that run is gone, run \`terraform force-unlock 3e23b01a-4d68-9727-54af-b22a64a14ee6\` in ${f.dir}`);
  });

  it('parses terraform lock info and durations', () => {
    expect(parseLockInfo(LOCK_HELD)).toMatchObject({ ID: '3e23b01a-4d68-9727-54af-b22a64a14ee6', Operation: 'OperationTypeApply', Who: 'root@vm' });
    expect(unreleasedLockId(NOT_RELEASED)).toBe('stolen-0000');
    expect(unreleasedLockId(OWN_LOCK_NOT_RELEASED)).toBe('a1b2c3d4-0000');
    expect(describeHolder({ ID: 'x', Operation: 'OperationTypeSeedMocks', Who: 'me@host', Created: '2026-11-30T10:00:00.123Z' })).toBe('me@host since 2026-11-30 10:00:00 UTC (seedmocks, x)');
    expect([parseDuration('5m'), parseDuration('90s'), parseDuration('1h30m'), parseDuration('0s')]).toEqual([300_000, 90_000, 5_400_000, 0]);
    expect(() => parseCommand(['plan'], { LOCK_TIMEOUT: '5 minutes' })).toThrow(UsageError);
  });
});

describe('a killed terraform', () => {
  it('fails with the signal as its reason and the lock it left, with the exact force-unlock (sandbox)', async () => {
    const held: LockInfo = { ID: 'left-by-killed', Operation: 'OperationTypePlan', Who: 'root@vm', Created: '2026-11-30T13:00:00Z' };
    // the sandbox's record (a refresh-only apply) comes first and succeeds; the plan is killed
    const f = scripted(SANDBOX, (args) => (args.includes('-refresh-only') ? { code: 0 } : { code: 1, stdout: 'Refreshing state...', signal: 'SIGKILL' }), { lock: async () => held });
    const reason = (await f.runOne('plan')).layers[0].reason!;
    expect(reason).toMatch(/^terraform plan was killed by SIGKILL after \d+\.\ds; the state lock is still held by root@vm since 2026-11-30 13:00:00 UTC/);
    expect(reason).toContain(`run \`terraform force-unlock left-by-killed\` in ${f.dir}`);
  });

  it('after an interrupt, one that had to be killed says so, and what it left, in its reason and at once', async () => {
    const held: LockInfo = { ID: 'left-after-ctrl-c', Operation: 'OperationTypeApply', Who: 'root@vm', Created: '2026-11-30T13:00:00Z' };
    const controller = new AbortController();
    // apply plans first (guarded), then applies that plan file: the apply is what gets killed here
    const f = scripted(SANDBOX, (args) => {
      if (args[0] !== 'apply') return { code: 0, stdout: 'Plan: 1 to add, 0 to change, 0 to destroy.' };
      controller.abort();
      return { code: 1, killed: true, signal: 'SIGKILL' };
    }, { lock: async () => held });
    const report = await runLayers({ action: 'apply', nodes: [f.layer], execute: f.execute, signal: controller.signal });
    expect(report.exitCode).toBe(130);
    expect(report.layers[0].reason).toMatch(/^interrupted: terraform apply was killed by SIGKILL \(it did not stop within the grace period after the interrupt\)/);
    expect(report.layers[0].reason).toContain('terraform force-unlock left-after-ctrl-c');
    expect(f.notes[0]).toMatch(/^terraform apply was killed by SIGKILL/);
  });

  it('in real mode says where the lock would be instead of guessing an id', async () => {
    const f = scripted(REAL, (args) => (args[0] === 'apply' ? { code: 1, signal: 'SIGKILL' } : { code: 0, stdout: 'Plan: 1 to add, 0 to change, 0 to destroy.' }));
    const reason = (await f.runOne('apply')).layers[0].reason!;
    expect(reason).toMatch(/^terraform apply was killed by SIGKILL/);
    expect(reason).toContain('item LockID p-a-terraform-backend-111111111111/a/layer/terraform.tfstate in DynamoDB table p-a-terraform-backend');
  });
});

describe('a sandbox plan never records into an applied state', () => {
  it('skips the refresh-only apply when an apply wrote the state, records (and marks) otherwise', async () => {
    for (const [origin, recorded] of [['applied', false], ['missing', true], ['sandbox', true], ['empty', true]] as const) {
      const f = scripted(SANDBOX, () => ({ code: 0 }), { origin: async () => origin });
      expect((await f.runOne('plan')).layers[0].result).toBe('done');
      expect(f.calls.some((c) => c.includes('-refresh-only'))).toBe(recorded);
      expect(f.marks).toEqual(recorded ? ['mark a/layer/terraform.tfstate'] : []);
    }
  });

  it('an apply or destroy through the runner makes the state an applied one', async () => {
    for (const action of ['apply', 'destroy'] as const) {
      const f = scripted(SANDBOX, () => ({ code: 0 }));
      await f.runOne(action);
      expect(f.marks).toEqual(['forget a/layer/terraform.tfstate']);
    }
  });
});

describe('switches mean one thing everywhere', () => {
  it('SANDBOX and BOOTSTRAP are exactly 1 or 0; anything else is refused in one line', () => {
    expect(modeFromEnv({ SANDBOX: '1' }, '/x').sandbox).toBeDefined();
    expect(modeFromEnv({ SANDBOX: '0' }, '/x').sandbox).toBeUndefined();
    expect(modeFromEnv({}, '/x').sandbox).toBeUndefined();
    for (const value of ['on', '2', '', 'TRUE', 'true', 'yes']) {
      expect(() => modeFromEnv({ SANDBOX: value }, '/x')).toThrow(`SANDBOX must be 1 or 0, not "${value}" (1: the offline sandbox, 0: real AWS)`);
      expect(() => modeFromEnv({ SANDBOX: value }, '/x')).toThrow(ConfigError); // what main.ts and run.ts print as a line
    }
    expect(() => modeFromEnv({ BOOTSTRAP: 'true' }, '/x')).toThrow(ModeError);
    expect(parseSwitch('X', undefined)).toBeUndefined();
  });

  it('runner switches too: INCLUDE_DEPENDENTS=yes is refused, not read as 1 or as 0', () => {
    expect(parseCommand(['plan'], { INCLUDE_DEPENDENTS: '1', FAIL_FAST: '0' })).toMatchObject({ includeDependents: true, failFast: false });
    expect(parseCommand(['plan'], { AUTO_APPROVE: '' })).toMatchObject({ autoApprove: false }); // make exports unset variables empty
    expect(() => parseCommand(['plan'], { INCLUDE_DEPENDENTS: 'yes' })).toThrow('INCLUDE_DEPENDENTS (--include-dependents) must be 1 or 0, not "yes"');
    expect(() => parseCommand(['apply', '--auto-approve=true'], {})).toThrow(UsageError);
  });

  it("the sandbox's ports come from this checkout's server file unless given explicitly", () => {
    const root = tempDir('mode-root-');
    fs.mkdirSync(path.join(root, '.sandbox'));
    fs.writeFileSync(path.join(root, '.sandbox', 'server.json'), JSON.stringify({ pid: 1, s3Port: 5569, dynamodbPort: 5567 }));
    expect(modeFromEnv({ SANDBOX: '1' }, root).sandbox).toEqual({ s3: 'http://127.0.0.1:5569', dynamodb: 'http://127.0.0.1:5567' });
    expect(modeFromEnv({ SANDBOX: '1', SANDBOX_S3_PORT: '4569', SANDBOX_DYNAMODB_PORT: '4567' }, root).sandbox)
      .toEqual({ s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:4567' });
    expect(modeFromEnv({ SANDBOX: '1' }, tempDir('mode-none-')).sandbox).toEqual({ s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:4567' });
    const elsewhere = tempDir('mode-dir-');
    fs.writeFileSync(path.join(elsewhere, 'server.json'), JSON.stringify({ pid: 1, s3Port: 6001, dynamodbPort: 6002 }));
    expect(modeFromEnv({ SANDBOX: '1', SANDBOX_DIR: elsewhere }, root).sandbox!.s3).toBe('http://127.0.0.1:6001');
  });
});

describe('refusals name what people type, and drift has a verdict', () => {
  it('a refused stateful layer names FORCE_STATEFUL=1', async () => {
    const execute: Executor = async () => ({ ok: true });
    const report = await runLayers({ action: 'destroy', nodes: [node('a/db', [], true)], execute });
    expect(report.layers[0].reason).toBe('stateful layer: kept unless FORCE_STATEFUL=1 (--force-stateful)');
  });

  it('the report of a drift run carries its verdict; other actions have none', async () => {
    const verdict = async (outcomes: Record<string, { ok: boolean; drifted?: boolean }>, action: Action = 'drift') =>
      (await runLayers({ action, nodes: Object.keys(outcomes).map((l) => node(`a/${l}`)), execute: async (n) => outcomes[n.layer] })).verdict;
    expect(await verdict({ x: { ok: true }, y: { ok: true } })).toBe('clean');
    expect(await verdict({ x: { ok: true, drifted: true }, y: { ok: true } })).toBe('drifted');
    expect(await verdict({ x: { ok: true, drifted: true }, y: { ok: false } })).toBe('failed');
    expect(await verdict({ x: { ok: true } }, 'plan')).toBeUndefined();
  });
});
