/**
 * Configuration errors caught before anything is synthesized (issue 17 item 7): counts and sizes that AWS refuses or
 * that would silently become something else, subnets outside AWS's sizes, duplicate account e-mails, tags and role
 * names AWS refuses. Each message names project, account, layer and field.
 */
import { defineLayer } from '../../lib/config';
import type { LayerKind } from '../../lib/layer-stack';
import { layerContext, resolveOrganisation } from '../../lib/organisation';
import { capacityProblems, port, subnetCidr, tagKey, tagValue } from '../../lib/validators';
import { Audit } from '../../layers/audit';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Cdn } from '../../layers/cdn';
import { Cost } from '../../layers/cost';
import { Databases } from '../../layers/databases';
import { DeveloperPlatform } from '../../layers/developer-platform';
import { Dns } from '../../layers/dns';
import { DnsZone } from '../../layers/dns-zone';
import { Dr } from '../../layers/dr';
import { Eks, type EksConfig } from '../../layers/eks';
import { Fargate, type FargateConfig } from '../../layers/fargate';
import { Identities } from '../../layers/identities';
import { MultiTier, type MultiTierConfig } from '../../layers/multi-tier';
import { NetworkHub } from '../../layers/network-hub';
import { Organizations } from '../../layers/organizations';
import { Secrets } from '../../layers/secrets';
import { Security } from '../../layers/security';
import { Serverless, type ServerlessConfig } from '../../layers/serverless';
import { AutoScalingTier, autoScalingTierPropProblems } from '../../modules/auto-scaling-tier';
import { KmsKey } from '../../modules/kms-key';
import { permissionSetPropProblems } from '../../modules/permission-set';
import { vpcPropProblems } from '../../modules/vpc';
import { TerraformStack, Testing } from 'cdktf';
import { account, REAL, refusal, source } from '../helpers';

/**
 * `field: message` of every problem the kind's validate() finds in `config`, declared (disabled) as layer `x` of
 * account apps-devstg: the kind's own rules without building the layers it reads.
 */
function problemsOf<C>(kind: LayerKind<C>, config: C, environment = 'devstg'): string[] {
  const org = resolveOrganisation(source({
    'apps-devstg': { config: account({ environment }), layers: { x: defineLayer(kind, config, { enabled: false }) } },
    security: {},
  }), REAL);
  const acc = org.accounts.get('apps-devstg')!;
  return kind.validate!(config, layerContext(org, acc, 'x', acc.layers.get('x')!)).map((p) => `${p.field}: ${p.message}`);
}

const net = (extra: object = {}) => defineLayer(BaseNetwork, { vpcCidr: '10.1.0.0/16', natGateways: 'single' as const, ...extra });

describe('base-network: AZs and subnets', () => {
  it('refuses azCount 0 (a crash before), negative (silently 2 AZs before), fractional and 1 (a DB subnet group needs two AZs)', () => {
    for (const azCount of [0, -1, 1.5, 1]) {
      expect(refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ azCount }) } } })))
        .toContain(`test/apps-devstg/base-network: azCount: ${azCount} must be a whole number from 2 to 8 (a DB subnet group, an ALB and EKS need subnets in two AZs at least)`);
    }
  });

  it('still refuses more AZs than the region has configured', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ azCount: 4 }) } } })))
      .toContain('azCount: needs 4 availability zones but us-east-1 has 3 configured');
  });

  it('refuses subnets smaller than /28 or larger than /16', () => {
    const subnets = { public: ['10.1.0.0/29', '10.1.0.16/28', '10.1.0.32/28'] };
    expect(refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ subnets }) } } })))
      .toContain('test/apps-devstg/base-network: subnets.public[0]: 10.1.0.0/29 is smaller than the /28 AWS allows for a subnet');
    expect(subnetCidr('10.0.0.0/15')).toBe('10.0.0.0/15 is larger than the /16 AWS allows for a subnet');
    expect(subnetCidr('10.0.0.0/28')).toBeUndefined();
    expect(subnetCidr('10.0.0.0/16')).toBeUndefined();
  });

  it('refuses a flow log retention CloudWatch Logs does not accept and a repeated or malformed endpoint', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ flowLogRetentionDays: 100, interfaceEndpoints: ['ecr.api', 'ecr.api', 'ECR API'] }) } } }));
    expect(message).toContain('base-network: flowLogRetentionDays: 100 is not a CloudWatch Logs retention');
    expect(message).toContain('base-network: interfaceEndpoints: "ecr.api" is listed twice');
    expect(message).toContain('base-network: interfaceEndpoints[2]: "ECR API" must be a service suffix such as ecr.api or ssm');
  });
});

