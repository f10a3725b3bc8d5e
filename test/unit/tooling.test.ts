/**
 * Guards of synth speed (docs/benchmarks.md): the linter refuses barrel imports of the AWS provider bindings; the
 * require hook for running from source (scripts/register.js) transpiles once, caches by content and never loads the
 * TypeScript compiler on a warm cache; the app bundle (scripts/app.js, scripts/bundle.js) writes what the source
 * writes, is rebuilt for any edit and finds new project files; ts-node still runs the app; cdktf's token stack traces
 * can be switched off and on; a stack is resolved once per synth; worker processes write what one process writes.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Lazy, TerraformOutput } from 'cdktf';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { defineLayer } from '../../lib/config';
import { readProjectFolder } from '../../lib/organisation';
import { partitionByAccount, synthInWorkers, SynthWorkerError, synthWorkers } from '../../lib/parallel-synth';
import { ConfigError } from '../../lib/problems';
import { resolveOnce } from '../../lib/resolve-once';
import { setTokenStackTraces } from '../../lib/token-stack-traces';
import { build, source, tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

jest.setTimeout(60_000);

describe('barrel imports of the provider bindings', () => {
  // The CLI, as `make test` runs it: jest cannot load eslint.config.mjs in-process (dynamic import in a VM context).
  const lint = async (code: string): Promise<string[]> => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', 'modules/lint-probe.ts', '--format', 'json'], {
      cwd: ROOT, input: code, encoding: 'utf8',
    });
    const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return report.messages.map((m) => `${m.ruleId}: ${m.message}`);
  };

  it.each([
    ["import { Vpc } from '@cdktf/provider-aws';"],
    ["import * as aws from '@cdktf/provider-aws';"],
    ["import { vpc } from '@cdktf/provider-aws/lib';"],
    ["import { provider } from '@cdktf/provider-aws/lib/index';"],
    ["export { Vpc } from '@cdktf/provider-aws';"],
  ])('%s is refused', async (code) => {
    const messages = await lint(`${code}\nexport const probe = 1;\n`);
    expect(messages.some((m) => m.startsWith('no-restricted-imports:') && m.includes('deep path'))).toBe(true);
  });

  it('a deep import passes', async () => {
    const messages = await lint("import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nexport const probe: typeof Vpc | undefined = undefined;\n");
    expect(messages).toEqual([]);
  });

  it.each([
    ["// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const aws = require('@cdktf/provider-aws');"],
    ["export const aws = import('@cdktf/provider-aws/lib');"],
  ])('%s is refused too', async (code) => {
    const messages = await lint(`${code}\n`);
    expect(messages).toContainEqual(expect.stringMatching(/^no-restricted-syntax: Import the class by deep path/));
  });

  it('a require of a deep path passes', async () => {
    const messages = await lint("// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const vpc = require('@cdktf/provider-aws/lib/vpc');\n");
    expect(messages).toEqual([]);
  });
});

describe('scripts/register.js', () => {
  /** `node -r scripts/register.js -e <script>` with its own transpile cache. */
  const withRegister = (script: string, cacheDir: string) => spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), '-e', script], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRANSPILE_CACHE_DIR: cacheDir },
  });
  const run = (file: string, cacheDir: string) => withRegister(
    `const m = require(${JSON.stringify(file)}); const ts = Object.keys(require.cache).some((k) => k.includes('/node_modules/typescript/'));
     console.log(JSON.stringify({ value: m.value, compilerLoaded: ts }));`, cacheDir);

  it('transpiles once, then runs from the cache without loading the compiler, and retranspiles an edited file', () => {
    const dir = tempDir('register-');
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 'probe.ts');
    fs.writeFileSync(file, 'interface Shape { readonly side: number }\nconst square: Shape = { side: 3 };\nexport const value: number = square.side ** 2;\n');

    const first = run(file, cache);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual({ value: 9, compilerLoaded: true });
    expect(fs.readdirSync(cache)).toHaveLength(1);

    const warm = run(file, cache);
    expect(JSON.parse(warm.stdout)).toEqual({ value: 9, compilerLoaded: false });

    fs.writeFileSync(file, 'export const value: number = 4 ** 2;\n');
    const edited = run(file, cache);
    expect(JSON.parse(edited.stdout)).toEqual({ value: 16, compilerLoaded: true });
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js'))).toHaveLength(2);
  });

  it('requires a provider binding only when the code first uses it', () => {
    // Inside the repository, so that the probe resolves the project's node_modules.
    fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'register-probe-'));
    const file = path.join(dir, 'lazy.ts');
    fs.writeFileSync(file, "import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nexport const resourceType = (): string => Vpc.tfResourceType;\n");
    const result = withRegister(`
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/@cdktf/provider-aws/lib/vpc/'));
      const probe = require(${JSON.stringify(file)});
      const before = loaded();
      console.log(JSON.stringify({ before, type: probe.resourceType(), after: loaded() }));`, path.join(dir, 'cache'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ before: false, type: 'aws_vpc', after: true });
  });

  it('reports a syntax error with the file and line, and caches nothing for it', () => {
    const dir = tempDir('register-');
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, 'export const ok = 1;\nexport const broken = (;\n');
    const result = run(file, cache);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${file}:2:`);
    expect(fs.existsSync(cache) ? fs.readdirSync(cache) : []).toEqual([]);
  });
});

/** Runs `node <args>` in `cwd` with the environment plus `env`; fails the test with stderr when it fails. */
function node(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, SANDBOX: '0', ...env } });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result;
}

/** Every file under `dir`, relative path -> content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'latin1');
    }
  };
  walk('');
  return out;
}

const bundles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort() : []);

describe('the app bundle (scripts/app.js)', () => {
  it('writes byte for byte what the app run from source writes, and so does ts-node with SWC', () => {
    // serverless: a Lambda archive found through __dirname, and reads of other layers.
    const env = { STACKS: 'acme-apps-prd-serverless', PROJECT: 'acme', APP_BUNDLE_DIR: tempDir('bundle-') };
    const bundled = tempDir('out-bundled-');
    const plain = tempDir('out-plain-');
    const tsNode = tempDir('out-ts-node-');
    node(['scripts/app.js'], { ...env, CDKTF_OUTDIR: bundled });
    node(['-r', './scripts/register.js', 'main.ts'], { ...env, CDKTF_OUTDIR: plain });
    node([path.join('node_modules', 'ts-node', 'dist', 'bin.js'), '--swc', 'main.ts'], { ...env, CDKTF_OUTDIR: tsNode });

    const expected = files(plain);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining([
      'layers.json', 'manifest.json', path.join('stacks', 'acme-apps-prd-serverless', 'cdk.tf.json'),
    ]));
    expect(Object.keys(expected).some((f) => f.endsWith('.zip'))).toBe(true);
    expect(files(bundled)).toEqual(expected);
    expect(files(tsNode)).toEqual(expected);
  });

  it('is rebuilt for an edit of a layer and for a new project, and reused while nothing changed', () => {
    // A copy of the app's sources: the test edits them.
    const root = tempDir('app-copy-');
    for (const entry of ['lib', 'layers', 'modules', 'projects', 'assets', 'scripts', 'main.ts', 'tsconfig.json', 'package-lock.json']) {
      fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    const bundleDir = path.join(root, 'bundles');
    const outdir = path.join(root, 'cdktf.out');
    const synth = (env: NodeJS.ProcessEnv = {}) => node(['scripts/app.js'], {
      APP_BUNDLE_DIR: bundleDir, CDKTF_OUTDIR: outdir, PROJECT: 'acme', STACKS: 'acme-management-base-tf-backend', ...env,
    }, root);

    synth();
    const [first] = bundles(bundleDir);
    expect(bundles(bundleDir)).toHaveLength(1);
    const builtAt = fs.statSync(path.join(bundleDir, first)).mtimeMs;

    synth();
    expect(bundles(bundleDir)).toEqual([first]);
    expect(fs.statSync(path.join(bundleDir, first)).mtimeMs).toBe(builtAt);

    // An edit of a layer file: the next synth runs the edited code.
    fs.appendFileSync(path.join(root, 'layers', 'base-tf-backend.ts'), "\nprocess.stdout.write('edited layer loaded\\n');\n");
    expect(synth().stdout).toContain('edited layer loaded');
    expect(bundles(bundleDir)).toHaveLength(2);

    // A project the user adds: its files are in the rebuilt bundle and its stack is written.
    const zeta = path.join(root, 'projects', 'zeta');
    fs.mkdirSync(path.join(zeta, 'management'), { recursive: true });
    fs.writeFileSync(path.join(zeta, 'project.ts'), "import { defineProject } from '../../lib/config';\n\n" +
      "export default defineProject({ name: 'zeta', primaryRegion: 'us-east-1', availabilityZones: { 'us-east-1': ['us-east-1a', 'us-east-1b'] } });\n");
    fs.copyFileSync(path.join(root, 'projects', 'acme', 'management', 'account.ts'), path.join(zeta, 'management', 'account.ts'));
    fs.copyFileSync(path.join(root, 'projects', 'acme', 'management', 'base-tf-backend.ts'), path.join(zeta, 'management', 'base-tf-backend.ts'));
    synth({ PROJECT: 'zeta', STACKS: 'zeta-management-base-tf-backend' });
    expect(bundles(bundleDir)).toHaveLength(3);
    const written = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'zeta-management-base-tf-backend', 'cdk.tf.json'), 'utf8'));
    expect(Object.values(written.resource.aws_s3_bucket as Record<string, { bucket: string }>).map((b) => b.bucket))
      .toContain('zeta-management-terraform-backend-111111111111'); // the management account id copied from acme
  });

  it('reports a syntax error in a source file with the file and line, in one message without a stack trace', () => {
    const root = tempDir('app-broken-');
    for (const entry of ['lib', 'layers', 'modules', 'projects', 'assets', 'scripts', 'main.ts', 'tsconfig.json', 'package-lock.json']) {
      fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    fs.appendFileSync(path.join(root, 'layers', 'dns.ts'), '\nexport const broken = (;\n');
    const result = spawnSync(process.execPath, ['scripts/app.js'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, APP_BUNDLE_DIR: path.join(root, 'bundles'), CDKTF_OUTDIR: path.join(root, 'out') },
    });
    expect(result.status).toBe(1);
    const line = fs.readFileSync(path.join(root, 'layers', 'dns.ts'), 'utf8').split('\n').length - 1;
    expect(result.stderr).toMatch(new RegExp(`^cannot bundle main\\.ts:\n[^]*layers/dns\\.ts:${line}:\\d+`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(bundles(path.join(root, 'bundles'))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'out'))).toBe(false);
  });

  it("is built with its V8 code cache by npm's prepare, so the first synth after a clone runs from compiled code", () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.prepare).toMatch(/^node scripts\/bundle\.js --warm /);
    const bundleDir = tempDir('bundle-warm-');
    const prepared = node(['scripts/bundle.js', '--warm'], { APP_BUNDLE_DIR: bundleDir, PROJECT: 'acme' });
    expect(prepared.stdout).toMatch(/^built: .*\.js \(with its V8 code cache\)\n$/);
    const [bundle] = bundles(bundleDir);
    const cache = path.join(bundleDir, `${bundle}.code`);
    const writtenAt = fs.statSync(cache).mtimeMs;
    // A cache V8 accepts is used as it is, not written again.
    node(['scripts/app.js'], { APP_BUNDLE_DIR: bundleDir, CDKTF_OUTDIR: tempDir('out-warm-'), PROJECT: 'acme', STACKS: 'acme-management-base-tf-backend' });
    expect(fs.statSync(cache).mtimeMs).toBe(writtenAt);
    expect(fs.readdirSync(bundleDir).filter((f) => f.includes('.tmp'))).toEqual([]);

    const usage = spawnSync(process.execPath, ['scripts/bundle.js', '--wram'], { cwd: ROOT, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^usage: node scripts\/bundle\.js \[--warm\] \[entry\.ts\] \(Unknown option '--wram'[^\n]*\n$/);
  });

  it('refuses a project file the running bundle does not hold instead of loading a second copy of the code', () => {
    const key = Symbol.for('cdktf-leverage/bundled-project-files');
    const global = globalThis as { [key]?: Map<string, () => unknown> };
    global[key] = new Map();
    try {
      expect(() => readProjectFolder(path.join(ROOT, 'projects', 'acme'))).toThrow(/project\.ts was added after the app bundle was built: run the synth again/);
    } finally {
      delete global[key];
    }
  });
});

describe('token stack traces (lib/token-stack-traces.ts)', () => {
  afterEach(() => setTokenStackTraces(true));

  it('are recorded by default, not at all when switched off, and again when switched on', () => {
    const created = () => (Lazy.anyValue({ produce: () => 1 }) as unknown as { creationStack: string[] }).creationStack;
    expect(created().length).toBeGreaterThan(0);
    setTokenStackTraces(false);
    expect(created()).toEqual([]);
    setTokenStackTraces(true);
    expect(created().some((frame) => frame.includes('tooling.test.ts'))).toBe(true);
  });
});

describe('resolveOnce (lib/resolve-once.ts)', () => {
  it('resolves a stack once, and again when it gained a construct', () => {
    const { stacks } = build(source({ management: { layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}) } } }));
    const stack = stacks.get('test-management-base-tf-backend')!;
    resolveOnce(stack);
    const first = stack.toTerraform() as { output?: Record<string, unknown> };
    expect(stack.toTerraform()).toBe(first);
    new TerraformOutput(stack, 'probe', { value: 'added later' });
    const second = stack.toTerraform() as { output?: Record<string, { value: string }> };
    expect(second).not.toBe(first);
    expect(second.output?.probe?.value).toBe('added later');
  });
});

describe('synth in worker processes (lib/parallel-synth.ts)', () => {
  it('writes byte for byte what one process writes', () => {
    const env = { PROJECT: 'acme', APP_BUNDLE_DIR: tempDir('bundle-') };
    const one = tempDir('out-one-');
    const two = tempDir('out-two-');
    node(['scripts/app.js'], { ...env, CDKTF_OUTDIR: one, SYNTH_WORKERS: '1' });
    node(['scripts/app.js'], { ...env, CDKTF_OUTDIR: two, SYNTH_WORKERS: '2' });
    const expected = files(one);
    expect(Object.keys(expected).filter((f) => f.endsWith('cdk.tf.json')).length).toBeGreaterThan(50);
    expect(files(two)).toEqual(expected);
  });

  it('gives each worker whole accounts, about the same number of stacks, in the original order', () => {
    const stacks = [
      ...['a1', 'a2', 'a3', 'a4'].map((id) => ({ id, account: 'a' })),
      ...['b1', 'b2'].map((id) => ({ id, account: 'b' })),
      ...['c1', 'c2', 'c3'].map((id) => ({ id, account: 'c' })),
    ];
    expect(partitionByAccount(stacks, 2)).toEqual([['a1', 'a2', 'a3', 'a4'], ['b1', 'b2', 'c1', 'c2', 'c3']]);
    expect(partitionByAccount(stacks, 5)).toHaveLength(3);
    expect(partitionByAccount(stacks, 1)).toEqual([stacks.map((s) => s.id)]);
  });

  it('uses one process for small organisations, one per core for large ones, and SYNTH_WORKERS when set', () => {
    expect(synthWorkers(59, {}, 2)).toBe(1);
    expect(synthWorkers(809, {}, 2)).toBe(2);
    expect(synthWorkers(809, {}, 16)).toBe(4);
    expect(synthWorkers(59, { SYNTH_WORKERS: '3' }, 2)).toBe(3);
    expect(() => synthWorkers(59, { SYNTH_WORKERS: 'two' })).toThrow('SYNTH_WORKERS=two: must be a whole number of processes, 1 or more');
  });

  /** A stand-in worker: writes cdktf's layout for `ids`, each reading the stacks in `reads`, or exits with `fail`. */
  const fakeWorker = (reads: Record<string, string[]>, fail?: string) => (ids: readonly string[], outdir: string) => spawn(process.execPath, ['-e', `
    const fs = require('fs'), path = require('path');
    const [ids, outdir, reads, fail] = JSON.parse(process.argv[1]);
    if (fail && ids.includes(fail)) process.exit(3);
    fs.mkdirSync(path.join(outdir, 'stacks'), { recursive: true });
    const stacks = {};
    for (const id of ids) {
      fs.mkdirSync(path.join(outdir, 'stacks', id));
      fs.writeFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), JSON.stringify({ id }));
      stacks[id] = { name: id, annotations: [], dependencies: (reads[id] || []).filter((d) => ids.includes(d)) };
    }
    fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
    fs.writeFileSync(path.join(outdir, 'layers.json'), JSON.stringify({ stacks: ids.map((id) => ({ id, project: 'p', account: id[0], dependsOn: reads[id] || [] })) }));
  `, JSON.stringify([ids, outdir, reads, fail])], { stdio: 'ignore' });
  const stacks = [{ id: 'a-net', account: 'a' }, { id: 'b-app', account: 'b' }, { id: 'b-db', account: 'b' }];

  it('records the dependencies between stacks that different workers built, and keeps the stack order', async () => {
    const outdir = path.join(tempDir('merge-'), 'cdktf.out');
    await synthInWorkers({ outdir, stacks, workers: 2, spawnWorker: fakeWorker({ 'b-app': ['a-net', 'b-db'] }) });
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks['b-app'].dependencies).toEqual(['a-net', 'b-db']);
    expect(manifest.version).toBe('0.21.0');
    expect(JSON.parse(fs.readFileSync(path.join(outdir, 'layers.json'), 'utf8')).stacks.map((n: { id: string }) => n.id)).toEqual(['a-net', 'b-app', 'b-db']);
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['a-net', 'b-app', 'b-db']);
    expect(fs.readdirSync(outdir).sort()).toEqual(['layers.json', 'manifest.json', 'stacks']);
  });

  it('writes nothing when a worker fails, and names its accounts', async () => {
    const outdir = path.join(tempDir('merge-'), 'cdktf.out');
    const run = synthInWorkers({ outdir, stacks, workers: 2, spawnWorker: fakeWorker({}, 'a-net') });
    await expect(run).rejects.toThrow(SynthWorkerError);
    await expect(run).rejects.toThrow('synth of a failed (exit code 3); nothing was written');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it('refuses a dependency cycle that runs across workers', async () => {
    const outdir = path.join(tempDir('merge-'), 'cdktf.out');
    const run = synthInWorkers({ outdir, stacks, workers: 2, spawnWorker: fakeWorker({ 'a-net': ['b-app'], 'b-app': ['a-net'] }) });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/remote state reads: layer dependency cycle: a-net -> b-app -> a-net/);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
