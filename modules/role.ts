import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Lazy, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { ROLE_ASSUME_ACTIONS } from './perms';
import { oneOrMany, policyDocument, PolicyStatements, serviceTrustPolicy, type Grantable, type PolicyStatement, type ServicePrincipal } from './policy';

/** An AWS service assuming the role, pinned (against the confused deputy) to the account and resources it acts for. */
export interface ServiceTrust {
  readonly service: ServicePrincipal;
  /** `aws:SourceAccount`: only when the service acts for this account. @default - no condition */
  readonly sourceAccount?: string;
  /** `aws:SourceArn` (ArnLike): only when the service acts for these resources. @default - no condition */
  readonly sourceArn?: string | readonly string[];
}

/** IAM principals (roles, account roots) assuming the role; exact ARNs, never wildcards. */
export interface PrincipalTrust {
  readonly principals: string | readonly string[];
  /** Statement id of the trust statement. @default - none */
  readonly sid?: string;
}

/**
 * Trust statements no simpler form covers (web identity of an OIDC provider, MFA-guarded people of another account).
 * Typed statements all the same; each must name its principal exactly.
 */
export interface StatementTrust {
  readonly statements: readonly PolicyStatement[];
}

export type Trust = ServiceTrust | PrincipalTrust | StatementTrust;

export interface RoleProps {
  /** IAM role name (at most 64 characters). */
  readonly name: string;
  /** Who may assume the role. */
  readonly assumedBy: Trust;
  /** @default - none */
  readonly description?: string;
  /** Longest session, seconds. @default - IAM's default (3600) */
  readonly maxSessionDuration?: number;
  /** AWS managed (or customer managed) policies attached, by ARN, for permissions AWS maintains. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** Name of the one inline policy every grant adds to. @default 'least-privilege' */
  readonly policyName?: string;
  /**
   * Construct ids of the inline policy and of the managed-policy attachments, created in the same scope as the role: in
   * a layer they are the Terraform addresses, so a role that existed before this module keeps its policy's address.
   * @default `<id>-policy` and `<id>-managed-<n>`
   */
  readonly ids?: { readonly policy?: string; readonly managedPolicies?: readonly string[] };
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

function trustPolicy(trust: Trust): string {
  if ('service' in trust) return serviceTrustPolicy(trust.service, trust.sourceAccount, trust.sourceArn);
  if ('statements' in trust) return policyDocument(trust.statements);
  return policyDocument([{
    ...(trust.sid ? { Sid: trust.sid } : {}),
    Effect: 'Allow',
    Principal: { AWS: typeof trust.principals === 'string' ? trust.principals : [...trust.principals] },
    Action: oneOrMany(ROLE_ASSUME_ACTIONS),
  }]);
}

/**
 * An IAM role whose permissions come from grants: `bucket.grantRead(role)`, `key.grantEncryptDecrypt(role)`,
 * `role.addToPolicy(statement)` for what no module grants. Every grant lands in one inline policy, created with the
 * first grant and rendered at synth, so the policy lists exactly what was granted, in grant order.
 *
 * The role, its policy and attachments are created directly in `scope` with ids `<id>`, `<id>-policy`,
 * `<id>-managed-<n>` (the flat addresses layers gave these resources before the module existed): adopting the module
 * in a layer moves no resource.
 */
export class Role implements Grantable {
  readonly role: IamRole;
  readonly arn: string;
  readonly name: string;
  private readonly statements = new PolicyStatements();
  private inlinePolicy?: IamRolePolicy;
  private readonly attachments: IamRolePolicyAttachment[];

  constructor(private readonly scope: Construct, private readonly id: string, private readonly props: RoleProps) {
    this.role = new IamRole(scope, id, {
      provider: props.provider,
      name: props.name,
      description: props.description,
      maxSessionDuration: props.maxSessionDuration,
      assumeRolePolicy: trustPolicy(props.assumedBy),
    });
    this.arn = this.role.arn;
    this.name = this.role.name;
    this.attachments = (props.managedPolicyArns ?? []).map((policyArn, i) => new IamRolePolicyAttachment(
      scope, props.ids?.managedPolicies?.[i] ?? `${id}-managed-${i}`, { provider: props.provider, role: this.role.name, policyArn },
    ));
  }

  /** The inline policy, once something has been granted. Resources needing the permissions at creation depend on it. */
  get policy(): IamRolePolicy | undefined {
    return this.inlinePolicy;
  }

  /** The policy and attachments that give the role its permissions: what a resource using the role waits for. */
  get permissions(): (IamRolePolicy | IamRolePolicyAttachment)[] {
    return [...(this.inlinePolicy ? [this.inlinePolicy] : []), ...this.attachments];
  }

  addToPolicy(statement: PolicyStatement): void {
    this.statements.add(statement);
    if (!this.inlinePolicy) {
      this.inlinePolicy = new IamRolePolicy(this.scope, this.props.ids?.policy ?? `${this.id}-policy`, {
        provider: this.props.provider,
        name: this.props.policyName ?? 'least-privilege',
        role: this.role.name,
        policy: Lazy.stringValue({ produce: () => this.statements.render() }),
      });
    }
  }
}

export interface ServiceRoleProps extends Omit<RoleProps, 'assumedBy'>, ServiceTrust {}

/**
 * A role an AWS service assumes (Firehose, Glue, DAX, CloudTrail ...), with the confused-deputy conditions AWS
 * recommends when the service sets them: `sourceAccount` pins it to this account, `sourceArn` to given resources.
 */
export class ServiceRole extends Role {
  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    const { service, sourceAccount, sourceArn, ...rest } = props;
    super(scope, id, { ...rest, assumedBy: { service, sourceAccount, sourceArn } });
  }
}

export interface ManagedPolicyProps {
  /** IAM policy name. */
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A customer managed policy built from grants, for principals this layer does not own: another layer or account
 * attaches it (e.g. the connect policy of a database, published as an output). Created in `scope` with the id given;
 * grant something before synth, IAM refuses an empty policy.
 */
export class ManagedPolicy implements Grantable {
  readonly policy: IamPolicy;
  readonly arn: string;
  private readonly statements = new PolicyStatements();

  constructor(scope: Construct, id: string, props: ManagedPolicyProps) {
    this.policy = new IamPolicy(scope, id, {
      provider: props.provider,
      name: props.name,
      description: props.description,
      policy: Lazy.stringValue({ produce: () => this.statements.render() }),
    });
    this.arn = this.policy.arn;
    this.policy.node.addValidation({
      validate: () => (this.statements.length === 0 ? [`managed policy ${props.name} grants nothing; IAM refuses an empty policy`] : []),
    });
  }

  addToPolicy(statement: PolicyStatement): void {
    this.statements.add(statement);
  }
}
