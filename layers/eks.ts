import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformIterator, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { parseCidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { eksVersionProblem } from '../lib/versions';
import { EksCluster, type EksAccessEntrySpec } from '../modules/eks-cluster';
import { EksNodeGroup } from '../modules/eks-node-group';
import { IrsaRole } from '../modules/irsa-role';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { declaresLayer } from '../lib/layer-presence';
import { isLayerRef, refProblems, resolveRefList, type ValueRef } from '../lib/layer-ref';
import { serviceTrustPolicy, type PolicyStatement } from '../modules/policy';
import { baseNetworkContract } from './base-network';
import { securityContract } from './security';

export interface EksNodeGroupConfig {
  /** Node group name, unique in the cluster, e.g. `on-demand`. */
  readonly name: string;
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  /** Several types for spot groups spread the interruption risk. */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** Root volume (gp3, encrypted). @default 50 */
  readonly diskSizeGiB?: number;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' }[];
}

/**
 * Versions of the managed add-ons, pinned in config (no aws_eks_addon_version look-up offline). Each is an
 * `eksbuild` version that EKS publishes for the cluster's Kubernetes version:
 * `aws eks describe-addon-versions --kubernetes-version <version> --addon-name <name>`.
 */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coredns: string;
  readonly kubeProxy: string;
  readonly ebsCsiDriver: string;
  readonly podIdentityAgent: string;
}

export interface EksConfig {
  /**
   * Kubernetes minor version, e.g. `1.35`: a row of the release calendar in lib/versions.ts, in standard support
   * unless `supportType` is `EXTENDED` (then in extended support at least).
   */
  readonly kubernetesVersion: string;
  readonly addonVersions: EksAddonVersions;
  /** At least one group; on-demand and spot groups side by side. */
  readonly nodeGroups: readonly EksNodeGroupConfig[];
  /** Cluster name. @default `<project>-<account>-eks` */
  readonly clusterName?: string;
  /** CIDRs allowed to the public endpoint. Empty keeps the API private only; `0.0.0.0/0` is refused. @default [] */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * Ranges outside the VPC admitted to the private API endpoint (HTTPS on the cluster security group), e.g. the client
   * VPN's `fromLayer(clientVpnContract, 'source_cidr_blocks', { account: 'network' })`: people on the VPN reach the
   * API through the transit gateway. @default []
   */
  readonly endpointAccessCidrs?: readonly ValueRef[];
  /**
   * Keys for secrets encryption and the control-plane log group: `security-layer` uses the account's data key
   * (secrets) and logs key (log group) published by the security layer; `own` creates one key in this layer.
   * @default 'security-layer' when the account declares a security layer, otherwise 'own'
   */
  readonly kmsKeySource?: 'own' | 'security-layer';
  /** Retention of the control-plane log group. @default 365 in prd, 90 elsewhere */
  readonly logRetentionDays?: number;
  /**
   * Access entries.
   * @default - the security layer's DevOps role as admin and ReadOnly role as viewer when the account declares a
   *   security layer, otherwise the account's deploy role as admin
   */
  readonly accessEntries?: readonly EksAccessEntrySpec[];
  /** IMDSv2 hop limit of the nodes (1 hides instance metadata from pods). @default 1 */
  readonly metadataHopLimit?: 1 | 2;
  /** Route 53 hosted zone ids external-dns may change. @default [] (every zone of the account) */
  readonly externalDnsHostedZoneIds?: readonly string[];
  /**
   * `STANDARD`: EKS upgrades the cluster when standard support ends (no extended-support charges), so a version past
   * its standard support is refused here. `EXTENDED`: the cluster may stay 12 more months at an extra hourly cost.
   * @default 'STANDARD'
   */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
}

/** An EKS add-on version as published: `v<semver>-eksbuild.<n>`. */
const ADDON_VERSION = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;

const ADDON_NAMES: Record<keyof EksAddonVersions, string> = {
  vpcCni: 'vpc-cni',
  coredns: 'coredns',
  kubeProxy: 'kube-proxy',
  ebsCsiDriver: 'aws-ebs-csi-driver',
  podIdentityAgent: 'eks-pod-identity-agent',
};

