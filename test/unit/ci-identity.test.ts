/**
 * CI and state access created by every account's security layer: the GitHub OIDC provider, the plan and apply roles
 * trusted only by the configured repository, and the state reader every remote-state read assumes.
 */
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Testing } from 'cdktf';
import { defineLayer } from '../../lib/config';
import { Security } from '../../layers/security';
import { GithubActionsRoles } from '../../modules/github-oidc';
import { account, parsed, resources, source, synthStack } from '../helpers';

const IDS = { management: '111111111111', 'apps-prd': '666666666666' };
const org = (ci = true) => source({
  management: { config: account({ id: IDS.management }), layers: { security: defineLayer(Security, {}) } },
  'apps-prd': { config: account({ id: IDS['apps-prd'] }), layers: { security: defineLayer(Security, {}) } },
}, ci ? { ci: { githubRepository: 'acme/infra' } } : {});

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const statements = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;

describe('GitHub Actions roles in every account', () => {
  const tf = synthStack(org(), 'test-apps-prd-security');
  const roles = resources(tf, 'aws_iam_role');
  const role = (name: string) => roles.find((r) => r.name === name)!;
  const inline = (prefix: string) => resources(tf, 'aws_iam_role_policy').find((p) => String(p.name).startsWith(prefix))!;
  const provider = '${aws_iam_openid_connect_provider.deploy-access_github_oidc-provider_A87EBD2C.arn}';

  it("creates the account's GitHub OIDC provider for sts.amazonaws.com, without a thumbprint (IAM trusts GitHub's CA itself)", () => {
    expect(tf).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
    expect(resources(tf, 'aws_iam_openid_connect_provider')[0].thumbprint_list).toBeUndefined();
  });

  it('lets pull requests, the main branch and the plan environment of the repository plan, and the role reassume itself', () => {
    expect(statements(role('GitHubActionsPlan').assume_role_policy)).toEqual([
      {
        Sid: 'GitHubActions', Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': ['repo:acme/infra:pull_request', 'repo:acme/infra:ref:refs/heads/main', 'repo:acme/infra:environment:plan'],
        } },
      },
      {
        Sid: 'ItselfForTerraform', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${IDS['apps-prd']}:root` }, Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${IDS['apps-prd']}:role/GitHubActionsPlan` } },
      },
    ]);
  });

  it('gives the plan role read-only access, state read and lock-table write of its own account, and the state readers', () => {
    const attached = resources(tf, 'aws_iam_role_policy_attachment').filter((a) => String(a.role).includes('plan-role'));
    expect(attached.map((a) => a.policy_arn)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    const policy = statements(inline('GitHubActionsPlan').policy);
    expect(Object.fromEntries(policy.map((s) => [s.Sid, s.Resource]))).toEqual({
      ListStates: 'arn:aws:s3:::test-apps-prd-terraform-backend-666666666666',
      ReadStates: 'arn:aws:s3:::test-apps-prd-terraform-backend-666666666666/*',
      DecryptStates: `arn:aws:kms:us-east-1:${IDS['apps-prd']}:key/*`,
      StateLocks: `arn:aws:dynamodb:us-east-1:${IDS['apps-prd']}:table/test-apps-prd-terraform-backend`,
      EncryptLocks: `arn:aws:kms:us-east-1:${IDS['apps-prd']}:key/*`,
      AssumeForTerraform: [`arn:aws:iam::${IDS['apps-prd']}:role/GitHubActionsPlan`, `arn:aws:iam::${IDS.management}:role/TerraformStateReader`, `arn:aws:iam::${IDS['apps-prd']}:role/TerraformStateReader`],
    });
    expect(policy.find((s) => s.Sid === 'DecryptStates')!.Condition).toEqual({ StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] } });
    expect(JSON.stringify(policy)).not.toMatch(/s3:PutObject|dynamodb:Scan|"\*"/);
  });

  it('lets only the protected environment named after the account apply, and the apply role can only enter the deploy role', () => {
    expect(statements(role('GitHubActionsApply').assume_role_policy)).toEqual([{
      Sid: 'GitHubActions', Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': ['repo:acme/infra:environment:apps-prd'] } },
    }]);
    expect(statements(inline('GitHubActionsApply').policy)).toEqual([{
      Sid: 'EnterDeployRoleAndReadStates', Effect: 'Allow', Action: 'sts:AssumeRole',
      Resource: [`arn:aws:iam::${IDS['apps-prd']}:role/DevOps`, `arn:aws:iam::${IDS.management}:role/TerraformStateReader`, `arn:aws:iam::${IDS['apps-prd']}:role/TerraformStateReader`],
    }]);
    expect(resources(tf, 'aws_iam_role_policy_attachment').filter((a) => String(a.role).includes('apply-role'))).toEqual([]);
    // the deploy role trusts it by reference, so Terraform creates it first (IAM refuses a trust naming a missing role)
    expect(statements(role('DevOps').assume_role_policy).find((s) => s.Sid === 'Automation')!.Principal)
      .toEqual({ AWS: ['${aws_iam_role.deploy-access_github_apply-role_9C31A3F9.arn}'] });
  });

  it('makes the state reader read state objects only, for people with a deploy permission set and every CI role of the organisation', () => {
    const reader = statements(role('TerraformStateReader').assume_role_policy);
    expect(reader.find((s) => s.Sid === 'OrganisationRoles')).toEqual({
      Sid: 'OrganisationRoles', Effect: 'Allow', Action: 'sts:AssumeRole',
      Principal: { AWS: [`arn:aws:iam::${IDS.management}:root`, `arn:aws:iam::${IDS['apps-prd']}:root`] },
      Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/GitHubActionsPlan', 'arn:aws:iam::*:role/GitHubActionsApply'] } },
    });
    expect(reader.find((s) => s.Sid === 'IdentityCenterPeople')!.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': expect.arrayContaining([
      `arn:aws:iam::${IDS.management}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DevOps_*`,
    ]) } });
    const actions = statements(inline('TerraformStateReader').policy).flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
  });

  it('creates no CI identity when the project configures none; the state reader then trusts people only', () => {
    const plain = synthStack(org(false), 'test-apps-prd-security');
    expect(resources(plain, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(resources(plain, 'aws_iam_role').map((r) => r.name).sort()).toEqual(['Auditor', 'DevOps', 'ReadOnly', 'TerraformStateReader']);
    expect(statements(resources(plain, 'aws_iam_role').find((r) => r.name === 'TerraformStateReader')!.assume_role_policy).map((s) => s.Sid)).toEqual(['IdentityCenterPeople']);
  });

  it('trusts an existing OIDC provider by its ARN when told not to create one', () => {
    const text = Testing.synthScope((scope) => {
      new GithubActionsRoles(scope, 'ci', {
        repository: 'acme/infra', applyEnvironment: 'apps-prd', deployRoleName: 'DevOps', createOidcProvider: false,
        state: { accountId: IDS['apps-prd'], region: 'us-east-1', bucketArn: 'arn:aws:s3:::b', lockTableArn: 'arn:aws:dynamodb:us-east-1:666666666666:table/b' },
      });
    });
    expect(parsed(text).resource.aws_iam_openid_connect_provider).toBeUndefined();
    const apply = Object.values(parsed(text).resource.aws_iam_role).find((r) => r.name === 'GitHubActionsApply')!;
    expect(statements(apply.assume_role_policy)[0].Principal).toEqual({ Federated: `arn:aws:iam::${IDS['apps-prd']}:oidc-provider/token.actions.githubusercontent.com` });
  });
});