describe('counts and sizes: whole numbers, one rule per kind of field', () => {
  it('capacity: whole numbers, 0 <= min <= desired <= max, max >= 1 unless the group may be empty', () => {
    const fields = { min: 'minSize', desired: 'desiredCapacity', max: 'maxSize' };
    expect(capacityProblems({ min: 0, desired: 1.5, max: 4 }, fields)).toEqual([{ field: 'desiredCapacity', message: '1.5 must be a whole number of at least 0' }]);
    expect(capacityProblems({ min: -1, desired: 1, max: 4 }, fields)).toEqual([{ field: 'minSize', message: '-1 must be a whole number of at least 0' }]);
    expect(capacityProblems({ min: 0, desired: 0, max: 0 }, fields)).toEqual([{ field: 'maxSize', message: '0 must be at least 1' }]);
    expect(capacityProblems({ min: 0, desired: 0, max: 0 }, fields, { allowZeroMax: true })).toEqual([]);
    expect(port(8080)).toBeUndefined();
    expect(port(80.5)).toBe('80.5 is not a TCP port (a whole number from 1 to 65535)');
  });

  const service = {
    name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 256, memory: 512, port: 8080, desiredCount: 2,
  };
  const fargate = (s: object, extra: Partial<FargateConfig> = {}): FargateConfig =>
    ({ certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', services: [{ ...service, ...s }], ...extra }) as FargateConfig;

  it('fargate: negative or fractional desiredCount, minCount, maxCount, ports and targets', () => {
    expect(problemsOf(Fargate, fargate({ desiredCount: -1 }))).toContain('services[0].desiredCount: -1 must be a whole number of at least 0');
    expect(problemsOf(Fargate, fargate({ desiredCount: 1.5 }))).toContain('services[0].desiredCount: 1.5 must be a whole number of at least 0');
    expect(problemsOf(Fargate, fargate({ minCount: 0.5, maxCount: 4 }))).toContain('services[0].minCount: 0.5 must be a whole number of at least 0');
    expect(problemsOf(Fargate, fargate({ port: 8080.5 }))).toContain('services[0].port: 8080.5 is not a TCP port (a whole number from 1 to 65535)');
    expect(problemsOf(Fargate, fargate({ spotPercent: 12.5, cpuTargetPercent: 0, requestsPerTarget: -5 }))).toEqual(expect.arrayContaining([
      'services[0].spotPercent: 12.5 must be a whole number from 0 to 100 percent',
      'services[0].cpuTargetPercent: 0 must be a percentage above 0 and at most 100',
      'services[0].requestsPerTarget: -5 must be a positive whole number',
    ]));
    expect(problemsOf(Fargate, fargate({ extraEgress: [{ port: 0, cidr: '10.0.0.0/8', description: 'db' }] }))).toContain('services[0].extraEgress[0].port: 0 is not a TCP port (a whole number from 1 to 65535)');
  });

  it('fargate: log retention, access log expiry, ingress ranges, WAF limits and the namespace name', () => {
    const problems = problemsOf(Fargate, fargate({}, {
      logRetentionDays: 100, accessLogExpirationDays: 0, ingressCidrs: ['10.0.0.1/8'], namespaceName: 'Bad_Name', waf: { rateLimit: 3e9, managedRuleGroups: ['CommonRuleSet'] },
    }));
    expect(problems).toEqual(expect.arrayContaining([
      'logRetentionDays: 100 is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
      'accessLogExpirationDays: 0 must be a positive whole number',
      'ingressCidrs[0]: "10.0.0.1/8" has host bits set; the network address is 10.0.0.0/8',
      'namespaceName: "Bad_Name" must be lowercase',
      'waf.rateLimit: 3000000000 must be a whole number from 100 to 2000000000 requests per 5 minutes',
      'waf.managedRuleGroups[0]: "CommonRuleSet" is not an AWS managed rule group (AWSManagedRules...)',
    ]));
  });

  it('developer-platform: the Backstage service sizes and the WAF follow the same rules', () => {
    const problems = problemsOf(DeveloperPlatform, { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', backstage: { imageTag: '1', desiredCount: 1.5, port: 70000 }, waf: { rateLimit: 50 } });
    expect(problems).toEqual(expect.arrayContaining([
      'backstage.desiredCount: 1.5 must be a whole number of at least 0',
      'backstage.port: 70000 is not a TCP port (a whole number from 1 to 65535)',
      'waf.rateLimit: 50 must be a whole number from 100 to 2000000000 requests per 5 minutes',
    ]));
  });

  const eks = (group: object, extra: Partial<EksConfig> = {}): EksConfig => ({
    kubernetesVersion: '1.35',
    addonVersions: { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.35.3-eksbuild.18', ebsCsiDriver: 'v1.64.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
    nodeGroups: [{ name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['m6i.large'], minSize: 1, maxSize: 4, desiredSize: 2, ...group }],
    ...extra,
  }) as EksConfig;

  it('eks: node group sizes, disk, names, labels and taints; the control-plane log retention', () => {
    expect(problemsOf(Eks, eks({ desiredSize: 2.5 }))).toContain('nodeGroups[0].desiredSize: 2.5 must be a whole number of at least 0');
    expect(problemsOf(Eks, eks({ minSize: -1 }))).toContain('nodeGroups[0].minSize: -1 must be a whole number of at least 0');
    expect(problemsOf(Eks, eks({ minSize: 0, desiredSize: 0, maxSize: 0 }))).toContain('nodeGroups[0].maxSize: 0 must be at least 1');
    const problems = problemsOf(Eks, eks({
      name: 'on demand', diskSizeGiB: 0, instanceTypes: ['large'], labels: { team: 'x'.repeat(64) }, taints: [{ key: '', effect: 'NO_SCHEDULE' }],
    }, { logRetentionDays: 100, clusterName: 'my cluster', dnsZones: { hostedZoneIds: ['example.com'] } }));
    expect(problems).toEqual(expect.arrayContaining([
      'nodeGroups[0].name: "on demand" must be a letter or digit, then letters, digits, - and _',
      'nodeGroups[0].diskSizeGiB: 0 must be a whole number from 1 to 16384 GiB (gp3)',
      'nodeGroups[0].instanceTypes[0]: "large" is not an EC2 instance type',
      'nodeGroups[0].labels.team: label keys and values must be 1 to 63 characters',
      'nodeGroups[0].taints[0].key: "" must be 1 to 63 characters',
      'logRetentionDays: 100 is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
      'clusterName: "my cluster" must be a letter or digit, then letters, digits, - and _ (the role adds -cluster)',
      'dnsZones.hostedZoneIds[0]: "example.com" is not a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
    ]));
  });

  const tier = { instanceType: 't3.small', minSize: 1, maxSize: 4, desiredCapacity: 2 };
  const multiTier = (web: object, extra: Partial<MultiTierConfig> = {}): MultiTierConfig =>
    ({ certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', web: { ...tier, ...web }, app: tier, ...extra }) as MultiTierConfig;

  it('multi-tier (Auto Scaling): fractional sizes, ports, targets, user data over 16 KB, ingress ranges, log expiry', () => {
    expect(problemsOf(MultiTier, multiTier({ maxSize: 4.5 }))).toContain('web.maxSize: 4.5 must be a whole number of at least 0');
    const problems = problemsOf(MultiTier, multiTier({ port: 80.5, cpuTargetPercent: 150, requestsPerTarget: 0.5, userData: 'x'.repeat(17000) },
      { publicIngressCidrs: ['0.0.0.0/33'], accessLogExpirationDays: -1 }));
    expect(problems).toEqual(expect.arrayContaining([
      'web.port: 80.5 is not a TCP port (a whole number from 1 to 65535)',
      'web.cpuTargetPercent: 150 must be a percentage above 0 and at most 100',
      'web.requestsPerTarget: 0.5 must be a positive whole number',
      'web.userData: 17000 bytes; EC2 accepts 16384 (read larger scripts from S3 at boot)',
      'publicIngressCidrs[0]: "0.0.0.0/33" is not an IPv4 CIDR block (a.b.c.d/n)',
      'accessLogExpirationDays: -1 must be a positive whole number',
    ]));
  });

  it('dr (Auto Scaling at zero): fractional capacity, ports, instance type; the schedule belongs to the backup plans now', () => {
    const problems = problemsOf(Dr, { compute: { desiredCapacity: 1.5, maxSize: -2, port: 0, instanceType: 'big', healthCheckPath: 'health' }, aurora: { schedule: 'daily' } });
    expect(problems).toEqual(expect.arrayContaining([
      'compute.desiredCapacity: 1.5 must be a whole number of at least 0',
      'compute.maxSize: -2 must be a whole number of at least 0',
      'compute.port: 0 is not a TCP port (a whole number from 1 to 65535)',
      'compute.instanceType: "big" is not an EC2 instance type',
      'compute.healthCheckPath: "health" must start with /',
      'aurora.schedule: is set by the backup plans now (organizations backupPolicies, or the backup layer\'s plans): docs/data-and-dr.md, "Backups"',
    ]));
  });

  it('databases: Aurora Serverless v2 capacity in half ACUs; DynamoDB key names at most 255 characters', () => {
    const problems = problemsOf(Databases, {
      consumers: { cidrBlocks: ['10.0.0.0/8'] },
      aurora: { engine: 'aurora-postgresql', serverlessV2: { minCapacity: 0.25, maxCapacity: 4 } },
      dynamodb: { tables: [{ name: 'orders', partitionKey: { name: 'k'.repeat(256) } }] },
    });
    expect(problems).toEqual(expect.arrayContaining([
      'aurora.serverlessV2: capacity 0.25-4 ACU must be in steps of 0.5 ACU',
      `dynamodb.tables[0].partitionKey.name: "${'k'.repeat(256)}" is longer than the 255 characters AWS allows`,
    ]));
  });

  it('serverless: Lambda memory and timeout through the shared Lambda rules, the shared log retentions', () => {
    const f = { reservedConcurrency: 5 };
    const config = {
      functions: { api: { ...f, memoryMb: 100 }, writer: { ...f, timeoutSeconds: 901 }, stream: f, validate: f, process: f },
      throttling: { burstLimit: 10, rateLimit: 5 },
      logRetentionDays: 100,
    } as ServerlessConfig;
    expect(problemsOf(Serverless, config)).toEqual(expect.arrayContaining([
      'functions.api.memoryMb: 100 must be a whole number from 128 to 10240 MB',
      'functions.writer.timeoutSeconds: 901 must be a whole number from 1 to 900 seconds',
      'logRetentionDays: 100 is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
    ]));
  });

  it('retention days, versions kept, lock days and other counts of the governance layers', () => {
    expect(problemsOf(BaseTfBackend, { noncurrentVersionExpirationDays: -1 })).toEqual(['noncurrentVersionExpirationDays: -1 must be a positive whole number']);
    expect(problemsOf(Audit, { managementAccount: 'apps-devstg', archiveRetentionDays: 2555.5 }))
      .toContain('archiveRetentionDays: 2555.5 must be a whole number of days, at least 365 and 90 days after the Glacier transition (90)');
    expect(problemsOf(Security, { identityAccount: 'apps-devstg', passwordPolicy: { minimumLength: 14.5, maxAgeDays: 30.5 } })).toEqual(expect.arrayContaining([
      'passwordPolicy.minimumLength: 14.5 must be a whole number from 14 to 128 characters',
      'passwordPolicy.maxAgeDays: 30.5 must be a whole number of days between 1 and 90',
    ]));
    expect(problemsOf(Security, { identityAccount: 'apps-devstg', passwordPolicy: { minimumLength: 200 } }))
      .toContain('passwordPolicy.minimumLength: 200 must be a whole number from 14 to 128 characters');
    expect(problemsOf(NetworkHub, { shareWith: 'arn:aws:organizations::111111111111:organization/o-abc123', routeTables: ['prd'], amazonSideAsn: 64512.5 }))
      .toContain('amazonSideAsn: 64512.5 is not a private ASN (64512-65534 or 4200000000-4294967294)');
  });

  it('cost: at most five notifications per budget, none twice', () => {
    const thresholds = [50, 60, 70, 80, 90, 100].map((percent) => ({ percent, type: 'ACTUAL' as const }));
    expect(problemsOf(Cost, { thresholds })).toContain('thresholds: lists 6 notifications; a budget accepts 5');
    expect(problemsOf(Cost, { thresholds: [{ percent: 80, type: 'ACTUAL' }, { percent: 80, type: 'ACTUAL' }] })).toContain('thresholds[1]: 80% ACTUAL is listed twice');
  });

  it('secrets: a rotation rate Secrets Manager refuses, a description over 2048 characters', () => {
    const rotation = { functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:rotate', functionRoleArn: 'arn:aws:iam::111111111111:role/rotate' };
    const problems = problemsOf(Secrets, { secrets: [
      { name: 'a', description: 'a secret', rotation: { ...rotation, schedule: 'rate(0 days)' } },
      { name: 'b', description: 'a secret', rotation: { ...rotation, schedule: 'rate(2 hours)' } },
      { name: 'c', description: 'd'.repeat(2049), readers: ['arn:aws:iam::111111111111:role/reader'] },
    ] });
    expect(problems).toEqual(expect.arrayContaining([
      'secrets[0].rotation.schedule: "rate(0 days)" must be every 4 to 23 hours or every 1 to 1000 days',
      'secrets[1].rotation.schedule: "rate(2 hours)" must be every 4 to 23 hours or every 1 to 1000 days',
      'secrets[2].description: is 2049 characters; Secrets Manager accepts 2048',
    ]));
  });

  it('names and texts AWS limits: permission sets, groups, OUs, regions, service principals, zone comments, WAF groups', () => {
    const identities = problemsOf(Identities, {
      instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef', identityStoreId: 'd-0123456789', groups: { Admins: 'x'.repeat(1025) }, assignments: {},
      permissionSets: { 'A-Very-Long-Permission-Set-Name-X': { description: '' }, Ops: { description: 'ops', managedPolicyArns: ['AdministratorAccess'] } },
    });
    expect(identities).toEqual(expect.arrayContaining([
      'groups.Admins: the description is 1025 characters; Identity Center accepts 1024',
      'permissionSets.A-Very-Long-Permission-Set-Name-X.name: "A-Very-Long-Permission-Set-Name-X" is longer than the 32 characters AWS allows',
      'permissionSets.A-Very-Long-Permission-Set-Name-X.description: is 0 characters; Identity Center accepts 1 to 700',
      'permissionSets.Ops.managedPolicyArns[0]: "AdministratorAccess" is not an IAM managed policy ARN',
    ]));
    const orgs = problemsOf(Organizations, { accountOus: {}, organizationalUnits: ['x'.repeat(129)], extraAllowedRegions: ['mars-1'], extraServiceAccessPrincipals: ['backup'] });
    expect(orgs).toEqual(expect.arrayContaining([
      `organizationalUnits[0]: "${'x'.repeat(129)}" must be lowercase names of at most 128 characters joined by "/" (at most 5 levels)`,
      'extraAllowedRegions[0]: "mars-1" is not an AWS region',
      'extraServiceAccessPrincipals[0]: "backup" is not a service principal (<service>.amazonaws.com)',
    ]));
    expect(problemsOf(DnsZone, { zoneName: 'devstg.acme.example.com', comment: 'c'.repeat(257) })).toEqual(['comment: is 257 characters; Route 53 accepts 256']);
    expect(problemsOf(Dns, { publicZones: [{ name: 'acme.example.com', comment: 'c'.repeat(300) }] })).toContain('publicZones[0].comment: is 300 characters; Route 53 accepts 256');
    expect(problemsOf(Cdn, { domainNames: ['x.example.com'], contentSecurityPolicy: "default-src 'self'", logRetentionDays: 100, waf: { managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesCommonRuleSet'] } }))
      .toEqual(expect.arrayContaining([
        'logRetentionDays: 100 is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
        'waf.managedRuleGroups[1]: "AWSManagedRulesCommonRuleSet" is listed twice',
      ]));
  });
});

describe('project and account settings AWS would refuse', () => {
  it('refuses two accounts with the same root e-mail, whatever its case (Organizations needs one e-mail per account)', () => {
    const message = refusal(source({
      a: { config: account({ email: 'aws+shared@example.com' }) },
      b: { config: account({ email: 'AWS+Shared@example.com' }) },
    }));
    expect(message).toContain('test/b: email: AWS+Shared@example.com is already the root e-mail of account a; AWS Organizations needs a different e-mail for every account');
  });

  it('refuses a root e-mail longer than the 64 characters CreateAccount accepts', () => {
    const email = `${'a'.repeat(60)}@example.com`;
    expect(refusal(source({ a: { config: account({ email }) } }))).toContain(`test/a: email: "${email}" must be 6 to 64 characters`);
  });

  it('refuses tags AWS refuses, framework tags and keys that differ only in case (IAM compares them ignoring case)', () => {
    const message = refusal(source(
      { a: { config: account({ tags: { 'aws:owner': 'x', owner: 'y', Team: 'v'.repeat(257) } }) } },
      { tags: { Owner: 'platform', Environment: 'prd', 'Cost Center': 'a|b' } },
    ));
    expect(message).toContain('test: tags.Environment: is set on every resource by the framework (Project, Account, Environment, Layer, ManagedBy); choose another key');
    expect(message).toContain('test: tags.Cost Center: "a|b" may hold only letters, digits, spaces and _ . : / = + - @');
    expect(message).toContain('test/a: tags.aws:owner: tag key "aws:owner" uses the prefix aws:, which AWS reserves for its own tags');
    expect(message).toContain('test/a: tags.owner: differs only in case from project tag Owner; IAM compares tag keys ignoring case and refuses both on one role');
    expect(message).toContain('test/a: tags.Team: "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv…" is longer than the 256 characters of a tag value');
    expect(tagKey('k'.repeat(129))).toMatch(/must be 1 to 128 characters/);
    expect(tagValue('')).toBeUndefined();
  });

  it('refuses more default tags than leave room for the resources\' own', () => {
    const tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'v']));
    expect(refusal(source({}, { tags }))).toContain('test: tags: 45 default tags with the framework\'s 5; AWS accepts 50 per resource');
  });

  it('refuses an environment name longer than a tag value (it is the Environment tag of every resource)', () => {
    expect(refusal(source({ a: { config: account({ environment: 'e'.repeat(257) }) } })))
      .toContain('test/a: environment: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee…" is longer than the 256 characters of a tag value (it is the Environment tag of every resource)');
  });

  it('refuses deploy and bootstrap role names IAM refuses', () => {
    expect(refusal(source({ a: { config: account({ deployRoleName: 'Dev Ops' }) } }, { bootstrapRoleName: 'r'.repeat(65) })))
      .toMatch(/test: bootstrapRoleName: "r{65}" is longer than the 64 characters AWS allows[\s\S]*test\/a: deployRoleName: "Dev Ops" must be letters, digits and \+=,\.@_- \(an IAM role name\)/);
  });
});

describe('module props: each module checks its own, the layers nest the same function', () => {
  it('vpc: the database subnet group needs subnets in two AZs', () => {
    expect(vpcPropProblems({ azs: ['us-east-1a'] })).toContainEqual({ field: 'azs', message: 'lists 1 AZ(s); the database subnet group needs two at least' });
    expect(vpcPropProblems({ azs: ['us-east-1a', 'us-east-1b'] })).toEqual([]);
  });

  it('permission set: a description of 1 to 700 Latin-1 characters, managed policy ARNs, an inline policy of at most 32768', () => {
    expect(permissionSetPropProblems({ description: 'Operators \u2014 read only' }))
      .toContainEqual({ field: 'description', message: 'may hold only tabs, line breaks and Latin-1 characters (Identity Center refuses the rest, e.g. typographic quotes and dashes)' });
    expect(permissionSetPropProblems({ description: 'Operators - read only', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })).toEqual([]);
    const big = [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: Array.from({ length: 1500 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }];
    expect(permissionSetPropProblems({ inlinePolicy: big })).toContainEqual({ field: 'inlinePolicy', message: 'is longer than the 32768 characters Identity Center accepts' });
  });

  it('auto scaling tier: a layer checks the fields its config holds; the construct refuses two volume keys', () => {
    // What the multi-tier and dr layers pass: no key (the constructor gets it from the layer), nothing to report.
    expect(autoScalingTierPropProblems({ instanceType: 't3.small', minSize: 1, desiredCapacity: 2, maxSize: 4 })).toEqual([]);
    // Without a key the volumes use the account's default EBS key (module-grants.test.ts); two keys are refused.
    const stack = new TerraformStack(Testing.app(), 'tier');
    expect(() => new AutoScalingTier(stack, 'web', {
      name: 'acme-apps-devstg-web', vpcId: 'vpc-1', subnetIds: ['subnet-1'], instanceType: 't3.small', minSize: 1, desiredCapacity: 2, maxSize: 4, port: 80,
      ebsKmsKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/a', ebsKmsKey: new KmsKey(stack, 'ebs', { alias: 'ebs', description: 'ebs', accountId: '111111111111' }),
      autoScalingServiceLinkedRoleArn: 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      loadBalancer: { arnSuffix: 'app/web/1', listener: { fqn: 'listener' } },
    })).toThrow('web: ebsKmsKeyArn: give ebsKmsKeyArn or ebsKmsKey, not both');
  });
});
