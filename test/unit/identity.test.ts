/**
 * Who acts where (lib/identity.ts), and the day-zero property over the real synths of the example organisation:
 * no stack assumes a role that nobody creates, or that only it creates, at the step where it runs (checked by the
 * preflight's identity rules, the one implementation of that check).
 */
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { bootstrapIdentity, layerIdentity, remoteStateIdentity } from '../../lib/identity';
import type { Mode } from '../../lib/mode';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Security } from '../../layers/security';
import { runPreflight } from '../../lib/preflight/engine';
import { loadProject } from '../../lib/preflight/load';
import type { OrgModel } from '../../lib/preflight/model';
import { PREFLIGHT_RULES_BY_ID } from '../../lib/preflight/rules';
import { account, REAL, source, synthStack, parsed } from '../helpers';

const ACME = path.resolve(__dirname, '../../projects/acme');
const BOOTSTRAP_LOCAL: Mode = { ...REAL, bootstrap: true };
const BOOTSTRAP_S3: Mode = { ...REAL, bootstrap: true, localBackendState: false };
const PLAN: Mode = { ...REAL, access: 'plan' };

describe('identity per account and step', () => {
  const org = resolveOrganisation(source({
    management: { config: account({ id: '111111111111' }) },
    'apps-prd': { config: account({ id: '666666666666' }) },
  }, { ci: { githubRepository: 'acme/infra' } }), REAL);
  const management = org.accounts.get('management')!;
  const member = org.accounts.get('apps-prd')!;

  it('starts the management account from the caller session and a member account from the role Organizations created', () => {
    expect(bootstrapIdentity(org, management)).toEqual({ kind: 'caller', accountId: '111111111111' });
    expect(layerIdentity(org, member, 'bootstrap')).toEqual({
      kind: 'role', accountId: '666666666666', name: 'OrganizationAccountAccessRole', arn: 'arn:aws:iam::666666666666:role/OrganizationAccountAccessRole',
    });
  });

  it('runs every steady layer through the deploy role, CI plans through the plan role, remote reads through the state reader', () => {
    expect(layerIdentity(org, management, 'steady')).toMatchObject({ arn: 'arn:aws:iam::111111111111:role/DevOps' });
    expect(layerIdentity(org, member, 'steady', 'plan')).toMatchObject({ arn: 'arn:aws:iam::666666666666:role/GitHubActionsPlan' });
    expect(remoteStateIdentity(org, member, 'steady')).toMatchObject({ arn: 'arn:aws:iam::666666666666:role/TerraformStateReader' });
    expect(remoteStateIdentity(org, management, 'bootstrap')).toEqual({ kind: 'caller', accountId: '111111111111' });
  });

  it('renders the caller session as a provider and backend without assume_role, still pinned to the account', () => {
    const src = source({ management: { config: account({ id: '111111111111' }), layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}) } } });
    const local = parsed(synthStack(src, 'test-management-base-tf-backend', BOOTSTRAP_LOCAL));
    expect(local.provider.aws[0]).toMatchObject({ allowed_account_ids: ['111111111111'] });
    expect(local.provider.aws[0].assume_role).toBeUndefined();
    expect(local.terraform.backend).toEqual({ local: { path: '/tmp/bootstrap/test-management-base-tf-backend.tfstate' } });
    // the migration step: the bucket it created, still as the caller (the old bootstrap assumed a deploy role that did not exist yet)
    const migrated = parsed(synthStack(src, 'test-management-base-tf-backend', BOOTSTRAP_S3));
    expect(migrated.terraform.backend!.s3).toMatchObject({ bucket: 'test-management-terraform-backend-111111111111', key: 'management/base-tf-backend/terraform.tfstate' });
    expect(migrated.terraform.backend!.s3.assume_role).toBeUndefined();
  });

  it('synthesizes only the day-zero kinds in the bootstrap step, and the security layer as the bootstrap role', () => {
    const src = source({
      management: { config: account({ id: '111111111111' }), layers: { security: defineLayer(Security, {}) } },
      'apps-prd': { config: account({ id: '666666666666' }), layers: {
        security: defineLayer(Security, {}),
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.2.0.0/16', natGateways: 'none' }),
      } },
    });
    const app = Testing.app();
    const built = buildOrganisation(app, resolveOrganisation(src, BOOTSTRAP_S3));
    expect(built.stacks.map((s) => s.node.id).sort()).toEqual(['test-apps-prd-security', 'test-management-security']);
    const security = parsed(Testing.synth(built.stacks.find((s) => s.node.id === 'test-apps-prd-security')!));
    expect(security.provider.aws[0].assume_role).toEqual([{ role_arn: 'arn:aws:iam::666666666666:role/OrganizationAccountAccessRole', session_name: 'test-security' }]);
    expect(security.terraform.backend!.s3.assume_role).toEqual({ role_arn: 'arn:aws:iam::666666666666:role/OrganizationAccountAccessRole' });
  });

  it('refuses a wildcard or malformed CI repository, a bad start URL, an unknown management account and ACCESS=plan without CI', () => {
    const bad = (project: Record<string, unknown>, mode: Mode = REAL) => () => resolveOrganisation(source({ management: {} }, project), mode);
    expect(bad({ ci: { githubRepository: 'acme/*' } })).toThrow(/test: ci\.githubRepository: "acme\/\*" must be owner\/name of one GitHub repository \(no wildcard\)/);
    expect(bad({ ci: { githubRepository: 'acme' } })).toThrow(/ci\.githubRepository/);
    expect(bad({ ci: { githubRepository: 'acme/infra', mainBranch: 'release/*' } })).toThrow(/ci\.mainBranch: "release\/\*" is not a branch name/);
    expect(bad({ identityCenter: { startUrl: 'http://d-1.awsapps.com/start' } })).toThrow(/identityCenter\.startUrl: .* is not an https URL/);
    expect(bad({ identityCenter: { startUrl: 'https://d-1.awsapps.com/start', deployPermissionSets: ['Dev*'] } })).toThrow(/identityCenter\.deployPermissionSets\[0\]: "Dev\*" is not a permission set name/);
    expect(bad({ managementAccount: 'payer' })).toThrow(/managementAccount: unknown account "payer"/);
    expect(bad({}, PLAN)).toThrow(/test: ci: ACCESS=plan assumes the CI plan roles/);
  });
});