/** Version and add-on problems: a version out of its support window, add-ons that cannot belong to it. */
export function eksVersionProblems(config: EksConfig, today: Date = new Date()): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const version = config.kubernetesVersion;
  if (!/^1\.\d{2}$/.test(version)) {
    return [{ field: 'kubernetesVersion', message: `"${version}" must be a minor version like 1.35` }];
  }
  const supportType = config.supportType ?? 'STANDARD';
  if (supportType !== 'STANDARD' && supportType !== 'EXTENDED') {
    problems.push({ field: 'supportType', message: `"${String(supportType)}" must be STANDARD or EXTENDED` });
  } else {
    const problem = eksVersionProblem(version, supportType, today);
    if (problem) problems.push({ field: 'kubernetesVersion', message: problem });
  }
  for (const [key, addon] of Object.entries(ADDON_NAMES) as [keyof EksAddonVersions, string][]) {
    const value = config.addonVersions?.[key];
    const m = typeof value === 'string' ? ADDON_VERSION.exec(value) : null;
    if (!m) {
      problems.push({ field: `addonVersions.${key}`, message: `"${String(value)}" is not an EKS add-on version such as v1.2.3-eksbuild.1 ` +
        `(aws eks describe-addon-versions --kubernetes-version ${version} --addon-name ${addon})` });
    } else if (key === 'kubeProxy' && `${m[1]}.${m[2]}` !== version) {
      // kube-proxy is built per Kubernetes minor: EKS refuses a kube-proxy add-on of another minor.
      problems.push({ field: 'addonVersions.kubeProxy', message: `${value} is built for Kubernetes ${m[1]}.${m[2]}, not ${version}: ` +
        'bump the add-ons together with kubernetesVersion' });
    }
  }
  return problems;
}

