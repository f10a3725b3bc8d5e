import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from './policy';

export interface AssumableRoleProps {
  readonly name: string;
  readonly description: string;
  /** Account whose IAM principals (people, after MFA) may assume the role: its root ARN is the trusted principal. */
  readonly trustedAccountId: string;
  /** Require `aws:MultiFactorAuthPresent` for the human principals. @default true */
  readonly requireMfa?: boolean;
  /**
   * Exact role ARNs (automation, CI) trusted without MFA, e.g. the Terraform automation role of the management
   * account. Never wildcards. @default []
   */
  readonly automationPrincipalArns?: readonly string[];
  /** AWS managed policy ARNs attached to the role. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** One inline policy, when managed policies are too broad or too narrow. @default - none */
  readonly inlinePolicy?: readonly PolicyStatement[];
  /** @default 3600 */
  readonly maxSessionDuration?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Builds the trust policy: the identity account (with MFA) plus exact automation roles. No wildcard principal. */
export function crossAccountTrustPolicy(props: Pick<AssumableRoleProps, 'trustedAccountId' | 'requireMfa' | 'automationPrincipalArns'>): string {
  const statements: PolicyStatement[] = [{
    Sid: 'IdentityAccountPeople',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${props.trustedAccountId}:root` },
    Action: 'sts:AssumeRole',
    ...(props.requireMfa ?? true ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}),
  }];
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
