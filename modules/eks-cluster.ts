import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Fn, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy } from './policy';

/** Every control-plane log type EKS can export. */
export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * SHA-1 thumbprint of the root CA (Starfield Services Root Certificate Authority - G2) that signs every
 * `oidc.eks.<region>.amazonaws.com` endpoint. The tls provider (which would compute it) is not available offline;
 * IAM has ignored the thumbprint of EKS issuers since 2023 (it trusts its own CA library for them) but the
 * attribute is still required by the API, so the well-known value is pinned here.
 */
export const EKS_OIDC_ROOT_CA_THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

/** The EKS access policies an access entry can be associated with. */
export const EKS_ACCESS_POLICIES = {
  admin: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
  edit: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
  view: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
} as const;
export type EksAccessLevel = keyof typeof EKS_ACCESS_POLICIES;

export interface EksAccessEntrySpec {
  /** IAM role (or user) ARN given access. */
  readonly principalArn: string;
  readonly access: EksAccessLevel;
  /** Limit the policy to these namespaces. @default - the whole cluster */
  readonly namespaces?: readonly string[];
}

export interface EksClusterProps {
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly subnetIds: string[];
  /** KMS key for envelope encryption of Kubernetes secrets. */
  readonly secretsKmsKeyArn: string;
  /** KMS key of the control-plane log group (its policy must admit CloudWatch Logs). */
  readonly logsKmsKeyArn: string;
  /** Public endpoint allow-list; empty keeps the endpoint private only. @default [] */
  readonly publicAccessCidrs?: readonly string[];
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Principals mapped through access entries (authentication mode API, no aws-auth). @default [] */
  readonly accessEntries?: readonly EksAccessEntrySpec[];
  /** `STANDARD` avoids paying for extended support once a version leaves standard support. @default 'STANDARD' */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
}

/**
 * An EKS control plane: private endpoint (public only with an explicit allow-list), KMS-encrypted secrets,
 * every log type into a KMS-encrypted, retained log group created before the cluster, access entries instead of
 * aws-auth, and an OIDC provider for IRSA.
 */
export class EksCluster extends Construct {
  readonly cluster: EksClusterResource;
  readonly logGroup: CloudwatchLogGroup;
  readonly oidcProvider: IamOpenidConnectProvider;
  readonly role: IamRole;
  readonly name: string;
  readonly oidcIssuerUrl: string;
  /**
   * The issuer without `https://`, the prefix of IRSA condition keys. A local, so that policies reference it as
   * `${local.x}` (a function call inline would put quotes inside the JSON policy text).
   */
  readonly oidcIssuerHost: string;
  readonly clusterSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const publicCidrs = [...(props.publicAccessCidrs ?? [])];
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.role = new IamRole(this, 'role', { name: `${props.name}-cluster`, assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com') });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: this.role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
    const kmsPolicy = new IamRolePolicy(this, 'kms', {
      role: this.role.name,
      name: 'secrets-encryption',
      policy: policyDocument([{
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey', 'kms:CreateGrant'],
        Resource: props.secretsKmsKeyArn,
      }]),
    });
    this.cluster = new EksClusterResource(this, 'cluster', {
      name: props.name,
      version: props.kubernetesVersion,
      roleArn: this.role.arn,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
      },
      encryptionConfig: { provider: { keyArn: props.secretsKmsKeyArn }, resources: ['secrets'] },
      enabledClusterLogTypes: [...EKS_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // The add-ons are managed explicitly (aws_eks_addon), not installed unmanaged by EKS.
      bootstrapSelfManagedAddons: false,
      upgradePolicy: { supportType: props.supportType ?? 'STANDARD' },
      dependsOn: [this.logGroup, clusterPolicy, kmsPolicy],
    });
    this.name = this.cluster.name;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.oidcIssuerHost = new TerraformLocal(this, 'oidc-issuer-host', Fn.replace(this.oidcIssuerUrl, 'https://', '')).asString;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;
    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc', {
      url: this.oidcIssuerUrl,
      clientIdList: ['sts.amazonaws.com'],
      thumbprintList: [EKS_OIDC_ROOT_CA_THUMBPRINT],
    });
    (props.accessEntries ?? []).forEach((entry, i) => {
      const accessEntry = new EksAccessEntry(this, `access-${i}`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `access-${i}-policy`, {
        clusterName: this.cluster.name,
        principalArn: accessEntry.principalArn,
        policyArn: EKS_ACCESS_POLICIES[entry.access],
        accessScope: entry.namespaces && entry.namespaces.length > 0
          ? { type: 'namespace', namespaces: [...entry.namespaces] }
          : { type: 'cluster' },
      });
    });
  }
}
