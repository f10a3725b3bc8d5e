import { DaxCluster } from '@cdktf/provider-aws/lib/dax-cluster';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import type { Construct } from 'constructs';
import { defineLayer } from '../../lib/config';
import { defineContract } from '../../lib/contract';
import { LayerStack } from '../../lib/layer-stack';
import type { LayerContext } from '../../lib/model';
import { BaseNetwork } from '../../layers/base-network';
import { Databases, type DatabasesConfig } from '../../layers/databases';
import { Security } from '../../layers/security';
import { fromLayer } from '../../lib/layer-ref';
import { account, build, resources, source, synthStack } from '../helpers';

/** A stand-in consumer layer publishing a security group, like the ECS or EKS layers. */
const appContract = defineContract('app', {
  security_group_id: { description: 'SG of the app', mock: 'sg-0mockapp' },
  service_security_group_ids: { description: 'SGs of the services', mock: ['sg-0mocksvc'] },
});
class App extends LayerStack {
  static readonly contract = appContract;
  constructor(scope: Construct, ctx: LayerContext, _config: unknown) {
    super(scope, ctx);
    this.publish(appContract, { security_group_id: 'sg-0123', service_security_group_ids: ['sg-0456'] });
  }
}

const FULL: DatabasesConfig = {
  consumers: { cidrBlocks: ['10.40.0.0/17'], securityGroups: [fromLayer(appContract, 'security_group_id')] },
  aurora: { engine: 'aurora-postgresql', databaseName: 'app' },
  cache: {},
  dynamodb: {
    tables: [
      { name: 'orders', partitionKey: { name: 'pk' }, sortKey: { name: 'sk', type: 'N' }, replicateToDr: true },
      { name: 'sessions', partitionKey: { name: 'id' }, ttlAttribute: 'expires_at' },
    ],
    dax: {},
  },
};

function org(environment: string, config: Partial<DatabasesConfig> = {}, extraLayers: Record<string, unknown> = {}) {
  return source({
    management: { config: account({ environment: 'management' }) },
    workload: {
      config: account({ id: '666666666666', environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }),
        security: defineLayer(Security, {}),
        app: defineLayer(App, {}),
        databases: defineLayer(Databases, { ...FULL, ...config }),
        ...extraLayers,
      },
    },
  });
}

const synth = (environment: string, config: Partial<DatabasesConfig> = {}) => synthStack(org(environment, config), 'test-workload-databases');

