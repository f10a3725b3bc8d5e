/**
 * GitHub Actions in an AWS account, without access keys: the account's IAM OIDC provider for GitHub and two roles
 * a workflow assumes with `sts:AssumeRoleWithWebIdentity` (aws-actions/configure-aws-credentials):
 *
 * - the plan role: read-only plus state read and lock-table write, for pull requests and the main branch;
 * - the apply role: only the account's GitHub environment (protect it: main only, required reviewers). It can do
 *   nothing itself but enter the account's deploy role, which trusts it, and read state through the state readers.
 *
 * Each account needs its own provider: AssumeRoleWithWebIdentity only accepts a provider of the role's account.
 * Since 2023 IAM validates GitHub's tokens against its own trusted CAs, so no thumbprint is set (IAM computes one).
 */
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { CI_ROLE_NAMES, GITHUB_OIDC_HOST, oidcProviderArn, roleArn } from '../lib/naming';
import { ROLE_ASSUME_ACTIONS, WEB_IDENTITY_ASSUME_ACTIONS } from './perms';
import { oneOrMany, type PolicyStatement } from './policy';
import { Role } from './role';
import { stateLockStatements, stateReadStatements, type StateBackendLocation } from './state-access';

/** The audience aws-actions/configure-aws-credentials asks GitHub for. */
export const GITHUB_AUDIENCE = 'sts.amazonaws.com';

/** `sub` claims of GitHub's OIDC tokens (docs.github.com, "About security hardening with OpenID Connect"). */
export const githubSubject = {
  /** A job of a pull_request event without an environment. */
  pullRequest: (repository: string): string => `repo:${repository}:pull_request`,
  /** A job on a branch without an environment. */
  branch: (repository: string, branch: string): string => `repo:${repository}:ref:refs/heads/${branch}`,
  /** A job that names an environment (whatever the event): the environment's protection rules have passed. */
  environment: (repository: string, environment: string): string => `repo:${repository}:environment:${environment}`,
};

/** Trust of a role by GitHub's tokens: audience pinned, exact subjects only (never `repo:org/*`). */
export function githubTrustStatement(providerArn: string, subjects: readonly string[]): PolicyStatement {
  return {
    Sid: 'GitHubActions',
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: oneOrMany(WEB_IDENTITY_ASSUME_ACTIONS),
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: [...subjects],
      },
    },
  };
}

export interface GithubActionsRolesProps {
  /** `owner/name` of the only repository trusted. */
  readonly repository: string;
  /** Branch whose jobs (without an environment) may plan. @default 'main' */
  readonly mainBranch?: string;
  /** GitHub environment of the generated workflow's plan jobs. @default 'plan' */
  readonly planEnvironment?: string;
  /** GitHub environment whose jobs may apply: the generated workflow names it after the account. */
  readonly applyEnvironment: string;
  /** This account's state backend (the plan role reads it and takes locks). */
  readonly state: StateBackendLocation;
  /** Name of this account's deploy role, which the apply role enters and which must trust it. */
  readonly deployRoleName: string;
  /** State-reader role ARNs of every account whose state this account's layers read. @default [] */
  readonly stateReaderRoleArns?: readonly string[];
  /**
   * Create the account's GitHub OIDC provider. IAM allows one per URL and account: when it already exists, import it
   * (`terraform import '<address>' arn:aws:iam::<id>:oidc-provider/token.actions.githubusercontent.com`). @default true
   */
  readonly createOidcProvider?: boolean;
  /** @default 3600 */
  readonly maxSessionDuration?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

export class GithubActionsRoles extends Construct {
  readonly oidcProviderArn: string;
  readonly planRole: Role;
  readonly applyRole: Role;

  constructor(scope: Construct, id: string, props: GithubActionsRolesProps) {
    super(scope, id);
    const { provider, repository, state } = props;
    const oidc = props.createOidcProvider ?? true
      ? new IamOpenidConnectProvider(this, 'oidc-provider', { provider, url: `https://${GITHUB_OIDC_HOST}`, clientIdList: [GITHUB_AUDIENCE] })
      : undefined;
    this.oidcProviderArn = oidc ? oidc.arn : oidcProviderArn(state.accountId);
    const readers = [...new Set(props.stateReaderRoleArns ?? [])];
    const maxSessionDuration = props.maxSessionDuration ?? 3600;

    // The plan job synthesizes with ACCESS=plan: its providers and backends assume this same role (lib/identity.ts),
    // and a role may assume itself only when its trust says so.
    const planArn = roleArn(state.accountId, CI_ROLE_NAMES.plan);
    this.planRole = new Role(this, 'plan-role', {
      provider,
      name: CI_ROLE_NAMES.plan,
      description: `Plans the layers of this account from ${repository} (pull requests, ${props.mainBranch ?? 'main'}): read-only, state read, locks`,
      maxSessionDuration,
      assumedBy: {
        statements: [
          githubTrustStatement(this.oidcProviderArn, [
            githubSubject.pullRequest(repository),
            githubSubject.branch(repository, props.mainBranch ?? 'main'),
            githubSubject.environment(repository, props.planEnvironment ?? 'plan'),
          ]),
          {
            Sid: 'ItselfForTerraform',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${state.accountId}:root` },
            Action: oneOrMany(ROLE_ASSUME_ACTIONS),
            Condition: { ArnEquals: { 'aws:PrincipalArn': planArn } },
          },
        ],
      },
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      policyName: `${CI_ROLE_NAMES.plan}-state`,
      ids: { policy: 'plan-state', managedPolicies: ['plan-read-only'] },
    });
    for (const statement of [...stateReadStatements(state), ...stateLockStatements(state)]) this.planRole.addToPolicy(statement);
    this.planRole.addToPolicy({ Sid: 'AssumeForTerraform', Effect: 'Allow', Action: oneOrMany(ROLE_ASSUME_ACTIONS), Resource: [planArn, ...readers] });

    this.applyRole = new Role(this, 'apply-role', {
      provider,
      name: CI_ROLE_NAMES.apply,
      description: `Applies the layers of this account from ${repository}, environment ${props.applyEnvironment}, through the deploy role`,
      maxSessionDuration,
      assumedBy: { statements: [githubTrustStatement(this.oidcProviderArn, [githubSubject.environment(repository, props.applyEnvironment)])] },
      policyName: `${CI_ROLE_NAMES.apply}-enter`,
      ids: { policy: 'apply-enter' },
    });
    // A literal ARN (not a reference): the deploy role's trust references this role, so a reference back would be a cycle.
    this.applyRole.addToPolicy({
      Sid: 'EnterDeployRoleAndReadStates',
      Effect: 'Allow',
      Action: oneOrMany(ROLE_ASSUME_ACTIONS),
      Resource: [roleArn(state.accountId, props.deployRoleName), ...readers],
    });
  }
}
