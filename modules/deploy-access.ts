/**
 * The roles besides the deploy role that let people and CI run Terraform in an account (lib/identity.ts says who
 * assumes which): the state reader every remote-state read assumes, and the GitHub Actions plan and apply roles.
 * The account's `security` layer creates them next to the deploy role, which must trust `deployRoleTrusts`.
 */
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { GithubActionsRoles, type GithubActionsRolesProps } from './github-oidc';
import { StateReaderRole, type StateBackendLocation } from './state-access';

export interface DeployAccessProps {
  /** This account's state backend. */
  readonly state: StateBackendLocation;
  /** Name of the state-reader role (the same in every account). */
  readonly stateReaderRoleName: string;
  /** Identity account whose Identity Center sessions of `permissionSets` may read state. */
  readonly identityAccountId: string;
  /** Permission sets allowed to deploy, and so to read state. */
  readonly permissionSets: readonly string[];
  /** Roles of the same name in the organisation's accounts that may read this account's state (CI roles). @default - none */
  readonly organisationRoles?: { readonly accountIds: readonly string[]; readonly roleNames: readonly string[] };
  /** Exact ARNs of further roles that may read this account's state (automation). @default [] */
  readonly stateReaderPrincipalArns?: readonly string[];
  /** GitHub Actions roles of this account. @default - none (no CI configured) */
  readonly github?: Omit<GithubActionsRolesProps, 'state' | 'provider'>;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

export class DeployAccess extends Construct {
  readonly stateReader: StateReaderRole;
  readonly github?: GithubActionsRoles;
  /** Roles created here that the deploy role must trust (the CI apply role). */
  readonly deployRoleTrusts: readonly string[];

  constructor(scope: Construct, id: string, props: DeployAccessProps) {
    super(scope, id);
    this.stateReader = new StateReaderRole(this, 'state-reader', {
      provider: props.provider,
      name: props.stateReaderRoleName,
      location: props.state,
      trustedAccountId: props.identityAccountId,
      permissionSets: props.permissionSets,
      organisationRoles: props.organisationRoles,
      principalArns: props.stateReaderPrincipalArns,
    });
    this.github = props.github ? new GithubActionsRoles(this, 'github', { ...props.github, state: props.state, provider: props.provider }) : undefined;
    this.deployRoleTrusts = this.github ? [this.github.applyRole.arn] : [];
  }
}
