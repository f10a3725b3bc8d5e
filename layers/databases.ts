import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { fitName, resourceName } from '../lib/naming';
import { declaresLayer } from '../lib/layer-presence';
import { refProblems, resolveRefList, type ValueRef } from '../lib/layer-ref';
import type { LayerContext } from '../lib/model';
import { cidrBlock, FieldProblems, oneOf } from '../lib/validators';
import { AuroraCluster, auroraPropProblems, type AuroraClusterProps, type AuroraEngine, type AuroraServerlessV2Scaling } from '../modules/aurora-cluster';
import { CacheCluster, cacheClusterPropProblems, type CacheClusterProps } from '../modules/cache-cluster';
import { DAX_NAME_MAX_LENGTH, DaxCluster, daxClusterPropProblems } from '../modules/dax-cluster';
import { DynamoTable, dynamoTablePropProblems, type StreamViewType, type TableKey } from '../modules/dynamo-table';
import { KmsKey } from '../modules/kms-key';
import { ManagedPolicy } from '../modules/role';
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
  /** Version the cluster is created with; RDS upgrades minors after that. @default AURORA_DEFAULT_ENGINE_VERSIONS (modules/aurora-cluster.ts) */
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
  /** Days the slow log is kept in CloudWatch Logs (a retention CloudWatch Logs accepts). @default 90 */
  readonly slowLogRetentionDays?: number;
  /** IAM-authenticated RBAC users (user id = user name = `<cache name>-<user>`). @default ['app'] */
  readonly iamUsers?: readonly string[];
  /** ACL of the IAM users. @default 'on ~* +@all -@dangerous' */
  readonly accessString?: string;
}

export interface DynamoTableConfig {
  /** Suffix of the table name: `<project>-<account>-<name>`. */
  readonly name: string;
  readonly partitionKey: TableKey;
  /** @default - no sort key */
  readonly sortKey?: TableKey;
  /** Stream of item changes. @default - no stream, or NEW_AND_OLD_IMAGES when replicateToDr */
  readonly stream?: StreamViewType;
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

/** What other layers may know of a databases layer's configuration, without reading (or casting) the config itself. */
export interface DatabasesFacts {
  /** The layer runs an Aurora cluster. */
  readonly aurora: boolean;
  /** Suffixes of the tables to replicate to the DR region (`replicateToDr`), in config order. */
  readonly drReplicatedTables: readonly string[];
}

/** DAX allows 20 characters: `<project>-<account>-dax` when it fits, else cut with a hash (lib/naming.ts fitName). */
function daxName(ctx: LayerContext): string {
  return fitName(resourceName(ctx.org.project.name, ctx.account.name, 'dax'), DAX_NAME_MAX_LENGTH);
}

/** Settings of the cache that depend on production, shared by validate() and the constructor. */
function cacheSettings(c: DatabasesCacheConfig, prd: boolean): Pick<CacheClusterProps, 'engine' | 'engineVersion' | 'nodeType' | 'nodeCount' | 'multiAz' | 'snapshotRetentionDays' | 'slowLogRetentionDays' | 'iamUsers' | 'accessString'> {
  return {
    ...c,
    nodeType: c.nodeType ?? (prd ? 'cache.r7g.large' : 'cache.t4g.small'),
    nodeCount: c.nodeCount ?? (prd ? 2 : 1),
    multiAz: c.multiAz ?? prd,
    snapshotRetentionDays: c.snapshotRetentionDays ?? (prd ? 7 : 1),
  };
}

/**
 * The operational data stores of an account: an Aurora cluster, an ElastiCache (Valkey or Redis) replication group with
 * IAM-authenticated RBAC users, DynamoDB tables and a DAX cluster, each from its module. Keys from the security layer,
 * subnets from base-network, and only the configured consumers admitted. The constructor is longer than a screen only
 * because it publishes the nineteen outputs of the four stores.
 */
export class Databases extends LayerStack {
  static readonly contract = databasesContract;
  static readonly stateful = true;

  static facts(config: DatabasesConfig): DatabasesFacts {
    return {
      aurora: config.aurora !== undefined,
      drReplicatedTables: (config.dynamodb?.tables ?? []).filter((t) => t.replicateToDr).map((t) => t.name),
    };
  }

