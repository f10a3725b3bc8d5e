/**
 * Who acts where (lib/identity.ts), and the day-zero property over the real synths of the example organisation:
 * no stack assumes a role that nobody creates, or that only it creates, at the step where it runs.
 */
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { bootstrapIdentity, layerIdentity, remoteStateIdentity } from '../../lib/identity';
import type { Mode } from '../../lib/mode';
import { buildOrganisation, readProjectFolder, resolveOrganisation, type ProjectSource } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Security } from '../../layers/security';
import { bootstrapPlan } from '../../scripts/lib/bootstrap';
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

interface Assumption { readonly stack: string; readonly where: string; readonly role?: string }
interface StackFacts { readonly id: string; readonly accountId: string; readonly assumes: Assumption[]; readonly creates: string[]; readonly organisationAccounts: { email: string; roleName: string }[]; readonly createsOrganisation: boolean }

/** What a synthesized stack assumes (provider, backend, remote-state reads; no role = the caller) and which roles and accounts it creates. */
function facts(id: string, json: string): StackFacts {
  const tf = JSON.parse(json) as {
    provider: { aws: { allowed_account_ids: string[]; alias?: string; assume_role?: { role_arn: string }[] }[] };
    terraform: { backend: { s3?: { assume_role?: { role_arn: string } }; local?: unknown } };
    data?: { terraform_remote_state?: Record<string, { config: { assume_role?: { role_arn: string } } }> };
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const accountId = tf.provider.aws[0].allowed_account_ids[0];
  const assumes: Assumption[] = [
    ...tf.provider.aws.map((p) => ({ stack: id, where: `provider ${p.alias ?? 'aws'}`, role: p.assume_role?.[0]?.role_arn })),
    ...(tf.terraform.backend.s3 ? [{ stack: id, where: 'backend', role: tf.terraform.backend.s3.assume_role?.role_arn }] : []),
    ...Object.entries(tf.data?.terraform_remote_state ?? {}).map(([name, r]) => ({ stack: id, where: `remote state ${name}`, role: r.config.assume_role?.role_arn })),
  ];
  const roles = Object.values(tf.resource?.aws_iam_role ?? {});
  return {
    id,
    accountId,
    assumes,
    creates: roles.map((r) => `arn:aws:iam::${accountId}:role${String(r.path ?? '/')}${String(r.name)}`),
    organisationAccounts: Object.values(tf.resource?.aws_organizations_account ?? {}).map((a) => ({ email: String(a.email), roleName: String(a.role_name) })),
    createsOrganisation: Object.keys(tf.resource?.aws_organizations_organization ?? {}).length > 0,
  };
}

function synthesize(src: ProjectSource, mode: Mode): Map<string, StackFacts> {
  const app = Testing.app();
  const built = buildOrganisation(app, resolveOrganisation(src, mode));
  return new Map(built.stacks.map((s) => [s.node.id, facts(s.node.id, Testing.synth(s))]));
}

/**
 * Checks the property and returns every violation. `bootstrap` holds the day-zero synth, in the order the sequence
 * runs it; each steady synth runs after all of it. A role counts as existing for a stack when a stack that ran
 * strictly earlier creates it (an `aws_iam_role`), or Organizations created it with an account earlier (`role_name`
 * of `aws_organizations_account`); no role (the caller's own session) is only valid in the management account.
 */
function violations(src: ProjectSource, orderedBootstrap: readonly StackFacts[], steady: readonly Map<string, StackFacts>[]): string[] {
  const ids = new Map(Object.entries(src.accounts).map(([, a]) => [a.config.email, a.config.id]));
  const problems: string[] = [];
  const existing = new Set<string>();
  // The caller's own session is valid only in the account that owns the organisation (the payer).
  const managementId = orderedBootstrap.find((s) => s.createsOrganisation)?.accountId;
  const check = (stack: StackFacts, step: string): void => {
    for (const a of stack.assumes) {
      if (a.role === undefined) {
        if (stack.accountId !== managementId) problems.push(`${step} ${stack.id} ${a.where}: the caller's session outside the management account (${managementId ?? 'none creates an organisation'})`);
      } else if (!existing.has(a.role)) {
        problems.push(`${step} ${stack.id} ${a.where}: assumes ${a.role}, which ${stack.creates.includes(a.role) ? 'only this stack creates' : 'nothing created before it'}`);
      }
    }
  };
  for (const stack of orderedBootstrap) {
    check(stack, 'bootstrap');
    for (const role of stack.creates) existing.add(role);
    for (const created of stack.organisationAccounts) existing.add(`arn:aws:iam::${ids.get(created.email)}:role/${created.roleName}`);
  }
  for (const synth of steady) for (const stack of synth.values()) check(stack, 'steady');
  return problems;
}

/** The bootstrap synth in sequence order: a backend appears first with local state, then (migrated) through its bucket. */
function dayZero(src: ProjectSource): StackFacts[] {
  const local = synthesize(src, BOOTSTRAP_LOCAL);
  const s3 = synthesize(src, BOOTSTRAP_S3);
  const org = resolveOrganisation(src, REAL);
  return bootstrapPlan(org).filter((s) => s.kind !== 'handover' && s.kind !== 'check-account-ids')
    .map((s) => (s.kind === 'backend-local' ? local : s3).get(s.stacks[0])!);
}

describe('no layer assumes a role that nobody creates before it runs', () => {
  const acme = readProjectFolder(ACME);

  it('holds for every stack of the example organisation: day-zero sequence, then steady deploy and CI plan synths', () => {
    const bootstrap = dayZero(acme);
    expect(bootstrap.map((s) => s.id).slice(0, 6)).toEqual([
      'acme-management-base-tf-backend', 'acme-management-base-tf-backend', 'acme-management-organizations',
      'acme-management-identities', 'acme-management-security', 'acme-security-base-tf-backend',
    ]);
    const steady = synthesize(acme, REAL);
    const plan = synthesize(acme, PLAN);
    const enabled = Object.values(acme.accounts).flatMap((a) => Object.values(a.layers))
      .filter((l) => (l as { enabled?: boolean }).enabled !== false).length;
    expect(steady.size).toBe(enabled);
    expect(violations(acme, bootstrap, [steady, plan])).toEqual([]);
    // every steady provider goes through the deploy role, never the bootstrap role or the caller
    for (const stack of steady.values()) {
      for (const a of stack.assumes.filter((x) => x.where.startsWith('provider') || x.where === 'backend')) {
        expect(a.role).toBe(`arn:aws:iam::${stack.accountId}:role/DevOps`);
      }
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
    const problems = violations(src, dayZero(src), [synthesize(src, REAL)]);
    // no organizations layer: nothing created apps-prd's bootstrap role; no security layer there: nothing creates its DevOps
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^bootstrap test-apps-prd-base-tf-backend provider aws: assumes arn:aws:iam::666666666666:role\/OrganizationAccountAccessRole, which nothing created before it/),
      expect.stringMatching(/^steady test-apps-prd-base-network backend: assumes arn:aws:iam::666666666666:role\/DevOps, which nothing created before it/),
      // the management account has no organisation either, so even its caller session is not known to be the payer's
      expect.stringMatching(/^bootstrap test-management-base-tf-backend provider aws: the caller's session outside the management account/),
    ]));
  });

  it('refuses a stack that assumes the role it creates (the old member security layer assumed the DevOps role it created)', () => {
    const creator: StackFacts = { id: 'x-security', accountId: '666666666666', assumes: [{ stack: 'x-security', where: 'provider aws', role: 'arn:aws:iam::666666666666:role/DevOps' }], creates: ['arn:aws:iam::666666666666:role/DevOps'], organisationAccounts: [], createsOrganisation: false };
    expect(violations(source({}), [creator], [])).toEqual(['bootstrap x-security provider aws: assumes arn:aws:iam::666666666666:role/DevOps, which only this stack creates']);
  });
});
