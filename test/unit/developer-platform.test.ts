import * as path from 'path';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { defineLayer } from '../../lib/config';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { DeveloperPlatform, type DeveloperPlatformConfig } from '../../layers/developer-platform';
import { Eks } from '../../layers/eks';
import { Fargate } from '../../layers/fargate';
import { PlatformAccess } from '../../layers/platform-access';
import { Security } from '../../layers/security';
import { account, build, REAL, resources, source, synthStack } from '../helpers';
import { attachedPolicies, list, statementsOf, wildcardGrants, type Statement } from '../workload-helpers';

const PLATFORM: DeveloperPlatformConfig = {
  certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/11111111-2222-3333-4444-555555555555',
  backstage: { imageTag: '1.2.3' },
};

function src(config: Partial<DeveloperPlatformConfig> = {}, prdLayers: Record<string, unknown> = {}) {
  const network = (cidr: string) => defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'single' });
  return source({
    management: { config: account({ id: '111111111111', environment: 'management' }) },
    shared: {
      config: account({ id: '333333333333', environment: 'shared' }),
      layers: {
        'base-network': network('10.10.0.0/16'),
        security: defineLayer(Security, {}),
        'developer-platform': defineLayer(DeveloperPlatform, { ...PLATFORM, ...config }),
      },
    },
    'apps-devstg': {
      config: account({ id: '555555555555', environment: 'devstg' }),
      layers: { 'base-network': network('10.30.0.0/16'), 'platform-access': defineLayer(PlatformAccess, {}) },
    },
    'apps-prd': {
      config: account({ id: '666666666666', environment: 'prd' }),
      layers: { 'base-network': network('10.40.0.0/16'), 'platform-access': defineLayer(PlatformAccess, {}), ...prdLayers },
    },
  });
}
const platform = (config: Partial<DeveloperPlatformConfig> = {}) => synthStack(src(config), 'test-shared-developer-platform');
const access = (prdLayers: Record<string, unknown> = {}) => synthStack(src({}, prdLayers), 'test-apps-prd-platform-access');
const role = (tf: string, suffix: string) => resources(tf, 'aws_iam_role').find((r) => (r.name as string).endsWith(suffix));
const trustOf = (r: Record<string, unknown> | undefined): Statement[] => JSON.parse(r?.assume_role_policy as string).Statement;

describe('developer-platform', () => {
  it('runs Backstage through the shared Fargate construct: private tasks, hardened, behind the WAF-protected HTTPS ALB', () => {
    const tf = platform();
    const [service] = resources(tf, 'aws_ecs_service');
    expect(service.name).toBe('backstage');
    expect((service.network_configuration as Record<string, unknown>).assign_public_ip).toBe(false);
    const [container] = JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string);
    expect(container).toMatchObject({ readonlyRootFilesystem: true, privileged: false, user: '1000:1000' });
    expect(container.image).toMatch(/aws_ecr_repository\..*\.repository_url\}:1\.2\.3$/);
    expect(resources(tf, 'aws_wafv2_web_acl_association')).toHaveLength(1);
    expect(resources(tf, 'aws_lb_listener').find((l) => l.protocol === 'HTTPS')?.ssl_policy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
  });

  it('keeps its database in the aurora module: PostgreSQL, encrypted, managed password read as secrets, never literals', () => {
    const tf = platform();
    expect(tf).toHaveResourceWithProperties(RdsCluster, { engine: 'aurora-postgresql', storage_encrypted: true, manage_master_user_password: true, deletion_protection: true });
    const [container] = JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string);
    const names = container.secrets.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(['POSTGRES_PASSWORD', 'POSTGRES_USER']);
    expect(container.secrets.find((s: { name: string }) => s.name === 'POSTGRES_PASSWORD').valueFrom).toMatch(/master_user_secret\[0\]\.secret_arn\}:password::$/);
    expect(JSON.stringify(container.environment)).not.toMatch(/PASSWORD/);
    const ingress = resources(tf, 'aws_vpc_security_group_ingress_rule').find((r) => r.description === 'Backstage tasks to PostgreSQL');
    expect(ingress).toMatchObject({ from_port: 5432, referenced_security_group_id: expect.stringMatching(/aws_security_group\.portal_service-backstage/) });
  });

  it('creates its immutable, scanned ECR repository and lets the execution role pull only from it', () => {
    const tf = platform();
    expect(tf).toHaveResourceWithProperties(EcrRepository, { name: 'test/backstage', image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true } });
    const pull = statementsOf(tf).find((s) => s.Sid === 'PullImage');
    expect(pull?.Resource).toMatch(/aws_ecr_repository\..*\.arn/);
  });

  it('creates one audit table per workload account with id/createdAt keys, KMS and PITR', () => {
    const tf = platform();
    const tables = resources(tf, 'aws_dynamodb_table');
    expect(tables.map((t) => t.name).sort()).toEqual(['test-shared-idp-audit-devstg', 'test-shared-idp-audit-prd']);
    expect(tf).toHaveResourceWithProperties(DynamodbTable, {
      hash_key: 'id',
      range_key: 'createdAt',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
    for (const t of tables) expect(t.server_side_encryption).toEqual({ enabled: true, kms_key_arn: expect.stringMatching(/data_kms_key_arn/) });
  });

  it('lets the platform and pipeline roles assume only the named roles of the workload accounts', () => {
    const statements = statementsOf(platform());
    expect(wildcardGrants(statements)).toEqual([]);
    const assume = statements.filter((s) => list(s.Action).includes('sts:AssumeRole'));
    expect(assume.flatMap((s) => list(s.Resource)).sort()).toEqual([
      'arn:aws:iam::555555555555:role/test-apps-devstg-platform-operations',
      'arn:aws:iam::555555555555:role/test-apps-devstg-platform-provisioning',
      'arn:aws:iam::666666666666:role/test-apps-prd-platform-operations',
      'arn:aws:iam::666666666666:role/test-apps-prd-platform-provisioning',
    ]);
    expect(() => build(src({ workloadAccounts: ['nope'] }))).toThrow(/workloadAccounts\[0\]: unknown account "nope"/);
    expect(() => build(src({ backstage: { imageTag: '1', memory: 100 } }))).toThrow(/backstage\.memory: 100 MiB is not allowed/);
  });
});

