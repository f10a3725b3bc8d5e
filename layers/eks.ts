import type { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { EksNodeGroup as EksNodeGroupResource } from '@cdktf/provider-aws/lib/eks-node-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformIterator, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { parseCidr } from '../lib/cidr';
import { defineContract, type OutputsOf, type RemoteOutputs } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { declaredLayer, declaresLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, logRetentionDays, oneOf, repeated } from '../lib/validators';
import {
  describeAddonVersionsCommand, EKS_ADDON_NAMES, EKS_ADDON_VERSION_PATTERN, eksAddonRelease, eksVersionProblem,
  type EksAddonKey, type EksAddonVersions,
} from '../lib/versions';
import { addonVersionProblem, ClusterAddon } from '../modules/eks-addon';
import { EksCluster, eksClusterPropProblems, type EksAccessEntrySpec } from '../modules/eks-cluster';
import {
  certManagerDns01Statements, clusterAutoscalerStatements, ebsCsiVolumeKeyStatements, externalDnsStatements, hostedZoneArns,
  loadBalancerControllerStatements,
} from '../modules/eks-controller-permissions';
import { EksNodeGroup, eksNodeGroupPropProblems } from '../modules/eks-node-group';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { isLayerRef, refProblems, resolveRefList, type ValueRef } from '../lib/layer-ref';
import type { PolicyStatement } from '../modules/policy';
import { PodIdentityRole } from '../modules/pod-identity-role';
import { ServiceRole } from '../modules/role';
import { baseNetworkContract } from './base-network';
import { DEFAULT_ZONE_LAYER, DnsZone, dnsZoneContract } from './dns-zone';
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

/** Route 53 hosted zones of this account the cluster's DNS controllers (external-dns, cert-manager DNS-01) may change. */
export interface EksDnsZones {
  /** dns-zone layers of this account whose zone (their `zone_id` output) is managed. @default ['dns-zone'] when the account declares that layer, else [] */
  readonly zoneLayers?: readonly string[];
  /** Further zones of this account by id, e.g. `Z0123456789ABCDEFGHIJ` (zones no layer of the organisation creates). @default [] */
  readonly hostedZoneIds?: readonly string[];
}

export interface EksCertManagerConfig {
  /**
   * A Pod Identity role for cert-manager's controller to answer ACME DNS-01 challenges in `dnsZones` (TXT records named
   * `_acme-challenge.*` only). @default true when `dnsZones` has a zone
   */
  readonly route53Dns01?: boolean;
}

export interface EksConfig {
  /**
   * Kubernetes minor version, e.g. `1.35`: a row of the release calendar in lib/versions.ts, in standard support
   * unless `supportType` is `EXTENDED` (then in extended support at least).
   */
  readonly kubernetesVersion: string;
  /**
   * Add-on versions that differ from the row of `kubernetesVersion` in EKS_ADDON_VERSIONS (lib/versions.ts), each a
   * published `v<x.y.z>-eksbuild.<n>`: e.g. a build EKS publishes under another `eksbuild` number in this account's
   * region. Remove them when bumping `kubernetesVersion`; a version without a row in the table needs all of them.
   * @default {} (every add-on at the table's version for kubernetesVersion)
   */
  readonly addonVersions?: Partial<EksAddonVersions>;
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
  /** Retention of the control-plane log group, one of CloudWatch Logs' values. @default 365 in production, 90 elsewhere */
  readonly logRetentionDays?: number;
  /**
   * Access entries.
   * @default - the security layer's DevOps role as admin and ReadOnly role as viewer when the account declares a
   *   security layer, otherwise the account's deploy role as admin
   */
  readonly accessEntries?: readonly EksAccessEntrySpec[];
  /** IMDSv2 hop limit of the nodes (1 hides instance metadata, and so the node role, from pods). @default 1 */
  readonly metadataHopLimit?: 1 | 2;
  /** Zones external-dns and cert-manager may change. @default { zoneLayers: ['dns-zone'] } when the account declares it */
  readonly dnsZones?: EksDnsZones;
  /** The metrics-server add-on (resource metrics for `kubectl top` and Horizontal Pod Autoscalers). @default true */
  readonly metricsServer?: boolean;
  /** The external-dns add-on, changing records only in `dnsZones`; refused without a zone. @default true when `dnsZones` has a zone */
  readonly externalDns?: boolean;
  /** The cert-manager add-on; `false` leaves it out. @default {} */
  readonly certManager?: EksCertManagerConfig | false;
  /**
   * `STANDARD`: EKS upgrades the cluster when standard support ends (no extended-support charges), so a version past
   * its standard support is refused here. `EXTENDED`: the cluster may stay 12 more months at an extra hourly cost.
   * @default 'STANDARD'
   */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
}

export const eksContract = defineContract('eks', {
  cluster_name: { description: 'EKS cluster name', mock: 'acme-mock-eks' },
  cluster_arn: { description: 'EKS cluster ARN', mock: 'arn:aws:eks:us-east-1:111111111111:cluster/acme-mock-eks' },
  cluster_endpoint: { description: 'Kubernetes API endpoint', mock: 'https://MOCK0000000000000000000000000000.gr7.us-east-1.eks.amazonaws.com' },
  cluster_certificate_authority_data: { description: 'Base64 CA bundle of the API endpoint', mock: 'LS0tLS1CRUdJTi1NT0NL' },
  cluster_oidc_issuer_url: { description: 'OIDC issuer of the cluster', mock: 'https://oidc.eks.us-east-1.amazonaws.com/id/MOCK0000000000000000000000000000' },
  cluster_oidc_provider_arn: { description: 'IAM OIDC provider, for IRSA where Pod Identity does not reach (Fargate pods)', mock: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/MOCK0000000000000000000000000000' },
  cluster_security_group_id: { description: 'Cluster security group created by EKS (control plane and nodes)', mock: 'sg-0mockcluster0000' },
  node_security_group_id: { description: 'Additional security group of every node', mock: 'sg-0mocknodes00000' },
  node_role_arn: { description: 'IAM role of the managed nodes', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-node' },
  lb_controller_role_arn: { description: 'Pod Identity role of kube-system/aws-load-balancer-controller (associated)', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-lb-controller' },
  external_dns_role_arn: { description: 'Pod Identity role of the external-dns add-on; empty when external-dns is off', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-external-dns' },
  cert_manager_role_arn: { description: 'Pod Identity role of cert-manager for Route 53 DNS-01; empty when off', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-cert-manager' },
  cluster_autoscaler_role_arn: { description: 'Pod Identity role of kube-system/cluster-autoscaler (associated)', mock: 'arn:aws:iam::111111111111:role/acme-mock-eks-cluster-autoscaler' },
});

/** Node role policies, AWS-maintained. AmazonEKSWorkerNodePolicy includes eks-auth:AssumeRoleForPodIdentity, what the Pod Identity agent calls. */
const NODE_MANAGED_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'] as const;

/** Where the add-ons that call AWS run: namespace and service account of their Pod Identity association. */
const ADDON_IDENTITIES = {
  vpcCni: { namespace: 'kube-system', serviceAccount: 'aws-node' },
  ebsCsiDriver: { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa' },
  externalDns: { namespace: 'external-dns', serviceAccount: 'external-dns' },
  // The add-on's controller service account (Helm release `cert-manager`); the add-on declares no IAM role itself, so
  // the association is a separate resource.
  certManager: { namespace: 'cert-manager', serviceAccount: 'cert-manager' },
} as const;

/** Controllers installed with Helm after this layer (docs/workloads.md); their associations are made here. */
const HELM_CONTROLLER_IDENTITIES = {
  lbController: { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' },
  clusterAutoscaler: { namespace: 'kube-system', serviceAccount: 'cluster-autoscaler' },
} as const;

const ROUTE53_ZONE_ID = /^Z[0-9A-Z]{1,31}$/;

/** What the config turns on, with its defaults applied (validation and the constructor read the same answer). */
interface Plan {
  readonly zoneLayers: readonly string[];
  readonly hostedZoneIds: readonly string[];
  readonly hasZones: boolean;
  readonly addons: readonly EksAddonKey[];
  readonly certManagerDns01: boolean;
}

function plan(config: EksConfig, ctx: LayerContext): Plan {
  const zoneLayers = config.dnsZones?.zoneLayers
    ?? (declaresLayer(ctx, dnsZoneContract, { layer: DEFAULT_ZONE_LAYER }) ? [DEFAULT_ZONE_LAYER] : []);
  const hostedZoneIds = config.dnsZones?.hostedZoneIds ?? [];
  const hasZones = zoneLayers.length + hostedZoneIds.length > 0;
  const certManager = config.certManager !== false;
  const addons = (Object.keys(EKS_ADDON_NAMES) as EksAddonKey[]).filter((key) => {
    if (key === 'metricsServer') return config.metricsServer ?? true;
    if (key === 'externalDns') return config.externalDns ?? hasZones;
    if (key === 'certManager') return certManager;
    return true;
  });
  const certManagerDns01 = certManager && ((config.certManager || {}).route53Dns01 ?? hasZones);
  return { zoneLayers, hostedZoneIds, hasZones, addons, certManagerDns01 };
}

/**
 * The version of each add-on the config installs: the row of EKS_ADDON_VERSIONS for the cluster's minor, overridden by
 * `addonVersions`. An add-on missing from both has no entry (validation refuses it).
 */
export function eksAddonVersions(config: EksConfig): Partial<EksAddonVersions> {
  return { ...eksAddonRelease(config.kubernetesVersion)?.versions, ...config.addonVersions };
}

/** Version and add-on problems: a version out of its support window, add-on versions that cannot belong to it. */
export function eksVersionProblems(config: EksConfig, ctx: LayerContext): FieldProblem[] {
  const problems = new FieldProblems();
  const version = config.kubernetesVersion;
  if (!/^1\.\d{2}$/.test(version)) return problems.add('kubernetesVersion', `"${version}" must be a minor version like 1.35`).list;
  const supportType = config.supportType ?? 'STANDARD';
  const badSupport = oneOf(supportType, ['STANDARD', 'EXTENDED']);
  problems.check('supportType', badSupport);
  if (!badSupport) problems.check('kubernetesVersion', eksVersionProblem(version, supportType, ctx.org.mode.today));

  for (const key of Object.keys(config.addonVersions ?? {})) {
    if (!(key in EKS_ADDON_NAMES)) problems.add(`addonVersions.${key}`, `unknown add-on (known: ${Object.keys(EKS_ADDON_NAMES).join(', ')})`);
  }
  const versions = eksAddonVersions(config);
  for (const key of plan(config, ctx).addons) {
    const name = EKS_ADDON_NAMES[key];
    const value = versions[key];
    if (value === undefined) {
      problems.add(`addonVersions.${key}`, `lib/versions.ts EKS_ADDON_VERSIONS has no row for Kubernetes ${version}: add the row ` +
        `(every add-on moves with the version) or set this version (${describeAddonVersionsCommand(version, name)})`);
      continue;
    }
    const bad = addonVersionProblem(name, value, version);
    problems.check(`addonVersions.${key}`, bad);
    const m = EKS_ADDON_VERSION_PATTERN.exec(value);
    if (!bad && key === 'kubeProxy' && m && `${m[1]}.${m[2]}` !== version) {
      // kube-proxy is built per Kubernetes minor: EKS refuses a kube-proxy add-on of another minor.
      problems.add('addonVersions.kubeProxy', `${value} is built for Kubernetes ${m[1]}.${m[2]}, not ${version}: ` +
        'bump the add-ons together with kubernetesVersion (a row of EKS_ADDON_VERSIONS in lib/versions.ts)');
    }
  }
  return problems.list;
}

/** The zones and DNS controllers: known dns-zone layers, zone ids of the Route 53 form, no controller without a zone. */
function dnsProblems(config: EksConfig, ctx: LayerContext): FieldProblem[] {
  const problems = new FieldProblems();
  const { hasZones } = plan(config, ctx);
  (config.dnsZones?.zoneLayers ?? []).forEach((layer, i) => {
    const declared = declaredLayer(ctx.org, ctx.account.name, layer, DnsZone);
    if (typeof declared === 'string') problems.add(`dnsZones.zoneLayers[${i}]`, declared);
  });
  (config.dnsZones?.hostedZoneIds ?? []).forEach((id, i) => {
    if (!ROUTE53_ZONE_ID.test(id)) problems.add(`dnsZones.hostedZoneIds[${i}]`, `"${id}" is not a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`);
  });
  const twice = repeated([...(config.dnsZones?.zoneLayers ?? []), ...(config.dnsZones?.hostedZoneIds ?? [])]);
  if (twice !== undefined) problems.add('dnsZones', `"${twice}" is listed twice`);
  const noZone = `account ${ctx.account.name} declares no dns-zone layer "${DEFAULT_ZONE_LAYER}" and dnsZones lists no zone`;
  if (config.externalDns === true && !hasZones) {
    problems.add('externalDns', `external-dns would have no zone to manage: ${noZone}; list dnsZones or set externalDns: false`);
  }
  if (config.certManager && config.certManager.route53Dns01 === true && !hasZones) {
    problems.add('certManager.route53Dns01', `cert-manager would have no zone for DNS-01 challenges: ${noZone}`);
  }
  return problems.list;
}

type SecurityOutputs = RemoteOutputs<OutputsOf<typeof securityContract>>;

/** Makes the Pod Identity role of one service account of this cluster. */
type PodRoleFactory = (id: string, suffix: string, where: { readonly namespace: string; readonly serviceAccount: string }, grants: {
  readonly statements?: PolicyStatement[];
  readonly managedPolicyArns?: string[];
  readonly associatedBy?: 'addon' | 'role';
}) => PodIdentityRole;

/** Makes one add-on at its pinned version. */
type AddonFactory = (key: EksAddonKey, id: string, extra?: {
  readonly podIdentity?: PodIdentityRole[];
  readonly configuration?: Record<string, unknown>;
  readonly dependsOn?: ITerraformDependable[];
}) => EksAddon;

/**
 * An EKS cluster in the account's private subnets with managed AL2023 node groups, access entries, the cluster
 * components as EKS add-ons at versions pinned per Kubernetes minor (lib/versions.ts), and EKS Pod Identity for every
 * controller that calls AWS: the add-ons' own associations (VPC CNI, EBS CSI, external-dns), and associations for
 * cert-manager's DNS-01 solver and the controllers a team installs with Helm afterwards (load balancer controller,
 * cluster autoscaler). docs/workloads.md says what goes on the cluster next.
 */
export class Eks extends LayerStack {
  static readonly contract = eksContract;

  static validate(config: EksConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    for (const p of [...eksVersionProblems(config, ctx), ...dnsProblems(config, ctx)]) problems.add(p.field, p.message);
    (config.publicAccessCidrs ?? []).forEach((text, i) => {
      const cidr = parseCidr(text);
      if (typeof cidr === 'string') problems.add(`publicAccessCidrs[${i}]`, cidr);
      else if (cidr.prefix === 0) problems.add(`publicAccessCidrs[${i}]`, `${text} opens the API to the internet; list the admin networks`);
    });
    (config.endpointAccessCidrs ?? []).forEach((ref, i) => {
      const field = `endpointAccessCidrs[${i}]`;
      problems.nest(field, refProblems('', ref));
      const cidr = isLayerRef(ref) || typeof ref !== 'string' ? undefined : parseCidr(ref);
      if (typeof cidr === 'string') problems.add(field, cidr);
      else if (cidr?.prefix === 0) problems.add(field, `${ref} opens the API to every address; list the networks people come from`);
    });
    if (config.nodeGroups.length === 0) problems.add('nodeGroups', 'needs at least one node group');
    const names = new Set<string>();
    config.nodeGroups.forEach((group, i) => {
      const field = `nodeGroups[${i}]`;
      if (names.has(group.name)) problems.add(`${field}.name`, `"${group.name}" is used twice`);
      names.add(group.name);
      // The node group module's rules (name, capacity type, sizes, instance types, disk, labels, taints), nested.
      problems.nest(field, eksNodeGroupPropProblems(group));
      if (group.capacityType === 'SPOT' && group.instanceTypes.length < 2) {
        problems.add(`${field}.instanceTypes`, 'a spot group needs at least two instance types to survive interruptions');
      }
    });
    if (config.kmsKeySource !== undefined) problems.check('kmsKeySource', oneOf(config.kmsKeySource, ['own', 'security-layer']));
    if (config.metadataHopLimit !== undefined && ![1, 2].includes(config.metadataHopLimit)) {
      problems.add('metadataHopLimit', `${String(config.metadataHopLimit)} must be 1 (pods cannot reach instance metadata) or 2`);
    }
    problems.check('logRetentionDays', logRetentionDays(config.logRetentionDays ?? (isProduction(ctx.account) ? 365 : 90)));
    // The cluster module's rules for the name this config passes through (its IAM role adds -cluster), under clusterName.
    for (const p of eksClusterPropProblems({ name: config.clusterName })) problems.add(p.field === 'name' ? 'clusterName' : p.field, p.message);
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: EksConfig) {
    super(scope, ctx);
    const name = config.clusterName ?? this.resourceName('eks');
    const network = this.remote(baseNetworkContract);
    const privateSubnetIds = network.get('private_subnet_ids');
    const security = declaresLayer(ctx, securityContract) ? this.remote(securityContract) : undefined;
    const keys = this.keys(config, name, security);
    const cluster = new EksCluster(this, 'cluster', {
      name,
      kubernetesVersion: config.kubernetesVersion,
      subnetIds: privateSubnetIds,
      secretsKmsKeyArn: keys.secrets,
      logsKmsKeyArn: keys.logs,
      publicAccessCidrs: config.publicAccessCidrs,
      logRetentionDays: config.logRetentionDays ?? (isProduction(ctx.account) ? 365 : 90),
      accessEntries: config.accessEntries ?? this.defaultAccessEntries(security),
      supportType: config.supportType,
    });
    const nodeSg = this.nodeSecurityGroup(name, network.get('vpc_id'), cluster.clusterSecurityGroupId);
    this.endpointAccess(config, cluster.clusterSecurityGroupId);
    const nodeRole = new ServiceRole(this, 'node-role', {
      name: `${name}-node`,
      service: 'ec2.amazonaws.com',
      managedPolicyArns: NODE_MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`),
      ids: { managedPolicies: NODE_MANAGED_POLICIES.map((p) => `node-${p}`) },
    });
    const podRole: PodRoleFactory = (id, suffix, where, grants) => new PodIdentityRole(this, id, {
      roleName: `${name}-${suffix}`, clusterName: cluster.name, clusterArn: cluster.cluster.arn, ...where, ...grants,
    });
    const versions = eksAddonVersions(config) as EksAddonVersions;
    const addon: AddonFactory = (key, id, extra = {}) => new ClusterAddon(this, id, {
      clusterName: cluster.name, addonName: EKS_ADDON_NAMES[key], version: versions[key], ...extra,
    }).addon;

    // Nodes cannot become Ready without the CNI, and pods get no credentials without the Pod Identity agent.
    const cni = podRole('vpc-cni-role', 'vpc-cni', ADDON_IDENTITIES.vpcCni, {
      managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'], associatedBy: 'addon',
    });
    const beforeNodes = [
      addon('vpcCni', 'addon-vpc-cni', { podIdentity: [cni] }),
      addon('kubeProxy', 'addon-kube-proxy'),
      addon('podIdentityAgent', 'addon-pod-identity'),
    ];
    const groups = config.nodeGroups.map((group) => new EksNodeGroup(this, `nodes-${group.name}`, {
      ...group,
      clusterName: cluster.name,
      nodeRoleArn: nodeRole.arn,
      subnetIds: privateSubnetIds,
      securityGroupIds: [cluster.clusterSecurityGroupId, nodeSg.id],
      metadataHopLimit: config.metadataHopLimit,
      dependsOn: [...nodeRole.permissions, ...beforeNodes],
    }).nodeGroup);
    const dns = this.workloadAddons(config, name, groups, addon, podRole, security);

    // Controllers a team installs with Helm after this layer: their roles and associations exist before their pods.
    const vpcArn = `arn:aws:ec2:${ctx.region}:${ctx.account.id}:vpc/${network.get('vpc_id')}`;
    const lbController = podRole('lb-controller-role', 'lb-controller', HELM_CONTROLLER_IDENTITIES.lbController, {
      statements: loadBalancerControllerStatements(ctx.region, ctx.account.id, vpcArn),
    });
    const autoscaler = podRole('cluster-autoscaler-role', 'cluster-autoscaler', HELM_CONTROLLER_IDENTITIES.clusterAutoscaler, {
      statements: clusterAutoscalerStatements(ctx.region, ctx.account.id, name),
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
      external_dns_role_arn: dns.externalDns?.arn ?? '',
      cert_manager_role_arn: dns.certManager?.arn ?? '',
      cluster_autoscaler_role_arn: autoscaler.arn,
    });
  }

  /** Secrets and log keys: the security layer's data and logs keys, or one key of this layer for both. */
  private keys(config: EksConfig, name: string, security: SecurityOutputs | undefined): { secrets: string; logs: string } {
    const source = config.kmsKeySource ?? (security ? 'security-layer' : 'own');
    if (source === 'security-layer') {
      const keys = security ?? this.remote(securityContract);
      return { secrets: keys.get('data_kms_key_arn'), logs: keys.get('logs_kms_key_arn') };
    }
    const key = new KmsKey(this, 'cluster-key', {
      alias: `${name}-cluster`,
      description: `Encrypts Kubernetes secrets and control-plane logs of ${name}`,
      accountId: this.ctx.account.id,
      serviceStatements: [cloudWatchLogsKeyStatement(this.ctx.region, this.ctx.account.id)],
    });
    return { secrets: key.arn, logs: key.arn };
  }

  /** The security layer's DevOps role as admin and ReadOnly as viewer, else the account's deploy role as admin. */
  private defaultAccessEntries(security: SecurityOutputs | undefined): EksAccessEntrySpec[] {
    if (!security) return [{ principalArn: `arn:aws:iam::${this.ctx.account.id}:role/${this.ctx.account.deployRoleName}`, access: 'admin' }];
    return [
      { principalArn: security.get('devops_role_arn'), access: 'admin' },
      { principalArn: security.get('read_only_role_arn'), access: 'view' },
    ];
  }

  /**
   * The node security group: node to node, control plane to webhooks and kubelet, egress for image pulls and AWS APIs.
   * No kubernetes.io/cluster tag: the cluster security group EKS creates (also on every node) carries it, and the load
   * balancer controller refuses nodes with two tagged security groups.
   */
  /**
   * HTTPS to the private endpoint from `endpointAccessCidrs` (e.g. the client VPN's source ranges): the endpoint's
   * interfaces carry the cluster security group, and people on the VPN come through the hub.
   */
  private endpointAccess(config: EksConfig, clusterSecurityGroupId: string): void {
    const ranges = resolveRefList(config.endpointAccessCidrs ?? [], (contract, options) => this.remote(contract, options));
    if (ranges.length === 0) return;
    const each = TerraformIterator.fromList(ranges);
    new VpcSecurityGroupIngressRule(this, 'api-from-endpoint-access-cidrs', {
      forEach: each,
      securityGroupId: clusterSecurityGroupId,
      cidrIpv4: each.value,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'Kubernetes API from networks outside the VPC (endpointAccessCidrs)',
    });
  }

  private nodeSecurityGroup(name: string, vpcId: string, clusterSecurityGroupId: string): SecurityGroup {
    const nodeSg = new SecurityGroup(this, 'node-sg', { name: `${name}-node`, description: `Nodes of ${name}`, vpcId, tags: { Name: `${name}-node` } });
    new VpcSecurityGroupIngressRule(this, 'node-from-node', {
      securityGroupId: nodeSg.id, referencedSecurityGroupId: nodeSg.id, ipProtocol: '-1', description: 'Node to node (pods, CoreDNS)',
    });
    new VpcSecurityGroupIngressRule(this, 'node-from-cluster', {
      securityGroupId: nodeSg.id, referencedSecurityGroupId: clusterSecurityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443,
      description: 'Control plane to admission webhooks',
    });
    new VpcSecurityGroupIngressRule(this, 'node-kubelet-from-cluster', {
      securityGroupId: nodeSg.id, referencedSecurityGroupId: clusterSecurityGroupId, ipProtocol: 'tcp', fromPort: 10250, toPort: 10250,
      description: 'Control plane to kubelet',
    });
    new VpcSecurityGroupEgressRule(this, 'node-egress', {
      securityGroupId: nodeSg.id, cidrIpv4: '0.0.0.0/0', ipProtocol: '-1', description: 'Image pulls and AWS APIs through the NAT gateways or VPC endpoints',
    });
    return nodeSg;
  }

  /**
   * The add-ons that run Deployments, after the node groups (without nodes they stay DEGRADED and the apply times out):
   * CoreDNS, the EBS CSI driver, metrics-server, external-dns and cert-manager. The DNS controllers may change only the
   * account's zones (`dnsZones`, read from the dns-zone layers' state).
   */
  private workloadAddons(config: EksConfig, name: string, groups: EksNodeGroupResource[], addon: AddonFactory, podRole: PodRoleFactory,
    security: SecurityOutputs | undefined): { externalDns?: PodIdentityRole; certManager?: PodIdentityRole } {
    const { addons: installed, certManagerDns01, zoneLayers, hostedZoneIds } = plan(config, this.ctx);
    addon('coredns', 'addon-coredns', { dependsOn: groups });
    const ebsCsi = podRole('ebs-csi-role', 'ebs-csi', ADDON_IDENTITIES.ebsCsiDriver, {
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
      // The security layer makes its data key the account's default EBS key: the volumes the driver creates use it.
      statements: security ? ebsCsiVolumeKeyStatements(security.get('data_kms_key_arn')) : [],
      associatedBy: 'addon',
    });
    addon('ebsCsiDriver', 'addon-ebs-csi', { podIdentity: [ebsCsi], dependsOn: groups });
    if (installed.includes('metricsServer')) addon('metricsServer', 'addon-metrics-server', { dependsOn: groups });

    const needsZones = installed.includes('externalDns') || certManagerDns01;
    const zoneArns = needsZones
      ? hostedZoneArns([...zoneLayers.map((layer) => this.remote(dnsZoneContract, { layer }).get('zone_id')), ...hostedZoneIds])
      : [];
    let externalDns: PodIdentityRole | undefined;
    if (installed.includes('externalDns')) {
      externalDns = podRole('external-dns-role', 'external-dns', ADDON_IDENTITIES.externalDns, {
        statements: externalDnsStatements(zoneArns), associatedBy: 'addon',
      });
      // This cluster owns the records it writes (TXT registry); upsert-only never deletes a record.
      addon('externalDns', 'addon-external-dns', { podIdentity: [externalDns], configuration: { txtOwnerId: name, policy: 'upsert-only' }, dependsOn: groups });
    }
    let certManager: PodIdentityRole | undefined;
    if (installed.includes('certManager')) {
      // The add-on declares no IAM role of its own: a separate association, made before its pods start (EKS injects
      // Pod Identity credentials into pods created after the association).
      certManager = certManagerDns01
        ? podRole('cert-manager-role', 'cert-manager', ADDON_IDENTITIES.certManager, { statements: certManagerDns01Statements(zoneArns) })
        : undefined;
      addon('certManager', 'addon-cert-manager', { dependsOn: [...groups, ...(certManager?.association ? [certManager.association] : [])] });
    }
    return { externalDns, certManager };
  }
}