  static validate(config: DatabasesConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const prd = isProduction(ctx.account);
    const name = (suffix: string) => `${ctx.org.project.name}-${ctx.account.name}-${suffix}`;
    const source = config.kmsKeySource ?? 'security-layer';
    problems.check('kmsKeySource', oneOf(source, ['security-layer', 'own']));
    if (source === 'security-layer' && !declaresLayer(ctx, securityContract)) {
      problems.add('kmsKeySource', `is security-layer but account ${ctx.account.name} has no enabled security layer; add it or use 'own'`);
    }
    const consumers = config.consumers ?? {};
    for (const cidr of consumers.cidrBlocks ?? []) {
      problems.check('consumers.cidrBlocks', cidrBlock(cidr));
      if (cidr.endsWith('/0')) problems.add('consumers.cidrBlocks', `${cidr} would admit any address`);
    }
    (consumers.securityGroups ?? []).forEach((ref, i) => problems.nest(`consumers.securityGroups[${i}]`, refProblems('', ref)));
    if ((consumers.cidrBlocks ?? []).length + (consumers.securityGroups ?? []).length === 0 && (config.aurora || config.cache || config.dynamodb?.dax)) {
      problems.add('consumers', 'names no consumer; the databases would admit nobody (list cidrBlocks or securityGroups)');
    }
    if (config.aurora) {
      const a = config.aurora;
      problems.nest('aurora', auroraPropProblems({ ...a, name: name(a.name ?? 'aurora') }));
      if (prd && (a.instanceCount ?? 2) < 2) problems.add('aurora.instanceCount', 'prd needs a writer and at least one reader in another AZ (>= 2)');
    }
    if (config.cache) problems.nest('cache', cacheClusterPropProblems({ ...cacheSettings(config.cache, prd), name: name('cache') }));
    const tables = config.dynamodb?.tables ?? [];
    tables.forEach((t, i) => {
      problems.nest(`dynamodb.tables[${i}]`, dynamoTablePropProblems({ ...t, name: name(t.name), replicatedElsewhere: t.replicateToDr }));
      if (tables.slice(0, i).some((x) => x.name === t.name)) problems.add(`dynamodb.tables[${i}].name`, `"${t.name}" is declared twice`);
    });
    if (config.dynamodb?.dax) {
      if (tables.length === 0) problems.add('dynamodb.dax', 'needs at least one table to serve');
      problems.nest('dynamodb.dax', daxClusterPropProblems({ name: daxName(ctx), nodeCount: config.dynamodb.dax.nodeCount ?? (prd ? 3 : 1) }));
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DatabasesConfig) {
    super(scope, ctx);
    const prd = isProduction(ctx.account);
    const protect = config.protect ?? prd;
    const network = this.remote(baseNetworkContract);
    const vpcId = network.get('vpc_id');
    const keys = this.keys(config, protect);
    const consumers = {
      allowedSecurityGroupIds: resolveRefList(config.consumers?.securityGroups ?? [], (contract, options) => this.remote(contract, options)),
      allowedCidrBlocks: [...(config.consumers?.cidrBlocks ?? [])],
    };

    // What every store shares: the VPC, the account's AZs and the admitted consumers; Aurora and the cache also the data
    // key and protection (DAX encrypts with an AWS owned key and holds no data of its own).
    const placement = { vpcId, availabilityZones: ctx.azs, ...consumers };
    const where = { ...placement, kmsKeyArn: keys.data, protect };
    const aurora = config.aurora ? this.aurora(config.aurora, { ...where, dbSubnetGroupName: network.get('database_subnet_group_name') }) : undefined;
    const cache = config.cache ? this.cache(config.cache, { ...where, subnetIds: network.get('database_subnet_ids'), logsKmsKeyArn: keys.logs }) : undefined;
    const tableConfigs = config.dynamodb?.tables ?? [];
    const tables = tableConfigs.map((t) => new DynamoTable(this, `table-${t.name}`, {
      ...t,
      name: this.resourceName(t.name),
      kmsKeyArn: keys.data,
      // The dr layer adds the replica with aws_dynamodb_table_replica; this layer must not remove it.
      replicatedElsewhere: t.replicateToDr,
      protect,
    }));
    const dax = config.dynamodb?.dax ? new DaxCluster(this, 'dax', {
      ...placement,
      name: daxName(ctx),
      nodeType: config.dynamodb.dax.nodeType ?? (prd ? 'dax.r5.large' : 'dax.t3.small'),
      nodeCount: config.dynamodb.dax.nodeCount ?? (prd ? 3 : 1),
      tables,
      subnetIds: network.get('private_subnet_ids'),
      accountId: ctx.account.id,
    }) : undefined;

    this.publish(databasesContract, {
      kms_key_arn: keys.data,
      aurora_cluster_identifier: aurora?.cluster.clusterIdentifier ?? '',
      aurora_cluster_arn: aurora?.cluster.clusterArn ?? '',
      aurora_endpoint: aurora?.cluster.endpoint ?? '',
      aurora_reader_endpoint: aurora?.cluster.readerEndpoint ?? '',
      aurora_port: aurora?.cluster.port ?? 0,
      aurora_master_user_secret_arn: aurora?.cluster.masterUserSecretArn ?? '',
      aurora_security_group_id: aurora?.cluster.securityGroupId ?? '',
      aurora_connect_policy_arn: aurora?.connect.arn ?? '',
      cache_primary_endpoint: cache?.cluster.primaryEndpoint ?? '',
      cache_reader_endpoint: cache?.cluster.readerEndpoint ?? '',
      cache_port: cache?.cluster.port ?? 0,
      cache_security_group_id: cache?.cluster.securityGroup.id ?? '',
      cache_connect_policy_arn: cache?.connect.arn ?? '',
      dynamodb_table_names: tables.map((t) => t.name),
      dynamodb_table_arns: tables.map((t) => t.arn),
      dynamodb_dr_table_arns: tables.filter((_, i) => tableConfigs[i].replicateToDr).map((t) => t.arn),
      dax_cluster_endpoint: dax?.endpoint ?? '',
      dax_security_group_id: dax?.securityGroup.id ?? '',
    });
  }

  /** The security layer's data and logs keys, or one key of this layer for both. */
  private keys(config: DatabasesConfig, protect: boolean): { data: string; logs: string } {
    if ((config.kmsKeySource ?? 'security-layer') === 'security-layer') {
      const security = this.remote(securityContract);
      return { data: security.get('data_kms_key_arn'), logs: security.get('logs_kms_key_arn') };
    }
    const key = new KmsKey(this, 'data-key', {
      alias: this.resourceName('databases'),
      description: `Encrypts the databases, caches, tables and their logs of ${this.ctx.account.name}`,
      accountId: this.ctx.account.id,
      protect,
    });
    key.grantToService('logs', { region: this.ctx.region, accountId: this.ctx.account.id });
    return { data: key.arn, logs: key.arn };
  }

  /** The cache and the managed policy consumers attach to connect as its IAM users. */
  private cache(c: DatabasesCacheConfig, where: Omit<CacheClusterProps, 'name' | 'nodeType'>): { cluster: CacheCluster; connect: ManagedPolicy } {
    const name = this.resourceName('cache');
    const cluster = new CacheCluster(this, 'cache', { ...where, ...cacheSettings(c, isProduction(this.ctx.account)), name });
    const connect = new ManagedPolicy(this, 'cache-connect', { name: `${name}-connect`, description: `elasticache:Connect to ${name} as its IAM users` });
    cluster.grantConnect(connect);
    return { cluster, connect };
  }

  /** The Aurora cluster and the managed policy consumers attach to connect as its IAM database users. */
  private aurora(a: DatabasesAuroraConfig, where: Pick<AuroraClusterProps, 'vpcId' | 'dbSubnetGroupName' | 'availabilityZones' | 'kmsKeyArn' | 'protect' | 'allowedSecurityGroupIds' | 'allowedCidrBlocks'>): { cluster: AuroraCluster; connect: ManagedPolicy } {
    const prd = isProduction(this.ctx.account);
    const cluster = new AuroraCluster(this, 'aurora', {
      ...where,
      name: this.resourceName(a.name ?? 'aurora'),
      engine: a.engine,
      engineVersion: a.engineVersion,
      parameterGroupFamily: a.parameterGroupFamily,
      parameters: a.parameters,
      instanceCount: a.instanceCount ?? (prd ? 2 : 1),
      instanceClass: a.instanceClass ?? (prd ? 'db.r6g.large' : 'db.t4g.medium'),
      serverlessV2: a.serverlessV2,
      databaseName: a.databaseName,
      backupRetentionDays: a.backupRetentionDays ?? (prd ? 35 : 7),
      cloudwatchLogExports: a.cloudwatchLogExports,
    });
    const users = a.iamDatabaseUsers ?? ['app'];
    const connect = new ManagedPolicy(this, 'aurora-connect', {
      name: this.resourceName(a.name ?? 'aurora', 'connect'),
      description: `rds-db:connect to ${cluster.clusterIdentifier} as ${users.join(', ')} with IAM authentication`,
    });
    cluster.grantConnect(connect, { users, region: this.ctx.region, accountId: this.ctx.account.id });
    return { cluster, connect };
  }
}
