/**
 * Guards of synth speed (docs/benchmarks.md): the linter refuses barrel imports of the AWS provider bindings, and the
 * require hook the app runs with (scripts/register.js) transpiles once, caches by content and never loads the
 * TypeScript compiler on a warm cache.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../helpers';

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
