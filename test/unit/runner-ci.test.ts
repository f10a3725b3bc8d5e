/**
 * The generated drift workflow tells drift from a failed check: it calls scripts/drift.sh (which keeps the runner's
 * exit codes, unlike make) per account, and turns its verdict into distinct annotations. Kept in sync like the
 * other generated files (fix: `make ci-files`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { parse as parseYaml } from 'yaml';
import { ciInput, DRIFT_WORKFLOW_FILE, driftWorkflowYaml } from '../../scripts/lib/ci-files';
import { tempDir } from '../helpers';


jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

interface Step { readonly id?: string; readonly run?: string; readonly env?: Record<string, string>; readonly 'continue-on-error'?: boolean }

it(`${DRIFT_WORKFLOW_FILE} is current and checks every account through scripts/drift.sh`, () => {
  const input = ciInput('acme');
  const committed = fs.readFileSync(path.join(ROOT, DRIFT_WORKFLOW_FILE), 'utf8');
  expect(committed).toBe(driftWorkflowYaml(input));
  const workflow = parseYaml(committed) as { on: Record<string, unknown>; jobs: { drift: { env: Record<string, string>; strategy: { matrix: { include: { account: string; role: string; region: string }[] } }; steps: Step[] } } };
  expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
  const matrix = workflow.jobs.drift.strategy.matrix.include;
  expect(matrix.map((m) => m.account).sort()).toEqual([...new Set(input.stacks.map((s) => s.node.account))].sort());
  // Each account is checked through its own read-only plan role, derived from config (no repository variables).
  for (const entry of matrix) {
    expect(entry.role).toBe(input.accounts[entry.account].planRoleArn);
    expect(entry.region).toBe(input.accounts[entry.account].region);
  }
  expect(workflow.jobs.drift.env.ACCESS).toBe('plan');
  expect(committed).not.toContain('vars.');
  const check = workflow.jobs.drift.steps.find((s) => s.id === 'drift')!;
  expect(check.run).toMatch(/^bash scripts\/drift\.sh --project acme --account "\$ACCOUNT"/);
  expect(check['continue-on-error']).toBe(true);
});

it('its verdict step fails differently for drift (2) and for a failed check (1), and passes when clean', () => {
  const steps = (parseYaml(fs.readFileSync(path.join(ROOT, DRIFT_WORKFLOW_FILE), 'utf8')) as { jobs: { drift: { steps: Step[] } } }).jobs.drift.steps;
  const verdict = steps.find((s) => s.run?.startsWith('case "$VERDICT"'))!;
  const run = (value: string) => spawnSync('bash', ['-c', verdict.run!], { env: { ...process.env, ACCOUNT: 'apps-prd', VERDICT: value }, encoding: 'utf8' });
  expect(run('clean').status).toBe(0);
  expect([run('drifted').status, run('drifted').stdout]).toEqual([2, expect.stringContaining('::error title=Drift in apps-prd::')]);
  for (const value of ['failed', '']) {
    expect([run(value).status, run(value).stdout]).toEqual([1, expect.stringContaining('::error title=Drift check failed in apps-prd::')]);
  }
});

it('scripts/drift.sh keeps the runner\'s exit code and writes the verdict for the next step', () => {
  // A stand-in runner that exits with a given code: the script maps codes, whatever produced them.
  const root = tempDir('drift-sh-');
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'drift.sh'), path.join(root, 'scripts', 'drift.sh'));
  fs.writeFileSync(path.join(root, 'scripts', 'register.js'), '');
  fs.writeFileSync(path.join(root, 'scripts', 'run.ts'), 'process.exit(Number(process.env.CODE));\n');
  for (const [code, verdict] of [[0, 'clean'], [2, 'drifted'], [1, 'failed'], [130, 'failed']] as const) {
    const output = path.join(root, `out-${code}`);
    const ran = spawnSync('bash', [path.join(root, 'scripts', 'drift.sh'), '--account', 'x'], { env: { ...process.env, CODE: String(code), GITHUB_OUTPUT: output }, encoding: 'utf8' });
    expect(ran.status).toBe(code);
    expect(fs.readFileSync(output, 'utf8')).toBe(`verdict=${verdict}\n`);
  }
});
