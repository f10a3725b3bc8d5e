/**
 * The day-zero sequence with real terraform against a private sandbox: the management account and one member account,
 * interrupted by a failure and resumed, the backends' real local state files migrated into their sandbox buckets,
 * no lock left behind, and a second run refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Mode } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { fileCheckpoint, runBootstrap, type BootstrapExecutor } from '../../scripts/lib/bootstrap';
import { bootstrapExecutor } from '../../scripts/lib/bootstrap-executor';
import { heldLocks, readStateObject } from '../../scripts/lib/sandbox';
import { tempDir } from '../helpers';
import { PROJECTS, sandboxEnv, type SandboxEnv } from './sandbox-env';

jest.setTimeout(10 * 60 * 1000);

let env: SandboxEnv;
beforeAll(async () => { env = await sandboxEnv(); });
afterAll(async () => { await env?.sandbox.stop(); });

const ACCOUNTS = ['management', 'apps-prd'];

it('runs day zero of management and apps-prd, resumes after a failure, migrates the local states and then refuses to run again', async () => {
  const dir = tempDir('day-zero-');
  const mode: Mode = { ...env.mode, bootstrapStateDir: dir };
  const org = resolveOrganisation(readProjectFolder(path.join(PROJECTS, 'acme')), mode);
  const real = bootstrapExecutor({ org, projectsDir: PROJECTS, mode, outdir: path.join(dir, 'cdktf.out'), logDir: path.join(dir, 'logs'), lockTimeout: '60s' });
  // The member backend's migration fails once, as if the network dropped: the run must stop there and resume there.
  let failOnce = true;
  const flaky: BootstrapExecutor = {
    backendInBucket: (a) => real.backendInBucket(a),
    run: async (step) => {
      if (step.id === 'apps-prd/base-tf-backend/backend-migrate' && failOnce) {
        failOnce = false;
        return { ok: false, message: 'Error: connection reset', hint: 'retry' };
      }
      return real.run(step);
    },
  };
  const store = fileCheckpoint(path.join(dir, 'progress.json'));
  const lines: string[] = [];
  const run = () => runBootstrap({ org, target: 'sandbox', accounts: ACCOUNTS, executor: flaky, store, print: (l) => lines.push(l) });

  const first = await run();
  expect(first.exitCode).toBe(1);
  expect(first.ran[first.ran.length - 1]).toBe('apps-prd/base-tf-backend/backend-migrate');
  const failedAt = first.ran.length - 1;

  const second = await run();
  expect({ code: second.exitCode, output: second.exitCode === 0 ? '' : lines.join('\n') }).toEqual({ code: 0, output: '' });
  expect(second.ran).toEqual(second.steps.slice(failedAt).map((s) => s.id));
  expect(Object.values(store.load()!.run!.steps).every((s) => s.status === 'done')).toBe(true);

  for (const account of ACCOUNTS) {
    // a real state file, written by terraform, moved into the account's bucket at the derived key
    const local = JSON.parse(fs.readFileSync(path.join(dir, `acme-${account}-base-tf-backend.tfstate`), 'utf8'));
    expect(local).toMatchObject({ version: 4, terraform_version: '1.11.4' });
    const migrated = JSON.parse((await readStateObject(env.sandbox.endpoints, backendBucketName('acme', account, org.accounts.get(account)!.id), stateKey(account, 'base-tf-backend')))!);
    expect(migrated.outputs).toEqual(local.outputs);
    expect(Object.keys(migrated.outputs)).toEqual(expect.arrayContaining(['state_bucket_name', 'lock_table_name']));
    expect(await heldLocks(env.sandbox.endpoints, lockTableName('acme', account))).toEqual([]);
  }
  // every step printed with who it acts as; the member account's through the role Organizations creates
  expect(lines).toContain('      as arn:aws:iam::666666666666:role/OrganizationAccountAccessRole');
  expect(lines).toContain("      as the caller's own session (account 111111111111)");
  expect(lines).toContain('      as arn:aws:iam::666666666666:role/DevOps');

  const third = await run();
  expect(third).toMatchObject({ exitCode: 1, ran: [], refused: ACCOUNTS });
});
