/**
 * The preflight over the example organisation (built in memory in real mode) and the `make preflight` CLI.
 *
 * The example organisation has no finding left, warnings included: every known blocker of issues 11/12 and every defect
 * the preflight found on top of them is fixed (docs/real-aws.md, "Today's findings"). A change that brings one back
 * fails here with the finding itself, stack, address, message and fix.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runPreflight, type PreflightReport } from '../../lib/preflight/engine';
import { loadOrganisations } from '../../lib/preflight/load';
import type { OrgModel } from '../../lib/preflight/model';
import { PREFLIGHT_RULES } from '../../lib/preflight/rules';
import { docWithRules, main, REAL_AWS_DOC } from '../../scripts/preflight';

const PROJECTS = path.resolve(__dirname, '..', '..', 'projects');

let org: OrgModel;
let report: PreflightReport;
let synthMs: number;

beforeAll(() => {
  const loaded = loadOrganisations({ projectsDir: PROJECTS, project: 'acme', today: '2026-11-30' });
  org = loaded.models[0];
  synthMs = loaded.synthMs;
  report = runPreflight(org, PREFLIGHT_RULES);
}, 120_000);

describe('preflight over the example organisation', () => {
  it('checks the real-mode synth: providers and backends assume roles, whatever SANDBOX says', () => {
    expect(org.stacks.length).toBeGreaterThan(50);
    for (const stack of org.stacks) {
      expect(stack.roleUses.some((u) => u.address === 'provider.aws')).toBe(true);
      expect(stack.roleUses.some((u) => u.address === 'terraform.backend.s3')).toBe(true);
    }
  });

  it('finds nothing to fix in the example organisation, warnings included', () => {
    expect(report.findings).toEqual([]);
    expect(report.rules.length).toBeGreaterThanOrEqual(45);
  });

  it('judges the day-zero sequence too: the backend and security steps of every account, in make bootstrap-org order, before every steady layer', () => {
    const steps = org.bootstrap.map((s) => s.step!.id);
    expect(steps).toHaveLength(3 + 2 + 3 * 6); // management: backend (2 steps), organizations, identities, security; each member: backend (2), security
    expect(steps.indexOf('management/organizations/apply')).toBeLessThan(steps.indexOf('apps-prd/base-tf-backend/backend-local'));
    expect(steps.indexOf('apps-prd/base-tf-backend/backend-migrate')).toBeLessThan(steps.indexOf('apps-prd/security/apply'));
    // member steps act as the role Organizations created, management's as the caller
    const security = org.bootstrap.find((s) => s.step!.id === 'apps-prd/security/apply')!;
    expect(security.roleUses.map((u) => u.roleArn)).toEqual([`arn:aws:iam::${security.account.id}:role/OrganizationAccountAccessRole`, `arn:aws:iam::${security.account.id}:role/OrganizationAccountAccessRole`]);
    expect(org.bootstrap.find((s) => s.step!.id === 'management/identities/apply')!.callerUses.map((u) => u.address)).toEqual(['provider.aws', 'terraform.backend.s3']);
    // and the steady layers assume roles it created: no assume finding anywhere
    expect(report.findings.filter((f) => ['PF-IAM-001', 'PF-IAM-002', 'PF-IAM-003', 'PF-IAM-007'].includes(f.ruleId))).toEqual([]);
  });

  it('names stack, address, fix and docs of each finding (an organisation with one)', () => {
    const broken = loadOrganisations({ projectsDir: path.resolve(__dirname, '..', 'fixtures', 'preflight-projects-broken'), today: '2026-11-30' });
    const findings = runPreflight(broken.models[0], PREFLIGHT_RULES).findings;
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.stack).toMatch(/^broken-/);
      expect(f.address.length).toBeGreaterThan(0);
      expect(f.docs).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(f.fix.length).toBeGreaterThan(10);
    }
  }, 60_000);

  it('checks the whole organisation in well under a second (synth measured apart)', () => {
    expect(report.checkMs).toBeLessThan(1000);
    expect(synthMs).toBeGreaterThan(0);
  });
});

describe('make preflight (scripts/preflight.ts)', () => {
  const run = (argv: string[], projectsDir = path.resolve(__dirname, '..', 'fixtures', 'preflight-projects')) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { projectsDir, out: (t) => out.push(t), err: (t) => err.push(t), env: {} });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints one line and exits 0 for an organisation without findings', () => {
    const { code, out } = run([]);
    expect(code).toBe(0);
    expect(out).toMatch(/^preflight: \d+ rules over 6 stacks, 0 findings in \d+ ms; synth \d+ ms \(day-zero steps \d+ ms\)$/);
  }, 60_000);

  it('exits 0 with its one-line summary on the example organisation (SANDBOX=0 make preflight)', () => {
    const { code, out } = run(['--project', 'acme'], PROJECTS);
    expect(code).toBe(0);
    expect(out).toMatch(/^preflight: \d+ rules over \d+ stacks, 0 findings in \d+ ms; synth \d+ ms \(day-zero steps \d+ ms\)$/);
  }, 120_000);

  it('refuses an unknown option with one usage line and exit 2', () => {
    const { code, err } = run(['--frobnicate']);
    expect(code).toBe(2);
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain('unknown option --frobnicate');
    const unknown = run(['--project', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')).toHaveLength(1);
    expect(unknown.err).toContain('no project "nope"');
  });

  it('refuses an account or layer the organisation does not have, listing those it has (a typo would report nothing)', () => {
    const account = run(['--account', 'nope']);
    expect([account.code, account.out]).toEqual([2, '']);
    expect(account.err).toMatch(/^preflight: unknown account: nope; valid: [a-z-]+(, [a-z-]+)*$/);
    const [first] = account.err.split('valid: ')[1].split(', ');
    const layer = run(['--account', first, '--layer', 'nope']);
    expect([layer.code, layer.out]).toEqual([2, '']);
    expect(layer.err).toMatch(new RegExp(`^preflight: unknown layer in ${first}: nope; valid: [a-z-]+(, [a-z-]+)*$`));
    const valid = layer.err.split('valid: ')[1].split(', ');
    expect(run(['--account', first, '--layer', valid[0]]).code).toBe(0);
  }, 60_000);

  it('prints findings grouped by stack and exits 1 on errors; --warn-only prints the tally and exits 0', () => {
    const broken = path.resolve(__dirname, '..', 'fixtures', 'preflight-projects-broken');
    const failed = run([], broken);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('broken-work-base-network: 1 error(s), 0 warning(s)');
    expect(failed.out).toContain('ERROR PF-IAM-001 provider.aws');
    expect(failed.out).toContain('arn:aws:iam::123456789012:role/Nobody');
    expect(failed.out).toContain('fix: ');
    expect(failed.out).toContain('docs: https://docs.aws.amazon.com/');
    const warned = run(['--warn-only'], broken);
    expect(warned.code).toBe(0);
    expect(warned.out).not.toContain('ERROR PF-IAM-001');
    expect(warned.out).toContain('by rule: PF-IAM-001 1');
    // An account the organisation does not have is refused, not read as a selection without findings.
    const other = run(['--account', 'elsewhere'], broken);
    expect([other.code, other.err]).toEqual([2, 'preflight: unknown account: elsewhere; valid: work']);
  }, 60_000);

  it('keeps the rule table of docs/real-aws.md current (node -r ./scripts/register.js scripts/preflight.ts --write-doc)', () => {
    const doc = fs.readFileSync(REAL_AWS_DOC, 'utf8');
    expect(docWithRules(doc)).toBe(doc);
    for (const rule of PREFLIGHT_RULES) expect(doc).toContain(rule.id);
  });
});
