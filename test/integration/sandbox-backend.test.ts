/** Real terraform against the sandbox S3 backend with its DynamoDB lock. */
import { spawn } from 'child_process';
import { backendBucketName, stateKey } from '../../lib/naming';
import { stackDir } from '../../scripts/lib/paths';
import { readStateObject } from '../../scripts/lib/sandbox';
import { initIfNeeded, terraform, terraformEnv } from '../../scripts/lib/terraform';
import { sandboxEnv, type SandboxEnv } from './sandbox-env';

jest.setTimeout(10 * 60 * 1000);

let env: SandboxEnv;
beforeAll(async () => { env = await sandboxEnv(); });
afterAll(async () => { await env?.sandbox.stop(); });

it('plans base-network of every account against the S3 backend and records its state at the derived key', async () => {
  const networks = env.result.graph.filter((n) => n.kind === 'base-network');
  expect(networks.map((n) => n.account).sort()).toEqual(['apps-devstg', 'apps-prd', 'apps-prd', 'data-science', 'network', 'shared']);
  for (const node of networks) {
    const dir = stackDir(env.outdir, node.id);
    const init = await initIfNeeded(dir);
    expect(init?.code).toBe(0);
    expect(init!.stdout).toContain('Successfully configured the backend "s3"');
    const plan = await terraform(['plan', '-input=false', '-no-color', '-lock-timeout=30s'], dir);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    const bucket = backendBucketName('acme', node.account, node.accountId);
    const key = stateKey(node.account, node.layer);
    expect(await readStateObject(env.sandbox.endpoints, bucket, key)).toBeUndefined();
    const record = await terraform(['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color'], dir);
    expect(record.code).toBe(0);
    const state = JSON.parse((await readStateObject(env.sandbox.endpoints, bucket, key))!);
    expect(state.version).toBe(4);
  }
});

it('skips terraform init when the backend and providers did not change', async () => {
  const dir = stackDir(env.outdir, 'acme-apps-devstg-base-network');
  await initIfNeeded(dir);
  expect(await initIfNeeded(dir)).toBeUndefined();
});

it('holds the DynamoDB lock: a second plan of the same layer fails while the first runs, then succeeds', async () => {
  const dir = stackDir(env.outdir, 'acme-apps-devstg-base-network');
  await initIfNeeded(dir);
  // An apply waiting at its approval prompt holds the state lock for as long as we like.
  const first = spawn('terraform', ['apply', '-no-color', '-lock-timeout=0s'], { cwd: dir, env: terraformEnv({ TF_INPUT: '1' }), stdio: ['pipe', 'pipe', 'pipe'] });
  let firstOutput = '';
  const prompted = new Promise<void>((resolve, reject) => {
    first.stdout.on('data', (d: Buffer) => { firstOutput += d.toString(); if (firstOutput.includes('Enter a value')) resolve(); });
    first.on('close', () => reject(new Error(`first apply ended before prompting:\n${firstOutput}`)));
  });
  await prompted;
  const blocked = await terraform(['plan', '-input=false', '-no-color', '-lock-timeout=0s'], dir);
  expect(blocked.code).not.toBe(0);
  expect(blocked.stderr).toContain('Error acquiring the state lock');
  const done = new Promise<number>((resolve) => first.on('close', (code) => resolve(code ?? 1)));
  first.stdin.end('no\n');
  await done;
  expect(firstOutput).toContain('Apply cancelled');
  const after = await terraform(['plan', '-input=false', '-no-color', '-lock-timeout=0s'], dir);
  expect(after.code).toBe(0);
});
