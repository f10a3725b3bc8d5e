/**
 * Names checked at synth over every synthesized resource (lib/resource-names.ts): AWS's length and character limits
 * for every resource kind (lib/aws-names.ts), tags, and names two layers would both create where AWS keeps one per
 * account, region or partition (a copied layer file).
 */
import { BcmdataexportsExport } from '@cdktf/provider-aws/lib/bcmdataexports-export';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { NetworkfirewallRuleGroup } from '@cdktf/provider-aws/lib/networkfirewall-rule-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Construct } from 'constructs';
import { NAME_LIMITS } from '../../lib/aws-names';
import { defineLayer } from '../../lib/config';
import { LayerStack } from '../../lib/layer-stack';
import type { LayerContext } from '../../lib/model';
import { fitName } from '../../lib/naming';
import { ConfigError } from '../../lib/problems';
import { buildApp } from '../../lib/synth';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { build, REAL, refusal, resources, source, tempDir } from '../helpers';
import { Testing } from 'cdktf';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

/** A test-only layer kind: one queue named `<project>-<account>-<name>`, with tags. */
class NamedQueue extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext, config: { readonly name: string; readonly tags?: Record<string, string> }) {
    super(scope, ctx);
    new SqsQueue(this, 'queue', { name: this.resourceName(config.name), tags: config.tags });
  }
}

/** A test-only layer kind: one cost data export, whose name sits in the `export` block. */
class NamedExport extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext, config: { readonly name: string }) {
    super(scope, ctx);
    new BcmdataexportsExport(this, 'export', {
      export: [{
        name: config.name,
        dataQuery: [{ queryStatement: 'SELECT line_item_usage_account_id FROM COST_AND_USAGE_REPORT' }],
        destinationConfigurations: [{ s3Destination: [{
          s3Bucket: 'b', s3Prefix: 'p', s3Region: 'us-east-1',
          s3OutputConfigurations: [{ overwrite: 'OVERWRITE_REPORT', format: 'PARQUET', compression: 'PARQUET', outputType: 'CUSTOM' }],
        }] }],
        refreshCadence: [{ frequency: 'SYNCHRONOUS' }],
      }],
    });
  }
}

/** A test-only layer kind: one Network Firewall rule group named `<project>-<account>-<name>`. */
class NamedRuleGroup extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext, config: { readonly name: string }) {
    super(scope, ctx);
    new NetworkfirewallRuleGroup(this, 'rules', {
      name: this.resourceName(config.name), type: 'STATEFUL', capacity: 10,
      ruleGroup: { rulesSource: { rulesString: 'pass ip any any -> any any (sid:1; rev:1;)' } },
    });
  }
}

/** A test-only layer kind: a CloudWatch Logs resource policy with a fixed name (PutResourcePolicy replaces one of the same name). */
class FixedLogPolicy extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext) {
    super(scope, ctx);
    new CloudwatchLogResourcePolicy(this, 'policy', { policyName: 'log-delivery', policyDocument: '{}' });
  }
}

/** A test-only layer kind holding an account-and-region setting (one per account and region). */
class EbsDefault extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext) {
    super(scope, ctx);
    new EbsEncryptionByDefault(this, 'ebs', { enabled: true });
  }
}

const net = (vpcCidr: string, options = {}) => defineLayer(BaseNetwork, { vpcCidr, natGateways: 'none' as const }, options);

