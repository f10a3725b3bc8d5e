/**
 * People: AWS CLI profiles from the identities layer (make sso-config), and the runner's credentials check before a
 * real run, with a fake STS seam.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { GraphNode } from '../../lib/graph';
import type { Organisation } from '../../lib/model';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { checkCredentials, credentialsReady, EXPIRY_MARGIN_MS, predictRunMs, type CredentialSeam } from '../../scripts/lib/credentials';
import { operatorProfile, ssoConfigText, ssoProfiles } from '../../scripts/lib/sso-config';
import { buildApp } from '../../lib/synth';
import { REAL, tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const ACME = path.join(ROOT, 'projects', 'acme');
const acme = (mode = REAL): Organisation => resolveOrganisation(readProjectFolder(ACME), mode);
const NOW = Date.parse('2026-11-30T12:00:00Z');
const MIN = 60_000;

describe('make sso-config', () => {
  const org = acme();

  it('writes one profile per account and assigned permission set, all on one sso-session of the project start URL', () => {
    const profiles = ssoProfiles(org);
    expect(profiles.filter((p) => p.account === 'apps-prd').map((p) => p.permissionSet)).toEqual(['Administrator', 'DevOps', 'ReadOnly', 'SecurityAuditor']);
    expect(profiles.filter((p) => p.account === 'management').map((p) => p.name)).toEqual([
      'acme-management-Administrator', 'acme-management-DevOps', 'acme-management-FinOps', 'acme-management-ReadOnly', 'acme-management-SecurityAuditor',
    ]);
    const text = ssoConfigText(org);
    expect(text).toContain('[sso-session acme]\nsso_start_url = https://d-9067000abc.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n');
    expect(text).toContain('[profile acme-apps-prd-DevOps]\nsso_session = acme\nsso_account_id = 666666666666\nsso_role_name = DevOps\nregion = us-east-1\n');
    expect(text.match(/^\[profile /gm)).toHaveLength(profiles.length);
  });

  it('names the profile runs use: the first deploy permission set assigned in the identity account', () => {
    expect(operatorProfile(org)).toBe('acme-management-DevOps');
  });

  const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', './scripts/register.js', 'scripts/sso-config.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SSO_CONFIG_OUT: '' } });

  it('writes the file it is told to, prints to stdout for -, and never overwrites ~/.aws/config', () => {
    const out = path.join(tempDir('sso-'), 'config');
    const written = cli('--project', 'acme', '--out', out);
    expect(written.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(ssoConfigText(org));
    expect(written.stdout).toContain('export AWS_PROFILE=acme-management-DevOps && aws sso login --profile acme-management-DevOps');
    expect(cli('--project', 'acme', '--out', '-').stdout).toBe(ssoConfigText(org));
    const refused = cli('--project', 'acme', '--out', path.join(os.homedir(), '.aws', 'config'));
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^sso-config: refusing to overwrite .*\.aws\/config/);
  });
});

function seam(options: { caller?: Error; expiresInMs?: number; denied?: string[] } = {}): CredentialSeam & { assumed: string[] } {
  const assumed: string[] = [];
  return {
    assumed,
    caller: async () => {
      if (options.caller) throw options.caller;
      return { arn: 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_DevOps_0123456789abcdef/jane', expiration: options.expiresInMs === undefined ? undefined : new Date(NOW + options.expiresInMs) };
    },
    assume: async (arn) => {
      assumed.push(arn);
      if (options.denied?.some((d) => arn.includes(d))) throw Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole on resource: ${arn}`), { name: 'AccessDenied' });
    },
  };
}

describe('credentials check before a real run', () => {
  const org = acme();
  const check = (s: CredentialSeam, extra: { predictedRunMs?: number; profile?: string; accounts?: string[] } = {}) =>
    checkCredentials({ org, seam: s, accounts: extra.accounts ?? ['apps-prd', 'network', 'apps-prd'], now: () => NOW, predictedRunMs: extra.predictedRunMs, profile: extra.profile });

  it('tries the deploy role of each selected account once and passes', async () => {
    const s = seam({ expiresInMs: 4 * 60 * MIN });
    const verdict = await check(s, { predictedRunMs: 30 * MIN });
    expect(verdict.ok).toBe(true);
    expect(s.assumed).toEqual(['arn:aws:iam::666666666666:role/DevOps', 'arn:aws:iam::444444444444:role/DevOps']);
    expect(verdict.lines).toContain('valid for 240m00s; the run should take about 30m00s');
  });

  it('fails fast with the exact aws sso login when there are no credentials', async () => {
    const verdict = await check(seam({ caller: Object.assign(new Error('Token is expired. To refresh this SSO session run aws sso login'), { name: 'TokenProviderError' }) }), { profile: 'acme-management-DevOps' });
    expect(verdict).toEqual({ ok: false, lines: [
      'no valid AWS credentials (TokenProviderError: Token is expired. To refresh this SSO session run aws sso login).',
      'Run: aws sso login --profile acme-management-DevOps',
    ] });
    const noProfile = await check(seam({ caller: new Error('Could not load credentials from any providers') }));
    expect(noProfile.lines[1]).toBe('Run: export AWS_PROFILE=acme-management-DevOps && aws sso login --profile acme-management-DevOps   (profiles: make sso-config, then export AWS_CONFIG_FILE=.aws/config.acme)');
  });

  it('fails when the session ends before the run is likely to, predicted from the last run', async () => {
    const s = seam({ expiresInMs: 35 * MIN });
    const verdict = await check(s, { predictedRunMs: 30 * MIN, profile: 'acme-management-DevOps' });
    expect(verdict.ok).toBe(false);
    expect(verdict.lines.slice(1)).toEqual([
      'they expire in 35m00s (2026-11-30T12:35:00.000Z), and the last run of these layers took about 30m00s: renew them first.',
      'Run: aws sso login --profile acme-management-DevOps',
    ]);
    expect(s.assumed).toEqual([]); // nothing else is tried
    expect((await check(seam({ expiresInMs: 30 * MIN + EXPIRY_MARGIN_MS + MIN }), { predictedRunMs: 30 * MIN })).ok).toBe(true);
  });

  it('names every account whose role cannot be assumed, and who may assume it', async () => {
    const verdict = await check(seam({ denied: ['666666666666'] }), { accounts: ['apps-prd', 'network'] });
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain('apps-prd: cannot assume arn:aws:iam::666666666666:role/DevOps (AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::666666666666:role/DevOps)');
    expect(verdict.lines.join('\n')).not.toContain('network: cannot');
    expect(verdict.lines[verdict.lines.length - 1]).toMatch(/^The deploy roles trust Identity Center sessions of DevOps or Administrator/);
  });

  it('checks the CI plan role when the run plans with ACCESS=plan', async () => {
    const s = seam();
    const verdict = await checkCredentials({ org: acme({ ...REAL, access: 'plan' }), seam: s, accounts: ['shared'], access: 'plan', now: () => NOW });
    expect(verdict.ok).toBe(true);
    expect(s.assumed).toEqual(['arn:aws:iam::333333333333:role/GitHubActionsPlan']);
  });
});

describe('predicting the run from the last report', () => {
  const node = (id: string): GraphNode => ({ id, project: 'acme', account: 'a', accountId: '123456789012', layer: id, kind: id, region: 'us-east-1', stateful: false, dependsOn: [] });
  const report = (layers: { id: string; durationMs: number }[]) => {
    const file = path.join(tempDir('report-'), 'run-report.json');
    fs.writeFileSync(file, JSON.stringify({ layers }));
    return file;
  };

  it('divides the layers last durations among the workers, never below the longest, with the median for new layers', () => {
    const file = report([{ id: 'a', durationMs: 60_000 }, { id: 'b', durationMs: 20_000 }, { id: 'c', durationMs: 10_000 }, { id: 'skipped', durationMs: 0 }]);
    expect(predictRunMs(file, [node('a'), node('b'), node('c')], 1)).toBe(90_000);
    expect(predictRunMs(file, [node('a'), node('b'), node('c')], 3)).toBe(60_000);
    expect(predictRunMs(file, [node('b'), node('new')], 1)).toBe(40_000);
    expect(predictRunMs(path.join(tempDir('none-'), 'run-report.json'), [node('a')], 1)).toBeUndefined();
  });
});

describe('the runner hook', () => {
  const outdir = tempDir('creds-');
  const { stacks, graph } = buildApp({ projectsDir: path.join(ROOT, 'projects'), mode: REAL, project: 'acme', outdir });
  const nodes = graph.filter((n) => n.account === 'apps-prd');

  it('prints the verdict and stops a run whose credentials cannot assume the roles; SKIP_CREDENTIALS_CHECK=1 skips it', async () => {
    const lines: string[] = [];
    const denied = seam({ denied: ['666666666666'] });
    const ok = await credentialsReady({ stacks, nodes, reportFile: path.join(outdir, 'run-report.json'), parallelism: 2, print: (l) => lines.push(l), env: {}, seam: async () => denied });
    expect(ok).toBe(false);
    expect(lines[0]).toBe('credentials check failed (SANDBOX=0): nothing was run');
    expect(denied.assumed).toEqual(['arn:aws:iam::666666666666:role/DevOps']);
    expect(await credentialsReady({ stacks, nodes, reportFile: '', parallelism: 2, env: { SKIP_CREDENTIALS_CHECK: '1' }, seam: async () => { throw new Error('not called'); } })).toBe(true);
  });
});
