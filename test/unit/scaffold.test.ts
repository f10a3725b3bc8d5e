/**
 * make new-account / new-layer / generate (scripts/new-account.ts, new-layer.ts, generate.ts), run against a temporary
 * copy of the example project and of the generated files, never against projects/acme itself: what they write, that
 * the organisation still validates, that a second run refuses to overwrite, that bad input is one line and exit 2,
 * and that a refused change leaves every file as it was.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { main as generate } from '../../scripts/generate';
import { main as newAccount } from '../../scripts/new-account';
import { main as newLayer } from '../../scripts/new-layer';
import { writeAll } from '../../scripts/lib/scaffold';
import { claimedRanges } from '../../scripts/lib/scaffold-kinds';
import { REAL, SANDBOX, tempDir } from '../helpers';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const PROJECT = 'acme';
const GENERATED = ['README.md', 'docs', 'atlantis.yaml', '.github'];

/** A repository root of its own: the example project and the generated files copied, the code linked. */
function copyOfRepo(): string {
  const root = tempDir('scaffold-repo-');
  for (const entry of ['lib', 'layers', 'modules', 'assets', 'node_modules', 'scripts']) fs.symlinkSync(path.join(ROOT, entry), path.join(root, entry));
  fs.cpSync(path.join(ROOT, 'projects', PROJECT), path.join(root, 'projects', PROJECT), { recursive: true });
  for (const entry of GENERATED) fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
  return root;
}

/** Every file under the copied folders with its content: the whole state a command may change. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

function run(command: typeof newAccount, argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = command(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out, err };
}

const read = (root: string, file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/**
 * The projects folder of a fresh copy of `root`'s project: jest keeps every module it loaded, so a project file read
 * before a command rewrote it would come back stale; a copy at a new path is read anew (as a new process would).
 */
function freshProjects(root: string): string {
  const copy = tempDir('scaffold-read-');
  for (const entry of ['lib', 'layers', 'modules', 'assets', 'node_modules']) fs.symlinkSync(path.join(ROOT, entry), path.join(copy, entry));
  fs.cpSync(path.join(root, 'projects', PROJECT), path.join(copy, 'projects', PROJECT), { recursive: true });
  return path.join(copy, 'projects');
}
const projectOf = (root: string) => readProjectFolder(path.join(freshProjects(root), PROJECT));

/** The account and layer file of the layer that creates accounts (organizations), found by kind, not by name. */
function creatorFile(root: string): string {
  const org = resolveOrganisation(projectOf(root), SANDBOX);
  for (const account of org.accounts.values()) {
    for (const [layer, d] of account.layers) if (d.enabled && d.kind.createsAccounts) return `projects/${PROJECT}/${account.name}/${layer}.ts`;
  }
  throw new Error('the example has no layer that creates accounts');
}

