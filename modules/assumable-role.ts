import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Token, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { ssoRoleArnPattern } from '../lib/naming';
import { arnOf, awsName, FieldProblems, IAM_ROLE_OR_USER, integerBetween } from '../lib/validators';
import { ROLE_ASSUME_ACTIONS, ROLE_ASSUME_TAGGED_ACTIONS } from './perms';
import { oneOrMany, policyDocument, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';
import { Role } from './role';

/**
 * Who may assume a role: people through IAM Identity Center, and exact automation roles.
 *
 * Identity Center sessions carry no `aws:MultiFactorAuthPresent`, so people are trusted by the roles Identity Center
 * creates for their permission sets (`aws:PrincipalArn` like `role/aws-reserved/sso.amazonaws.com/…AWSReservedSSO_<set>_*`,
 * a path only Identity Center can create), and MFA is enforced by Identity Center when they sign in.
 */
export interface RoleTrustProps {
  /** Account whose Identity Center sessions may assume the role (the identity account). */
  readonly trustedAccountId: string;
  /** Permission sets whose sessions may assume the role. Names, never patterns. */
  readonly permissionSets: readonly string[];
  /**
   * The role's own account: sessions of the same permission sets there are trusted too (someone assigned the
   * set in this account only). @default - only the identity account's sessions
   */
  readonly accountId?: string;
  /**
   * Exact role ARNs (CI, a Terraform runner) trusted without Identity Center. Never wildcards; a role that does not
   * exist yet must be created in the same stack (IAM refuses a trust policy naming a missing role). @default []
   */
  readonly automationPrincipalArns?: readonly string[];
}

export interface AssumableRoleProps extends RoleTrustProps {
  readonly name: string;
  readonly description: string;
  /** AWS managed policy ARNs attached to the role. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Statements of the one inline policy (`<name>-inline`), when managed policies are too broad or too narrow; resources
   * can also grant to the role (`bucket.grantRead(role)`). @default - none
   */
  readonly inlinePolicy?: readonly PolicyStatement[];
  /** @default 3600 */
  readonly maxSessionDuration?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** The statement trusting Identity Center sessions of `permissionSets` in the given accounts. */
export function identityCenterTrustStatement(accountIds: readonly string[], permissionSets: readonly string[]): PolicyStatement {
  const accounts = [...new Set(accountIds)];
  return {
    Sid: 'IdentityCenterPeople',
    Effect: 'Allow',
    Principal: { AWS: accounts.map((id) => `arn:aws:iam::${id}:root`) },
    Action: oneOrMany(ROLE_ASSUME_ACTIONS),
    Condition: { ArnLike: { 'aws:PrincipalArn': accounts.flatMap((id) => permissionSets.map((set) => ssoRoleArnPattern(id, set))) } },
  };
}

/** The trust statements: Identity Center permission sets plus exact automation roles. No wildcard principal. */
export function crossAccountTrustStatements(props: RoleTrustProps): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    identityCenterTrustStatement([props.trustedAccountId, ...(props.accountId ? [props.accountId] : [])], props.permissionSets),
  ];
  const automation = props.automationPrincipalArns ?? [];
  if (automation.length > 0) {
    statements.push({ Sid: 'Automation', Effect: 'Allow', Principal: { AWS: [...automation] }, Action: [...ROLE_ASSUME_TAGGED_ACTIONS] });
  }
  return statements;
}

/** The trust policy document of `crossAccountTrustStatements`. */
export function crossAccountTrustPolicy(props: RoleTrustProps): string {
  return policyDocument(crossAccountTrustStatements(props));
}

/** Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform. */
export function assumableRolePropProblems(props: Partial<AssumableRoleProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 64, pattern: /^[\w+=,.@-]+$/, described: 'letters, digits and +=,.@_-' }));
  }
  if (props.maxSessionDuration !== undefined) problems.check('maxSessionDuration', integerBetween(props.maxSessionDuration, 3600, 43200, 'seconds'));
  if (props.permissionSets !== undefined && props.permissionSets.length === 0) problems.add('permissionSets', 'must name at least one permission set');
  (props.permissionSets ?? []).forEach((set, i) => {
    if (!/^[\w+=,.@-]{1,32}$/.test(set)) problems.add(`permissionSets[${i}]`, `"${set}" must be a permission set name (no patterns)`);
  });
  (props.automationPrincipalArns ?? []).forEach((arn, i) => {
    if (!Token.isUnresolved(arn)) problems.check(`automationPrincipalArns[${i}]`, arnOf(arn, IAM_ROLE_OR_USER));
  });
  return problems.list;
}

/**
 * An IAM role people of the identity account assume, with managed policies and one inline policy built from the
 * statements given and whatever resources grant it. The role, its attachments (`managed-<n>`) and its inline policy
 * (`inline`) keep the addresses they had before the role was built on `Role`.
 */
export class AssumableRole extends Construct implements Grantable {
  readonly role: IamRole;
  readonly arn: string;
  private readonly grants: Role;

  constructor(scope: Construct, id: string, props: AssumableRoleProps) {
    super(scope, id);
    refuseProblems(scope, id, assumableRolePropProblems(props));
    const managed = props.managedPolicyArns ?? [];
    this.grants = new Role(this, 'role', {
      provider: props.provider,
      name: props.name,
      description: props.description,
      assumedBy: { statements: crossAccountTrustStatements(props) },
      maxSessionDuration: props.maxSessionDuration ?? 3600,
      managedPolicyArns: managed,
      policyName: `${props.name}-inline`,
      ids: { policy: 'inline', managedPolicies: managed.map((_, i) => `managed-${i}`) },
    });
    this.role = this.grants.role;
    this.arn = this.grants.arn;
    for (const statement of props.inlinePolicy ?? []) this.addToPolicy(statement);
  }

  addToPolicy(statement: PolicyStatement): void {
    this.grants.addToPolicy(statement);
  }
}
