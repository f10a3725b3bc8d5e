import * as path from 'path';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { defineLayer } from '../../lib/config';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { ContainerRegistry } from '../../layers/container-registry';
import { DnsZone } from '../../layers/dns-zone';
import { Fargate, type FargateConfig } from '../../layers/fargate';
import { fromRegistry } from '../../layers/registry-images';
import { fromSecrets, Secrets } from '../../layers/secrets';
import { Security } from '../../layers/security';
import { targetGroupName } from '../../modules/fargate-service';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';
import { list, statementsOf, wildcardGrants } from '../workload-helpers';

const SECRET = 'arn:aws:secretsmanager:us-east-1:666666666666:secret:test/api/db-Ab12Cd';
const BASE: FargateConfig = {
  certificateArn: 'arn:aws:acm:us-east-1:666666666666:certificate/11111111-2222-3333-4444-555555555555',
  services: [{
    name: 'api',
    image: '333333333333.dkr.ecr.us-east-1.amazonaws.com/test/api:1.0.0',
    cpu: 512,
    memory: 1024,
    port: 8080,
    desiredCount: 2,
    healthCheckPath: '/healthz',
    environment: { APP_ENV: 'test' },
    secrets: { DATABASE_URL: `${SECRET}:url::` },
  }],
};

