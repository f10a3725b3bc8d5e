import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import type { Grantable, PolicyStatement } from './policy';
import { Role } from './role';

export interface IrsaRoleProps {
  readonly roleName: string;
  /** ARN of the cluster's `aws_iam_openid_connect_provider`. */
  readonly oidcProviderArn: string;
  /** Issuer of the cluster without the scheme (`oidc.eks.<region>.amazonaws.com/id/<id>`), as a plain reference. */
  readonly oidcIssuerHost: string;
  /** Kubernetes namespace of the service account allowed to assume the role. */
  readonly namespace: string;
  /** Name of that service account (exact match, never a wildcard). */
  readonly serviceAccount: string;
  /** Inline least-privilege statements; resources can also grant to the role (`bucket.grantRead(irsaRole)`). @default [] */
  readonly statements?: readonly PolicyStatement[];
  /** AWS managed policies to attach, by ARN. @default [] */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * An IAM role for a Kubernetes service account (IRSA): trusted only by the cluster's OIDC provider, for exactly
 * one namespace/service-account pair and the `sts.amazonaws.com` audience. Its permissions are a Role's: the given
 * statements and whatever resources grant it.
 */
export class IrsaRole extends Construct implements Grantable {
  readonly role: IamRole;
  readonly arn: string;
  private readonly grants: Role;

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    const issuer = props.oidcIssuerHost;
    const managed = props.managedPolicyArns ?? [];
    this.grants = new Role(this, 'role', {
      name: props.roleName,
      assumedBy: {
        statements: [{
          Effect: 'Allow',
          Principal: { Federated: props.oidcProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
              [`${issuer}:aud`]: 'sts.amazonaws.com',
            },
          },
        }],
      },
      managedPolicyArns: managed,
      ids: { policy: 'policy', managedPolicies: managed.map((_, i) => `managed-${i}`) },
    });
    this.role = this.grants.role;
    this.arn = this.grants.arn;
    for (const statement of props.statements ?? []) this.addToPolicy(statement);
  }

  addToPolicy(statement: PolicyStatement): void {
    this.grants.addToPolicy(statement);
  }
}