// ---------------------------------------------------------------- the day-zero property

/**
 * The property is checked by the preflight's identity rules (lib/preflight/rules/identities.ts) over the day-zero
 * synth in sequence order and the steady synth: a role exists for a stack when an earlier day-zero step, Organizations
 * (`role_name` of an account it created earlier), the day-zero sequence (for a steady stack) or an upstream layer
 * created it; the caller's own session only in the account holding the organisation. Fixture-level cases (a step
 * assuming the role it creates, a member step before its account exists) are in test/unit/preflight-rules.test.ts.
 */
const ASSUME_RULES = ['PF-IAM-001', 'PF-IAM-002', 'PF-IAM-003', 'PF-IAM-007'].map((id) => PREFLIGHT_RULES_BY_ID.get(id)!);

function violations(model: OrgModel): string[] {
  return runPreflight(model, ASSUME_RULES).findings.map((f) => `${f.ruleId} ${f.stack} ${f.address}: ${f.message}`);
}

describe('no layer assumes a role that nobody creates before it runs', () => {
  const acme = readProjectFolder(ACME);

  it('holds for every stack of the example organisation: day-zero sequence, then steady deploy and CI plan synths', () => {
    const deploy = loadProject(acme).model;
    expect(deploy.bootstrap.map((s) => s.step!.id).slice(0, 6)).toEqual([
      'management/base-tf-backend/backend-local', 'management/base-tf-backend/backend-migrate', 'management/organizations/apply',
      'management/identities/apply', 'management/security/apply', 'security/base-tf-backend/backend-local',
    ]);
    // the backend's first step keeps local state, its migration and every later step use the bucket
    expect(deploy.bootstrap[0].tf.terraform).toMatchObject({ backend: { local: expect.any(Object) } });
    expect(deploy.bootstrap[1].tf.terraform).toMatchObject({ backend: { s3: expect.any(Object) } });
    const enabled = Object.values(acme.accounts).flatMap((a) => Object.values(a.layers))
      .filter((l) => (l as { enabled?: boolean }).enabled !== false).length;
    expect(deploy.stacks.length).toBe(enabled);
    expect(violations(deploy)).toEqual([]);
    // every steady provider and backend goes through the deploy role, never the bootstrap role or the caller
    for (const stack of deploy.stacks) {
      expect(stack.callerUses).toEqual([]);
      for (const use of stack.roleUses.filter((u) => !u.address.startsWith('data.'))) expect(use.roleArn).toBe(`arn:aws:iam::${stack.account.id}:role/DevOps`);
    }
    const plan = loadProject(acme, { access: 'plan' }).model;
    expect(violations(plan)).toEqual([]);
    for (const stack of plan.stacks) {
      for (const use of stack.roleUses.filter((u) => !u.address.startsWith('data.'))) expect(use.roleArn).toBe(`arn:aws:iam::${stack.account.id}:role/GitHubActionsPlan`);
    }
  });

  it('finds the chicken-and-egg it is meant to find: an account whose deploy role nobody creates', () => {
    const src = source({
      management: { config: account({ id: '111111111111' }), layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}), security: defineLayer(Security, {}) } },
      'apps-prd': { config: account({ id: '666666666666' }), layers: {
        'base-tf-backend': defineLayer(BaseTfBackend, {}),
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.2.0.0/16', natGateways: 'none' }),
      } },
    });
    const problems = violations(loadProject(src).model);
    // no organizations layer: nothing created apps-prd's bootstrap role; no security layer there: nothing creates its DevOps
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^PF-IAM-001 test-apps-prd-base-tf-backend provider\.aws: day-zero step apps-prd\/base-tf-backend\/backend-local: provider\.aws assumes arn:aws:iam::666666666666:role\/OrganizationAccountAccessRole, which no layer creates/),
      expect.stringMatching(/^PF-IAM-001 test-apps-prd-base-network provider\.aws: provider\.aws, terraform\.backend\.s3 assume arn:aws:iam::666666666666:role\/DevOps, which no layer creates/),
      // the management account has no organisation either, so even its caller session is not known to be the payer's
      expect.stringMatching(/^PF-IAM-007 test-management-base-tf-backend provider\.aws: day-zero step management\/base-tf-backend\/backend-local: provider\.aws acts as the caller's own session .* no layer creates or imports the organisation/),
    ]));
  });
});