describe('make new-account, new-layer and generate on a copy of the example', () => {
  const root = copyOfRepo();
  const pristine = snapshot(root);
  const creator = creatorFile(root);
  const account = (name: string, ...more: string[]) => ['--root', root, '--project', PROJECT, '--account', name, '--email', `aws+${name}@example.org`, '--environment', 'devstg', ...more];

  it('writes a pending account with its baseline and a free VPC range, places it in an OU, and the organisation validates', () => {
    const { code, out, err } = run(newAccount, account('apps-qa'));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const dir = `projects/${PROJECT}/apps-qa`;
    // Its OU (workloads/devstg) is covered by an organisation backup policy: the backup layer creates the vaults and role it names.
    expect(fs.readdirSync(path.join(root, dir)).sort()).toEqual(['account.ts', 'backup.ts', 'base-network.ts', 'base-tf-backend.ts', 'compliance.ts', 'security.ts']);
    expect(read(root, `${dir}/account.ts`)).toContain("id: 'pending',");
    expect(read(root, creator)).toContain("'apps-qa': 'workloads/devstg',");
    expect(out).toEqual(expect.arrayContaining([`wrote ${dir}/account.ts`, `wrote ${creator}`]));

    // Sandbox: the account is there with every layer, on a range no other layer claims (the check refuses overlaps).
    const org = resolveOrganisation(projectOf(root), SANDBOX);
    expect([...org.accounts.get('apps-qa')!.layers.keys()].sort()).toEqual(['backup', 'base-network', 'base-tf-backend', 'compliance', 'security']);
    expect(org.accounts.get('apps-qa')!.id).toMatch(/^\d{12}$/);
    const vpc = claimedRanges(org).filter((c) => c.text === /vpcCidr: '([^']+)'/.exec(read(root, `${dir}/base-network.ts`))![1]);
    expect(vpc).toHaveLength(1);

    // Real: only the layer that creates accounts sees it, and it creates it from its e-mail.
    const real = resolveOrganisation(projectOf(root), REAL);
    expect(real.accounts.has('apps-qa')).toBe(false);
    const [creatorAccount, creatorLayer] = creator.split('/').slice(2);
    const { stacks } = buildOrganisation(Testing.app(), real, { only: new Set([`${PROJECT}-${creatorAccount}-${creatorLayer.replace(/\.ts$/, '')}`]) });
    expect(JSON.stringify(stacks[0].toTerraform())).toContain('"email":"aws+apps-qa@example.org"');

    // A pending account changes no generated file: a real run has nothing of it to plan yet.
    for (const [file, content] of pristine) if (!file.startsWith('projects/')) expect([file, read(root, file)]).toEqual([file, content]);
  });

  it('refuses a second run with one line and exit 2, changing nothing', () => {
    const before = snapshot(root);
    const { code, out, err } = run(newAccount, account('apps-qa'));
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^new-account: account "apps-qa" already exists \(projects\/acme\/apps-qa\): nothing written\. usage: /);
    expect(snapshot(root)).toEqual(before);
  });

  it.each([
    ['a bad account name', ['--root', root, '--account', 'Apps_QA', '--email', 'a@example.org', '--environment', 'devstg'], /ACCOUNT "Apps_QA" must be lowercase/],
    ['a missing e-mail', ['--root', root, '--account', 'apps-x', '--environment', 'devstg'], /EMAIL= is required/],
    ['an e-mail another account has', ['--root', root, '--account', 'apps-x', '--email', 'aws+apps-qa@example.org', '--environment', 'devstg'], /already the e-mail of account apps-qa/],
    ['an OU the organisation does not have', ['--root', root, '--account', 'apps-x', '--email', 'x@example.org', '--environment', 'devstg', '--ou', 'nowhere'], /OU "nowhere" is not an OU of .*; valid: /],
    ['an unknown option', ['--root', root, '--acount', 'apps-x'], /^new-account: unknown option --acount; valid: --project, --root, --help, --account, --email, /],
    ['an unknown project', ['--root', root, '--project', 'nope', '--account', 'apps-x', '--email', 'x@example.org', '--environment', 'devstg'], /unknown project "nope"; valid: acme$/],
  ])('refuses %s with one line and exit 2', (_, argv, message) => {
    const before = snapshot(root);
    const { code, err } = run(newAccount, argv);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(snapshot(root)).toEqual(before);
  });

  it('leaves nothing behind when the organisation refuses the change (a VPC range another layer claims)', () => {
    const before = snapshot(root);
    const taken = claimedRanges(resolveOrganisation(projectOf(root), SANDBOX))[0].text;
    const { code, err } = run(newAccount, account('apps-x', '--vpc', taken));
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(new RegExp(`acme/apps-x/base-network: vpcCidr: ${taken.replace(/\./g, '\\.')} \\(us-east-1\\) overlaps`));
    expect(err[err.length - 1]).toBe('new-account: refused, nothing was written');
    expect(snapshot(root)).toEqual(before);
    expect(fs.readdirSync(root).filter((e) => e.startsWith('.scaffold'))).toEqual([]);
  });

  it('writes an account that already exists (ID) into every generated file', () => {
    const { code, err } = run(newAccount, account('apps-uat', '--id', '999999999999', '--ou', 'workloads'));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(read(root, creator)).toContain("'apps-uat': 'workloads',");
    expect(read(root, 'README.md')).toContain('subgraph acme_apps_uat["apps-uat"]');
    expect(read(root, 'atlantis.yaml')).toContain('name: acme-apps-uat-base-network');
    expect(read(root, '.github/workflows/layers.yml')).toContain('apps-uat');
    // The two new accounts got distinct ranges.
    const ranges = ['apps-qa', 'apps-uat'].map((a) => /vpcCidr: '([^']+)'/.exec(read(root, `projects/${PROJECT}/${a}/base-network.ts`))![1]);
    expect(new Set(ranges).size).toBe(2);
  });

  it('writes a layer with its kind defaults, regenerates, and refuses to overwrite it', () => {
    const argv = ['--root', root, '--project', PROJECT, '--account', 'apps-uat', '--kind', 'databases'];
    const first = run(newLayer, argv);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(read(root, `projects/${PROJECT}/apps-uat/databases.ts`)).toMatch(/^import \{ defineLayer \} from '\.\.\/\.\.\/\.\.\/lib\/config';\nimport \{ Databases \} from '\.\.\/\.\.\/\.\.\/layers\/databases';\n/);
    expect(read(root, 'atlantis.yaml')).toContain('name: acme-apps-uat-databases');
    const before = snapshot(root);
    const second = run(newLayer, argv);
    expect(second.code).toBe(2);
    expect(second.err).toHaveLength(1);
    expect(second.err[0]).toMatch(/databases\.ts already exists: nothing written/);
    expect(snapshot(root)).toEqual(before);
  });

  it('writes a kind that needs values only the user has switched off, naming each field', () => {
    const { code, out, err } = run(newLayer, ['--root', root, '--project', PROJECT, '--account', 'apps-uat', '--kind', 'secrets']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const file = read(root, `projects/${PROJECT}/apps-uat/secrets.ts`);
    expect(file).toContain('}, { enabled: false });');
    expect(file).toContain("'<fill in: IAM role ARN that reads the value");
    expect(out.join('\n')).toMatch(/switched off until you fill in .*secrets\[0\]\.readers\[0\]/);
    // Switched on with the placeholders still there, the organisation refuses it, naming each field.
    fs.writeFileSync(path.join(root, `projects/${PROJECT}/apps-uat/secrets.ts`), file.replace('}, { enabled: false });', '});'));
    expect(() => resolveOrganisation(projectOf(root), SANDBOX)).toThrow(/acme\/apps-uat\/secrets: secrets\[0\]\.readers\[0\]: is still the placeholder make new-layer wrote/);
    fs.writeFileSync(path.join(root, `projects/${PROJECT}/apps-uat/secrets.ts`), file);
  });

  it('writes an eks layer whose add-ons follow the version table, with nothing to fill in', () => {
    const { code, out } = run(newLayer, ['--root', root, '--project', PROJECT, '--account', 'apps-uat', '--kind', 'eks', '--layer', 'eks-new']);
    expect(code).toBe(0);
    const file = read(root, `projects/${PROJECT}/apps-uat/eks-new.ts`);
    expect(file).not.toContain('addonVersions');
    expect(file).not.toContain('<fill in');
    expect(out.join('\n')).not.toMatch(/switched off/);
    // Back to the copy the next tests expect: the layer gone, the generated files without it.
    fs.rmSync(path.join(root, `projects/${PROJECT}/apps-uat/eks-new.ts`));
    expect(run(generate, ['--root', root, '--project', PROJECT]).code).toBe(0);
  });

  it.each([
    ['an unknown kind, listing the kinds', ['--account', 'apps-uat', '--kind', 'mainframe'], /unknown KIND "mainframe"; valid: audit, backup, base-network, .*transit-attachment, transit-routes$/],
    ['an unknown account, listing the accounts', ['--account', 'nope', '--kind', 'eks'], /unknown ACCOUNT "nope" in project acme; valid: .*apps-uat/],
    ['a missing kind, listing the kinds', ['--account', 'apps-uat'], /KIND= is required; valid: audit, backup, base-network, .*transit-attachment, transit-routes$/],
  ])('new-layer refuses %s with one line and exit 2', (_, argv, message) => {
    const before = snapshot(root);
    const { code, err } = run(newLayer, ['--root', root, '--project', PROJECT, ...argv]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(snapshot(root)).toEqual(before);
  });

  it('generate --check names the one stale file (so every command above left the others current), generate rewrites it', () => {
    const current = read(root, 'docs/graph.mmd');
    fs.writeFileSync(path.join(root, 'docs/graph.mmd'), 'stale\n');
    const check = run(generate, ['--root', root, '--project', PROJECT, '--check']);
    expect(check.code).toBe(1);
    expect(check.out).toEqual(['stale: docs/graph.mmd']);
    const write = run(generate, ['--root', root, '--project', PROJECT]);
    expect(write.code).toBe(0);
    expect(write.out).toEqual(['wrote docs/graph.mmd']);
    expect(read(root, 'docs/graph.mmd')).toBe(current);
  });
});

