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
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';
import { attachedPolicies, list, statementsOf, wildcardGrants } from '../workload-helpers';

const BASE: EksConfig = {
  kubernetesVersion: '1.31',
  addonVersions: { vpcCni: 'v1', coredns: 'v2', kubeProxy: 'v3', ebsCsiDriver: 'v4', podIdentityAgent: 'v5' },
  nodeGroups: [
    { name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['m6i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
    { name: 'spot', capacityType: 'SPOT', instanceTypes: ['m6i.large', 'm5.large'], minSize: 0, maxSize: 4, desiredSize: 0 },
  ],
};

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
const synth = (config: Partial<EksConfig> = {}, environment = 'prd') => synthStack(src(config, environment), 'test-apps-prd-eks');

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
    expect(() => build(src({ publicAccessCidrs: ['0.0.0.0/0'] }))).toThrow(/publicAccessCidrs\[0\]: 0\.0\.0\.0\/0 opens the API/);
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
    const tf = synthStack(src({}, 'prd', true), 'test-apps-prd-eks');
    expect(resources(tf, 'aws_kms_key')).toEqual([]);
    const [cluster] = resources(tf, 'aws_eks_cluster');
    expect((cluster.encryption_config as { provider: { key_arn: string } }).provider.key_arn).toMatch(/remote-apps-prd-security\.outputs\.data_kms_key_arn/);
    expect(resources(tf, 'aws_cloudwatch_log_group')[0].kms_key_id).toMatch(/remote-apps-prd-security\.outputs\.logs_kms_key_arn/);
    const principals = resources(tf, 'aws_eks_access_entry').map((e) => e.principal_arn);
    expect(principals).toEqual([expect.stringMatching(/devops_role_arn/), expect.stringMatching(/read_only_role_arn/)]);
    expect(() => build(src({ kmsKeySource: 'security-layer' }))).toThrow(/reads layer "security" which account apps-prd does not declare/);
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
    expect(byName['vpc-cni'].addon_version).toBe('v1');
    expect(byName['aws-ebs-csi-driver'].addon_version).toBe('v4');
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
    expect(() => build(src({ nodeGroups: [group] }))).toThrow(/nodeGroups\[0\]: needs minSize <= desiredSize <= maxSize/);
    expect(() => build(src({ nodeGroups: [{ ...group, capacityType: 'SPOT', minSize: 0 }] }))).toThrow(/nodeGroups\[0\]\.instanceTypes: a spot group needs at least two/);
    expect(() => build(src({ kubernetesVersion: 'latest' }))).toThrow(/kubernetesVersion/);
    expect(() => build(src({ metadataHopLimit: 3 as 1 }))).toThrow(/metadataHopLimit: 3 must be 1/);
  });

  it('is enabled in apps-devstg and apps-prd of the example org, prd larger than devstg', () => {
    const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
    const size = (name: string) => {
      const config = org.accounts.get(name)?.layers.get('eks')?.config as EksConfig;
      return config.nodeGroups.find((g) => g.capacityType === 'ON_DEMAND')?.minSize ?? 0;
    };
    expect(size('apps-prd')).toBeGreaterThan(size('apps-devstg'));
    expect(size('apps-prd')).toBeGreaterThanOrEqual(3);
  });
});
