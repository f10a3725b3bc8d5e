/**
 * The runner the way people call it: through make (and scripts/drift.sh, which CI calls). Each run writes into
 * its own CDKTF_OUTDIR; the sandboxes are private (SANDBOX_DIR, free ports) and stopped at the end.
 * What is checked: a destroy that would strand readers is refused before anything runs; drift's verdict survives
 * make; a sandbox started on other ports is the one later commands use, and another checkout's is refused;
 * SANDBOX takes 1 or 0 only; errors are one line.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { buildApp } from '../../lib/synth';
import { REAL, tempDir } from '../helpers';
import { PROJECTS } from './sandbox-env';

jest.setTimeout(8 * 60 * 1000);

const ROOT = path.resolve(__dirname, '../..');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in the checkout with a clean sandbox environment plus `env`. */
function sh(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SANDBOX|MAKE|CDKTF_OUTDIR|REPORT)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...base, CDKTF_OUTDIR: tempDir('make-out-'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
const make = (args: readonly string[], env: Record<string, string> = {}): Promise<Ran> => sh('make', ['--no-print-directory', ...args], env);
const runTs = (args: readonly string[], env: Record<string, string> = {}): Promise<Ran> => sh('node', ['-r', './scripts/register.js', 'scripts/run.ts', ...args], env);

const lastLine = (text: string): string => text.trimEnd().split('\n').pop() ?? '';
/** No stack trace: no `    at …` frame lines. */
const oneLine = (text: string): void => {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('destroy through make', () => {
  it('refuses a destroy that would leave layers (in any account) reading a destroyed one, before anything runs', async () => {
    const graph = buildApp({ projectsDir: PROJECTS, mode: REAL, project: 'acme', outdir: tempDir('graph-'), policy: false }).graph;
    const readers = graph.filter((n) => n.dependsOn.includes('acme-apps-devstg-base-network'));
    expect(new Set(readers.map((n) => n.account)).size).toBeGreaterThan(1); // the VPC is read from other accounts too
    const outdir = tempDir('make-destroy-');
    const ran = await make(['destroy', 'ACCOUNT=apps-devstg', 'LAYER=base-network', 'CONFIRM=apps-devstg', 'SANDBOX=0'], { CDKTF_OUTDIR: outdir });
    expect(ran.code).toBe(2); // make's code for any failed recipe; the runner's own is 1
    for (const r of readers) expect(ran.stdout).toContain(`  ${r.account}/${r.layer} reads apps-devstg/base-network\n`);
    expect(ran.stdout).toContain('refusing to destroy: destroy those too with INCLUDE_DEPENDENTS=1 (--include-dependents), or leave them reading a state that is gone with FORCE_ORPHANS=1 (--force-orphans)');
    expect(ran.stdout).not.toMatch(/ running$/m);
    expect(fs.existsSync(path.join(outdir, 'logs'))).toBe(false); // no terraform ran
    expect(JSON.parse(fs.readFileSync(path.join(outdir, 'run-report.json'), 'utf8'))).toMatchObject({ action: 'destroy', exitCode: 1, layers: [] });
  });
});

describe('SANDBOX takes 1 or 0, everywhere', () => {
  it.each(['on', 'TRUE', '2', ''])('SANDBOX=%p is refused by make and by the app in one line, and starts no sandbox', async (value) => {
    const dir = tempDir('make-nosandbox-');
    const ran = await make(['plan', `SANDBOX=${value}`], { SANDBOX_DIR: dir });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`SANDBOX must be 1 or 0, not "${value}" (1: the offline sandbox, 0: real AWS)`);
    oneLine(ran.stderr);
    expect(fs.readdirSync(dir)).toEqual([]);
    const app = await sh('node', ['-r', './scripts/register.js', 'main.ts'], { SANDBOX: value });
    expect([app.code, app.stderr.trim()]).toEqual([1, `SANDBOX must be 1 or 0, not "${value}" (1: the offline sandbox, 0: real AWS)`]);
  });
});

describe('errors are one line', () => {
  it('a wrong flag, a wrong layer, a stopped sandbox', async () => {
    const flag = await runTs(['plan', '--acount', 'x'], { SANDBOX: '0' });
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toMatch(/^run: unknown option --acount; valid: --project, --account, --layer, .*, --help$/);
    const layer = await runTs(['plan', '--project', 'acme', '--account', 'apps-prd', '--layer', 'nope'], { SANDBOX: '0' });
    expect(layer.code).toBe(2);
    expect(layer.stderr.trim()).toMatch(/^run: unknown layer in apps-prd: nope; valid: .*base-network.*$/);
    oneLine(layer.stderr);
    // A layer or project file that throws while it is loaded: the message and the file, not a stack trace.
    const broken = tempDir('broken-project-');
    fs.writeFileSync(path.join(broken, 'project.ts'), 'const missing: { name: string } | undefined = undefined;\nexport default { name: missing!.name };\n');
    const load = await runTs(['plan', '--project', broken], { SANDBOX: '0' });
    expect(load.code).toBe(1);
    expect(load.stderr.trim()).toBe(`TypeError: Cannot read properties of undefined (reading 'name') (in ${path.join(broken, 'project.ts')}) (DEBUG=1 prints the stack trace)`);
    const port = await freePort();
    const down = await runTs(['plan', '--project', 'acme'], { SANDBOX: '1', SANDBOX_S3_PORT: String(port), SANDBOX_DYNAMODB_PORT: String(port), SANDBOX_DIR: tempDir('no-sandbox-') });
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(`the sandbox does not answer at 127.0.0.1:${port} (connection refused): start it with make sandbox-up`);
  });
});

describe('drift through make, and scripts/drift.sh', () => {
  it('a failed check says verdict=failed (make exits 2 either way; drift.sh keeps the runner\'s 1)', async () => {
    const outdir = tempDir('make-drift-');
    const ran = await make(['drift', 'ACCOUNT=nope', 'SANDBOX=0'], { CDKTF_OUTDIR: outdir });
    expect(ran.code).toBe(2);
    expect(lastLine(ran.stdout)).toBe('drift: verdict=failed');
    expect(ran.stderr).toMatch(/^run: unknown account: nope; valid: .*apps-prd.*/);
    expect(ran.stderr).not.toMatch(/^\s+at /m);
    expect(JSON.parse(fs.readFileSync(path.join(outdir, 'run-report.json'), 'utf8'))).toMatchObject({ action: 'drift', verdict: 'failed', exitCode: 1 });
    const output = path.join(tempDir('gh-'), 'output');
    const script = await sh('bash', ['scripts/drift.sh', '--acount', 'x'], { SANDBOX: '0', GITHUB_OUTPUT: output });
    expect(script.code).toBe(1); // even a usage error: 2 is drift and nothing else
    expect(lastLine(script.stdout)).toBe('drift: verdict=failed');
    expect(fs.readFileSync(output, 'utf8')).toBe('verdict=failed\n');
  });
});

describe('sandboxes of two checkouts side by side', () => {
  const theirs = { SANDBOX_DIR: tempDir('other-checkout-') };
  const mine = { SANDBOX_DIR: tempDir('this-checkout-') };
  let ports: { theirs: [number, number]; mine: [number, number] };

  beforeAll(async () => {
    ports = { theirs: [await freePort(), await freePort()], mine: [await freePort(), await freePort()] };
    const up = async (who: Record<string, string>, [s3, dynamodb]: [number, number]): Promise<void> => {
      const ran = await make(['sandbox-up'], { ...who, SANDBOX_S3_PORT: String(s3), SANDBOX_DYNAMODB_PORT: String(dynamodb) });
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
    };
    await up(theirs, ports.theirs);
    await up(mine, ports.mine);
  });
  afterAll(async () => {
    for (const who of [theirs, mine]) await make(['sandbox-down'], who);
  });

  it('later commands use the ports this checkout\'s sandbox was started on; drift is "drifted" through make and 2 from drift.sh', async () => {
    // An unapplied layer with resources: its plan has changes, so drift says it drifted.
    const outdir = tempDir('make-drifted-');
    const ran = await make(['drift', 'ACCOUNT=apps-devstg', 'LAYER=base-network'], { ...mine, CDKTF_OUTDIR: outdir });
    expect(ran.stdout).toContain(`(sandbox http://127.0.0.1:${ports.mine[0]})`);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toMatch(/apps-devstg\/base-network +drift +drifted/);
    expect(lastLine(ran.stdout)).toBe('drift: verdict=drifted');
    expect(JSON.parse(fs.readFileSync(path.join(outdir, 'run-report.json'), 'utf8'))).toMatchObject({ verdict: 'drifted', exitCode: 2 });
    const script = await sh('bash', ['scripts/drift.sh', '--project', 'acme', '--account', 'apps-devstg', '--layer', 'base-network'], { ...mine, SANDBOX: '1', CDKTF_OUTDIR: outdir });
    expect(script.code).toBe(2);
    expect(lastLine(script.stdout)).toBe('drift: verdict=drifted');
  });

  it('refuses the other checkout\'s sandbox when its ports are named, before writing anything', async () => {
    const outdir = tempDir('make-refused-');
    const ran = await make(['plan', 'ACCOUNT=apps-devstg', 'LAYER=base-network'], {
      ...mine, CDKTF_OUTDIR: outdir, SANDBOX_S3_PORT: String(ports.theirs[0]), SANDBOX_DYNAMODB_PORT: String(ports.theirs[1]),
    });
    expect(ran.code).toBe(2);
    expect(ran.stdout).toContain('sandbox already running'); // make's sandbox-up: this checkout's, on its own ports
    expect(ran.stderr).toContain(`refusing to use the sandbox at http://127.0.0.1:${ports.theirs[0]}: it serves another checkout ` +
      `(its data is in ${theirs.SANDBOX_DIR}), not this one (${mine.SANDBOX_DIR})`);
    expect(fs.existsSync(path.join(outdir, 'stacks'))).toBe(false); // refused before the synth
  });
});