export const eksContract = defineContract('eks', {
  cluster_name: { description: 'EKS cluster name', mock: 'acme-mock-eks' },
  cluster_arn: { description: 'EKS cluster ARN', mock: 'arn:aws:eks:us-east-1:111111111111:cluster/acme-mock-eks' },
  cluster_endpoint: { description: 'Kubernetes API endpoint', mock: 'https://MOCK0000000000000000000000000000.gr7.us-east-1.eks.amazonaws.com' },
  cluster_certificate_authority_data: { description: 'Base64 CA bundle of the API endpoint', mock: 'LS0tLS1CRUdJTi1NT0NL' },
  cluster_oidc_issuer_url: { description: 'OIDC issuer of the cluster', mock: 'https://oidc.eks.us-east-1.amazonaws.com/id/MOCK0000000000000000000000000000' },
  cluster_oidc_provider_arn: { description: 'IAM OIDC provider for IRSA', mock: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/MOCK0000000000000000000000000000' },
  cluster_security_group_id: { description: 'Cluster security group created by EKS (control plane and nodes)', mock: 'sg-0mockcluster0000' },
  node_security_group_id: { description: 'Additional security group of every node', mock: 'sg-0mocknodes00000' },
  node_role_arn: { description: 'IAM role of the managed nodes', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-node' },
  lb_controller_role_arn: { description: 'IRSA role for kube-system/aws-load-balancer-controller', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-lb-controller' },
  external_dns_role_arn: { description: 'IRSA role for kube-system/external-dns', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-external-dns' },
  cluster_autoscaler_role_arn: { description: 'IRSA role for kube-system/cluster-autoscaler', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-cluster-autoscaler' },
});

/**
 * An EKS cluster in the account's private subnets with managed AL2023 node groups, managed add-ons, access entries
 * and IRSA roles for the controllers a user installs on top (load balancer controller, external-dns, autoscaler).
 */
export class Eks extends LayerStack {
  static readonly contract = eksContract;

  static validate(config: EksConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = eksVersionProblems(config, ctx.org.mode.today);
    (config.publicAccessCidrs ?? []).forEach((text, i) => {
      const cidr = parseCidr(text);
      if (typeof cidr === 'string') problems.push({ field: `publicAccessCidrs[${i}]`, message: cidr });
      else if (cidr.prefix === 0) problems.push({ field: `publicAccessCidrs[${i}]`, message: `${text} opens the API to the internet; list the admin networks` });
    });
    (config.endpointAccessCidrs ?? []).forEach((ref, i) => {
      const field = `endpointAccessCidrs[${i}]`;
      problems.push(...refProblems(field, ref));
      const cidr = isLayerRef(ref) || typeof ref !== 'string' ? undefined : parseCidr(ref);
      if (typeof cidr === 'string') problems.push({ field, message: cidr });
      else if (cidr?.prefix === 0) problems.push({ field, message: `${ref} opens the API to every address; list the networks people come from` });
    });
    if (config.nodeGroups.length === 0) problems.push({ field: 'nodeGroups', message: 'needs at least one node group' });
    const names = new Set<string>();
    config.nodeGroups.forEach((group, i) => {
      const field = `nodeGroups[${i}]`;
      if (names.has(group.name)) problems.push({ field: `${field}.name`, message: `"${group.name}" is used twice` });
      names.add(group.name);
      if (!(group.minSize <= group.desiredSize && group.desiredSize <= group.maxSize)) {
        problems.push({ field, message: `needs minSize <= desiredSize <= maxSize (got ${group.minSize}/${group.desiredSize}/${group.maxSize})` });
      }
      if (group.instanceTypes.length === 0) problems.push({ field: `${field}.instanceTypes`, message: 'needs at least one instance type' });
      if (group.capacityType === 'SPOT' && group.instanceTypes.length < 2) {
        problems.push({ field: `${field}.instanceTypes`, message: 'a spot group needs at least two instance types to survive interruptions' });
      }
    });
    if (config.kmsKeySource !== undefined && !['own', 'security-layer'].includes(config.kmsKeySource)) {
      problems.push({ field: 'kmsKeySource', message: `"${String(config.kmsKeySource)}" must be own or security-layer` });
    }
    if (config.metadataHopLimit !== undefined && ![1, 2].includes(config.metadataHopLimit)) {
      problems.push({ field: 'metadataHopLimit', message: `${String(config.metadataHopLimit)} must be 1 (pods cannot reach instance metadata) or 2` });
    }
    if (config.logRetentionDays !== undefined && config.logRetentionDays < 1) {
      problems.push({ field: 'logRetentionDays', message: 'must be at least 1 day' });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: EksConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const region = ctx.region;
    const prd = ctx.account.environment === 'prd';
    const name = config.clusterName ?? this.resourceName('eks');
    const network = this.remote(baseNetworkContract);
    const vpcId = network.get('vpc_id');
    const privateSubnetIds = network.get('private_subnet_ids');

    const hasSecurity = declaresLayer(ctx, securityContract);
    const security = hasSecurity ? this.remote(securityContract) : undefined;
    const keySource = config.kmsKeySource ?? (hasSecurity ? 'security-layer' : 'own');
    let secretsKeyArn: string;
    let logsKeyArn: string;
    if (keySource === 'security-layer') {
      const keys = security ?? this.remote(securityContract);
      secretsKeyArn = keys.get('data_kms_key_arn');
      logsKeyArn = keys.get('logs_kms_key_arn');
    } else {
      secretsKeyArn = new KmsKey(this, 'cluster-key', {
        alias: `${name}-cluster`,
        description: `Encrypts Kubernetes secrets and control-plane logs of ${name}`,
        accountId,
        serviceStatements: [cloudWatchLogsKeyStatement(region, accountId)],
      }).arn;
      logsKeyArn = secretsKeyArn;
    }

    const accessEntries: readonly EksAccessEntrySpec[] = config.accessEntries ?? (security
      ? [
          { principalArn: security.get('devops_role_arn'), access: 'admin' },
          { principalArn: security.get('read_only_role_arn'), access: 'view' },
        ]
      : [{ principalArn: `arn:aws:iam::${accountId}:role/${ctx.account.deployRoleName}`, access: 'admin' }]);
    const cluster = new EksCluster(this, 'cluster', {
      name,
      kubernetesVersion: config.kubernetesVersion,
      subnetIds: privateSubnetIds,
      secretsKmsKeyArn: secretsKeyArn,
      logsKmsKeyArn: logsKeyArn,
      publicAccessCidrs: config.publicAccessCidrs,
      logRetentionDays: config.logRetentionDays ?? (prd ? 365 : 90),
      accessEntries,
      supportType: config.supportType,
    });
    const oidc = { oidcProviderArn: cluster.oidcProvider.arn, oidcIssuerHost: cluster.oidcIssuerHost };

    const nodeSg = new SecurityGroup(this, 'node-sg', {
      name: `${name}-node`,
      description: `Nodes of ${name}`,
      vpcId,
      // No kubernetes.io/cluster tag: the cluster security group EKS creates (also on every node) carries it, and the
      // load balancer controller refuses nodes with two tagged security groups.
      tags: { Name: `${name}-node` },
    });
    new VpcSecurityGroupIngressRule(this, 'node-from-node', {
      securityGroupId: nodeSg.id,
      referencedSecurityGroupId: nodeSg.id,
      ipProtocol: '-1',
      description: 'Node to node (pods, CoreDNS)',
    });
    new VpcSecurityGroupIngressRule(this, 'node-from-cluster', {
      securityGroupId: nodeSg.id,
      referencedSecurityGroupId: cluster.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'Control plane to admission webhooks',
    });
    new VpcSecurityGroupIngressRule(this, 'node-kubelet-from-cluster', {
      securityGroupId: nodeSg.id,
      referencedSecurityGroupId: cluster.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 10250,
      toPort: 10250,
      description: 'Control plane to kubelet',
    });
    // The private endpoint's interfaces carry the cluster security group: people on the VPN come through the hub.
    const endpointAccess = resolveRefList(config.endpointAccessCidrs ?? [], (contract, options) => this.remote(contract, options));
    if (endpointAccess.length > 0) {
      const each = TerraformIterator.fromList(endpointAccess);
      new VpcSecurityGroupIngressRule(this, 'api-from-endpoint-access-cidrs', {
        forEach: each,
        securityGroupId: cluster.clusterSecurityGroupId,
        cidrIpv4: each.value,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'Kubernetes API from networks outside the VPC (endpointAccessCidrs)',
      });
    }
    new VpcSecurityGroupEgressRule(this, 'node-egress', {
      securityGroupId: nodeSg.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: '-1',
      description: 'Image pulls and AWS APIs through the NAT gateways or VPC endpoints',
    });

    const nodeRole = new IamRole(this, 'node-role', { name: `${name}-node`, assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com') });
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'];
    const nodeAttachments = nodePolicies.map((policy) => new IamRolePolicyAttachment(this, `node-${policy}`, {
      role: nodeRole.name,
      policyArn: `arn:aws:iam::aws:policy/${policy}`,
    }));

    // The CNI permissions live on an IRSA role rather than on every node.
    const cniRole = new IrsaRole(this, 'vpc-cni-role', {
      roleName: `${name}-vpc-cni`,
      ...oidc,
      namespace: 'kube-system',
      serviceAccount: 'aws-node',
      managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'],
    });
    const addon = (id: string, addonName: string, version: string, extra: { serviceAccountRoleArn?: string; dependsOn?: ITerraformDependable[] } = {}): EksAddon =>
      new EksAddon(this, id, {
        clusterName: cluster.name,
        addonName,
        addonVersion: version,
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        serviceAccountRoleArn: extra.serviceAccountRoleArn,
        dependsOn: extra.dependsOn,
      });
    const v = config.addonVersions;
    // Networking add-ons first: nodes cannot become Ready without the CNI.
    const before = [
      addon('addon-vpc-cni', 'vpc-cni', v.vpcCni, { serviceAccountRoleArn: cniRole.arn }),
      addon('addon-kube-proxy', 'kube-proxy', v.kubeProxy),
      addon('addon-pod-identity', 'eks-pod-identity-agent', v.podIdentityAgent),
    ];

    const groups = config.nodeGroups.map((group) => new EksNodeGroup(this, `nodes-${group.name}`, {
      clusterName: cluster.name,
      name: group.name,
      nodeRoleArn: nodeRole.arn,
      subnetIds: privateSubnetIds,
      securityGroupIds: [cluster.clusterSecurityGroupId, nodeSg.id],
      capacityType: group.capacityType,
      instanceTypes: group.instanceTypes,
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredSize: group.desiredSize,
      diskSizeGiB: group.diskSizeGiB,
      metadataHopLimit: config.metadataHopLimit,
      labels: group.labels,
      taints: group.taints,
      dependsOn: [...nodeAttachments, ...before],
    }).nodeGroup);

    // Add-ons with pods that need nodes to schedule on.
    addon('addon-coredns', 'coredns', v.coredns, { dependsOn: groups });
    const ebsCsiRole = new IrsaRole(this, 'ebs-csi-role', {
      roleName: `${name}-ebs-csi`,
      ...oidc,
      namespace: 'kube-system',
      serviceAccount: 'ebs-csi-controller-sa',
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
    });
    addon('addon-ebs-csi', 'aws-ebs-csi-driver', v.ebsCsiDriver, { serviceAccountRoleArn: ebsCsiRole.arn, dependsOn: groups });

    const vpcArn = `arn:aws:ec2:${region}:${accountId}:vpc/${vpcId}`;
    const lbController = new IrsaRole(this, 'lb-controller-role', {
      roleName: `${name}-lb-controller`,
      ...oidc,
      namespace: 'kube-system',
      serviceAccount: 'aws-load-balancer-controller',
      statements: loadBalancerControllerStatements(region, accountId, vpcArn),
    });
    const zones = config.externalDnsHostedZoneIds ?? [];
    const zoneArns = zones.length > 0 ? zones.map((z) => `arn:aws:route53:::hostedzone/${z}`) : ['arn:aws:route53:::hostedzone/*'];
    const externalDns = new IrsaRole(this, 'external-dns-role', {
      roleName: `${name}-external-dns`,
      ...oidc,
      namespace: 'kube-system',
      serviceAccount: 'external-dns',
      statements: [
        { Sid: 'ChangeRecords', Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource'], Resource: zoneArns },
        { Sid: 'ListZones', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
      ],
    });
    const autoscaler = new IrsaRole(this, 'cluster-autoscaler-role', {
      roleName: `${name}-cluster-autoscaler`,
      ...oidc,
      namespace: 'kube-system',
      serviceAccount: 'cluster-autoscaler',
      statements: [
        {
          Sid: 'Discover',
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
            'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
          ],
          Resource: '*',
        },
        { Sid: 'DescribeNodegroups', Effect: 'Allow', Action: ['eks:DescribeNodegroup'], Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${name}/*/*` },
        {
          // EKS tags the Auto Scaling group of every managed node group with k8s.io/cluster-autoscaler/<cluster>=owned.
          Sid: 'ScaleOwnGroups',
          Effect: 'Allow',
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
          Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${name}`]: 'owned' } },
        },
      ],
    });

    this.publish(eksContract, {
      cluster_name: cluster.name,
      cluster_arn: cluster.cluster.arn,
      cluster_endpoint: cluster.cluster.endpoint,
      cluster_certificate_authority_data: cluster.cluster.certificateAuthority.get(0).data,
      cluster_oidc_issuer_url: cluster.oidcIssuerUrl,
      cluster_oidc_provider_arn: cluster.oidcProvider.arn,
      cluster_security_group_id: cluster.clusterSecurityGroupId,
      node_security_group_id: nodeSg.id,
      node_role_arn: nodeRole.arn,
      lb_controller_role_arn: lbController.arn,
      external_dns_role_arn: externalDns.arn,
      cluster_autoscaler_role_arn: autoscaler.arn,
    });
  }
}

/**
 * The AWS Load Balancer Controller policy (v2.x iam_policy.json) narrowed to this account, region and VPC:
 * mutations only on resources tagged `elbv2.k8s.aws/cluster`, security groups only in the cluster's VPC.
 */
export function loadBalancerControllerStatements(region: string, accountId: string, vpcArn: string): PolicyStatement[] {
  const elb = `arn:aws:elasticloadbalancing:${region}:${accountId}`;
  const sgs = `arn:aws:ec2:${region}:${accountId}:security-group/*`;
  const balancers = [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`];
  const tagged = { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } };
  return [
    {
      Sid: 'ServiceLinkedRole',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: `arn:aws:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'Describe',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags', 'ec2:DescribeRouteTables',
        'ec2:GetCoipPoolUsage', 'ec2:DescribeCoipPools', 'ec2:GetSecurityGroupsForVpc', 'ec2:DescribeIpamPools',
        'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeCapacityReservation',
        'cognito-idp:DescribeUserPoolClient', 'acm:ListCertificates', 'acm:DescribeCertificate',
        'iam:ListServerCertificates', 'iam:GetServerCertificate', 'wafv2:GetWebACL', 'wafv2:GetWebACLForResource',
        'shield:GetSubscriptionState', 'shield:DescribeProtection',
      ],
      Resource: '*',
    },
    { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: [sgs, vpcArn] },
    {
      Sid: 'TagNewSecurityGroups',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: sgs,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      Resource: sgs,
      Condition: { ...tagged, ArnEquals: { 'ec2:Vpc': vpcArn } },
    },
    {
      Sid: 'OpenNodeSecurityGroupsToBalancers',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: sgs,
      Condition: { ArnEquals: { 'ec2:Vpc': vpcArn } },
    },
    {
      Sid: 'CreateTaggedBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: balancers,
      Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:AddTags',
      Resource: balancers,
      Condition: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'ManageTaggedBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags', 'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: balancers,
      Condition: tagged,
    },
    {
      Sid: 'ListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: [
        `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`,
        `${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`,
        `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`,
      ],
    },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`],
    },
    {
      Sid: 'Targets',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: `${elb}:targetgroup/*/*`,
    },
    {
      Sid: 'WafAndShieldOnBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:SetWebAcl', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL', 'shield:CreateProtection', 'shield:DeleteProtection'],
      Resource: [...balancers, `arn:aws:wafv2:${region}:${accountId}:regional/webacl/*/*`, `arn:aws:shield::${accountId}:protection/*`],
    },
  ];
}
