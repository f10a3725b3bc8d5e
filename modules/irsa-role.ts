import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems } from '../lib/validators';
import { WEB_IDENTITY_ASSUME_ACTIONS } from './perms';
import { oneOrMany, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';
import { Role } from './role';

/** A Kubernetes name (namespace, service account): lowercase DNS label, never a wildcard. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Problems of the props that need no AWS, by prop name. */
export function irsaRolePropProblems(props: Partial<IrsaRoleProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.roleName !== undefined && !Token.isUnresolved(props.roleName)) {
    problems.check('roleName', awsName(props.roleName, { maxLength: 64, pattern: /^[\w+=,.@-]+$/, described: 'letters, digits and +=,.@_-' }));
  }
  for (const field of ['namespace', 'serviceAccount'] as const) {
    const value = props[field];
    if (value !== undefined && !K8S_NAME.test(value)) problems.add(field, `"${value}" must be one exact Kubernetes name (lowercase, digits, - and .), never a pattern`);
  }
  return problems.list;
}

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
    refuseProblems(scope, id, irsaRolePropProblems(props));
    const issuer = props.oidcIssuerHost;
    const managed = props.managedPolicyArns ?? [];
    this.grants = new Role(this, 'role', {
      name: props.roleName,
      assumedBy: {
        statements: [{
          Effect: 'Allow',
          Principal: { Federated: props.oidcProviderArn },
          Action: oneOrMany(WEB_IDENTITY_ASSUME_ACTIONS),
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
