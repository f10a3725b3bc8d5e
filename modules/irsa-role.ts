import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from './policy';

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
  /** Inline least-privilege statements. @default [] */
  readonly statements?: readonly PolicyStatement[];
  /** AWS managed policies to attach, by ARN. @default [] */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * An IAM role for a Kubernetes service account (IRSA): trusted only by the cluster's OIDC provider, for exactly
 * one namespace/service-account pair and the `sts.amazonaws.com` audience.
 */
export class IrsaRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    const issuer = props.oidcIssuerHost;
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: policyDocument([{
        Effect: 'Allow',
        Principal: { Federated: props.oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      }]),
    });
    this.arn = this.role.arn;
    if (props.statements && props.statements.length > 0) {
      new IamRolePolicy(this, 'policy', { role: this.role.name, name: 'least-privilege', policy: policyDocument(props.statements) });
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => {
      new IamRolePolicyAttachment(this, `managed-${i}`, { role: this.role.name, policyArn });
    });
  }
}
