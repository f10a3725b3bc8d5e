import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { POD_IDENTITY_TRUST_ACTIONS } from './perms';
import type { Grantable, PolicyStatement } from './policy';
import { Role } from './role';

/** The service principal of EKS Pod Identity (the EKS Auth service). */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/** The session tags EKS Pod Identity adds when it assumes a role, usable as `aws:RequestTag/<key>` in the trust. */
export const POD_IDENTITY_SESSION_TAGS = {
  clusterArn: 'eks-cluster-arn',
  namespace: 'kubernetes-namespace',
  serviceAccount: 'kubernetes-service-account',
} as const;

/**
 * The trust of a Pod Identity role: the EKS Auth service may assume it and tag the session, only for the given
 * cluster, namespace and service account (the session tags it sends). AWS's documented trust policy plus its
 * documented conditions: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export function podIdentityTrust(clusterArn: string, namespace: string, serviceAccount: string): PolicyStatement {
  return {
    Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
    Effect: 'Allow',
    Principal: { Service: POD_IDENTITY_PRINCIPAL },
    Action: [...POD_IDENTITY_TRUST_ACTIONS],
    Condition: {
      StringEquals: {
        [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.clusterArn}`]: clusterArn,
        [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.namespace}`]: namespace,
        [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.serviceAccount}`]: serviceAccount,
      },
    },
  };
}

export interface PodIdentityRoleProps {
  /** IAM role name (at most 64 characters). */
  readonly roleName: string;
  /** Name of the cluster whose pods get the role (the association's cluster). */
  readonly clusterName: string;
  /** ARN of that cluster, pinned in the trust (session tag `eks-cluster-arn`). */
  readonly clusterArn: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account (exact, never a wildcard). */
  readonly serviceAccount: string;
  /** Inline least-privilege statements; resources can also grant to the role (`bucket.grantRead(role)`). @default [] */
  readonly statements?: readonly PolicyStatement[];
  /** AWS managed policies to attach, by ARN. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Who creates the Pod Identity association. `role`: this construct (`aws_eks_pod_identity_association`), for software
   * installed outside EKS add-ons (Helm). `addon`: the EKS add-on owning the service account, through its
   * `pod_identity_association` block (`addonAssociation`); EKS add-ons cannot adopt an association made elsewhere.
   * @default 'role'
   */
  readonly associatedBy?: 'role' | 'addon';
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: trusted only by `pods.eks.amazonaws.com`
 * (`sts:AssumeRole`, `sts:TagSession`) for exactly this cluster, namespace and service account, and associated with
 * that service account. Its permissions are a Role's: the given statements and whatever resources grant it.
 *
 * The role, its inline policy and attachments keep the addresses the layer's IRSA roles had (`<id>/role`,
 * `<id>/policy`, `<id>/managed-<n>`), so moving a controller from IRSA to Pod Identity updates its role in place (same
 * ARN, new trust) instead of replacing it.
 */
export class PodIdentityRole extends Construct implements Grantable {
  readonly role: IamRole;
  readonly arn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The association, when this construct creates it (`associatedBy: 'role'`). */
  readonly association?: EksPodIdentityAssociation;
  private readonly grants: Role;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const managed = props.managedPolicyArns ?? [];
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    this.grants = new Role(this, 'role', {
      name: props.roleName,
      assumedBy: { statements: [podIdentityTrust(props.clusterArn, props.namespace, props.serviceAccount)] },
      managedPolicyArns: managed,
      ids: { policy: 'policy', managedPolicies: managed.map((_, i) => `managed-${i}`) },
    });
    this.role = this.grants.role;
    this.arn = this.grants.arn;
    for (const statement of props.statements ?? []) this.addToPolicy(statement);
    if ((props.associatedBy ?? 'role') === 'role') {
      this.association = new EksPodIdentityAssociation(this, 'association', {
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.arn,
        // Pods get credentials as soon as the association exists: give the role its permissions first.
        dependsOn: this.grants.permissions,
      });
    }
  }

  /** The policy and attachments giving the role its permissions: what an add-on using the role waits for. */
  get permissions(): ITerraformDependable[] {
    return this.grants.permissions;
  }

  /** The `pod_identity_association` block of the EKS add-on that owns the service account (`associatedBy: 'addon'`). */
  get addonAssociation(): { readonly roleArn: string; readonly serviceAccount: string } {
    return { roleArn: this.arn, serviceAccount: this.serviceAccount };
  }

  addToPolicy(statement: PolicyStatement): void {
    this.grants.addToPolicy(statement);
  }
}
