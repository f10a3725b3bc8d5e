import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DaxCluster } from '@cdktf/provider-aws/lib/dax-cluster';
import { DaxSubnetGroup } from '@cdktf/provider-aws/lib/dax-subnet-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { AuroraCluster, auroraPropProblems, type AuroraEngine, type AuroraServerlessV2Scaling } from '../modules/aurora-cluster';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { refProblems, resolveRefList, type RemoteReader, type ValueRef } from '../lib/layer-ref';
import { policyDocument, serviceTrustPolicy } from '../modules/policy';
import { baseNetworkContract } from './base-network';
import { securityContract } from './security';

/** Who may connect to the Aurora, cache and DAX endpoints. Nothing else is admitted. */
export interface DatabaseConsumers {
  /** IPv4 ranges (e.g. the VPC's private subnets, a VPN range). Never 0.0.0.0/0. @default [] */
  readonly cidrBlocks?: readonly string[];
  /**
   * Security groups, literal ids or `fromLayer(contract, 'security_group_id')` reads of the layers that own them
   * (ECS services, EKS nodes, Lambda functions). @default []
   */
  readonly securityGroups?: readonly ValueRef[];
}

export interface DatabasesAuroraConfig {
  /** `aurora-postgresql` or `aurora-mysql`. */
  readonly engine: AuroraEngine;
  /** Name suffix of the cluster: `<project>-<account>-<name>`. @default 'aurora' */
  readonly name?: string;
  /** @default the module's default for the engine (PostgreSQL 16.6, MySQL 8.0 / Aurora 3.08.2) */
  readonly engineVersion?: string;
  /** @default the module's family for the engine */
  readonly parameterGroupFamily?: string;
  /** Writer + readers, spread over the account's AZs. @default 2 in prd, 1 elsewhere */
  readonly instanceCount?: number;
  /** Ignored when serverlessV2 is set. @default 'db.r6g.large' in prd, 'db.t4g.medium' elsewhere */
  readonly instanceClass?: string;
  /** Serverless v2 scaling; all instances become `db.serverless`. @default - provisioned */
  readonly serverlessV2?: AuroraServerlessV2Scaling;
  /** @default 35 in prd, 7 elsewhere */
  readonly backupRetentionDays?: number;
  /** Database created with the cluster. @default - none */
  readonly databaseName?: string;
  /** Database users allowed to connect with IAM auth through the published connect policy. @default ['app'] */
  readonly iamDatabaseUsers?: readonly string[];
  /** @default the module's per-engine log types */
  readonly cloudwatchLogExports?: readonly string[];
  /** Extra cluster parameters (the TLS one is forced by the module). @default {} */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface DatabasesCacheConfig {
  /** @default 'valkey' */
  readonly engine?: 'valkey' | 'redis';
  /** @default '8.0' for valkey, '7.1' for redis */
  readonly engineVersion?: string;
  /** @default 'cache.r7g.large' in prd, 'cache.t4g.small' elsewhere */
  readonly nodeType?: string;
  /** Primary + replicas. @default 2 in prd, 1 elsewhere */
  readonly nodeCount?: number;
  /** Multi-AZ with automatic failover; needs nodeCount >= 2. @default true in prd, false elsewhere */
  readonly multiAz?: boolean;
  /** Days daily snapshots are kept (0 turns them off). @default 7 in prd, 1 elsewhere */
  readonly snapshotRetentionDays?: number;
  /** Days the slow log is kept in CloudWatch Logs. @default 90 */
  readonly slowLogRetentionDays?: number;
  /** IAM-authenticated RBAC users (user id = user name = `<cache name>-<user>`). @default ['app'] */
  readonly iamUsers?: readonly string[];
  /** ACL of the IAM users. @default 'on ~* +@all -@dangerous' */
  readonly accessString?: string;
}

export interface DynamoTableKey {
  readonly name: string;
  /** @default 'S' */
  readonly type?: 'S' | 'N' | 'B';
}

export interface DynamoTableConfig {
  /** Suffix of the table name: `<project>-<account>-<name>`. */
  readonly name: string;
  readonly partitionKey: DynamoTableKey;
  /** @default - no sort key */
  readonly sortKey?: DynamoTableKey;
  /** Stream of item changes. @default - no stream, or NEW_AND_OLD_IMAGES when replicateToDr */
  readonly stream?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
  /** Attribute holding the expiry epoch. @default - no TTL */
  readonly ttlAttribute?: string;
  /** Published in `dynamodb_dr_table_arns` for the dr layer's global-table replica (needs NEW_AND_OLD_IMAGES). @default false */
  readonly replicateToDr?: boolean;
}

export interface DatabasesDynamoConfig {
  readonly tables: readonly DynamoTableConfig[];
  /** DAX cluster in front of the tables. @default - no DAX */
  readonly dax?: {
    /** @default 'dax.r5.large' in prd, 'dax.t3.small' elsewhere */
    readonly nodeType?: string;
    /** Nodes; 3 spreads over AZs for availability. @default 3 in prd, 1 elsewhere */
    readonly nodeCount?: number;
  };
}

export interface DatabasesConfig {
  /**
   * Where the storage key comes from: the account's `security` layer (`data_kms_key_arn`, `logs_kms_key_arn`)
   * or a key owned by this layer. @default 'security-layer'
   */
  readonly kmsKeySource?: 'security-layer' | 'own';
  /** Deletion protection, final snapshots and prevent_destroy. @default true in prd, false elsewhere */
  readonly protect?: boolean;
  /** Who may connect; applied to Aurora, the cache and DAX. */
  readonly consumers: DatabaseConsumers;
  /** @default - no Aurora cluster */
  readonly aurora?: DatabasesAuroraConfig;
  /** ElastiCache replication group. @default - no cache */
  readonly cache?: DatabasesCacheConfig;
  /** @default - no tables */
  readonly dynamodb?: DatabasesDynamoConfig;
}

export const databasesContract = defineContract('databases', {
  kms_key_arn: { description: 'KMS key encrypting the data of this layer', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-0000000000db' },
  aurora_cluster_identifier: { description: 'Aurora cluster identifier ("" without Aurora)', mock: 'acme-mock-aurora' },
  aurora_cluster_arn: { description: 'Aurora cluster ARN ("" without Aurora)', mock: 'arn:aws:rds:us-east-1:111111111111:cluster:acme-mock-aurora' },
  aurora_endpoint: { description: 'Writer endpoint', mock: 'acme-mock-aurora.cluster-cmock.us-east-1.rds.amazonaws.com' },
  aurora_reader_endpoint: { description: 'Reader endpoint', mock: 'acme-mock-aurora.cluster-ro-cmock.us-east-1.rds.amazonaws.com' },
  aurora_port: { description: 'Engine port', mock: 5432 },
  aurora_master_user_secret_arn: { description: 'Secrets Manager secret of the master user, managed by RDS', mock: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-mock' },
  aurora_security_group_id: { description: 'Security group of the cluster', mock: 'sg-0mockaurora000000' },
  aurora_connect_policy_arn: { description: 'IAM policy granting rds-db:connect as the configured IAM database users', mock: 'arn:aws:iam::111111111111:policy/acme-mock-aurora-connect' },
  cache_primary_endpoint: { description: 'ElastiCache primary endpoint (TLS)', mock: 'master.acme-mock-cache.abcdef.use1.cache.amazonaws.com' },
  cache_reader_endpoint: { description: 'ElastiCache reader endpoint (TLS)', mock: 'replica.acme-mock-cache.abcdef.use1.cache.amazonaws.com' },
  cache_port: { description: 'Cache port', mock: 6379 },
  cache_security_group_id: { description: 'Security group of the cache', mock: 'sg-0mockcache0000000' },
  cache_connect_policy_arn: { description: 'IAM policy granting elasticache:Connect as the IAM cache users', mock: 'arn:aws:iam::111111111111:policy/acme-mock-cache-connect' },
  dynamodb_table_names: { description: 'Names of the DynamoDB tables', mock: ['acme-mock-orders'] },
  dynamodb_table_arns: { description: 'ARNs of the DynamoDB tables', mock: ['arn:aws:dynamodb:us-east-1:111111111111:table/acme-mock-orders'] },
  dynamodb_dr_table_arns: { description: 'ARNs of the tables to replicate to the DR region', mock: ['arn:aws:dynamodb:us-east-1:111111111111:table/acme-mock-orders'] },
  dax_cluster_endpoint: { description: 'DAX cluster endpoint (daxs://, TLS) or ""', mock: 'daxs://acme-mock-dax.abcdef.dax-clusters.us-east-1.amazonaws.com' },
  dax_security_group_id: { description: 'Security group of the DAX cluster or ""', mock: 'sg-0mockdax00000000' },
});

const CACHE_PORT = 6379;
const DAX_TLS_PORT = 9111;
const DYNAMO_DATA_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
  'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable',
];

function isPrd(ctx: LayerContext): boolean {
  return ctx.account.environment === 'prd';
}

/**
 * The operational data stores of an account: an Aurora cluster through modules/aurora-cluster, an ElastiCache
 * (Valkey or Redis) replication group with IAM-authenticated RBAC users, DynamoDB tables and a DAX cluster.
 * Keys from the security layer, subnets from base-network, and only the configured consumers admitted.
 */
export class Databases extends LayerStack {
  static readonly contract = databasesContract;
  static readonly stateful = true;

  static validate(config: DatabasesConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const source = config.kmsKeySource ?? 'security-layer';
    if (source !== 'security-layer' && source !== 'own') {
      problems.push({ field: 'kmsKeySource', message: `"${String(source)}" must be security-layer or own` });
    }
    if (source === 'security-layer' && !ctx.account.layers.get('security')?.enabled) {
      problems.push({ field: 'kmsKeySource', message: `is security-layer but account ${ctx.account.name} has no enabled security layer; add it or use 'own'` });
    }
    const consumers = config.consumers ?? {};
    for (const cidr of consumers.cidrBlocks ?? []) {
      if (cidr.endsWith('/0')) problems.push({ field: 'consumers.cidrBlocks', message: `${cidr} would admit any address` });
    }
    (consumers.securityGroups ?? []).forEach((ref, i) => problems.push(...refProblems(`consumers.securityGroups[${i}]`, ref)));
    const cidrCount = (consumers.cidrBlocks ?? []).length + (consumers.securityGroups ?? []).length;
    if (cidrCount === 0 && (config.aurora || config.cache || config.dynamodb?.dax)) {
      problems.push({ field: 'consumers', message: 'names no consumer; the databases would admit nobody (list cidrBlocks or securityGroups)' });
    }

    if (config.aurora) {
      const a = config.aurora;
      problems.push(...auroraPropProblems({
        engine: a.engine,
        name: `${ctx.org.project.name}-${ctx.account.name}-${a.name ?? 'aurora'}`,
        instanceCount: a.instanceCount,
        serverlessV2: a.serverlessV2,
        backupRetentionDays: a.backupRetentionDays,
        cloudwatchLogExports: a.cloudwatchLogExports,
        parameters: a.parameters,
      }).map((p) => ({ field: `aurora.${p.field}`, message: p.message })));
      if (isPrd(ctx) && (a.instanceCount ?? 2) < 2) {
        problems.push({ field: 'aurora.instanceCount', message: 'prd needs a writer and at least one reader in another AZ (>= 2)' });
      }
    }

    if (config.cache) {
      const c = config.cache;
      const nodes = c.nodeCount ?? (isPrd(ctx) ? 2 : 1);
      const multiAz = c.multiAz ?? isPrd(ctx);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 6) problems.push({ field: 'cache.nodeCount', message: `${nodes} must be from 1 to 6` });
      if (multiAz && nodes < 2) problems.push({ field: 'cache.multiAz', message: `needs nodeCount >= 2 for a failover replica (nodeCount is ${nodes})` });
      if (c.engine !== undefined && c.engine !== 'valkey' && c.engine !== 'redis') {
        problems.push({ field: 'cache.engine', message: `"${String(c.engine)}" must be valkey or redis` });
      }
      for (const user of c.iamUsers ?? []) {
        if (!/^[a-z][a-z0-9-]*$/.test(user)) problems.push({ field: 'cache.iamUsers', message: `"${user}" must be lowercase letters, digits and hyphens` });
      }
    }

    const tables = config.dynamodb?.tables ?? [];
    const names = new Set<string>();
    tables.forEach((t, i) => {
      const field = `dynamodb.tables[${i}]`;
      if (!/^[a-zA-Z0-9_.-]{1,200}$/.test(t.name)) problems.push({ field: `${field}.name`, message: `"${t.name}" is not a valid table name` });
      if (names.has(t.name)) problems.push({ field: `${field}.name`, message: `"${t.name}" is declared twice` });
      names.add(t.name);
      if (t.replicateToDr && t.stream !== undefined && t.stream !== 'NEW_AND_OLD_IMAGES') {
        problems.push({ field: `${field}.stream`, message: `${t.stream}: a table replicated to DR needs NEW_AND_OLD_IMAGES` });
      }
      if (t.sortKey && t.sortKey.name === t.partitionKey.name) {
        problems.push({ field: `${field}.sortKey`, message: 'must differ from the partition key' });
      }
    });
    if (config.dynamodb?.dax) {
      if (tables.length === 0) problems.push({ field: 'dynamodb.dax', message: 'needs at least one table to serve' });
      const daxName = `${ctx.org.project.name}-${ctx.account.name}-dax`;
      if (daxName.length > 20) problems.push({ field: 'dynamodb.dax', message: `cluster name "${daxName}" is longer than DAX's 20 characters` });
      const n = config.dynamodb.dax.nodeCount ?? (isPrd(ctx) ? 3 : 1);
      if (!Number.isInteger(n) || n < 1 || n > 10) problems.push({ field: 'dynamodb.dax.nodeCount', message: `${n} must be from 1 to 10` });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DatabasesConfig) {
    super(scope, ctx);
    const prd = isPrd(ctx);
    const protect = config.protect ?? prd;
    const read: RemoteReader = (contract, options) => this.remote(contract, options);
    const network = this.remote(baseNetworkContract);
    const vpcId = network.get('vpc_id');

    let dataKeyArn: string;
    let logsKeyArn: string;
    if ((config.kmsKeySource ?? 'security-layer') === 'security-layer') {
      const security = this.remote(securityContract);
      dataKeyArn = security.get('data_kms_key_arn');
      logsKeyArn = security.get('logs_kms_key_arn');
    } else {
      const key = new KmsKey(this, 'data-key', {
        alias: this.resourceName('databases'),
        description: `Encrypts the databases, caches, tables and their logs of ${ctx.account.name}`,
        accountId: ctx.account.id,
        serviceStatements: [cloudWatchLogsKeyStatement(ctx.region, ctx.account.id)],
        preventDestroy: protect,
      });
      dataKeyArn = key.arn;
      logsKeyArn = key.arn;
    }

    const consumers = config.consumers ?? {};
    const sourceSgs = resolveRefList(consumers.securityGroups ?? [], read);
    const sourceCidrs = [...(consumers.cidrBlocks ?? [])];
    const consumerSg = (id: string, name: string, port: number, what: string): SecurityGroup => new SecurityGroup(this, id, {
      name,
      description: `${what}: port ${port} from the configured consumers only`,
      vpcId,
      ingress: [
        ...((consumers.securityGroups ?? []).length > 0
          ? [{ description: 'From consumer security groups', protocol: 'tcp', fromPort: port, toPort: port, securityGroups: sourceSgs }]
          : []),
        ...(sourceCidrs.length > 0
          ? [{ description: 'From consumer ranges', protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: sourceCidrs }]
          : []),
      ],
      egress: [],
      tags: { Name: name },
    });

    // --- Aurora -----------------------------------------------------------------------------------------------
    let aurora: AuroraCluster | undefined;
    let auroraConnect: IamPolicy | undefined;
    if (config.aurora) {
      const a = config.aurora;
      aurora = new AuroraCluster(this, 'aurora', {
        name: this.resourceName(a.name ?? 'aurora'),
        engine: a.engine,
        engineVersion: a.engineVersion,
        parameterGroupFamily: a.parameterGroupFamily,
        parameters: a.parameters,
        vpcId,
        dbSubnetGroupName: network.get('database_subnet_group_name'),
        availabilityZones: ctx.azs,
        instanceCount: a.instanceCount ?? (prd ? 2 : 1),
        instanceClass: a.instanceClass ?? (prd ? 'db.r6g.large' : 'db.t4g.medium'),
        serverlessV2: a.serverlessV2,
        kmsKeyArn: dataKeyArn,
        databaseName: a.databaseName,
        backupRetentionDays: a.backupRetentionDays ?? (prd ? 35 : 7),
        cloudwatchLogExports: a.cloudwatchLogExports,
        deletionProtection: protect,
        finalSnapshot: protect,
        preventDestroy: protect,
        allowedSecurityGroupIds: (consumers.securityGroups ?? []).length > 0 ? sourceSgs : [],
        allowedCidrBlocks: sourceCidrs,
      });
      const users = a.iamDatabaseUsers ?? ['app'];
      auroraConnect = new IamPolicy(this, 'aurora-connect', {
        name: this.resourceName(a.name ?? 'aurora', 'connect'),
        description: `rds-db:connect to ${aurora.clusterIdentifier} as ${users.join(', ')} with IAM authentication`,
        policy: policyDocument([{
          Sid: 'ConnectAsIamDatabaseUsers',
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: users.map((u) => `arn:aws:rds-db:${ctx.region}:${ctx.account.id}:dbuser:${aurora!.clusterResourceId}/${u}`),
        }]),
      });
    }

    // --- ElastiCache ------------------------------------------------------------------------------------------
    let cache: ElasticacheReplicationGroup | undefined;
    let cacheSg: SecurityGroup | undefined;
    let cacheConnect: IamPolicy | undefined;
    if (config.cache) {
      const c = config.cache;
      const engine = c.engine ?? 'valkey';
      const name = this.resourceName('cache');
      const nodes = c.nodeCount ?? (prd ? 2 : 1);
      const multiAz = c.multiAz ?? prd;
      // RBAC: a user group holding a disabled `default` user and IAM-authenticated users; no password anywhere.
      const defaultUser = new ElasticacheUser(this, 'cache-default-user', {
        userId: `${name}-default`,
        userName: 'default',
        engine,
        accessString: 'off -@all',
        authenticationMode: { type: 'no-password-required' },
      });
      const iamUsers = (c.iamUsers ?? ['app']).map((u) => new ElasticacheUser(this, `cache-user-${u}`, {
        userId: `${name}-${u}`,
        userName: `${name}-${u}`,
        engine,
        accessString: c.accessString ?? 'on ~* +@all -@dangerous',
        authenticationMode: { type: 'iam' },
      }));
      const userGroup = new ElasticacheUserGroup(this, 'cache-users', {
        userGroupId: name,
        engine,
        userIds: [defaultUser.userId, ...iamUsers.map((u) => u.userId)],
      });
      const subnets = new ElasticacheSubnetGroup(this, 'cache-subnets', {
        name,
        description: `${name}: isolated database subnets`,
        subnetIds: network.get('database_subnet_ids'),
      });
      cacheSg = consumerSg('cache-sg', `${name}`, CACHE_PORT, name);
      const slowLog = new CloudwatchLogGroup(this, 'cache-slow-log', {
        name: `/aws/elasticache/${name}/slow-log`,
        retentionInDays: c.slowLogRetentionDays ?? 90,
        kmsKeyId: logsKeyArn,
      });
      cache = new ElasticacheReplicationGroup(this, 'cache', {
        replicationGroupId: name,
        description: `${name} (${engine}) operational cache`,
        engine,
        engineVersion: c.engineVersion ?? (engine === 'valkey' ? '8.0' : '7.1'),
        nodeType: c.nodeType ?? (prd ? 'cache.r7g.large' : 'cache.t4g.small'),
        port: CACHE_PORT,
        numCacheClusters: nodes,
        preferredCacheClusterAzs: Array.from({ length: nodes }, (_, i) => ctx.azs[i % ctx.azs.length]),
        automaticFailoverEnabled: multiAz,
        multiAzEnabled: multiAz,
        subnetGroupName: subnets.name,
        securityGroupIds: [cacheSg.id],
        atRestEncryptionEnabled: 'true',
        kmsKeyId: dataKeyArn,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'required',
        userGroupIds: [userGroup.userGroupId],
        snapshotRetentionLimit: c.snapshotRetentionDays ?? (prd ? 7 : 1),
        snapshotWindow: '03:00-05:00',
        maintenanceWindow: 'sun:05:00-sun:07:00',
        finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
        autoMinorVersionUpgrade: 'true',
        applyImmediately: !protect,
        logDeliveryConfiguration: [{
          destination: slowLog.name,
          destinationType: 'cloudwatch-logs',
          logFormat: 'json',
          logType: 'slow-log',
        }],
        lifecycle: { preventDestroy: protect },
      });
      cacheConnect = new IamPolicy(this, 'cache-connect', {
        name: `${name}-connect`,
        description: `elasticache:Connect to ${name} as its IAM users`,
        policy: policyDocument([{
          Sid: 'ConnectAsIamCacheUsers',
          Effect: 'Allow',
          Action: 'elasticache:Connect',
          Resource: [cache.arn, ...iamUsers.map((u) => u.arn)],
        }]),
      });
    }

    // --- DynamoDB and DAX -------------------------------------------------------------------------------------
    const tables = (config.dynamodb?.tables ?? []).map((t) => {
      const stream = t.stream ?? (t.replicateToDr ? 'NEW_AND_OLD_IMAGES' : undefined);
      const keys = [t.partitionKey, ...(t.sortKey ? [t.sortKey] : [])];
      return {
        config: t,
        table: new DynamodbTable(this, `table-${t.name}`, {
          name: this.resourceName(t.name),
          billingMode: 'PAY_PER_REQUEST',
          hashKey: t.partitionKey.name,
          rangeKey: t.sortKey?.name,
          attribute: keys.map((k) => ({ name: k.name, type: k.type ?? 'S' })),
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: dataKeyArn },
          streamEnabled: stream !== undefined,
          streamViewType: stream,
          ttl: t.ttlAttribute ? { attributeName: t.ttlAttribute, enabled: true } : undefined,
          deletionProtectionEnabled: protect,
          // The dr layer adds the replica with aws_dynamodb_table_replica; this layer must not remove it.
          lifecycle: { preventDestroy: protect, ...(t.replicateToDr ? { ignoreChanges: ['replica'] } : {}) },
        }),
      };
    });

    let dax: DaxCluster | undefined;
    let daxSg: SecurityGroup | undefined;
    if (config.dynamodb?.dax) {
      const d = config.dynamodb.dax;
      const name = this.resourceName('dax');
      const tableArns = tables.map((t) => t.table.arn);
      const role = new IamRole(this, 'dax-role', {
        name: `${name}-tables`,
        description: `DAX ${name} reads and writes its tables only`,
        assumeRolePolicy: serviceTrustPolicy('dax.amazonaws.com', ctx.account.id),
      });
      new IamRolePolicy(this, 'dax-role-policy', {
        role: role.name,
        name: 'tables',
        policy: policyDocument([
          { Sid: 'Tables', Effect: 'Allow', Action: DYNAMO_DATA_ACTIONS, Resource: [...tableArns, ...tableArns.map((a) => `${a}/index/*`)] },
          { Sid: 'TableKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: dataKeyArn },
        ]),
      });
      const subnets = new DaxSubnetGroup(this, 'dax-subnets', {
        name,
        description: `${name}: private subnets`,
        subnetIds: network.get('private_subnet_ids'),
      });
      daxSg = consumerSg('dax-sg', name, DAX_TLS_PORT, name);
      const count = d.nodeCount ?? (prd ? 3 : 1);
      dax = new DaxCluster(this, 'dax', {
        clusterName: name,
        description: `${name}: cache of the operational tables`,
        iamRoleArn: role.arn,
        nodeType: d.nodeType ?? (prd ? 'dax.r5.large' : 'dax.t3.small'),
        replicationFactor: count,
        availabilityZones: Array.from({ length: count }, (_, i) => ctx.azs[i % ctx.azs.length]),
        subnetGroupName: subnets.name,
        securityGroupIds: [daxSg.id],
        serverSideEncryption: { enabled: true },
        clusterEndpointEncryptionType: 'TLS',
        maintenanceWindow: 'sun:05:00-sun:06:00',
      });
    }

    this.publish(databasesContract, {
      kms_key_arn: dataKeyArn,
      aurora_cluster_identifier: aurora?.clusterIdentifier ?? '',
      aurora_cluster_arn: aurora?.clusterArn ?? '',
      aurora_endpoint: aurora?.endpoint ?? '',
      aurora_reader_endpoint: aurora?.readerEndpoint ?? '',
      aurora_port: aurora?.port ?? 0,
      aurora_master_user_secret_arn: aurora?.masterUserSecretArn ?? '',
      aurora_security_group_id: aurora?.securityGroupId ?? '',
      aurora_connect_policy_arn: auroraConnect?.arn ?? '',
      cache_primary_endpoint: cache?.primaryEndpointAddress ?? '',
      cache_reader_endpoint: cache?.readerEndpointAddress ?? '',
      cache_port: cache ? CACHE_PORT : 0,
      cache_security_group_id: cacheSg?.id ?? '',
      cache_connect_policy_arn: cacheConnect?.arn ?? '',
      dynamodb_table_names: tables.map((t) => t.table.name),
      dynamodb_table_arns: tables.map((t) => t.table.arn),
      dynamodb_dr_table_arns: tables.filter((t) => t.config.replicateToDr).map((t) => t.table.arn),
      dax_cluster_endpoint: dax ? `daxs://${dax.clusterAddress}` : '',
      dax_security_group_id: daxSg?.id ?? '',
    });
  }
}
