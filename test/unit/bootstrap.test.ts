/**
 * The day-zero scheduler (scripts/lib/bootstrap.ts) with fake executors: order, identities per step, progress,
 * resume after a failure, refusal of bootstrapped accounts, one account added later. No terraform here; the
 * integration test runs the real executor against a private sandbox.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { describeIdentity } from '../../lib/identity';
import type { Organisation, ResolvedAccount } from '../../lib/model';
import { resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Identities } from '../../layers/identities';
import { Organizations } from '../../layers/organizations';
import { Security } from '../../layers/security';
import {
  bootstrapPlan, BootstrapUsageError, fileCheckpoint, runBootstrap,
  type BootstrapExecutor, type BootstrapStep, type Checkpoint, type CheckpointStore, type StepOutcome,
} from '../../scripts/lib/bootstrap';
import { account, REAL, source, tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

type Member = { id: string; layers?: Record<string, unknown> };

function org(extra: Record<string, Member> = {}): Organisation {
  const backend = defineLayer(BaseTfBackend, {});
  const security = defineLayer(Security, {});
  const members: Record<string, Member> = { 'apps-prd': { id: '666666666666' }, security: { id: '222222222222' }, ...extra };
  return resolveOrganisation(source({
    management: {
      config: account({ id: '111111111111', environment: 'management' }),
      layers: {
        'base-tf-backend': backend,
        security,
        identities: defineLayer(Identities, {
          instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef', identityStoreId: 'd-0123456789', groups: { devops: 'Platform' }, assignments: {},
        }),
        organizations: defineLayer(Organizations, { accountOus: Object.fromEntries(Object.keys(members).map((m) => [m, 'workloads'])) }),
      },
    },
    ...Object.fromEntries(Object.entries(members).map(([name, m]) => [name, {
      config: account({ id: m.id }),
      layers: m.layers ?? { 'base-tf-backend': backend, security, 'base-network': defineLayer(BaseNetwork, { vpcCidr: `10.${m.id.slice(0, 1)}.0.0/16`, natGateways: 'none' }) },
    }])),
  }, { accountOrder: ['management', 'security', 'apps-prd'] }), REAL);
}

function memoryStore(initial?: Checkpoint): CheckpointStore & { saved: number; current?: Checkpoint } {
  const store = {
    location: 'memory://progress.json',
    saved: 0,
    current: initial ? (JSON.parse(JSON.stringify(initial)) as Checkpoint) : undefined,
    load: () => (store.current ? (JSON.parse(JSON.stringify(store.current)) as Checkpoint) : undefined),
    save: (c: Checkpoint) => { store.current = JSON.parse(JSON.stringify(c)) as Checkpoint; store.saved += 1; },
  };
  return store;
}

/** Records every step it is asked to run; fails the steps listed in `failing` (once each unless `always`). */
function fakeExecutor(options: { failing?: string[]; always?: boolean; inBucket?: string[] } = {}): BootstrapExecutor & { ran: string[] } {
  const failing = new Set(options.failing ?? []);
  const ran: string[] = [];
  return {
    ran,
    backendInBucket: async (a: ResolvedAccount) => (options.inBucket ?? []).includes(a.name),
    run: async (step: BootstrapStep): Promise<StepOutcome> => {
      ran.push(step.id);
      if (failing.has(step.id)) {
        if (!options.always) failing.delete(step.id);
        return { ok: false, message: 'Error: AccessDenied', hint: 'the hint' };
      }
      return { ok: true, message: `did ${step.kind}` };
    },
  };
}

const ALL = [
  'management/base-tf-backend/backend-local', 'management/base-tf-backend/backend-migrate',
  'management/organizations/apply', 'management/organizations/check-account-ids',
  'management/identities/apply', 'management/security/apply',
  'security/base-tf-backend/backend-local', 'security/base-tf-backend/backend-migrate', 'security/security/apply',
  'apps-prd/base-tf-backend/backend-local', 'apps-prd/base-tf-backend/backend-migrate', 'apps-prd/security/apply',
  'management/handover', 'security/handover', 'apps-prd/handover',
];

