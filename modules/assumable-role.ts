import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { ssoRoleArnPattern } from '../lib/naming';
import { policyDocument, type PolicyStatement } from './policy';

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
  /** One inline policy, when managed policies are too broad or too narrow. @default - none */
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
    Action: 'sts:AssumeRole',
    Condition: { ArnLike: { 'aws:PrincipalArn': accounts.flatMap((id) => permissionSets.map((set) => ssoRoleArnPattern(id, set))) } },
  };
}

/** Builds the trust policy: Identity Center permission sets plus exact automation roles. No wildcard principal. */
export function crossAccountTrustPolicy(props: RoleTrustProps): string {
  const statements: PolicyStatement[] = [
    identityCenterTrustStatement([props.trustedAccountId, ...(props.accountId ? [props.accountId] : [])], props.permissionSets),
  ];
  const automation = props.automationPrincipalArns ?? [];
  if (automation.length > 0) {
    statements.push({
      Sid: 'Automation',
      Effect: 'Allow',
      Principal: { AWS: [...automation] },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
  }
  return policyDocument(statements);
}

/** An IAM role people of the identity account assume, with managed and inline policies. */
export class AssumableRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AssumableRoleProps) {
    super(scope, id);
    const provider = props.provider;
    this.role = new IamRole(this, 'role', {
      provider,
      name: props.name,
      description: props.description,
      assumeRolePolicy: crossAccountTrustPolicy(props),
      maxSessionDuration: props.maxSessionDuration ?? 3600,
    });
    this.arn = this.role.arn;
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => {
      new IamRolePolicyAttachment(this, `managed-${i}`, { provider, role: this.role.name, policyArn });
    });
    if (props.inlinePolicy && props.inlinePolicy.length > 0) {
      new IamRolePolicy(this, 'inline', { provider, name: `${props.name}-inline`, role: this.role.id, policy: policyDocument(props.inlinePolicy) });
    }
  }
}