describe('databases layer', () => {
  const prd = synth('prd');
  const dev = synth('devstg');

  it('keeps Aurora backups 35 days in prd and 7 in devstg, protected only in prd', () => {
    expect(prd).toHaveResourceWithProperties(RdsCluster, {
      backup_retention_period: 35,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'test-workload-aurora-final',
      lifecycle: { prevent_destroy: true, ignore_changes: ['engine_version'] },
    });
    expect(dev).toHaveResourceWithProperties(RdsCluster, {
      backup_retention_period: 7,
      deletion_protection: false,
      skip_final_snapshot: true,
      lifecycle: { prevent_destroy: false, ignore_changes: ['engine_version'] },
    });
    expect(resources(prd, 'aws_rds_cluster_instance')).toHaveLength(2);
    expect(resources(dev, 'aws_rds_cluster_instance')).toHaveLength(1);
    expect(resources(prd, 'aws_rds_cluster_instance').map((i) => i.availability_zone)).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('encrypts with the security layer data key and takes subnets from base-network', () => {
    expect(prd).toHaveResourceWithProperties(RdsCluster, {
      kms_key_id: '${data.terraform_remote_state.remote-workload-security.outputs.data_kms_key_arn}',
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      db_subnet_group_name: '${data.terraform_remote_state.remote-workload-base-network.outputs.database_subnet_group_name}',
    });
    expect(prd).toHaveResourceWithProperties(DynamodbTable, {
      server_side_encryption: { enabled: true, kms_key_arn: '${data.terraform_remote_state.remote-workload-security.outputs.data_kms_key_arn}' },
    });
    expect(resources(prd, 'aws_kms_key')).toHaveLength(0);
    const own = synth('prd', { kmsKeySource: 'own' });
    expect(own).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(own).not.toMatch(/remote-workload-security/);
  });

  it('never carries a literal password, auth token or password list', () => {
    for (const json of [prd, dev]) {
      expect(json).not.toMatch(/"master_password"|"auth_token"|"passwords"/);
      for (const user of resources(json, 'aws_elasticache_user')) {
        expect(['iam', 'no-password-required']).toContain((user.authentication_mode as { type: string }).type);
      }
    }
  });

  it('forces TLS on Aurora, the cache and DAX', () => {
    expect(prd).toHaveResourceWithProperties(RdsClusterParameterGroup, { parameter: [{ name: 'rds.force_ssl', value: '1' }] });
    expect(prd).toHaveResourceWithProperties(ElasticacheReplicationGroup, { transit_encryption_enabled: true, transit_encryption_mode: 'required' });
    expect(prd).toHaveResourceWithProperties(DaxCluster, { cluster_endpoint_encryption_type: 'TLS', server_side_encryption: { enabled: true } });
    const mysql = synth('prd', { aurora: { engine: 'aurora-mysql' } });
    expect(mysql).toHaveResourceWithProperties(RdsClusterParameterGroup, { parameter: [{ name: 'require_secure_transport', value: 'ON' }] });
  });

  it('admits only the configured consumers, read through remote state, and allows no egress', () => {
    const groups = resources(prd, 'aws_security_group') as { name: string; ingress: Record<string, unknown>[]; egress: unknown[] }[];
    expect(groups.map((g) => g.name).sort()).toEqual(['test-workload-aurora-aurora', 'test-workload-cache', 'test-workload-dax']);
    const ports: Record<string, number> = { 'test-workload-aurora-aurora': 5432, 'test-workload-cache': 6379, 'test-workload-dax': 9111 };
    for (const g of groups) {
      expect(g.egress).toEqual([]);
      expect(g.ingress).toEqual([
        expect.objectContaining({ from_port: ports[g.name], to_port: ports[g.name], security_groups: ['${data.terraform_remote_state.remote-workload-app.outputs.security_group_id}'] }),
        expect.objectContaining({ from_port: ports[g.name], cidr_blocks: ['10.40.0.0/17'] }),
      ]);
    }
    const { stacks } = build(org('prd'));
    expect([...stacks.get('test-workload-databases')!.reads.keys()].sort()).toEqual(['workload/app', 'workload/base-network', 'workload/security']);
  });

  it('concatenates list outputs of consumer layers into one token list on every security group', () => {
    const json = synth('prd', {
      consumers: { securityGroups: [fromLayer(appContract, 'security_group_id'), fromLayer(appContract, 'service_security_group_ids')] },
    });
    const state = 'data.terraform_remote_state.remote-workload-app.outputs';
    for (const g of resources(json, 'aws_security_group') as { ingress: { security_groups: unknown }[] }[]) {
      expect(g.ingress).toHaveLength(1);
      expect(g.ingress[0].security_groups).toBe(`\${concat([${state}.security_group_id], ${state}.service_security_group_ids)}`);
    }
  });

  it('runs the cache multi-AZ with automatic failover in prd only, with IAM users and a slow log', () => {
    expect(prd).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      engine: 'valkey',
      num_cache_clusters: 2,
      multi_az_enabled: true,
      automatic_failover_enabled: true,
      at_rest_encryption_enabled: 'true',
      kms_key_id: '${data.terraform_remote_state.remote-workload-security.outputs.data_kms_key_arn}',
      snapshot_retention_limit: 7,
      preferred_cache_cluster_azs: ['us-east-1a', 'us-east-1b'],
      log_delivery_configuration: [{ destination_type: 'cloudwatch-logs', log_type: 'slow-log', log_format: 'json', destination: '${aws_cloudwatch_log_group.cache-slow-log.name}' }],
    });
    expect(dev).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      num_cache_clusters: 1,
      multi_az_enabled: false,
      automatic_failover_enabled: false,
      snapshot_retention_limit: 1,
    });
    expect(prd).toHaveResourceWithProperties(ElasticacheUser, { user_name: 'test-workload-cache-app', user_id: 'test-workload-cache-app', authentication_mode: { type: 'iam' } });
    expect(prd).toHaveResourceWithProperties(ElasticacheUser, { user_name: 'default', access_string: 'off -@all' });
    const logGroup = resources(prd, 'aws_cloudwatch_log_group')[0];
    expect(logGroup.kms_key_id).toBe('${data.terraform_remote_state.remote-workload-security.outputs.logs_kms_key_arn}');
  });

  it('creates DynamoDB tables with PITR, KMS and a stream on the DR-replicated ones, protected in prd', () => {
    const tables = resources(prd, 'aws_dynamodb_table');
    const orders = tables.find((t) => t.name === 'test-workload-orders')!;
    expect(orders).toMatchObject({
      point_in_time_recovery: { enabled: true },
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      deletion_protection_enabled: true,
      attribute: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'N' }],
      lifecycle: { prevent_destroy: true, ignore_changes: ['replica'] },
    });
    const sessions = tables.find((t) => t.name === 'test-workload-sessions')!;
    expect(sessions).toMatchObject({ stream_enabled: false, ttl: { attribute_name: 'expires_at', enabled: true } });
    expect(resources(dev, 'aws_dynamodb_table')[0]).toMatchObject({ deletion_protection_enabled: false });
    const outputs = JSON.parse(prd).output;
    expect(outputs.dynamodb_dr_table_arns.value).toEqual(['${aws_dynamodb_table.table-orders.arn}']);
  });

  it('tells other layers what they may know of its config through facts()', () => {
    expect(Databases.facts(FULL)).toEqual({ aurora: true, drReplicatedTables: ['orders'] });
    expect(Databases.facts({ consumers: {} })).toEqual({ aurora: false, drReplicatedTables: [] });
  });

  it('runs DAX in private subnets with a role scoped to the tables', () => {
    expect(prd).toHaveResourceWithProperties(DaxCluster, { replication_factor: 3, cluster_name: 'test-workload-dax' });
    expect(dev).toHaveResourceWithProperties(DaxCluster, { replication_factor: 1 });
    const subnets = resources(prd, 'aws_dax_subnet_group')[0];
    expect(subnets.subnet_ids).toBe('${data.terraform_remote_state.remote-workload-base-network.outputs.private_subnet_ids}');
    const policy = JSON.parse(resources(prd, 'aws_iam_role_policy')[0].policy as string);
    const tables = policy.Statement.find((s: { Sid: string }) => s.Sid === 'DynamoDbReadWrite');
    expect(tables.Resource).toEqual([
      '${aws_dynamodb_table.table-orders.arn}', '${aws_dynamodb_table.table-orders.arn}/index/*',
      '${aws_dynamodb_table.table-sessions.arn}', '${aws_dynamodb_table.table-sessions.arn}/index/*',
    ]);
    // The tables' key, with DescribeKey, which DAX calls before using a customer managed table key.
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === 'KmsEncryptDecryptDescribe').Action)
      .toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(JSON.stringify(policy)).not.toMatch(/"Resource":"\*"|"Action":"dynamodb:\*"/);
  });

  it('refuses unsafe or impossible configuration with clear messages', () => {
    expect(() => build(org('prd', { cache: { nodeCount: 1 } }))).toThrow(/databases.*cache.multiAz: needs nodeCount >= 2/);
    expect(() => build(org('prd', { consumers: {} }))).toThrow(/consumers: names no consumer/);
    // The same retention rule as every other log group (CloudWatch Logs refuses 100 at apply time).
    expect(() => build(org('prd', { cache: { slowLogRetentionDays: 100 } }))).toThrow(/cache.slowLogRetentionDays: 100 is not a CloudWatch Logs retention/);
    expect(() => build(org('prd', { consumers: { cidrBlocks: ['10.40.0.1/17'] } }))).toThrow(/consumers.cidrBlocks: "10.40.0.1\/17" has host bits set/);
    expect(() => build(org('prd', { consumers: { cidrBlocks: ['0.0.0.0/0'] } }))).toThrow(/consumers.cidrBlocks: 0.0.0.0\/0 would admit any address/);
    expect(() => build(org('prd', { aurora: { engine: 'aurora-postgresql', instanceCount: 1 } }))).toThrow(/aurora.instanceCount: prd needs a writer and at least one reader/);
    expect(() => build(org('prd', { aurora: { engine: 'aurora-postgresql', backupRetentionDays: 40 } }))).toThrow(/aurora.backupRetentionDays: 40 must be/);
    expect(() => build(org('prd', {
      dynamodb: { tables: [{ name: 'orders', partitionKey: { name: 'pk' }, stream: 'KEYS_ONLY', replicateToDr: true }] },
    }))).toThrow(/dynamodb.tables\[0\].stream: KEYS_ONLY: a replicated \(global\) table needs NEW_AND_OLD_IMAGES/);
    const badRef = { contract: appContract, output: 'nope' } as unknown as ReturnType<typeof fromLayer>;
    expect(() => build(org('prd', { consumers: { securityGroups: [badRef] } }))).toThrow(/consumers.securityGroups\[0\]: layer kind app publishes no output "nope"/);
  });

  it('refuses security-layer keys when the account has no security layer', () => {
    const src = source({
      management: { config: account({ environment: 'management' }) },
      workload: {
        config: account({ environment: 'prd' }),
        layers: {
          'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }),
          databases: defineLayer(Databases, { consumers: { cidrBlocks: ['10.40.0.0/17'] }, dynamodb: { tables: [{ name: 't', partitionKey: { name: 'pk' } }] } }),
        },
      },
    });
    expect(() => build(src)).toThrow(/kmsKeySource: is security-layer but account workload has no enabled security layer/);
  });
});