describe('platform-access', () => {
  it('trusts only the platform pipeline role (provisioning) and the platform role (operations), read from the shared account', () => {
    const tf = access();
    const provisioning = trustOf(role(tf, '-platform-provisioning'));
    const operations = trustOf(role(tf, '-platform-operations'));
    expect(provisioning).toHaveLength(1);
    expect(provisioning[0].Principal).toEqual({ AWS: expect.stringMatching(/remote-shared-developer-platform\.outputs\.pipeline_role_arn/) });
    expect(operations[0].Principal).toEqual({ AWS: expect.stringMatching(/remote-shared-developer-platform\.outputs\.platform_role_arn/) });
  });

  it('never grants administrator or power-user access, nor a wildcard action on everything', () => {
    const tf = access();
    expect(attachedPolicies(tf)).toEqual([]);
    expect(JSON.stringify(resources(tf, 'aws_iam_role'))).not.toMatch(/AdministratorAccess|PowerUserAccess/);
    expect(wildcardGrants(statementsOf(tf))).toEqual([]);
  });

  it('scopes security-group changes to the VPC and role creation to the permissions boundary', () => {
    const statements = statementsOf(access());
    const sg = statements.find((s) => s.Sid === 'SecurityGroupRulesInTheVpc');
    expect(sg?.Condition?.ArnEquals?.['ec2:Vpc']).toMatch(/remote-apps-prd-base-network\.outputs\.vpc_id/);
    const roles = statements.find((s) => s.Sid === 'ApplicationRolesWithBoundary');
    expect(roles?.Resource).toBe('arn:aws:iam::666666666666:role/platform-apps/*');
    expect(roles?.Condition?.StringEquals?.['iam:PermissionsBoundary']).toMatch(/aws_iam_policy\.apps-boundary/);
    expect(statements.find((s) => s.Sid === 'PassApplicationRolesToEcs')?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('limits cluster actions to the account ECS and EKS clusters when those layers exist', () => {
    const none = statementsOf(access());
    expect(none.some((s) => list(s.Action).some((a) => a.startsWith('ecs:CreateService') || a.startsWith('eks:')))).toBe(false);
    const fargate = defineLayer(Fargate, {
      certificateArn: 'arn:aws:acm:us-east-1:666666666666:certificate/11111111-2222-3333-4444-555555555555',
      services: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1', cpu: 256, memory: 512, port: 8080, desiredCount: 1 }],
    });
    const eks = defineLayer(Eks, {
      kubernetesVersion: '1.31',
      addonVersions: { vpcCni: 'a', coredns: 'b', kubeProxy: 'c', ebsCsiDriver: 'd', podIdentityAgent: 'e' },
      nodeGroups: [{ name: 'x', capacityType: 'ON_DEMAND', instanceTypes: ['m5.large'], minSize: 1, maxSize: 2, desiredSize: 1 }],
    });
    const statements = statementsOf(access({ fargate, eks }));
    const ecs = statements.find((s) => s.Sid === 'ManageServicesOfTheCluster');
    expect(list(ecs?.Resource)[0]).toMatch(/remote-apps-prd-fargate\.outputs\.cluster_arn/);
    for (const r of list(ecs?.Resource).slice(1)) expect(r).toMatch(/^arn:aws:ecs:us-east-1:666666666666:(service|task)\/\$\{.*cluster_name\}\/\*$/);
    expect(list(statements.find((s) => s.Sid === 'DescribeEksCluster')?.Resource)[0]).toMatch(/remote-apps-prd-eks\.outputs\.cluster_arn/);
    const rules = list(statements.find((s) => s.Sid === 'RoutesOnTheSharedAlb')?.Resource).filter((r) => r.includes(':listener'));
    for (const r of rules) expect(r).toMatch(/:listener(-rule)?\/app\/\$\{data\.terraform_remote_state\.remote-apps-prd-fargate\.outputs\.alb_name\}\//);
    expect(none.find((s) => s.Sid === 'RoutesOnTheSharedAlb')).toBeUndefined();
  });

  it('is enabled in every workload account of the example org and the platform provisions into them', () => {
    const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
    for (const name of ['apps-devstg', 'apps-prd']) expect(org.accounts.get(name)?.layers.get('platform-access')?.enabled).toBe(true);
    expect(org.accounts.get('shared')?.layers.get('developer-platform')?.enabled).toBe(true);
  });
});