describe('the day-zero plan', () => {
  it('runs the management account first (backend, organizations, identities, security), then each member backend and security, then the handovers', () => {
    expect(bootstrapPlan(org()).map((s) => s.id)).toEqual(ALL);
  });

  it('acts as the caller in management, as the role Organizations created in members, and hands over to the deploy role', () => {
    const who = Object.fromEntries(bootstrapPlan(org()).map((s) => [s.id, describeIdentity(s.identity)]));
    expect(who['management/organizations/apply']).toBe("the caller's own session (account 111111111111)");
    expect(who['apps-prd/security/apply']).toBe('arn:aws:iam::666666666666:role/OrganizationAccountAccessRole');
    expect(who['apps-prd/handover']).toBe('arn:aws:iam::666666666666:role/DevOps');
    expect(bootstrapPlan(org()).find((s) => s.id === 'apps-prd/handover')!.stacks).toEqual(['test-apps-prd-base-tf-backend', 'test-apps-prd-security']);
  });

  it('covers only the named account (one added later), and applies a backend already in its bucket through it', () => {
    expect(bootstrapPlan(org(), { accounts: ['apps-prd'] }).map((s) => s.id))
      .toEqual(['apps-prd/base-tf-backend/backend-local', 'apps-prd/base-tf-backend/backend-migrate', 'apps-prd/security/apply', 'apps-prd/handover']);
    expect(bootstrapPlan(org(), { accounts: ['apps-prd'], backendInBucket: new Set(['apps-prd']) }).map((s) => s.id))
      .toEqual(['apps-prd/base-tf-backend/apply', 'apps-prd/security/apply', 'apps-prd/handover']);
  });

  it('refuses an unknown account and an account without a state backend layer', () => {
    expect(() => bootstrapPlan(org(), { accounts: ['nope'] })).toThrow(new BootstrapUsageError('unknown account: nope', ['management', 'apps-prd', 'security']));
    const noBackend = org({ data: { id: '777777777777', layers: { security: defineLayer(Security, {}) } } });
    expect(() => bootstrapPlan(noBackend)).toThrow(/account data declares no state backend layer/);
  });
});