function src(config: Partial<FargateConfig> = {}, environment = 'prd', withSecurity = true, extra: Record<string, unknown> = {}) {
  return source({
    'apps-prd': {
      config: account({ id: '666666666666', environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
        ...(withSecurity ? { security: defineLayer(Security, { identityAccount: 'apps-prd' }) } : {}),
        fargate: defineLayer(Fargate, { ...BASE, ...config }),
        ...extra,
      },
    },
  });
}
const synth = (config: Partial<FargateConfig> = {}, environment = 'prd', withSecurity = true) =>
  synthStack(src(config, environment, withSecurity), 'test-apps-prd-fargate');
const container = (tf: string) => JSON.parse(resources(tf, 'aws_ecs_task_definition')[0].container_definitions as string)[0];

describe('fargate', () => {
  it('puts an internet-facing ALB in the public subnets, dropping invalid headers and logging to an SSE-S3 bucket', () => {
    const tf = synth();
    expect(tf).toHaveResourceWithProperties(Lb, { internal: false, load_balancer_type: 'application', drop_invalid_header_fields: true, enable_deletion_protection: true });
    const [lb] = resources(tf, 'aws_lb');
    expect(lb.subnets).toMatch(/public_subnet_ids/);
    expect(lb.access_logs).toMatchObject({ enabled: true, prefix: 'alb' });
    const [sse] = resources(tf, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(JSON.stringify(sse.rule)).toContain('AES256');
    expect(resources(tf, 'aws_s3_bucket_public_access_block')[0]).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    // bucket names are global across AWS customers: the log bucket ends with the account id
    expect(resources(tf, 'aws_s3_bucket').map((b) => b.bucket)).toEqual(['test-apps-prd-fargate-alb-logs-666666666666']);
  });

  it('creates the ALB after the log bucket policy that admits its prefix (ELB checks write access when logging is enabled)', () => {
    const tf = synth();
    const policies = parsed(tf).resource.aws_s3_bucket_policy;
    const key = Object.keys(policies)[0];
    const [lb] = resources(tf, 'aws_lb');
    expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${key}`]);
    const writes = (JSON.parse(policies[key].policy as string) as { Statement: { Effect: string; Resource: unknown }[] }).Statement.filter((s) => s.Effect === 'Allow');
    expect(writes).toHaveLength(2);
    for (const s of writes) expect(s.Resource).toMatch(/\/alb\/AWSLogs\/666666666666\/\*$/);
  });

  it('serves HTTPS only with the TLS 1.2+ policy; HTTP only redirects', () => {
    const listeners = resources(synth(), 'aws_lb_listener');
    const https = listeners.find((l) => l.protocol === 'HTTPS');
    expect(https).toMatchObject({ port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate_arn: BASE.certificateArn });
    const http = listeners.filter((l) => l.protocol === 'HTTP');
    expect(http).toHaveLength(1);
    expect(http[0].default_action).toEqual([expect.objectContaining({ type: 'redirect', redirect: expect.objectContaining({ protocol: 'HTTPS', status_code: 'HTTP_301' }) })]);
    expect(() => build(src({ certificateArn: 'none' }))).toThrow(/certificateArn: "none" is not an ACM certificate ARN/);
  });

  it('protects production as isProduction defines it (prd, prod, production), and protect overrides', () => {
    const protection = (environment: string, config: Partial<FargateConfig> = {}) => {
      const tf = synth(config, environment);
      return [resources(tf, 'aws_lb')[0].enable_deletion_protection, resources(tf, 'aws_s3_bucket')[0].lifecycle];
    };
    expect(protection('production')).toEqual([true, { prevent_destroy: true }]);
    expect(protection('devstg')).toEqual([false, { prevent_destroy: false }]);
    expect(protection('prd', { protect: false })).toEqual([false, { prevent_destroy: false }]);
    // Log retention: 365 days in production.
    expect(resources(synth({}, 'production'), 'aws_cloudwatch_log_group').map((g) => g.retention_in_days)).toEqual([365, 365]);
  });

  it('checks the cluster module\'s own rules under its config fields before anything is built', () => {
    const message = (config: Partial<FargateConfig>) => {
      try {
        build(src(config));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(message({ logRetentionDays: 100 })).toContain('test/apps-prd/fargate: logRetentionDays: 100 is not a CloudWatch Logs retention');
    expect(message({ name: 'a-name-that-is-much-longer-than-32-chars' })).toContain('fargate: name: "a-name-that-is-much-longer-than-32-chars" is longer than the 32 characters AWS allows');
    expect(message({ ingressCidrs: ['10.0.0.0/33'] })).toContain('fargate: ingressCidrs[0]: ');
  });

  it('associates a regional WAF web ACL with AWS managed groups and a rate-based rule', () => {
    const tf = synth({ waf: { rateLimit: 500 } });
    const [acl] = resources(tf, 'aws_wafv2_web_acl');
    expect(acl.scope).toBe('REGIONAL');
    const rules = acl.rule as { statement: Record<string, Record<string, unknown>> }[];
    expect(rules.map((r) => r.statement.managed_rule_group_statement?.name).filter(Boolean)).toContain('AWSManagedRulesCommonRuleSet');
    expect(rules.find((r) => r.statement.rate_based_statement)?.statement.rate_based_statement).toMatchObject({ limit: 500, aggregate_key_type: 'IP' });
    expect(tf).toHaveResourceWithProperties(Wafv2WebAclAssociation, { web_acl_arn: expect.stringMatching(/aws_wafv2_web_acl\./) });
    const [logging] = resources(tf, 'aws_wafv2_web_acl_logging_configuration');
    expect(logging.log_destination_configs).toEqual([expect.stringMatching(/aws_cloudwatch_log_group\.platform_web-acl-logs/)]);
    expect(JSON.stringify(logging.redacted_fields)).toContain('authorization');
    const wafGroup = resources(tf, 'aws_cloudwatch_log_group').find((g) => g.name === 'aws-waf-logs-test-apps-prd-fargate');
    expect(wafGroup?.kms_key_id).toMatch(/logs_kms_key_arn/);
  });

  it('runs an ECS cluster with Container Insights and a Cloud Map private namespace', () => {
    const tf = synth();
    expect(tf).toHaveResourceWithProperties(EcsCluster, { setting: [{ name: 'containerInsights', value: 'enabled' }] });
    expect(tf).toHaveResourceWithProperties(ServiceDiscoveryPrivateDnsNamespace, { name: 'apps-prd.test.internal' });
    expect(resources(tf, 'aws_service_discovery_service')).toHaveLength(1);
  });

  it('runs tasks in private subnets without public IPs', () => {
    const [service] = resources(synth(), 'aws_ecs_service');
    const network = service.network_configuration as Record<string, unknown>;
    expect(network.assign_public_ip).toBe(false);
    expect(network.subnets).toMatch(/private_subnet_ids/);
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
  });

  it('hardens the container: read-only root, non-root user, no privilege, capabilities dropped, awslogs', () => {
    const tf = synth();
    const c = container(tf);
    expect(c).toMatchObject({ readonlyRootFilesystem: true, privileged: false, user: '1000:1000' });
    expect(c.linuxParameters.capabilities.drop).toEqual(['ALL']);
    expect(c.logConfiguration.logDriver).toBe('awslogs');
    expect(c.secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: `${SECRET}:url::` }]);
    expect(c.environment).toEqual([{ name: 'APP_ENV', value: 'test' }]);
    const group = resources(tf, 'aws_cloudwatch_log_group').find((g) => g.name === '/ecs/test-apps-prd-fargate-api');
    expect(group).toMatchObject({ retention_in_days: 365 });
    expect(group?.kms_key_id).toMatch(/remote-apps-prd-security\.outputs\.logs_kms_key_arn/);
  });

  it('scopes the execution role to its repository, log group and secrets, and leaves the task role empty', () => {
    const tf = synth();
    const statements = statementsOf(tf);
    expect(wildcardGrants(statements)).toEqual([]);
    expect(statements.find((s) => s.Sid === 'ReadOwnSecrets')?.Resource).toEqual([SECRET]);
    expect(statements.find((s) => s.Sid === 'PullImage')?.Resource).toBe('arn:aws:ecr:us-east-1:333333333333:repository/test/api');
    expect(statements.find((s) => s.Sid === 'WriteOwnLogs')?.Resource).toMatch(/aws_cloudwatch_log_group\..*\.arn\}:\*$/);
    for (const s of statements) expect(list(s.Resource).every((r) => r !== '*') || list(s.Action).every((a) => a === 'ecr:GetAuthorizationToken')).toBe(true);
    expect(resources(tf, 'aws_iam_role_policy').map((p) => p.name)).toEqual(['pull-logs-secrets']);
  });

  it('names target groups within 32 characters with the port kept, and security groups by prefix', () => {
    expect(targetGroupName('test-apps-prd-fargate-api', 8080)).toBe('test-apps-prd-fargate-api-8080');
    expect(targetGroupName('acme-apps-devstg-fargate-backoffice', 8080)).toBe('acme-apps-devstg-fargate-ba-8080');
    expect(targetGroupName('acme-apps-devstg-fargate-backoffice', 8080)).toHaveLength(32);
    const tf = synth();
    expect(resources(tf, 'aws_lb_target_group')[0]).toMatchObject({ name: 'test-apps-prd-fargate-api-8080', target_type: 'ip' });
    const serviceSg = resources(tf, 'aws_security_group').find((g) => String(g.name_prefix).startsWith('test-apps-prd-fargate-api'));
    expect(serviceSg?.lifecycle).toEqual({ create_before_destroy: true });
  });

  it('scales on CPU and ALB requests per target', () => {
    const policies = resources(synth(), 'aws_appautoscaling_policy');
    const types = policies.map((p) => (p.target_tracking_scaling_policy_configuration as { predefined_metric_specification: { predefined_metric_type: string } }).predefined_metric_specification.predefined_metric_type);
    expect(types.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    expect(resources(synth(), 'aws_appautoscaling_target')[0]).toMatchObject({ min_capacity: 2, max_capacity: 4 });
  });

  it('alarms on ALB 5xx, unhealthy hosts and CPU to the security layer topic, or to its own encrypted topic', () => {
    const tf = synth();
    const alarms = resources(tf, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.metric_name).sort()).toEqual(['CPUUtilization', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'UnHealthyHostCount']);
    for (const a of alarms) expect(a.alarm_actions).toEqual([expect.stringMatching(/remote-apps-prd-security\.outputs\.sns_topic_arn/)]);
    const own = synth({}, 'prd', false);
    expect(resources(own, 'aws_sns_topic')).toHaveLength(1);
    expect(resources(own, 'aws_sns_topic')[0].kms_master_key_id).toMatch(/aws_kms_key\./);
    for (const a of resources(own, 'aws_cloudwatch_metric_alarm')) expect(a.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\./)]);
  });

  it('keeps devstg unprotected with shorter retention', () => {
    const tf = synth({}, 'devstg');
    expect(tf).toHaveResourceWithProperties(Lb, { enable_deletion_protection: false });
    for (const g of resources(tf, 'aws_cloudwatch_log_group')) expect(g.retention_in_days).toBe(90);
  });

  it('refuses secrets as literals, bad sizes, root users and non-ARN secrets', () => {
    const service = BASE.services[0];
    const withService = (s: Partial<typeof service>) => () => build(src({ services: [{ ...service, ...s }] }));
    expect(withService({ environment: { DB_PASSWORD: 'hunter2' } })).toThrow(/services\[0\]\.environment\.DB_PASSWORD: looks like a secret/);
    expect(withService({ memory: 8192 })).toThrow(/services\[0\]\.memory: 8192 MiB is not allowed with 512 CPU units/);
    expect(withService({ user: '0' })).toThrow(/services\[0\]\.user: "0" must be a numeric non-root/);
    expect(withService({ secrets: { X: 'plain-text' } })).toThrow(/services\[0\]\.secrets\.X: "plain-text" is not a Secrets Manager secret ARN/);
  });

  it('is enabled in apps-devstg and apps-prd of the example org, prd with more tasks and no spot', () => {
    const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
    const api = (name: string) => (org.accounts.get(name)?.layers.get('fargate')?.config as FargateConfig).services[0];
    expect(api('apps-prd').desiredCount).toBeGreaterThanOrEqual(3);
    expect(api('apps-prd').desiredCount).toBeGreaterThan(api('apps-devstg').desiredCount);
    expect(api('apps-prd').spotPercent ?? 0).toBe(0);
  });

  describe('certificate and secrets from the layers that make them', () => {
    const zone = defineLayer(DnsZone, { zoneName: 'prd.acme.example.com' });
    const secretsLayer = defineLayer(Secrets, { secrets: [{ name: 'api/database', description: 'Connection URL of the api service; put by the platform team' }] });
    const { certificateArn: _none, ...noCert } = BASE;
    const api = BASE.services[0];
    const layered = (service: Partial<FargateConfig['services'][number]> = {}) => src({
      ...noCert,
      certificateArn: undefined,
      domain: { subdomain: 'ops' },
      services: [{ ...api, ...service, secrets: { DATABASE_URL: fromSecrets('api/database', { jsonKey: 'url' }), ...(service.secrets ?? {}) } }],
    }, 'prd', true, { 'dns-zone': zone, secrets: secretsLayer });

    it('issues a DNS-validated certificate for ops.<zone> and aliases it to the ALB', () => {
      const tf = synthStack(layered(), 'test-apps-prd-fargate');
      expect(resources(tf, 'aws_acm_certificate')).toEqual([expect.objectContaining({ domain_name: 'ops.prd.acme.example.com' })]);
      expect(resources(tf, 'aws_route53_record').find((r) => r.name === 'ops.prd.acme.example.com')).toMatchObject({
        zone_id: '${data.terraform_remote_state.remote-apps-prd-dns-zone.outputs.zone_id}', type: 'A',
      });
      const https = resources(tf, 'aws_lb_listener').find((l) => l.protocol === 'HTTPS');
      expect(https?.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.certificate_validation_.*\.certificate_arn\}$/);
    });

    it('reads DATABASE_URL from the secrets layer: ARN from its state, its key for the execution role, which becomes the reader', () => {
      const tf = synthStack(layered(), 'test-apps-prd-fargate');
      const arn = '${element(data.terraform_remote_state.remote-apps-prd-secrets.outputs.secret_arns, 0)}';
      expect(container(tf).secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: `${arn}:url::` }]);
      const statements = statementsOf(tf);
      expect(statements.find((st) => st.Sid === 'ReadOwnSecrets')?.Resource).toEqual([arn]);
      expect(statements.find((st) => st.Sid === 'DecryptOwnSecrets')).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: ['${data.terraform_remote_state.remote-apps-prd-secrets.outputs.kms_key_arn}'],
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      });
      const policy = JSON.parse(resources(synthStack(layered(), 'test-apps-prd-secrets'), 'aws_secretsmanager_secret_policy')[0].policy as string);
      expect(policy.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual(['arn:aws:iam::666666666666:role/test-apps-prd-fargate-api-execution']);
      expect(resources(tf, 'aws_iam_role').map((r) => r.name)).toContain('test-apps-prd-fargate-api-execution');
    });

    it('refuses a reference to a secret the secrets layer does not declare, and two certificate sources', () => {
      expect(() => build(layered({ secrets: { TOKEN: fromSecrets('api/token') } })))
        .toThrow(/test\/apps-prd\/fargate: services\[0\]\.secrets\.TOKEN: secrets layer apps-prd\/secrets declares no secret "api\/token"/);
      expect(() => build(src({ services: [{ ...api, secrets: { X: fromSecrets('api/database') } }] })))
        .toThrow(/services\[0\]\.secrets\.X: account apps-prd has no enabled secrets layer "secrets" declaring secret "api\/database"/);
      expect(() => build(src({ domain: { subdomain: 'ops' } }, 'prd', true, { 'dns-zone': zone }))).toThrow(/fargate: domain: give exactly one of domain/);
    });

    it('uses neither a pasted certificate, secret ARN nor image URI in the example organisation', () => {
      const org = resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL);
      for (const name of ['apps-devstg', 'apps-prd']) {
        const config = org.accounts.get(name)?.layers.get('fargate')?.config as FargateConfig;
        expect(config.certificateArn).toBeUndefined();
        expect(config.domain).toEqual({ subdomain: 'ops' });
        expect(config.services[0].secrets).toEqual({ DATABASE_URL: fromSecrets('api/database') });
        expect(config.services.map((svc) => svc.image)).toEqual([fromRegistry('acme/api', '1.4.2'), fromRegistry('acme/web', '2.0.1')]);
      }
    });
  });

  describe('images from the organisation\'s container registry', () => {
    const api = BASE.services[0];
    const registry = (config: Partial<ConstructorParameters<typeof ContainerRegistry>[2]> = {}) => defineLayer(ContainerRegistry, { repositories: [{ name: 'test/api' }], ...config });
    /** Fargate in apps-prd pulling `image`; the registry in shared (and in `extra` accounts). */
    const withRegistry = (image: FargateConfig['services'][number]['image'], registryConfig = {}, extra: Record<string, { config: ReturnType<typeof account>; layers: Record<string, unknown> }> = {}) => source({
      shared: { config: account({ id: '333333333333', environment: 'shared' }), layers: { 'container-registry': registry(registryConfig) } },
      'apps-prd': {
        config: account({ id: '666666666666', environment: 'prd' }),
        layers: {
          'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
          fargate: defineLayer(Fargate, { ...BASE, services: [{ ...api, image }] }),
        },
      },
      ...extra,
    });

    it('reads the repository URL from the registry layer (a graph edge, no account id typed) and pulls only that repository', () => {
      const { stacks } = build(withRegistry(fromRegistry('test/api', '1.0.0')));
      const fargate = stacks.get('test-apps-prd-fargate')!;
      expect([...fargate.reads.values()].map((r) => `${r.account}/${r.layer}`)).toContain('shared/container-registry');
      const tf = synthStack(withRegistry(fromRegistry('test/api', '1.0.0')), 'test-apps-prd-fargate');
      expect(container(tf).image).toBe('${data.terraform_remote_state.remote-shared-container-registry.outputs.registry_url}/test/api:1.0.0');
      expect(tf).not.toContain('333333333333.dkr.ecr');
      expect(statementsOf(tf).find((st) => st.Sid === 'PullImage')?.Resource)
        .toBe('arn:aws:ecr:us-east-1:${data.terraform_remote_state.remote-shared-container-registry.outputs.registry_id}:repository/test/api');
    });

    it('refuses an image the registry does not hold or does not let the account pull, a bad tag, and an ambiguous registry', () => {
      expect(() => build(withRegistry(fromRegistry('test/nope', '1.0.0'))))
        .toThrow(/test\/apps-prd\/fargate: services\[0\]\.image: container registry shared\/container-registry declares no repository "test\/nope" \(declared: test\/api\)/);
      expect(() => build(withRegistry(fromRegistry('test/api', '1.0.0'), { pullAccounts: ['shared'] })))
        .toThrow(/services\[0\]\.image: repository test\/api of shared\/container-registry does not let account apps-prd pull \(pull accounts: shared\)/);
      expect(() => build(withRegistry(fromRegistry('test/api', '-latest'))))
        .toThrow(/services\[0\]\.image: tag "-latest" is not an image tag/);
      const second = { tools: { config: account({ id: '444444444444', environment: 'shared' }), layers: { 'container-registry': registry() } } };
      expect(() => build(withRegistry(fromRegistry('test/api', '1.0.0'), {}, second)))
        .toThrow(/services\[0\]\.image: several accounts declare a container-registry layer "container-registry" \(shared, tools\): name one/);
      expect(() => build(withRegistry(fromRegistry('test/api', '1.0.0', { account: 'tools' }), {}, second))).not.toThrow();
      expect(() => build(src({ services: [{ ...api, image: fromRegistry('test/api', '1.0.0') }] })))
        .toThrow(/services\[0\]\.image: no account declares an enabled container-registry layer "container-registry"/);
      expect(() => build(withRegistry(fromRegistry('test/api', '1.0.0', { account: 'nope' }))))
        .toThrow(/services\[0\]\.image: unknown account "nope" \(known: shared, apps-prd\)/);
      expect(() => build(withRegistry(fromRegistry('test/api', '1.0.0', { account: 'shared', layer: 'registry' }))))
        .toThrow(/services\[0\]\.image: account shared has no enabled container-registry layer "registry"/);
    });
  });
});