describe('names two layers would both create', () => {
  it('refuses a copied base-network file in the same account and region, naming both layers and the resource', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': net('10.1.0.0/16'), 'base-network-copy': net('10.2.0.0/16') } } }));
    expect(message).toContain('test/apps-devstg/base-network-copy: aws_iam_role.vpc_flow-logs-role_');
    expect(message).toMatch(/base-network-copy: aws_iam_role\.[\w-]+: aws_iam_role name "test-apps-devstg-vpc-flow-logs" is also created by test\/apps-devstg\/base-network \(aws_iam_role\.[\w-]+\) in the same account: AWS keeps one per name there/);
    expect(message).toContain('aws_kms_alias name "alias/test-apps-devstg-vpc-flow-logs-us-east-1" is also created by test/apps-devstg/base-network');
    expect(message).toContain('aws_cloudwatch_log_group name "/aws/vpc/test-apps-devstg/flow-logs" is also created by test/apps-devstg/base-network');
    expect(message).not.toMatch(/test\/apps-devstg\/base-network: aws_/); // reported once, on the second layer
  });

  it('refuses a copied backend file: the state bucket name is global to every AWS account', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}), 'base-tf-backend-2': defineLayer(BaseTfBackend, {}) } } }));
    expect(message).toContain('aws_s3_bucket bucket "test-apps-devstg-terraform-backend-100000000002" is also created by test/apps-devstg/base-tf-backend');
    expect(message).toContain('in every AWS account');
    expect(message).toContain('aws_dynamodb_table name "test-apps-devstg-terraform-backend" is also created by test/apps-devstg/base-tf-backend');
  });

  it('refuses two layers holding a setting an account has once per region', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { a: defineLayer(EbsDefault, {}), b: defineLayer(EbsDefault, {}) } } })))
      .toContain('test/apps-devstg/b: aws_ebs_encryption_by_default.ebs: the EBS encryption by default setting is also created by test/apps-devstg/a ' +
        '(aws_ebs_encryption_by_default.ebs) in the same account and region (us-east-1): AWS keeps one there');
  });

  it('refuses two layers writing one CloudWatch Logs resource policy name: the second would replace the first', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { a: defineLayer(FixedLogPolicy, {}), b: defineLayer(FixedLogPolicy, {}) } } })))
      .toContain('aws_cloudwatch_log_resource_policy policy_name "log-delivery" is also created by test/apps-devstg/a');
  });

  it('accepts the same layer kind twice in one account when the names differ by region', () => {
    const { stacks } = build(source({ 'apps-devstg': { layers: { 'base-network': net('10.1.0.0/16'), 'base-network-dr': net('10.2.0.0/16', { region: 'us-west-2' }) } } }));
    expect(stacks.size).toBe(2);
  });
});

/** The example organisation, synthesized once in real mode: stack -> parsed cdk.tf.json. */
let example: { layer: string; json: { resource?: Record<string, Record<string, Record<string, unknown>>> } }[] = [];
beforeAll(() => {
  const { stacks } = buildApp({ projectsDir: path.join(ROOT, 'projects'), mode: REAL, project: 'acme', outdir: tempDir('names-') });
  example = stacks.map((s) => ({ layer: s.ctx.layer, json: JSON.parse(Testing.synth(s)) }));
});