describe('running it', () => {
  const run = (executor: BootstrapExecutor, store: CheckpointStore, extra: { accounts?: string[]; force?: boolean; o?: Organisation } = {}) => {
    const lines: string[] = [];
    let clock = 0;
    return runBootstrap({ org: extra.o ?? org(), target: 'sandbox', executor, store, accounts: extra.accounts, force: extra.force, print: (l) => lines.push(l), now: () => (clock += 1000) })
      .then((result) => ({ result, lines }));
  };

  it('prints and records every step, then marks the accounts bootstrapped', async () => {
    const store = memoryStore();
    const executor = fakeExecutor();
    const { result, lines } = await run(executor, store);
    expect(result.exitCode).toBe(0);
    expect(executor.ran).toEqual(ALL);
    expect(lines[0]).toBe('day zero of test (sandbox): management, security, apps-prd; 15 steps');
    expect(lines).toContain('[ 3/15] management/organizations: apply (the organisation, OUs, member accounts with their bootstrap role, SCPs, delegated administrators)');
    expect(lines).toContain("      as the caller's own session (account 111111111111)");
    expect(Object.values(store.current!.run!.steps).every((s) => s.status === 'done')).toBe(true);
    expect(Object.keys(store.current!.bootstrapped)).toEqual(['management', 'security', 'apps-prd']);
    expect(store.saved).toBeGreaterThanOrEqual(ALL.length + 2); // after every step
  });

  it('stops at a failed step with its hint, and a second run continues exactly there', async () => {
    const store = memoryStore();
    const executor = fakeExecutor({ failing: ['security/security/apply'] });
    const first = await run(executor, store);
    expect(first.result.exitCode).toBe(1);
    expect(executor.ran).toEqual(ALL.slice(0, ALL.indexOf('security/security/apply') + 1));
    expect(first.lines).toEqual(expect.arrayContaining(['      Error: AccessDenied', '      the hint',
      'Fix the cause and run make bootstrap-org again: it continues at this step (progress: memory://progress.json).']));
    expect(store.current!.run!.steps['security/security/apply']).toMatchObject({ status: 'failed', message: 'Error: AccessDenied' });

    executor.ran.length = 0;
    const second = await run(executor, store);
    expect(second.result.exitCode).toBe(0);
    expect(second.lines[0]).toMatch(/^resuming the sandbox run started .* \(8 step\(s\) done; progress in memory:\/\/progress\.json\)$/);
    expect(executor.ran).toEqual(ALL.slice(ALL.indexOf('security/security/apply')));
    expect(second.result.ran).toEqual(executor.ran);
  });

  it('refuses accounts that are already bootstrapped (in the bucket, or by a finished run) unless forced', async () => {
    const inBucket = fakeExecutor({ inBucket: ['apps-prd'] });
    const refused = await run(inBucket, memoryStore());
    expect(refused.result).toMatchObject({ exitCode: 1, refused: ['apps-prd'] });
    expect(inBucket.ran).toEqual([]);
    expect(refused.lines[0]).toBe('refusing: already bootstrapped: apps-prd (its backend state is in its bucket).');

    const store = memoryStore();
    await run(fakeExecutor(), store);
    const again = fakeExecutor();
    expect((await run(again, store)).result.refused).toEqual(['management', 'security', 'apps-prd']);
    expect(again.ran).toEqual([]);

    const forced = await run(again, store, { force: true, accounts: ['apps-prd'] });
    expect(forced.result.exitCode).toBe(0);
    // its backend is applied through the bucket it already has: no local state, no migration
    expect(again.ran).toEqual(['apps-prd/base-tf-backend/apply', 'apps-prd/security/apply', 'apps-prd/handover']);
  });

  it('bootstraps an account added later without touching, or refusing for, the accounts done before', async () => {
    const store = memoryStore();
    await run(fakeExecutor(), store);
    const later = org({ 'data-science': { id: '777777777777' } });
    const executor = fakeExecutor();
    const { result } = await run(executor, store, { accounts: ['data-science'], o: later });
    expect(result.exitCode).toBe(0);
    expect(executor.ran).toEqual(['data-science/base-tf-backend/backend-local', 'data-science/base-tf-backend/backend-migrate', 'data-science/security/apply', 'data-science/handover']);
    expect(Object.keys(store.current!.bootstrapped)).toEqual(['management', 'security', 'apps-prd', 'data-science']);
  });

  it('never mixes a sandbox checkpoint with a real run, nor two projects', async () => {
    const store = memoryStore({ version: 1, project: 'test', target: 'real', bootstrapped: {} });
    await expect(run(fakeExecutor(), store)).rejects.toThrow('memory://progress.json records a real run of project test, not a sandbox run of test: use another BOOTSTRAP_DIR');
  });

  it('keeps the checkpoint in a JSON file replaced whole', () => {
    const file = path.join(tempDir('progress-'), 'sub', 'progress.json');
    const store = fileCheckpoint(file);
    expect(store.load()).toBeUndefined();
    const checkpoint: Checkpoint = { version: 1, project: 'p', target: 'sandbox', bootstrapped: { a: 'x' } };
    store.save(checkpoint);
    expect(store.load()).toEqual(checkpoint);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['progress.json']);
  });
});

describe('the command line', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', './scripts/register.js', 'scripts/bootstrap-org.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, SANDBOX: '1', BOOTSTRAP_DIR: tempDir('bootstrap-cli-'), ACCOUNT: '', FORCE: '' },
  });

  it('prints the plan of one account with --dry-run', () => {
    const result = cli('--project', 'acme', '--account', 'apps-prd', '--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '1. apps-prd/base-tf-backend: create the state bucket, lock table and key with local state',
      '2. apps-prd/base-tf-backend: move its local state into the bucket it created (terraform init -migrate-state)',
      '3. apps-prd/security: apply (deploy, state-reader, CI and people roles, keys, account baseline)',
      '4. apps-prd: plan base-tf-backend, security through the deploy role (every later run uses it)',
    ]);
  });

  it('answers a usage error with one line and exit 2', () => {
    for (const args of [['--bogus'], ['--project', 'acme', '--account', 'nope', '--dry-run'], ['--project']]) {
      const result = cli(...args);
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^bootstrap: /);
    }
  });
});