describe('writeAll', () => {
  it('moves a new folder and replaced files into place, or restores everything when one rename fails', () => {
    const root = tempDir('write-all-');
    fs.writeFileSync(path.join(root, 'kept.txt'), 'original\n');
    fs.mkdirSync(path.join(root, 'blocker', 'inside'), { recursive: true });
    fs.writeFileSync(path.join(root, 'blocker', 'inside', 'x'), 'x');
    const before = snapshot(root);
    // `blocker` is a non-empty folder: renaming a file over it fails after the other moves were done.
    expect(() => writeAll(root, new Map([['kept.txt', 'replaced\n'], ['new/dir/file.ts', 'new\n'], ['blocker', 'file over a folder\n']]))).toThrow();
    expect(snapshot(root)).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual(['blocker', 'kept.txt']);

    writeAll(root, new Map([['kept.txt', 'replaced\n'], ['new/dir/file.ts', 'new\n']]));
    expect(read(root, 'kept.txt')).toBe('replaced\n');
    expect(read(root, 'new/dir/file.ts')).toBe('new\n');
    expect(fs.readdirSync(root).sort()).toEqual(['blocker', 'kept.txt', 'new']);
  });
});

describe('the commands as make and the shell run them', () => {
  it('make new-account, new-layer and generate call the scripts with the make variables', () => {
    const dry = (target: string, ...vars: string[]) => execFileSync('make', ['-n', '--no-print-directory', target, ...vars], { cwd: ROOT, encoding: 'utf8' });
    expect(dry('new-account', 'ACCOUNT=apps-x', 'EMAIL=a@example.org', 'ENVIRONMENT=devstg', 'OU=workloads', 'VPC=none'))
      .toMatch(/scripts\/new-account\.ts --project acme --account 'apps-x' --email 'a@example.org' --environment 'devstg' --ou 'workloads' +--vpc 'none'/);
    expect(dry('new-layer', 'ACCOUNT=apps-x', 'KIND=eks', 'LAYER=eks-blue')).toMatch(/scripts\/new-layer\.ts --project acme --account 'apps-x' --kind 'eks' --layer 'eks-blue'/);
    expect(dry('generate')).toMatch(/scripts\/generate\.ts --project acme/);
  });

  it('prints a usage error as one line on stderr, exit 2, no stack trace', () => {
    const result = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'new-layer.ts'), '--kind', 'eks'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^new-layer: ACCOUNT= is required\. usage: new-layer\.ts /)]);
  });
});