describe('names AWS refuses, for every resource kind', () => {
  it('refuses a derived name over the limit of its resource kind, naming the config field it derives from', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { orders: defineLayer(NamedQueue, { name: 'q'.repeat(70) }) } } }));
    expect(message).toContain(`test/apps-devstg/orders: name: aws_sqs_queue.queue name "test-apps-devstg-${'q'.repeat(70)}" is 87 characters; AWS accepts 1 to 80 ` +
      '(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html); derived from the project name "test" (4 characters), ' +
      `the account name "apps-devstg" (11 characters), name ("${'q'.repeat(70)}"): shorten it`);
  });

  it('refuses characters the resource kind does not accept', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { orders: defineLayer(NamedQueue, { name: 'a.b' }) } } })))
      .toContain('test/apps-devstg/orders: name: aws_sqs_queue.queue name "test-apps-devstg-a.b" is refused by AWS: it must be letters, digits, hyphens and underscores');
  });

  it('refuses a Network Firewall rule group name with characters the API refuses', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { fw: defineLayer(NamedRuleGroup, { name: 'egress_domains' }) } } })))
      .toContain('test/apps-devstg/fw: name: aws_networkfirewall_rule_group.rules name "test-apps-devstg-egress_domains" is refused by AWS: it must be letters, digits and hyphens');
  });

  it('checks names inside a block too (a CUR 2.0 export\'s export.name)', () => {
    expect(refusal(source({ 'apps-management': { layers: { cur: defineLayer(NamedExport, { name: 'cur 2' }) } } })))
      .toContain('test/apps-management/cur: name: aws_bcmdataexports_export.export export.name "cur 2" is refused by AWS: it must be letters, digits and !-_.*\'()');
  });

  it('refuses resource tags AWS refuses and more than 50 tags with the default tags', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { orders: defineLayer(NamedQueue, { name: 'q', tags: { 'aws:team': 'x' } }) } } })))
      .toContain('test/apps-devstg/orders: aws_sqs_queue.queue: tags: tag key "aws:team" uses the prefix aws:, which AWS reserves for its own tags');
    const tags = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, 'v']));
    expect(refusal(source({ 'apps-devstg': { layers: { orders: defineLayer(NamedQueue, { name: 'q', tags }) } } })))
      .toContain('test/apps-devstg/orders: aws_sqs_queue.queue: carries 51 tags with the default tags of the project, account and layer; AWS accepts 50');
  });

  it('every name-like attribute the example organisation writes literally has a limit in lib/aws-names.ts, or a reason not to', () => {
    // Values AWS or the module fixes (not derived from names), DNS names the layers check as DNS names, and names equal to
    // one checked elsewhere.
    const exempt: Record<string, string> = {
      'aws_acm_certificate.domain_name': 'a DNS name (domainNameProblem in the layers)',
      'aws_apigatewayv2_domain_name.domain_name': 'a DNS name (domainNameProblem in the layers)',
      'aws_route53_record.name': 'a DNS name (domainNameProblem in the layers)',
      'aws_route53_zone.name': 'a DNS name (domainNameProblem in the layers)',
      'aws_service_discovery_private_dns_namespace.name': 'a DNS name (domainNameProblem in the fargate layer)',
      'aws_service_discovery_service.name': 'the service name, at most 31 characters (serviceSpecProblems)',
      'aws_dax_subnet_group.name': 'the DAX cluster name, at most 20 characters',
      'aws_elasticache_user.user_name': '"default" or the user id, which is checked',
      'aws_eip.domain': 'always "vpc"',
      'aws_eks_addon.addon_name': 'an AWS add-on name',
      'aws_guardduty_detector_feature.name': 'an AWS feature name',
      'aws_guardduty_organization_configuration_feature.name': 'an AWS feature name',
      'aws_iam_service_linked_role.aws_service_name': 'an AWS service principal',
      'aws_vpc_endpoint.service_name': 'an AWS service name',
      'aws_cloudwatch_metric_alarm.metric_name': 'an AWS metric name',
      'aws_rds_cluster_parameter_group.family': 'an RDS parameter group family of the module',
      'aws_organizations_account.role_name': 'the project bootstrapRoleName (checked as an IAM role name)',
      'aws_ram_resource_share.name': 'the transit gateway name, checked nowhere else but short',
      'aws_apigatewayv2_api.description': 'written by the layer from the account name',
      'aws_dax_cluster.description': 'written by the module from the cluster name (20 characters)',
      'aws_dax_subnet_group.description': 'written by the module from the cluster name (20 characters)',
      'aws_db_subnet_group.description': 'written by the module from the VPC name',
      'aws_ec2_transit_gateway.description': 'written by the layer from the account name',
      'aws_elasticache_replication_group.description': 'written by the module from the cache name (40 characters)',
      'aws_elasticache_subnet_group.description': 'written by the module from the cache name (40 characters)',
      'aws_rds_cluster_parameter_group.description': 'written by the module from the cluster name',
      'aws_service_discovery_private_dns_namespace.description': 'written by the module from the cluster name',
      'aws_cloudwatch_log_resource_policy.policy_name': 'AWS documents no length (PutResourcePolicy); written by the module from the firewall name (128 characters at most)',
    };
    const limited = new Set(NAME_LIMITS.map((l) => `${l.type}.${l.attribute}`));
    const nameLike = /^(name|.*_name|identifier|cluster_identifier|replication_group_id|user_group_id|user_id|bucket|family|domain|comment|description|statement_id|display_name)$/;
    const unchecked = new Set<string>();
    for (const { json } of example) {
      for (const [type, byName] of Object.entries(json.resource ?? {})) {
        for (const config of Object.values(byName)) {
          for (const [attribute, value] of Object.entries(config)) {
            const key = `${type}.${attribute}`;
            if (nameLike.test(attribute) && typeof value === 'string' && !value.includes('${') && !limited.has(key) && !(key in exempt)) unchecked.add(key);
          }
        }
      }
    }
    expect([...unchecked].sort()).toEqual([]);
  });
});

