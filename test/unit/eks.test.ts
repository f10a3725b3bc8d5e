import * as path from 'path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { defineLayer } from '../../lib/config';
import { BaseNetwork } from '../../layers/base-network';
import { DnsZone } from '../../layers/dns-zone';
import { Eks, eksAddonVersions, type EksConfig } from '../../layers/eks';
import { Security } from '../../layers/security';
import { EKS_OIDC_ROOT_CA_THUMBPRINT } from '../../modules/eks-cluster';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { checkStack, RULES_BY_ID } from '../../lib/policy';
import { eksVersionRule } from '../../lib/policy/rules/containers';
import { viewOf } from '../../lib/policy/engine';
import {
  daysUntil, EKS_ADDON_NAMES, EKS_ADDON_VERSION_PATTERN, EKS_ADDON_VERSIONS, EKS_KUBERNETES_VERSIONS, EKS_RELEASE_CALENDAR_URL, eksAddonRelease,
  eksSupportStatus, eksVersionProblem, eksVersionWarning,
} from '../../lib/versions';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';
import { attachedPolicies, list, statementsOf, wildcardGrants, type Statement } from '../workload-helpers';

const BASE: EksConfig = {
  kubernetesVersion: '1.35',
  nodeGroups: [
    { name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['m6i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
    { name: 'spot', capacityType: 'SPOT', instanceTypes: ['m6i.large', 'm5.large'], minSize: 0, maxSize: 4, desiredSize: 0 },
  ],
};
/** Every add-on version of the 1.35 row, for configs on a minor the table has no row for. */
const ALL_135 = eksAddonRelease('1.35')!.versions;

/** The day the version checks of these tests are evaluated on (the task's "today"). */
const TODAY = new Date('2026-11-30T12:00:00Z');
const ON = (today: Date) => ({ ...REAL, today });

function src(config: Partial<EksConfig> = {}, environment = 'prd', withSecurity = false, withZone = false) {
  return source({
    'apps-prd': {
      config: account({ id: '666666666666', environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
        ...(withSecurity ? { security: defineLayer(Security, { identityAccount: 'apps-prd' }) } : {}),
        ...(withZone ? { 'dns-zone': defineLayer(DnsZone, { zoneName: 'prd.acme.example.com' }) } : {}),
        eks: defineLayer(Eks, { ...BASE, ...config }),
      },
    },
  });
}
const buildAt = (s: ReturnType<typeof src>) => build(s, ON(TODAY));
const synth = (config: Partial<EksConfig> = {}, environment = 'prd') => synthStack(src(config, environment), 'test-apps-prd-eks', ON(TODAY));
const synthWith = (config: Partial<EksConfig>, options: { security?: boolean; zone?: boolean } = {}) =>
  synthStack(src(config, 'prd', options.security ?? false, options.zone ?? false), 'test-apps-prd-eks', ON(TODAY));
const byAddonName = (tf: string) => Object.fromEntries(resources(tf, 'aws_eks_addon').map((a) => [a.addon_name as string, a]));
const roleNamed = (tf: string, suffix: string) => resources(tf, 'aws_iam_role').find((r) => (r.name as string).endsWith(`-${suffix}`));
const trustOf = (role: Record<string, unknown> | undefined) => JSON.parse(role?.assume_role_policy as string).Statement as Statement[];

describe('eks', () => {
  it('keeps the API endpoint private by default, in the private subnets read from base-network', () => {
    const tf = synth();
    const [cluster] = resources(tf, 'aws_eks_cluster');
    const vpc = cluster.vpc_config as Record<string, unknown>;
    expect(vpc.endpoint_private_access).toBe(true);
    expect(vpc.endpoint_public_access).toBe(false);
    expect(vpc.public_access_cidrs).toBeUndefined();
    expect(vpc.subnet_ids).toMatch(/terraform_remote_state\.remote-apps-prd-base-network\.outputs\.private_subnet_ids/);
  });

  it('opens the public endpoint only to the configured CIDRs and refuses 0.0.0.0/0', () => {
    const [cluster] = resources(synth({ publicAccessCidrs: ['198.51.100.0/24'] }), 'aws_eks_cluster');
    expect(cluster.vpc_config).toMatchObject({ endpoint_public_access: true, public_access_cidrs: ['198.51.100.0/24'] });
    expect(() => buildAt(src({ publicAccessCidrs: ['0.0.0.0/0'] }))).toThrow(/publicAccessCidrs\[0\]: 0\.0\.0\.0\/0 opens the API/);
  });

  it('encrypts secrets with KMS, exports every log type to a retained, encrypted group created first', () => {
    const tf = synth();
    const [cluster] = resources(tf, 'aws_eks_cluster');
    expect(cluster).toMatchObject({
      enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      encryption_config: { resources: ['secrets'] },
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
    });
    expect((cluster.encryption_config as { provider: { key_arn: string } }).provider.key_arn).toMatch(/aws_kms_key\..*\.arn/);
    expect(tf).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/eks/test-apps-prd-eks/cluster', retention_in_days: 365 });
    const [group] = resources(tf, 'aws_cloudwatch_log_group');
    expect(group.kms_key_id).toMatch(/aws_kms_key\./);
    expect((cluster.depends_on as string[]).some((d) => d.startsWith('aws_cloudwatch_log_group.'))).toBe(true);
  });

  it('uses the security layer keys and roles when the account has one', () => {
    const tf = synthStack(src({}, 'prd', true), 'test-apps-prd-eks', ON(TODAY));
    expect(resources(tf, 'aws_kms_key')).toEqual([]);
    const [cluster] = resources(tf, 'aws_eks_cluster');
    expect((cluster.encryption_config as { provider: { key_arn: string } }).provider.key_arn).toMatch(/remote-apps-prd-security\.outputs\.data_kms_key_arn/);
    expect(resources(tf, 'aws_cloudwatch_log_group')[0].kms_key_id).toMatch(/remote-apps-prd-security\.outputs\.logs_kms_key_arn/);
    const principals = resources(tf, 'aws_eks_access_entry').map((e) => e.principal_arn);
    expect(principals).toEqual([expect.stringMatching(/devops_role_arn/), expect.stringMatching(/read_only_role_arn/)]);
    expect(() => buildAt(src({ kmsKeySource: 'security-layer' }))).toThrow(/reads layer "security" which account apps-prd does not declare/);
  });

  it('retains logs 90 days in devstg unless configured', () => {
    expect(synth({}, 'devstg')).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 90 });
    expect(synth({ logRetentionDays: 30 }, 'devstg')).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 30 });
  });

  it('runs AL2023 managed node groups over private subnets with IMDSv2 and encrypted gp3 roots', () => {
    const tf = synth();
    const groups = resources(tf, 'aws_eks_node_group');
    expect(groups.map((g) => g.capacity_type).sort()).toEqual(['ON_DEMAND', 'SPOT']);
    for (const g of groups) {
      expect(g.ami_type).toBe('AL2023_x86_64_STANDARD');
      expect(g.subnet_ids).toMatch(/private_subnet_ids/);
      expect(g.launch_template).toBeDefined();
      expect(g.remote_access).toBeUndefined();
    }
    const templates = resources(tf, 'aws_launch_template');
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      expect(t.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(t.block_device_mappings).toEqual([expect.objectContaining({ ebs: expect.objectContaining({ encrypted: 'true', volume_type: 'gp3' }) })]);
      expect(t.image_id).toBeUndefined();
      expect(t.key_name).toBeUndefined();
    }
    expect(resources(synth({ metadataHopLimit: 2 }), 'aws_launch_template')[0].metadata_options).toMatchObject({ http_put_response_hop_limit: 2 });
  });

  it('attaches the cluster security group to the nodes and tags no second group for the load balancer controller', () => {
    const tf = synth();
    for (const t of resources(tf, 'aws_launch_template')) {
      expect(t.vpc_security_group_ids).toEqual([expect.stringMatching(/cluster_security_group_id/), expect.stringMatching(/aws_security_group\.node-sg/)]);
    }
    const [nodeSg] = resources(tf, 'aws_security_group');
    expect(Object.keys(nodeSg.tags as object).filter((k) => k.startsWith('kubernetes.io/cluster/'))).toEqual([]);
  });

  it('creates the IRSA OIDC provider with the pinned root CA thumbprint', () => {
    expect(synth()).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      client_id_list: ['sts.amazonaws.com'],
      thumbprint_list: [EKS_OIDC_ROOT_CA_THUMBPRINT],
    });
  });

  it('installs the cluster components as EKS add-ons at the versions lib/versions.ts pins for the cluster version', () => {
    const addons = byAddonName(synth());
    // Without a zone in the account there is no external-dns (it would have nothing to manage).
    expect(Object.keys(addons).sort()).toEqual(['aws-ebs-csi-driver', 'cert-manager', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni']);
    for (const [key, name] of Object.entries(EKS_ADDON_NAMES)) {
      if (addons[name]) expect(addons[name].addon_version).toBe(ALL_135[key as keyof typeof ALL_135]);
    }
    expect(addons['metrics-server'].addon_version).toBe('v0.9.0-eksbuild.5');
    for (const a of Object.values(addons)) expect(a).toMatchObject({ resolve_conflicts_on_create: 'OVERWRITE', resolve_conflicts_on_update: 'OVERWRITE' });
    expect(parsed(synth()).data?.aws_eks_addon_version).toBeUndefined();
    // Networking and the Pod Identity agent before the nodes, the Deployments after them.
    const groups = resources(synth(), 'aws_eks_node_group');
    for (const g of groups) expect(g.depends_on).toEqual(expect.arrayContaining(['aws_eks_addon.addon-vpc-cni', 'aws_eks_addon.addon-kube-proxy', 'aws_eks_addon.addon-pod-identity']));
    for (const name of ['coredns', 'aws-ebs-csi-driver', 'metrics-server', 'cert-manager']) {
      expect((addons[name].depends_on as string[]).filter((d) => d.startsWith('aws_eks_node_group.'))).toHaveLength(2);
    }
  });

  it('overrides single add-on versions from config and leaves the rest to the table; metrics-server and cert-manager can be left out', () => {
    const addons = byAddonName(synth({ addonVersions: { coredns: 'v1.14.3-eksbuild.3' } }));
    expect(addons.coredns.addon_version).toBe('v1.14.3-eksbuild.3');
    expect(addons['vpc-cni'].addon_version).toBe(ALL_135.vpcCni);
    const lean = byAddonName(synth({ metricsServer: false, certManager: false }));
    expect(lean['metrics-server']).toBeUndefined();
    expect(lean['cert-manager']).toBeUndefined();
    expect(eksAddonVersions({ ...BASE, addonVersions: { kubeProxy: 'v1.35.9-eksbuild.1' } })).toEqual({ ...ALL_135, kubeProxy: 'v1.35.9-eksbuild.1' });
  });

  it('gives every controller that calls AWS a Pod Identity role trusted only by pods.eks.amazonaws.com for its cluster, namespace and service account', () => {
    const tf = synthWith({}, { zone: true });
    const expected: Record<string, [string, string]> = {
      'vpc-cni': ['kube-system', 'aws-node'],
      'ebs-csi': ['kube-system', 'ebs-csi-controller-sa'],
      'external-dns': ['external-dns', 'external-dns'],
      'cert-manager': ['cert-manager', 'cert-manager'],
      'lb-controller': ['kube-system', 'aws-load-balancer-controller'],
      'cluster-autoscaler': ['kube-system', 'cluster-autoscaler'],
    };
    for (const [suffix, [namespace, serviceAccount]] of Object.entries(expected)) {
      const [trust, ...others] = trustOf(roleNamed(tf, suffix));
      expect(others).toEqual([]);
      expect(trust).toEqual({
        Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: {
          'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/^\$\{aws_eks_cluster\..*\.arn\}$/),
          'aws:RequestTag/kubernetes-namespace': namespace,
          'aws:RequestTag/kubernetes-service-account': serviceAccount,
        } },
      });
    }
    // No IRSA left: no web-identity trust, no service_account_role_arn on any add-on.
    expect(resources(tf, 'aws_iam_role').flatMap((r) => trustOf(r)).filter((t) => t.Action === 'sts:AssumeRoleWithWebIdentity')).toEqual([]);
    expect(resources(tf, 'aws_eks_addon').filter((a) => a.service_account_role_arn !== undefined)).toEqual([]);
  });

  it('associates the add-ons\' roles through the add-ons and the Helm controllers\' roles through associations of their own', () => {
    const tf = synthWith({}, { zone: true });
    const addons = byAddonName(tf);
    expect(addons['vpc-cni'].pod_identity_association).toEqual([{ service_account: 'aws-node', role_arn: expect.stringMatching(/aws_iam_role\.vpc-cni-role/) }]);
    expect(addons['aws-ebs-csi-driver'].pod_identity_association).toEqual([{ service_account: 'ebs-csi-controller-sa', role_arn: expect.stringMatching(/aws_iam_role\.ebs-csi-role/) }]);
    expect(addons['external-dns'].pod_identity_association).toEqual([{ service_account: 'external-dns', role_arn: expect.stringMatching(/aws_iam_role\.external-dns-role/) }]);
    const associations = resources(tf, 'aws_eks_pod_identity_association').map((a) => `${a.namespace}/${a.service_account}`).sort();
    expect(associations).toEqual(['cert-manager/cert-manager', 'kube-system/aws-load-balancer-controller', 'kube-system/cluster-autoscaler']);
    for (const a of resources(tf, 'aws_eks_pod_identity_association')) expect(a.cluster_name).toMatch(/aws_eks_cluster\..*\.name/);
    // cert-manager's pods start after their association exists: EKS injects credentials only into pods created after it.
    expect(addons['cert-manager'].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_pod_identity_association\.cert-manager-role/)]));
  });

  it('lets external-dns change records only in the account\'s zones, read from the dns-zone layer, as owner of its records', () => {
    const tf = synthWith({}, { zone: true });
    const zoneArn = 'arn:aws:route53:::hostedzone/${data.terraform_remote_state.remote-apps-prd-dns-zone.outputs.zone_id}';
    const policy = statementsOf(tf).filter((s) => list(s.Action).includes('route53:ChangeResourceRecordSets'));
    expect(policy.find((s) => s.Sid === 'ChangeRecordsInOwnZones')?.Resource).toEqual([zoneArn]);
    for (const s of policy) expect(list(s.Resource).every((r) => r === zoneArn)).toBe(true);
    expect(statementsOf(tf).filter((s) => list(s.Resource).includes('arn:aws:route53:::hostedzone/*'))).toEqual([]);
    expect(JSON.parse(byAddonName(tf)['external-dns'].configuration_values as string)).toEqual({ txtOwnerId: 'test-apps-prd-eks', policy: 'upsert-only' });
    // Zones no layer creates, by id, next to the layer's.
    const more = statementsOf(synthWith({ dnsZones: { hostedZoneIds: ['Z0123456789ABCDEFGHIJ'] } }, { zone: true }));
    expect(more.find((s) => s.Sid === 'ChangeRecordsInOwnZones')?.Resource).toEqual([zoneArn, 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ']);
  });

  it('lets cert-manager answer DNS-01 challenges with _acme-challenge TXT records in the same zones only', () => {
    const tf = synthWith({}, { zone: true });
    const change = statementsOf(tf).find((s) => s.Sid === 'ChallengeRecordsOnly');
    expect(change).toMatchObject({
      Action: 'route53:ChangeResourceRecordSets',
      Resource: ['arn:aws:route53:::hostedzone/${data.terraform_remote_state.remote-apps-prd-dns-zone.outputs.zone_id}'],
      Condition: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    });
    // Without a zone: the add-on, but no DNS-01 role.
    expect(roleNamed(synth(), 'cert-manager')).toBeUndefined();
    expect(byAddonName(synth())['cert-manager']).toBeDefined();
  });

  it('refuses DNS controllers without a zone, unknown zone layers and malformed zone ids', () => {
    expect(() => buildAt(src({ externalDns: true })))
      .toThrow(/test\/apps-prd\/eks: externalDns: external-dns would have no zone to manage: account apps-prd declares no dns-zone layer "dns-zone" and dnsZones lists no zone/);
    expect(() => buildAt(src({ certManager: { route53Dns01: true } }))).toThrow(/certManager\.route53Dns01: cert-manager would have no zone for DNS-01 challenges/);
    expect(() => buildAt(src({ dnsZones: { zoneLayers: ['public-zone'] } }))).toThrow(/dnsZones\.zoneLayers\[0\]: account apps-prd declares no layer "public-zone"/);
    expect(() => buildAt(src({ dnsZones: { hostedZoneIds: ['prd.acme.example.com'] } }))).toThrow(/dnsZones\.hostedZoneIds\[0\]: "prd\.acme\.example\.com" is not a Route 53 hosted zone id/);
    expect(() => buildAt(src({ externalDns: false }))).not.toThrow();
  });

  it('grants the EBS CSI driver the account\'s default EBS key (the security layer\'s data key) for the volumes it creates', () => {
    const tf = synthWith({}, { security: true });
    const role = roleNamed(tf, 'ebs-csi');
    const policy = resources(tf, 'aws_iam_role_policy').find((p) => String(p.role).includes('ebs-csi-role'));
    const statements = JSON.parse(policy?.policy as string).Statement;
    const dataKey = '${data.terraform_remote_state.remote-apps-prd-security.outputs.data_kms_key_arn}';
    expect(statements).toEqual([
      { Sid: 'VolumeKeyGrantsForEbs', Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: dataKey, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      { Sid: 'VolumeKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], Resource: dataKey },
    ]);
    expect(role).toBeDefined();
    // Without a security layer the account's default EBS key is AWS managed: nothing to grant.
    expect(resources(synth(), 'aws_iam_role_policy').filter((p) => String(p.role).includes('ebs-csi-role'))).toEqual([]);
  });

  it('maps the DevOps role as admin through access entries by default and honours configured entries', () => {
    expect(synth()).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
    const entries = resources(synth(), 'aws_eks_access_entry');
    expect(entries.map((e) => e.principal_arn)).toEqual(['arn:aws:iam::666666666666:role/DevOps']);
    const tf = synth({ accessEntries: [{ principalArn: 'arn:aws:iam::666666666666:role/ReadOnly', access: 'view' }] });
    expect(tf).toHaveResourceWithProperties(EksAccessPolicyAssociation, { policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' });
  });

  it('grants no wildcard action on every resource and never administrator policies', () => {
    const tf = synth();
    expect(wildcardGrants(statementsOf(tf))).toEqual([]);
    expect(attachedPolicies(tf).filter((p) => /AdministratorAccess|PowerUserAccess/.test(p))).toEqual([]);
    const autoscaler = statementsOf(tf).find((s) => s.Sid === 'ScaleOwnGroups');
    expect(autoscaler?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/test-apps-prd-eks': 'owned' } });
    const sgMutations = statementsOf(tf).filter((s) => list(s.Action).includes('ec2:AuthorizeSecurityGroupIngress'));
    for (const s of sgMutations) expect(s.Condition?.ArnEquals).toBeDefined();
  });

  it('refuses bad sizing and single-type spot groups', () => {
    const group = { name: 'x', capacityType: 'ON_DEMAND' as const, instanceTypes: ['m5.large'], minSize: 3, maxSize: 2, desiredSize: 2 };
    expect(() => buildAt(src({ nodeGroups: [group] }))).toThrow(/nodeGroups\[0\]\.minSize: 3 is greater than maxSize 2/);
    expect(() => buildAt(src({ nodeGroups: [{ ...group, capacityType: 'SPOT', minSize: 0 }] }))).toThrow(/nodeGroups\[0\]\.instanceTypes: a spot group needs at least two/);
    expect(() => buildAt(src({ kubernetesVersion: 'latest' }))).toThrow(/kubernetesVersion: "latest" must be a minor version like 1\.35/);
    expect(() => buildAt(src({ metadataHopLimit: 3 as 1 }))).toThrow(/metadataHopLimit: 3 must be 1/);
  });

  it('refuses a version past standard support when supportType is STANDARD (the old example 1.31, and 1.32)', () => {
    const on = (version: string, kubeProxy: string, extra: Partial<EksConfig> = {}) => ({ kubernetesVersion: version, addonVersions: { ...ALL_135, kubeProxy }, ...extra });
    expect(() => buildAt(src(on('1.32', 'v1.32.9-eksbuild.2'))))
      .toThrow(/test\/apps-prd\/eks: kubernetesVersion: 1\.32 left standard support on 2026-03-23: with supportType STANDARD, EKS refuses a new cluster on it or upgrades an existing one; move to 1\.35/);
    // 1.31, the version the example organisation used, is past even extended support today.
    expect(() => buildAt(src(on('1.31', 'v1.31.13-eksbuild.2'), 'prd'))).toThrow(/1\.31 reached the end of extended support on 2026-11-26/);
    // 1.34 is still in standard support today (ends 2026-12-02), not two days later.
    expect(() => buildAt(src(on('1.34', 'v1.34.6-eksbuild.2')))).not.toThrow();
    expect(() => build(src(on('1.34', 'v1.34.6-eksbuild.2')), ON(new Date('2026-12-02T00:00:00Z')))).toThrow(/1\.34 left standard support on 2026-12-02/);
    // EXTENDED keeps a version for its 12 paid months, then it is refused too.
    expect(() => buildAt(src(on('1.32', 'v1.32.9-eksbuild.2', { supportType: 'EXTENDED' })))).not.toThrow();
    expect(() => build(src(on('1.32', 'v1.32.9-eksbuild.2', { supportType: 'EXTENDED' })), ON(new Date('2027-03-23T00:00:00Z'))))
      .toThrow(/1\.32 reached the end of extended support on 2027-03-23/);
    expect(() => buildAt(src({ kubernetesVersion: '1.99' }))).toThrow(/1\.99 is not in the EKS release calendar of lib\/versions\.ts/);
    expect(() => buildAt(src({ supportType: 'PAID' as 'EXTENDED' }))).toThrow(/supportType: "PAID" must be STANDARD or EXTENDED/);
  });

  it('synthesizes the cluster on the configured version with the STANDARD upgrade policy', () => {
    const [cluster] = resources(synth(), 'aws_eks_cluster');
    expect(cluster).toMatchObject({ version: '1.35', upgrade_policy: { support_type: 'STANDARD' } });
  });

  it('refuses add-on versions that are not published eksbuild versions, and a kube-proxy of another minor', () => {
    expect(() => buildAt(src({ addonVersions: { vpcCni: 'latest' } })))
      .toThrow(/addonVersions\.vpcCni: "latest" is not an EKS add-on version such as v1\.2\.3-eksbuild\.1 \(aws eks describe-addon-versions --kubernetes-version 1\.35 --addon-name vpc-cni\)/);
    expect(() => buildAt(src({ addonVersions: { kubeProxy: 'v1.31.3-eksbuild.2' } })))
      .toThrow(/addonVersions\.kubeProxy: v1\.31\.3-eksbuild\.2 is built for Kubernetes 1\.31, not 1\.35/);
  });

  it('refuses a Kubernetes version without an add-on row unless config pins every add-on, and unknown add-ons', () => {
    expect(() => buildAt(src({ kubernetesVersion: '1.34', addonVersions: { kubeProxy: 'v1.34.6-eksbuild.2' } })))
      .toThrow(/addonVersions\.vpcCni: lib\/versions\.ts EKS_ADDON_VERSIONS has no row for Kubernetes 1\.34: add the row \(every add-on moves with the version\) or set this version \(aws eks describe-addon-versions --kubernetes-version 1\.34 --addon-name vpc-cni\)/);
    expect(() => buildAt(src({ kubernetesVersion: '1.34', addonVersions: { ...ALL_135, kubeProxy: 'v1.34.6-eksbuild.2' } }))).not.toThrow();
    // An add-on left out needs no version.
    expect(() => buildAt(src({ kubernetesVersion: '1.34', metricsServer: false, addonVersions: { ...ALL_135, metricsServer: undefined, kubeProxy: 'v1.34.6-eksbuild.2' } }))).not.toThrow();
    expect(() => buildAt(src({ addonVersions: { ebsCsi: 'v1.64.0-eksbuild.1' } as Partial<EksConfig['addonVersions']> })))
      .toThrow(/addonVersions\.ebsCsi: unknown add-on \(known: vpcCni, kubeProxy, podIdentityAgent, coredns, ebsCsiDriver, metricsServer, externalDns, certManager\)/);
  });

  it('pins one version per add-on per Kubernetes minor in lib/versions.ts, each a published build of the right minor', () => {
    for (const row of EKS_ADDON_VERSIONS) {
      expect(EKS_KUBERNETES_VERSIONS.map((r) => r.version)).toContain(row.kubernetesVersion);
      expect(Object.keys(row.versions).sort()).toEqual(Object.keys(EKS_ADDON_NAMES).sort());
      for (const version of Object.values(row.versions)) expect(version).toMatch(EKS_ADDON_VERSION_PATTERN);
      expect(row.versions.kubeProxy.startsWith(`v${row.kubernetesVersion}.`)).toBe(true);
      expect(row.source.length).toBeGreaterThan(20);
    }
    expect(new Set(EKS_ADDON_VERSIONS.map((r) => r.kubernetesVersion)).size).toBe(EKS_ADDON_VERSIONS.length);
    // The version the example organisation and new layers use has a row.
    expect(eksAddonRelease('1.35')?.region).toBe('us-east-1');
  });

  it('takes the log retention rule and the production default every layer uses', () => {
    expect(() => buildAt(src({ logRetentionDays: 45 }))).toThrow(/logRetentionDays: 45 is not a CloudWatch Logs retention/);
    expect(() => buildAt(src({ logRetentionDays: 0 }))).toThrow(/logRetentionDays: 0 is not a CloudWatch Logs retention/);
    // "prod" is production (lib/environment.ts), not only "prd".
    expect(synth({}, 'prod')).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 365 });
  });

  it('keeps the Terraform addresses of everything the layer created before Pod Identity (roles update in place)', () => {
    const tf = synthWith({}, { security: true, zone: true });
    const addresses = Object.entries(parsed(tf).resource ?? {}).flatMap(([type, named]) => Object.keys(named as object).map((n) => `${type}.${n}`));
    expect(addresses).toEqual(expect.arrayContaining([
      'aws_eks_addon.addon-coredns', 'aws_eks_addon.addon-ebs-csi', 'aws_eks_addon.addon-kube-proxy', 'aws_eks_addon.addon-pod-identity',
      'aws_eks_addon.addon-vpc-cni', 'aws_iam_role.cluster-autoscaler-role_480A5B9C', 'aws_iam_role.ebs-csi-role_DE70A504',
      'aws_iam_role.external-dns-role_229F376E', 'aws_iam_role.lb-controller-role_04F8986C', 'aws_iam_role.node-role',
      'aws_iam_role.vpc-cni-role_9489D013', 'aws_iam_role_policy.cluster-autoscaler-role_policy_4DE68CC9',
      'aws_iam_role_policy.lb-controller-role_policy_CB0F65E8', 'aws_iam_role_policy_attachment.ebs-csi-role_managed-0_A04C8036',
      'aws_iam_role_policy_attachment.node-AmazonEC2ContainerRegistryReadOnly', 'aws_iam_role_policy_attachment.node-AmazonEKSWorkerNodePolicy',
      'aws_iam_role_policy_attachment.node-AmazonSSMManagedInstanceCore', 'aws_iam_role_policy_attachment.vpc-cni-role_managed-0_A1403304',
      'aws_security_group.node-sg', 'aws_vpc_security_group_egress_rule.node-egress', 'aws_vpc_security_group_ingress_rule.node-from-cluster',
      'aws_vpc_security_group_ingress_rule.node-from-node', 'aws_vpc_security_group_ingress_rule.node-kubelet-from-cluster',
      'aws_eks_cluster.cluster_A4C38409', 'aws_iam_openid_connect_provider.cluster_oidc_E9345939',
    ]));
  });

  it('keeps one release calendar in lib/versions.ts with the dates AWS publishes', () => {
    const row = (v: string) => EKS_KUBERNETES_VERSIONS.find((r) => r.version === v);
    expect(row('1.35')).toEqual({ version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27', source: EKS_RELEASE_CALENDAR_URL });
    expect(row('1.34')?.endOfStandardSupport).toBe('2026-12-02');
    expect(row('1.31')?.endOfStandardSupport).toBe('2025-11-26');
    for (const r of EKS_KUBERNETES_VERSIONS) {
      // 14 months of standard support, then 12 of extended support.
      expect(daysUntil(r.endOfStandardSupport, new Date(`${r.released}T00:00:00Z`))).toBeGreaterThan(420);
      expect(daysUntil(r.endOfExtendedSupport, new Date(`${r.endOfStandardSupport}T00:00:00Z`))).toBeGreaterThanOrEqual(365);
    }
    expect(eksSupportStatus('1.34', TODAY)).toMatchObject({ status: 'standard', daysLeft: 2 });
    expect(eksSupportStatus('1.31', TODAY)).toMatchObject({ status: 'ended' });
    expect(eksVersionProblem('1.35', 'STANDARD', TODAY)).toBeUndefined();
    // The real date is the default: a check without an injected day still answers.
    expect(['standard', 'extended', 'ended']).toContain(eksSupportStatus('1.35').status);
  });

  it('warns through the policy pack 90 days before standard support ends, and in paid extended support', () => {
    expect(eksVersionWarning('1.35', TODAY)).toBeUndefined();
    expect(eksVersionWarning('1.34', TODAY)).toMatch(/Kubernetes 1\.34 leaves EKS standard support on 2026-12-02 \(in 2 days\): upgrade/);
    expect(eksVersionWarning('1.35', new Date('2027-01-01T00:00:00Z'))).toMatch(/in 85 days/);
    const stack = build(src(), ON(TODAY)).stacks.get('test-apps-prd-eks')!;
    const view = viewOf(stack.node.id, stack.toTerraform() as Record<string, unknown>);
    const rule = (day: string) => eksVersionRule(() => new Date(day));
    const [cluster] = view.ofType('aws_eks_cluster');
    expect(rule('2026-11-30').check(cluster, view)).toBeUndefined();
    expect(rule('2027-02-01').check(cluster, view)).toMatch(/leaves EKS standard support on 2027-03-27 \(in 54 days\)/);
    expect(rule('2027-04-01').check(cluster, view)).toMatch(/1\.35 left standard support on 2027-03-27/);
    expect(rule('2027-04-01').severity).toBe('warning');
    // The pack registers the rule on the real date; it reports exactly what lib/versions.ts says about today.
    expect(RULES_BY_ID.get('POL-EKS-004')?.resourceTypes).toEqual(['aws_eks_cluster']);
    const expected = eksVersionProblem('1.35', 'STANDARD') ?? eksVersionWarning('1.35');
    expect(checkStack(stack).findings.filter((f) => f.ruleId === 'POL-EKS-004').map((f) => f.message)).toEqual(expected ? [expected] : []);
  });

  it('is enabled in apps-devstg and apps-prd of the example org, prd larger than devstg', () => {
    const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
    const size = (name: string) => {
      const config = org.accounts.get(name)?.layers.get('eks')?.config as EksConfig;
      return config.nodeGroups.find((g) => g.capacityType === 'ON_DEMAND')?.minSize ?? 0;
    };
    expect(size('apps-prd')).toBeGreaterThan(size('apps-devstg'));
    expect(size('apps-prd')).toBeGreaterThanOrEqual(3);
    for (const name of ['apps-devstg', 'apps-prd']) {
      const config = org.accounts.get(name)?.layers.get('eks')?.config as EksConfig;
      expect(config.kubernetesVersion).toBe('1.35');
      expect(config.supportType ?? 'STANDARD').toBe('STANDARD');
      expect(eksVersionProblem(config.kubernetesVersion, 'STANDARD', TODAY)).toBeUndefined();
      expect(config.addonVersions).toBeUndefined();
      expect(eksAddonVersions(config).kubeProxy).toMatch(/^v1\.35\./);
    }
  });
});
