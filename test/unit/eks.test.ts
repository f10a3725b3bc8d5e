import * as path from 'path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { defineLayer } from '../../lib/config';
import { BaseNetwork } from '../../layers/base-network';
import { Eks, type EksConfig } from '../../layers/eks';
import { Security } from '../../layers/security';
import { EKS_OIDC_ROOT_CA_THUMBPRINT } from '../../modules/eks-cluster';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { checkStack, RULES_BY_ID } from '../../lib/policy';
import { eksVersionRule } from '../../lib/policy/rules/containers';
import { viewOf } from '../../lib/policy/engine';
import { daysUntil, EKS_KUBERNETES_VERSIONS, eksSupportStatus, eksVersionProblem, eksVersionWarning } from '../../lib/versions';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';
import { attachedPolicies, list, statementsOf, wildcardGrants } from '../workload-helpers';

const BASE: EksConfig = {
  kubernetesVersion: '1.35',
  addonVersions: {
    vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.35.3-eksbuild.18',
    ebsCsiDriver: 'v1.64.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3',
  },
  nodeGroups: [
    { name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['m6i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
    { name: 'spot', capacityType: 'SPOT', instanceTypes: ['m6i.large', 'm5.large'], minSize: 0, maxSize: 4, desiredSize: 0 },
  ],
};

/** The day the version checks of these tests are evaluated on (the task's "today"). */
const TODAY = new Date('2026-11-30T12:00:00Z');
const ON = (today: Date) => ({ ...REAL, today });

function src(config: Partial<EksConfig> = {}, environment = 'prd', withSecurity = false) {
  return source({
    'apps-prd': {
      config: account({ id: '666666666666', environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
        ...(withSecurity ? { security: defineLayer(Security, { identityAccount: 'apps-prd' }) } : {}),
        eks: defineLayer(Eks, { ...BASE, ...config }),
      },
    },
  });
}
const buildAt = (s: ReturnType<typeof src>) => build(s, ON(TODAY));
const synth = (config: Partial<EksConfig> = {}, environment = 'prd') => synthStack(src(config, environment), 'test-apps-prd-eks', ON(TODAY));

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

  it('installs the five managed add-ons at the configured versions, EBS CSI and VPC CNI with IRSA roles', () => {
    const addons = resources(synth(), 'aws_eks_addon');
    const byName = Object.fromEntries(addons.map((a) => [a.addon_name, a]));
    expect(Object.keys(byName).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(byName['vpc-cni'].addon_version).toBe('v1.22.4-eksbuild.3');
    expect(byName['aws-ebs-csi-driver'].addon_version).toBe('v1.64.0-eksbuild.1');
    expect(byName['aws-ebs-csi-driver'].service_account_role_arn).toMatch(/aws_iam_role\.ebs-csi-role/);
    expect(byName['vpc-cni'].service_account_role_arn).toMatch(/aws_iam_role\.vpc-cni-role/);
    expect(parsed(synth()).data?.aws_eks_addon_version).toBeUndefined();
  });

  it('scopes IRSA trust to one service account of the cluster issuer', () => {
    const roles = resources(synth(), 'aws_iam_role').filter((r) => (r.name as string).endsWith('-lb-controller'));
    expect(roles).toHaveLength(1);
    const [trust] = JSON.parse(roles[0].assume_role_policy as string).Statement;
    expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.values(trust.Condition.StringEquals)).toEqual(['system:serviceaccount:kube-system:aws-load-balancer-controller', 'sts.amazonaws.com']);
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
    const on = (version: string, kubeProxy: string, extra: Partial<EksConfig> = {}) => ({ kubernetesVersion: version, addonVersions: { ...BASE.addonVersions, kubeProxy }, ...extra });
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
    expect(() => buildAt(src({ addonVersions: { ...BASE.addonVersions, vpcCni: 'latest' } })))
      .toThrow(/addonVersions\.vpcCni: "latest" is not an EKS add-on version such as v1\.2\.3-eksbuild\.1 \(aws eks describe-addon-versions --kubernetes-version 1\.35 --addon-name vpc-cni\)/);
    expect(() => buildAt(src({ addonVersions: { ...BASE.addonVersions, kubeProxy: 'v1.31.3-eksbuild.2' } })))
      .toThrow(/addonVersions\.kubeProxy: v1\.31\.3-eksbuild\.2 is built for Kubernetes 1\.31, not 1\.35/);
  });

  it('keeps one release calendar in lib/versions.ts with the dates AWS publishes', () => {
    const row = (v: string) => EKS_KUBERNETES_VERSIONS.find((r) => r.version === v);
    expect(row('1.35')).toEqual({ version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' });
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
      expect(config.addonVersions.kubeProxy).toMatch(/^v1\.35\./);
    }
  });
});