describe('the documented 12-character project name', () => {
  /** The example organisation copied under another project name (and an account renamed), built in real mode. */
  function buildRenamed(project: string, renameAccount?: [string, string]): void {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'renamed-'));
    try {
      for (const entry of fs.readdirSync(ROOT)) if (entry !== 'projects') fs.symlinkSync(path.join(ROOT, entry), path.join(stage, entry));
      const dir = path.join(stage, 'projects', project);
      fs.cpSync(path.join(ROOT, 'projects', 'acme'), dir, { recursive: true });
      const edit = (file: string, change: (text: string) => string) => fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
      edit(path.join(dir, 'project.ts'), (t) => t.replace("name: 'acme'", `name: '${project}'`));
      if (renameAccount) {
        const [from, to] = renameAccount;
        fs.renameSync(path.join(dir, from), path.join(dir, to));
        for (const file of (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'))) {
          edit(path.join(dir, file), (t) => t.split(`'${from}'`).join(`'${to}'`));
        }
      }
      buildApp({ projectsDir: path.join(stage, 'projects'), mode: REAL, project, outdir: path.join(stage, 'out') });
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }

  it('synthesizes the example organisation: the DAX name (20 characters at most) is shortened with a hash', () => {
    expect(() => buildRenamed('abcdefghijkl')).not.toThrow();
    expect(fitName('abcdefghijkl-apps-devstg-dax', 20)).toMatch(/^abcdefghijkl-[0-9a-f]{6}$/);
    expect(fitName('abcdefghijkl-apps-prd-dax', 20)).not.toBe(fitName('abcdefghijkl-apps-devstg-dax', 20));
    expect(fitName('acme-apps-devstg-dax', 20)).toBe('acme-apps-devstg-dax'); // names that fit are kept: no replacement
  });

  it('reports, at synth, the names a longer account name pushes over their limit, with project, account and layer', () => {
    // 14 characters: the account's buckets (`<project>-<account>-terraform-backend-logs-<id>`) still fit S3's 63, the
    // load balancer names do not fit their 32.
    let message = '';
    try {
      buildRenamed('abcdefghijkl', ['apps-devstg', 'apps-devstg-xy']);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('abcdefghijkl/apps-devstg-xy/fargate: aws_lb.platform_alb_0EA76CE8: name "abcdefghijkl-apps-devstg-xy-fargate" is 35 characters; ' +
      'AWS accepts 1 to 32 (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html); ' +
      'derived from the project name "abcdefghijkl" (12 characters), the account name "apps-devstg-xy" (14 characters): shorten it');
  });

  it('refuses, before the name checks, an account name that pushes the state bucket past S3\'s 63 characters', () => {
    expect(() => buildRenamed('abcdefghijkl', ['apps-devstg', 'apps-devstg-long'])).toThrow(
      'abcdefghijkl/apps-devstg-long: name: state bucket name abcdefghijkl-apps-devstg-long-terraform-backend-logs-555555555555 is 65 characters',
    );
  });

  it('keeps the databases layer\'s DAX cluster within 20 characters in every account', () => {
    const dax = example.filter((s) => s.layer === 'databases').flatMap((s) => resources(JSON.stringify(s.json), 'aws_dax_cluster'));
    expect(dax.map((d) => d.cluster_name)).toEqual(['acme-apps-devstg-dax', 'acme-apps-prd-dax']);
  });
});
