import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Fn, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, cidrBlock, FieldProblems, logRetentionDays, oneOf } from '../lib/validators';
import { keyFromArn } from './kms-key';
import { KEY_EKS_SECRETS_ACTIONS } from './perms';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

/** Managed policy of the cluster role: what the control plane does with EC2, ELB and Auto Scaling for the cluster. */
export const EKS_CLUSTER_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy';

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
  /** Days control-plane logs are kept: one of the retentions CloudWatch Logs accepts. @default 365 */
  readonly logRetentionDays?: number;
  /** Principals mapped through access entries (authentication mode API, no aws-auth). @default [] */
  readonly accessEntries?: readonly EksAccessEntrySpec[];
  /** `STANDARD` avoids paying for extended support once a version leaves standard support. @default 'STANDARD' */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
}

/** The cluster role is `<name>-cluster`: IAM allows 64 characters. */
const ROLE_SUFFIX = '-cluster';

/**
 * Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html
 */
export function eksClusterPropProblems(props: Partial<EksClusterProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, {
      maxLength: 64 - ROLE_SUFFIX.length, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, described: 'a letter or digit, then letters, digits, - and _ (the role adds -cluster)',
    }));
  }
  if (props.kubernetesVersion !== undefined && !/^1\.\d{2}$/.test(props.kubernetesVersion)) {
    problems.add('kubernetesVersion', `"${props.kubernetesVersion}" must be a Kubernetes minor version such as 1.33`);
  }
  problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays ?? 365));
  (props.publicAccessCidrs ?? []).forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr)) problems.check(`publicAccessCidrs[${i}]`, cidrBlock(cidr));
  });
  if (props.supportType !== undefined) problems.check('supportType', oneOf(props.supportType, ['STANDARD', 'EXTENDED']));
  (props.accessEntries ?? []).forEach((entry, i) => {
    problems.check(`accessEntries[${i}].access`, oneOf(entry.access, Object.keys(EKS_ACCESS_POLICIES) as EksAccessLevel[]));
    if (entry.namespaces?.some((ns) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))) {
      problems.add(`accessEntries[${i}].namespaces`, 'must be Kubernetes namespace names (lowercase letters, digits and -)');
    }
  });
  return problems.list;
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
  /** The control plane's role. */
  readonly role: ServiceRole;
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
    refuseProblems(scope, id, eksClusterPropProblems(props));
    const publicCidrs = [...(props.publicAccessCidrs ?? [])];
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.role = new ServiceRole(this, 'role', {
      name: `${props.name}${ROLE_SUFFIX}`,
      service: 'eks.amazonaws.com',
      managedPolicyArns: [EKS_CLUSTER_POLICY],
      policyName: 'secrets-encryption',
      ids: { policy: 'kms', managedPolicies: ['cluster-policy'] },
    });
    // Envelope encryption of Kubernetes secrets; no Sid, as the policy was first written.
    keyFromArn(props.secretsKmsKeyArn).grant(this.role, undefined, KEY_EKS_SECRETS_ACTIONS);
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
      // The role must be able to use the key and manage the network before the control plane starts.
      dependsOn: [this.logGroup, ...this.role.permissions],
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
