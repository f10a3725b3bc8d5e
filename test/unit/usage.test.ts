/**
 * The command line of every script (lib/usage.ts: node:util parseArgs, strict) and what a user sees when it is
 * wrong: one line `<script>: <what is wrong>; valid: <choices>` (or the usage line) on stderr, exit 2, no stack
 * trace. And real errors: with DEBUG=1 their stack traces point at the .ts lines, run from source
 * (scripts/register.js) and from the app bundle (scripts/app.js).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseCommandLine, projectNamed, UsageError, usageLine } from '../../lib/usage';
import { parseCommand } from '../../scripts/lib/cli';
import { tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

const OPTIONS = {
  project: { type: 'string' }, 'fail-fast': { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;
const parse = (...argv: string[]) => parseCommandLine(argv, { options: OPTIONS, switches: ['fail-fast'] });

/** The UsageError `f` throws (any other outcome fails the test). */
function usageErrorFrom(f: () => unknown): UsageError {
  try {
    f();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('parseCommandLine', () => {
  it('reads the declared options, with the value inline or next; a switch stands bare for 1 or takes =value', () => {
    expect(parse('--project', 'acme', '--dry-run').values).toEqual({ project: 'acme', 'dry-run': true });
    expect(parse('--project=acme', '--fail-fast').values).toEqual({ project: 'acme', 'fail-fast': '1' });
    expect(parse('--fail-fast=0').values).toEqual({ 'fail-fast': '0' });
    expect(parse('-h').values).toEqual({ help: true });
    // After `--` everything is an argument, a switch's name included.
    expect(parseCommandLine(['--', '--fail-fast'], { options: OPTIONS, switches: ['fail-fast'], positionals: true }).positionals).toEqual(['--fail-fast']);
  });

  it('refuses an unknown option, naming it and every valid one', () => {
    const error = usageErrorFrom(() => parse('--project', 'acme', '--projcet', 'x'));
    expect(error.message).toBe('unknown option --projcet; valid: --project, --fail-fast, --dry-run, --help');
    expect(error.valid).toEqual(['--project', '--fail-fast', '--dry-run', '--help']);
    expect(usageErrorFrom(() => parse('-x')).message).toBe('unknown option -x; valid: --project, --fail-fast, --dry-run, --help');
    expect(usageErrorFrom(() => parseCommandLine(['--x'], { options: {} })).message).toBe('unknown option --x');
  });

  it('refuses a missing value, a value that is the next option, a value given to a flag, an argument nobody takes', () => {
    expect(usageErrorFrom(() => parse('--project')).message).toBe('--project needs a value');
    expect(usageErrorFrom(() => parse('--project', '--dry-run')).message).toBe('--project needs a value');
    expect(usageErrorFrom(() => parse('--project', '--fail-fast')).message).toBe('--project needs a value');
    expect(usageErrorFrom(() => parse('--dry-run=yes')).message).toBe('--dry-run takes no value');
    expect(usageErrorFrom(() => parse('plan')).message).toBe('unexpected argument "plan"');
  });

  it('takes a switch only as a string option', () => {
    expect(() => parseCommandLine([], { options: { x: { type: 'boolean' } }, switches: ['x'] })).toThrow('switch --x must be declared as a string option');
  });
});

describe('usageLine', () => {
  const usage = 'usage: run.ts <plan|apply> [options]\n\nmore help';
  it('ends with the choices when there are some, else with the usage line', () => {
    expect(usageLine('run', new UsageError('unknown action "deploy"', ['plan', 'apply']), usage)).toBe('run: unknown action "deploy"; valid: plan, apply');
    expect(usageLine('run', new UsageError('--account needs a value'), usage)).toBe('run: --account needs a value. usage: run.ts <plan|apply> [options]');
  });
});

describe('projectNamed', () => {
  const dir = tempDir('projects-');
  for (const p of ['alpha', 'beta']) {
    fs.mkdirSync(path.join(dir, p));
    fs.writeFileSync(path.join(dir, p, 'project.ts'), '');
  }
  fs.mkdirSync(path.join(dir, 'notes'));

  it('takes the project named, refuses one that does not exist, and asks for a name when there are several', () => {
    expect(projectNamed('beta', dir)).toBe('beta');
    expect(usageErrorFrom(() => projectNamed('gamma', dir)).message).toBe(`no project "gamma" under ${dir}; valid: alpha, beta`);
    expect(usageErrorFrom(() => projectNamed(undefined, dir)).message).toBe(`several projects under ${dir}: name one with --project or PROJECT=; valid: alpha, beta`);
    const single = tempDir('projects-');
    fs.mkdirSync(path.join(single, 'only'));
    fs.writeFileSync(path.join(single, 'only', 'project.ts'), '');
    expect(projectNamed(undefined, single)).toBe('only');
  });
});

describe("run.ts's command line", () => {
  it('refuses an unknown flag with the options of run.ts, and an unknown or missing action with the actions', () => {
    expect(usageErrorFrom(() => parseCommand(['plan', '--bogus'], {})).message)
      .toMatch(/^unknown option --bogus; valid: --project, --account, --layer, --layers, --stacks, --include-dependents, .*, --help$/);
    expect(usageErrorFrom(() => parseCommand(['deploy'], {})).message).toBe('unknown action "deploy"; valid: plan, apply, destroy, drift');
    expect(usageErrorFrom(() => parseCommand([], {})).message).toBe('no action given; valid: plan, apply, destroy, drift');
    expect(usageErrorFrom(() => parseCommand(['plan', 'apply'], {})).message).toBe('unexpected argument "apply" (one action per run)');
  });

  it('keeps the switches make passes: bare, =1, =0, =auto; flags before the action', () => {
    expect(parseCommand(['plan', '--fail-fast', '--include-dependents=auto'], {})).toMatchObject({ failFast: true, autoDependents: true });
    expect(parseCommand(['destroy', '--force-stateful=1', '--force-orphans=0', '--confirm', 'apps'], {})).toMatchObject({ forceStateful: true, forceOrphans: false, confirm: 'apps' });
    expect(parseCommand(['--account', 'apps', 'apply', '--planned=1'], {})).toMatchObject({ action: 'apply', accounts: ['apps'], planned: true });
    expect(parseCommand(['-h'], {})).toBe('help');
  });
});

describe('a usage error in a process: one line on stderr, exit 2, no stack trace', () => {
  const script = (file: string, args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ['-r', './scripts/register.js', file, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: tempDir('usage-out-'), ...env },
  });

  it.each([
    ['scripts/run.ts', ['plan', '--bogus'], /^run: unknown option --bogus; valid: --project, --account, /],
    ['scripts/run.ts', ['deploy'], /^run: unknown action "deploy"; valid: plan, apply, destroy, drift$/],
    ['scripts/run.ts', ['plan', '--account'], /^run: --account needs a value\. usage: run\.ts <plan\|apply\|destroy\|drift> \[options\]$/],
    ['scripts/sandbox.ts', ['restart'], /^sandbox: unknown command "restart"; valid: up, down, status$/],
    ['scripts/policy.ts', ['--write-docs'], /^policy: unknown option --write-docs; valid: --write-doc, --check-doc$/],
    ['scripts/changed-stacks.ts', ['only-one'], /^changed-stacks: expected two synth output folders, got 1\. usage: /],
    ['main.ts', ['--bogus'], /^main\.ts: unknown option --bogus\. usage: main\.ts \(no arguments/],
  ])('%s %j', (file, args, line) => {
    for (const debug of ['', '1']) {
      const result = script(file, args, { DEBUG: debug });
      expect([result.status, result.stdout]).toEqual([2, '']);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
    }
  });
});

describe('real errors with DEBUG=1 point at the .ts file and line', () => {
  // NODE_OPTIONS cleared: --enable-source-maps from the caller would map the lines whatever the scripts do.
  const env = { ...process.env, NODE_OPTIONS: '', SANDBOX: '0' };

  it('run from source (scripts/register.js): a project file that throws while loading, through run.ts', () => {
    const broken = tempDir('broken-project-');
    const file = path.join(broken, 'project.ts');
    fs.writeFileSync(file, 'const missing: { name: string } | undefined = undefined;\nexport default { name: missing!.name };\n');
    const run = (debug: string) => spawnSync(process.execPath, ['-r', './scripts/register.js', 'scripts/run.ts', 'plan', '--project', broken], {
      cwd: ROOT, encoding: 'utf8', env: { ...env, DEBUG: debug, CDKTF_OUTDIR: tempDir('usage-out-') },
    });
    const quiet = run('');
    expect(quiet.status).toBe(1);
    expect(quiet.stderr.trim().split('\n')).toEqual([`TypeError: Cannot read properties of undefined (reading 'name') (in ${file}) (DEBUG=1 prints the stack trace)`]);
    const debug = run('1');
    expect(debug.status).toBe(1);
    // Line 2 of the .ts file: the transpiled JavaScript has it on line 4, after its module header.
    expect(debug.stderr).toContain(`(${file}:2:`);
  });

  it('run from the app bundle (scripts/app.js)', () => {
    const bundles = tempDir('bundle-');
    try {
      const result = spawnSync(process.execPath, ['scripts/app.js'], {
        cwd: ROOT, encoding: 'utf8', env: { ...env, DEBUG: '1', APP_ENTRY: 'test/fixtures/source-maps/throws.ts', APP_BUNDLE_DIR: bundles },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Error: thrown from test/fixtures/source-maps/throws.ts');
      expect(result.stderr).toContain(`at fail (${path.join(ROOT, 'test', 'fixtures', 'source-maps', 'throws.ts')}:7:9)`);
    } finally {
      fs.rmSync(bundles, { recursive: true, force: true });
    }
  }, 60_000);
});
