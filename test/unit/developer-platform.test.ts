import * as path from 'path';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { defineLayer } from '../../lib/config';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { DeveloperPlatform, type DeveloperPlatformConfig } from '../../layers/developer-platform';
import { Dns } from '../../layers/dns';
import { DnsZone } from '../../layers/dns-zone';
import { fromSecrets, Secrets } from '../../layers/secrets';
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

function src(config: Partial<DeveloperPlatformConfig> = {}, prdLayers: Record<string, unknown> = {}, sharedLayers: Record<string, unknown> = {}) {
  const network = (cidr: string) => defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'single' });
  return source({
    management: { config: account({ id: '111111111111', environment: 'management' }) },
    shared: {
      config: account({ id: '333333333333', environment: 'shared' }),
      layers: {
        'base-network': network('10.10.0.0/16'),
        security: defineLayer(Security, {}),
        'developer-platform': defineLayer(DeveloperPlatform, { ...PLATFORM, ...config }),
        ...sharedLayers,
      },
    },
    'apps-devstg': {
      config: account({ id: '555555555555', environment: 'devstg' }),
      layers: { 'base-network': network('10.30.0.0/16'), 'platform-access': defineLayer(PlatformAccess, {}) },
    },
    'apps-prd': {
      config: account({ id: '666666666666', environment: 'prd' }),
      layers: {
        'base-network': network('10.40.0.0/16'),
        'platform-access': defineLayer(PlatformAccess, {}),
        'dns-zone': defineLayer(DnsZone, { zoneName: 'prd.acme.example.com' }),
        ...prdLayers,
      },
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
    // ELB checks its write access to the log bucket when logging is enabled: the ALB waits for the bucket policy.
    expect(resources(tf, 'aws_lb')[0].depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.portal_access-logs_policy_/)]);
    // Bucket names are global across AWS customers: the log bucket ends with the account id.
    expect(resources(tf, 'aws_s3_bucket').map((b) => b.bucket)).toEqual(['test-shared-developer-platform-alb-logs-333333333333']);
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

  it('names each audit table after its account, so two workload accounts of one environment do not collide', () => {
    const base = src();
    const second = { ...base.accounts['apps-prd'], config: { ...base.accounts['apps-prd'].config, id: '777777777777', email: 'aws+apps-prd-2@acme.example.com' }, layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.50.0.0/16', natGateways: 'single' }), 'platform-access': defineLayer(PlatformAccess, {}) } };
    const tf = synthStack({ ...base, accounts: { ...base.accounts, 'apps-prd-2': second } }, 'test-shared-developer-platform');
    expect(resources(tf, 'aws_dynamodb_table').map((t) => t.name).sort()).toEqual(['test-shared-idp-audit-apps-devstg', 'test-shared-idp-audit-apps-prd', 'test-shared-idp-audit-apps-prd-2']);
  });

  it('creates one audit table per workload account with id/createdAt keys, KMS and PITR', () => {
    const tf = platform();
    const tables = resources(tf, 'aws_dynamodb_table');
    expect(tables.map((t) => t.name).sort()).toEqual(['test-shared-idp-audit-apps-devstg', 'test-shared-idp-audit-apps-prd']);
    expect(tf).toHaveResourceWithProperties(DynamodbTable, {
      hash_key: 'id',
      range_key: 'createdAt',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
    for (const t of tables) expect(t.server_side_encryption).toEqual({ enabled: true, kms_key_arn: expect.stringMatching(/data_kms_key_arn/) });
    // Tagged with their account and, as before the DynamoTable module, in no AWS Backup plan (PITR keeps 35 days).
    expect(tables.map((t) => t.tags).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual([{ WorkloadAccount: 'apps-devstg' }, { WorkloadAccount: 'apps-prd' }]);
    // Backstage appends and reads, never updates or deletes, an audit record.
    const audit = statementsOf(tf).find((st) => st.Sid === 'WriteAudit');
    expect(audit?.Action).toEqual(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable']);
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
      kubernetesVersion: '1.35',
      addonVersions: {
        vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.35.3-eksbuild.18',
        ebsCsiDriver: 'v1.64.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3',
      },
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

  describe('portal name and secrets (no pasted ARNs)', () => {
    const dns = defineLayer(Dns, { publicZones: [{ name: 'acme.example.com', delegations: [{ account: 'apps-prd' }] }] });
    const secrets = defineLayer(Secrets, { secrets: [{ name: 'idp/gitlab', description: 'GitLab token of Backstage; put by the platform team' }] });
    const { certificateArn: _none, ...noCert } = PLATFORM;
    const withDomain = (config: Partial<DeveloperPlatformConfig> = {}) => src({
      ...noCert,
      certificateArn: undefined,
      domain: { subdomain: 'portal' },
      backstage: { imageTag: '1.2.3', secrets: { GITLAB_TOKEN: fromSecrets('idp/gitlab') } },
      ...config,
    }, {}, { dns, secrets });

    it('issues a certificate for portal.<zone> in the dns layer zone, aliases it to the ALB and derives the base URLs', () => {
      const tf = synthStack(withDomain(), 'test-shared-developer-platform');
      const zone = '${element(data.terraform_remote_state.remote-shared-dns.outputs.public_zone_ids, 0)}';
      expect(resources(tf, 'aws_acm_certificate')).toEqual([expect.objectContaining({ domain_name: 'portal.acme.example.com', validation_method: 'DNS' })]);
      const records = resources(tf, 'aws_route53_record');
      expect(records.find((r) => r.name === 'portal.acme.example.com')).toMatchObject({ zone_id: zone, type: 'A', alias: expect.objectContaining({ evaluate_target_health: false }) });
      expect(records.filter((r) => String(r.name).includes('["portal.acme.example.com"].resource_record_name'))).toEqual([expect.objectContaining({ zone_id: zone })]);
      const https = resources(tf, 'aws_lb_listener').find((l) => l.protocol === 'HTTPS');
      expect(https?.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.certificate_validation_.*\.certificate_arn\}$/);
      const [container] = JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string);
      expect(container.environment).toEqual(expect.arrayContaining([
        { name: 'APP_CONFIG_app_baseUrl', value: 'https://portal.acme.example.com' },
        { name: 'APP_CONFIG_backend_baseUrl', value: 'https://portal.acme.example.com' },
      ]));
    });

    it('reads GITLAB_TOKEN from the secrets layer: the ARN from its state, decrypting with its key, and becomes its reader', () => {
      const config = { backstage: { imageTag: '1.2.3', secrets: { GITLAB_TOKEN: fromSecrets('idp/gitlab') } } };
      const tf = synthStack(withDomain(config), 'test-shared-developer-platform');
      const [container] = JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string);
      expect(container.secrets).toContainEqual({ name: 'GITLAB_TOKEN', valueFrom: '${element(data.terraform_remote_state.remote-shared-secrets.outputs.secret_arns, 0)}' });
      const execution = statementsOf(tf).filter((st) => st.Sid === 'ReadOwnSecrets' || st.Sid === 'DecryptOwnSecrets');
      expect(list(execution.find((st) => st.Sid === 'ReadOwnSecrets')?.Resource)).toContain('${element(data.terraform_remote_state.remote-shared-secrets.outputs.secret_arns, 0)}');
      expect(list(execution.find((st) => st.Sid === 'DecryptOwnSecrets')?.Resource)).toContain('${data.terraform_remote_state.remote-shared-secrets.outputs.kms_key_arn}');
      // The secrets layer's resource policy names Backstage's execution role, derived from this layer's config.
      const policy = JSON.parse(resources(synthStack(withDomain(config), 'test-shared-secrets'), 'aws_secretsmanager_secret_policy')[0].policy as string);
      expect(policy.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual(['arn:aws:iam::333333333333:role/test-shared-idp-backstage-execution']);
      expect(resources(tf, 'aws_iam_role').map((r) => r.name)).toContain('test-shared-idp-backstage-execution');
    });

    it('reads one JSON key of a secrets-layer secret while IAM grants the secret itself (the ARN without the key suffix)', () => {
      const config = { backstage: { imageTag: '1.2.3', secrets: { GITLAB_TOKEN: fromSecrets('idp/gitlab', { jsonKey: 'token' }) } } };
      const tf = synthStack(withDomain(config), 'test-shared-developer-platform');
      const [container] = JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string);
      const arn = '${element(data.terraform_remote_state.remote-shared-secrets.outputs.secret_arns, 0)}';
      expect(container.secrets).toContainEqual({ name: 'GITLAB_TOKEN', valueFrom: `${arn}:token::` });
      // GetSecretValue is authorised on the secret's ARN: `<arn>:token::` would match nothing and the task would not start.
      expect(list(statementsOf(tf).find((st) => st.Sid === 'ReadOwnSecrets')?.Resource)).toEqual([arn, expect.stringContaining('master_user_secret')]);
    });

    it('refuses a secret the secrets layer does not declare, a name inside a delegated sub-zone, and two certificate sources', () => {
      expect(() => build(withDomain({ backstage: { imageTag: '1', secrets: { TOKEN: fromSecrets('idp/nope') } } })))
        .toThrow(/test\/shared\/developer-platform: backstage\.secrets\.TOKEN: secrets layer shared\/secrets declares no secret "idp\/nope" \(declared: idp\/gitlab\)/);
      expect(() => build(withDomain({ domain: { subdomain: 'prd' } })))
        .toThrow(/domain\.subdomain: prd\.acme\.example\.com is in the sub-zone prd\.acme\.example\.com, delegated to a workload account/);
      expect(() => build(src({ domain: { subdomain: 'portal' } }, {}, { dns }))).toThrow(/domain: give exactly one of domain/);
      expect(() => build(src({ ...noCert, certificateArn: undefined, domain: { subdomain: 'portal' } }))).toThrow(/domain: account shared has no enabled dns layer "dns"/);
    });
  });

  it('uses a DNS-validated certificate and secrets-layer references in the example organisation, no pasted ARN', () => {
    const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
    const config = org.accounts.get('shared')!.layers.get('developer-platform')!.config as DeveloperPlatformConfig;
    expect(config.certificateArn).toBeUndefined();
    expect(config.domain).toEqual({ subdomain: 'portal' });
    expect(config.backstage.secrets).toEqual({ GITLAB_TOKEN: fromSecrets('idp/gitlab') });
    expect(org.accounts.get('shared')!.layers.get('secrets')?.enabled).toBe(true);
  });
});
