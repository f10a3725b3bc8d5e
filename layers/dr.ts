import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { declaredLayer } from '../lib/layer-presence';
import { refProblems, resolveRef, type RemoteReader, type ValueRef } from '../lib/layer-ref';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { resourceName } from '../lib/naming';
import { FieldProblems, renamedField } from '../lib/validators';
import { Alb, AlbAccessLogBucket } from '../modules/alb';
import { GLOBAL_DATABASE_MANAGED_PASSWORD } from '../modules/aurora-cluster';
import { AutoScalingTier, autoScalingTierPropProblems, type AutoScalingTierProps } from '../modules/auto-scaling-tier';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { ServiceRole } from '../modules/role';
import { bucketFromName, SecureBucket } from '../modules/secure-bucket';
import { Backup, backupContract } from './backup';
import { baseNetworkContract } from './base-network';
import { Databases, databasesContract, type DatabasesFacts } from './databases';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems } from './dns-zone';
import { autoScalingRoleArn, securityContract } from './security';

export interface DrBucketReplication {
  /** Short label used in the replica bucket name `<project>-<account>-<label>-dr-<region>`. */
  readonly label: string;
  /** Source bucket name in the primary region (literal or `fromLayer(...)`); it must be versioned. */
  readonly bucketName: ValueRef;
  /** KMS key of the source bucket (the replication role decrypts with it). */
  readonly kmsKeyArn: ValueRef;
}

export interface DrAuroraConfig {
  /**
   * `backup-copy`: the account's backup layer backs the primary cluster up (it carries the `BackupPlan` tag) and copies
   * the recovery points to its vault in the DR region (restore there on failover). `global-database` is refused: the
   * clusters use an RDS-managed master password, which global databases do not support. @default 'backup-copy'
   */
  readonly mode?: 'global-database' | 'backup-copy';
  /** @deprecated Refused: the schedule is a rule of the backup plans (organizations backupPolicies or the backup layer). */
  readonly schedule?: string;
  /** @deprecated Refused: the DR copy retention is `drCopyRetentionDays` of the backup plans' rules. */
  readonly copyRetentionDays?: number;
}

export interface DrComputeConfig {
  /** @default 't3.medium' */
  readonly instanceType?: string;
  /** Capacity kept while the primary is healthy: 0 is the pilot light. @default 0 */
  readonly desiredCapacity?: number;
  /** Ceiling after a failover scale-up. @default 6 */
  readonly maxSize?: number;
  /** Port the instances serve on. @default 8080 */
  readonly port?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
}

/**
 * Route 53 failover of one name of the account's sub-zone between the primary region's load balancer and the DR one.
 * The name is a name of its own, such as the origin name CloudFront uses (the cdn layer's `appOrigin`), never a name
 * another layer holds: Route 53 refuses failover records beside a simple record of the same name and type.
 */
export interface DrFailoverConfig {
  /** Label of the failover name: `<subdomain>.<zone>`. @default 'origin' (e.g. `origin.prd.acme.example.com`) */
  readonly subdomain?: string;
  /** The dns-zone layer of this account holding the name. @default 'dns-zone' */
  readonly zoneLayer?: string;
  /** DNS name of the primary region's load balancer (PRIMARY alias target), e.g. `fromLayer(multiTierContract, 'web_alb_dns_name')`. */
  readonly primaryDnsName: ValueRef;
  /** Route 53 zone id of that load balancer (alias target zone). */
  readonly primaryZoneId: ValueRef;
  /**
   * HTTPS listener of that load balancer. Clients (and CloudFront) connect to it with the failover name as SNI, so
   * this layer attaches a certificate for the name to the listener, issued in the primary region and validated by the
   * same DNS record as the DR load balancer's certificate.
   */
  readonly primaryListenerArn: ValueRef;
  /** Path the health check requests from the primary over HTTPS. @default '/health' */
  readonly healthCheckPath?: string;
}

export interface DrConfig {
  /** base-network layer of this account in the DR region. @default 'base-network-dr' */
  readonly networkLayer?: string;
  /** Layer holding the primary data stores (a `databases` layer of this account). @default 'databases' */
  readonly databasesLayer?: string;
  /** Critical buckets replicated to the DR region with a DR-region key. @default [] */
  readonly s3Replication?: readonly DrBucketReplication[];
  /** Aurora protection in the DR region. @default - none */
  readonly aurora?: DrAuroraConfig;
  /** The backup layer of this account whose DR-region vault receives the Aurora copies. @default 'backup' */
  readonly backupLayer?: string;
  /** Replicate the tables the databases layer marks `replicateToDr` (global tables). @default true */
  readonly dynamodbReplicas?: boolean;
  /**
   * Private ECR replication of this account's registry to the DR region, by repository-name prefix. The
   * replication configuration is one per registry: leave this unset when a container-registry layer owns it.
   * @default - no ECR replication
   */
  readonly ecrRepositoryPrefixes?: readonly string[];
  /** Compute at zero capacity behind a DR load balancer. */
  readonly compute?: DrComputeConfig;
  /**
   * Route 53 failover of a name of its own: PRIMARY (health-checked) to the primary load balancer, SECONDARY to the DR
   * one. @default - none (the DR load balancer stays internal)
   */
  readonly failover?: DrFailoverConfig;
  /**
   * Deletion protection of the DR load balancer and table replicas, and `prevent_destroy` of the DR key, the replica
   * and log buckets and the table replicas. @default true in production (`isProduction`), false elsewhere
   */
  readonly protect?: boolean;
}

export const drContract = defineContract('dr', {
  dr_kms_key_arn: { description: 'KMS key of the DR region (replicas, vault, volumes)', mock: 'arn:aws:kms:us-west-2:111111111111:key/00000000-0000-0000-0000-0000000000d2' },
  replica_bucket_names: { description: 'Replica buckets in the DR region, in config order', mock: ['acme-mock-state-dr-us-west-2'] },
  backup_vault_arn: { description: 'DR-region vault of the backup layer receiving the Aurora backup copies ("" without Aurora)', mock: 'arn:aws:backup:us-west-2:111111111111:backup-vault:acme-mock-dr' },
  alb_dns_name: { description: 'DNS name of the DR load balancer', mock: 'acme-mock-dr-123456789.us-west-2.elb.amazonaws.com' },
  autoscaling_group_name: { description: 'Auto Scaling group to scale up on failover', mock: 'acme-mock-dr-app' },
  health_check_id: { description: 'Route 53 health check of the primary ("" without failover)', mock: '00000000-0000-0000-0000-0000000000hc' },
  failover_name: { description: 'Name failed over between the primary and the DR load balancer ("" without failover)', mock: 'origin.mock.acme.example.com' },
});

const DEFAULT_NETWORK_LAYER = 'base-network-dr';
const DEFAULT_FAILOVER_SUBDOMAIN = 'origin';
const DEFAULT_DATABASES_LAYER = 'databases';
const DEFAULT_BACKUP_LAYER = 'backup';

/** The failover name and its zone, when failover is configured and the account has the dns-zone layer. */
function failoverName(config: DrConfig, ctx: LayerContext): { zone: string; name: string } | undefined {
  const f = config.failover;
  return f ? subZoneName(ctx, { subdomain: f.subdomain ?? DEFAULT_FAILOVER_SUBDOMAIN, zoneLayer: f.zoneLayer }) : undefined;
}

/** What this layer knows of the databases layer it protects, when that is an enabled `databases` layer of this account. */
function databasesFacts(config: DrConfig, ctx: LayerContext): DatabasesFacts | undefined {
  const declaration = declaredLayer(ctx.org, ctx.account.name, config.databasesLayer ?? DEFAULT_DATABASES_LAYER, Databases);
  return typeof declaration === 'string' ? undefined : Databases.facts(declaration.config);
}

/** The account's backup layer must copy to the DR region: the Aurora recovery points the runbook restores come from it. */
function backupCopyProblems(config: DrConfig, ctx: LayerContext): FieldProblem[] {
  const layer = config.backupLayer ?? DEFAULT_BACKUP_LAYER;
  const declaration = declaredLayer(ctx.org, ctx.account.name, layer, Backup);
  if (typeof declaration === 'string') {
    return [{ field: 'backupLayer', message: `account ${ctx.account.name} has no enabled backup layer "${layer}" to copy the Aurora backups to the DR region` }];
  }
  try {
    if (!Backup.facts(declaration.config, { ...ctx, layer, region: ctx.account.region }).drCopies) {
      return [{ field: 'backupLayer', message: `the plans of ${ctx.account.name}/${layer} make no copy in the DR region ${ctx.region}` }];
    }
  } catch {
    // The backup layer reports its own plans problem.
  }
  return [];
}

/** The DR compute as the AutoScalingTier module takes it: at zero (the pilot light) until a failover scales it up. */
function computeProps(compute: DrComputeConfig, name: string): Pick<AutoScalingTierProps, 'name' | 'instanceType' | 'minSize' | 'desiredCapacity' | 'maxSize' | 'port' | 'healthCheckPath'> {
  return {
    name,
    instanceType: compute.instanceType ?? 't3.medium',
    minSize: 0,
    desiredCapacity: compute.desiredCapacity ?? 0,
    maxSize: compute.maxSize ?? 6,
    port: compute.port ?? 8080,
    healthCheckPath: compute.healthCheckPath ?? '/health',
  };
}

/** Addresses of the vaults this layer created before the backup layer took the Aurora copies over. */
const FORMER_VAULTS = ['aws_backup_vault.dr-vault', 'aws_backup_vault.primary-vault'];

/**
 * Pilot-light disaster recovery of an account in the project's DR region (declare it with `{ region: drRegion }`):
 * S3 replication of critical buckets to DR-region replicas under a DR key, Aurora recovery points copied by the
 * account's backup layer to its DR vault, DynamoDB global-table replicas of the operational tables, optional ECR replication, an Auto
 * Scaling group at zero behind a DR load balancer, and Route 53 failover records with a health check.
 */
export class Dr extends LayerStack {
  static readonly contract = drContract;
  static readonly stateful = true;

  /** The failover name (PRIMARY and SECONDARY A records) and its certificates (both regions, one validation record). */
  static dnsClaims(config: DrConfig, ctx: LayerContext): DnsClaims {
    const failover = failoverName(config, ctx);
    if (!failover) return NO_DNS_CLAIMS;
    return {
      records: [{
        ...failover,
        type: 'A',
        routing: 'failover',
        target: `PRIMARY alias to the ${ctx.account.region} load balancer (health-checked), SECONDARY alias to the ${ctx.region} one`,
        field: 'failover.subdomain',
        endpoint: true,
      }],
      certificates: [{ ...failover, field: 'failover.subdomain' }],
    };
  }

  static validate(config: DrConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const drRegion = ctx.org.project.drRegion;
    if (!drRegion) problems.add('region', 'the project has no drRegion');
    else if (ctx.region !== drRegion) problems.add('region', `is ${ctx.region}; declare the layer with { region: '${drRegion}' } (the project's drRegion)`);
    if (ctx.region === ctx.account.region) problems.add('region', `must differ from the account's primary region ${ctx.account.region}`);
    const networkLayer = config.networkLayer ?? DEFAULT_NETWORK_LAYER;
    const net = ctx.account.layers.get(networkLayer);
    if (!net?.enabled) problems.add('networkLayer', `account ${ctx.account.name} has no enabled layer "${networkLayer}"`);
    else if ((net.region ?? ctx.account.region) !== ctx.region) {
      problems.add('networkLayer', `"${networkLayer}" is in ${net.region ?? ctx.account.region}, not in the DR region ${ctx.region}`);
    }

    const databases = databasesFacts(config, ctx);
    if (config.aurora) {
      const mode = config.aurora.mode ?? 'backup-copy';
      if (mode === 'global-database') problems.add('aurora.mode', `global-database is refused: ${GLOBAL_DATABASE_MANAGED_PASSWORD}; use 'backup-copy'`);
      else if (mode !== 'backup-copy') problems.add('aurora.mode', `"${String(mode)}" must be backup-copy or global-database`);
      if (!databases?.aurora) problems.add('aurora', `layer "${config.databasesLayer ?? DEFAULT_DATABASES_LAYER}" of ${ctx.account.name} declares no Aurora cluster to protect`);
      for (const field of ['schedule', 'copyRetentionDays'] as const) {
        if (config.aurora[field] !== undefined) {
          problems.add(`aurora.${field}`, 'is set by the backup plans now (organizations backupPolicies, or the backup layer\'s plans): docs/data-and-dr.md, "Backups"');
        }
      }
      for (const p of backupCopyProblems(config, ctx)) problems.add(p.field, p.message);
    }
    // Nothing to replicate is fine; say so only when replicas were asked for explicitly.
    if (config.dynamodbReplicas === true && databases && databases.drReplicatedTables.length === 0) {
      problems.add('dynamodbReplicas', 'no table of the databases layer has replicateToDr');
    }
    const labels = new Set<string>();
    (config.s3Replication ?? []).forEach((b, i) => {
      if (!/^[a-z0-9][a-z0-9-]{0,20}$/.test(b.label)) problems.add(`s3Replication[${i}].label`, `"${b.label}" must be 1-21 lowercase letters, digits or hyphens`);
      if (labels.has(b.label)) problems.add(`s3Replication[${i}].label`, `"${b.label}" is used twice`);
      labels.add(b.label);
      for (const p of [...refProblems(`s3Replication[${i}].bucketName`, b.bucketName), ...refProblems(`s3Replication[${i}].kmsKeyArn`, b.kmsKeyArn)]) problems.add(p.field, p.message);
    });
    // The instances' rules are the AutoScalingTier module's, under this config's field names.
    const name = resourceName(ctx.org.project.name, ctx.account.name, 'dr-app');
    for (const p of autoScalingTierPropProblems(computeProps(config.compute ?? {}, name))) problems.add(p.field === 'name' ? 'compute' : `compute.${p.field}`, p.message);
    if (config.failover) {
      const f = config.failover;
      for (const p of [
        ...refProblems('failover.primaryDnsName', f.primaryDnsName),
        ...refProblems('failover.primaryZoneId', f.primaryZoneId),
        ...refProblems('failover.primaryListenerArn', f.primaryListenerArn),
        ...subZoneNameProblems('failover', { subdomain: f.subdomain ?? DEFAULT_FAILOVER_SUBDOMAIN, zoneLayer: f.zoneLayer }, ctx),
        ...dnsClaimProblems(ctx, Dr.dnsClaims(config, ctx)),
      ]) problems.add(p.field, p.message);
      if (f.healthCheckPath !== undefined && !f.healthCheckPath.startsWith('/')) problems.add('failover.healthCheckPath', `"${f.healthCheckPath}" must start with /`);
    }
    for (const prefix of config.ecrRepositoryPrefixes ?? []) {
      if (!/^[a-z0-9][a-z0-9._/-]*$/.test(prefix)) problems.add('ecrRepositoryPrefixes', `"${prefix}" is not a repository name prefix`);
    }
    // `protect` is the project's one protection flag; the names other layers used for it are not read here.
    problems.check('deletionProtection', renamedField(config, 'deletionProtection', 'protect'));
    problems.check('preventDestroy', renamedField(config, 'preventDestroy', 'protect'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DrConfig) {
    super(scope, ctx);
    const protect = config.protect ?? isProduction(ctx.account);
    const network = this.remote(baseNetworkContract, { layer: config.networkLayer ?? DEFAULT_NETWORK_LAYER });
    // One key for every DR copy; the compute grants it to the Auto Scaling service-linked role (volumes), which must
    // exist first (KMS refuses unknown principals): read from the security layer that holds it, when there is one.
    const drKey = new KmsKey(this, 'dr-key', {
      alias: this.resourceName('dr', ctx.region),
      description: `Encrypts the DR copies of ${ctx.account.name} in ${ctx.region}: bucket replicas, table replicas, volumes`,
      accountId: ctx.account.id,
      protect,
    });
    const replicas = this.replicateBuckets(config.s3Replication ?? [], drKey, protect);
    // Aurora: the backup layer copies the recovery points to its DR vault.
    const backupVaultArn = config.aurora ? this.remote(backupContract, { layer: config.backupLayer ?? DEFAULT_BACKUP_LAYER }).get('dr_vault_arn') : undefined;
    // The vaults this layer made before hold recovery points until they expire: Terraform forgets them, AWS keeps them.
    this.addOverride('removed', FORMER_VAULTS.map((from) => ({ from, lifecycle: { destroy: false } })));
    this.replicateTables(config, drKey, protect);
    this.replicateRegistry(config.ecrRepositoryPrefixes ?? []);

    // The failover name's certificates: one for the DR load balancer here, one for the primary load balancer's listener
    // in the primary region. ACM validates both with the same CNAME (one per name and account), owned by this layer.
    const failover = failoverName(config, ctx);
    const zoneId = failover ? this.remote(dnsZoneContract, { layer: config.failover?.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id') : undefined;
    const certificate = failover && zoneId ? new DnsValidatedCertificate(this, 'certificate', { domainNames: [failover.name], zoneId }) : undefined;

    // Compute at zero behind a DR load balancer, public (HTTPS) only when there is a failover name to serve.
    const albLogs = new AlbAccessLogBucket(this, 'alb-logs', {
      bucketName: this.globalName('s3-bucket', 'dr-alb-logs', ctx.region),
      accountId: ctx.account.id,
      region: ctx.region,
      prefix: 'alb',
      expirationDays: 90,
      protect,
    });
    const alb = new Alb(this, 'alb', {
      name: this.resourceName('dr'),
      accessLogs: { bucket: albLogs.bucketName, prefix: 'alb' },
      dependsOn: [albLogs.policy],
      vpcId: network.get('vpc_id'),
      subnetIds: network.get('public_subnet_ids'),
      internal: !certificate,
      certificateArn: certificate?.arn,
      ingressCidrs: certificate ? ['0.0.0.0/0'] : [network.get('vpc_cidr_block')],
      protect,
    });
    const compute = computeProps(config.compute ?? {}, this.resourceName('dr-app'));
    const tier = new AutoScalingTier(this, 'app', {
      ...compute,
      vpcId: network.get('vpc_id'),
      subnetIds: network.get('private_subnet_ids'),
      ebsKmsKey: drKey,
      autoScalingServiceLinkedRoleArn: autoScalingRoleArn(ctx, () => this.remote(securityContract)),
      loadBalancer: { arnSuffix: alb.arnSuffix, listener: alb.listener },
    });
    alb.connectTo('app', tier.securityGroup.id, compute.port);
    alb.listener.putDefaultAction([{ type: 'forward', targetGroupArn: tier.targetGroup.arn }]);

    const healthCheck = config.failover && failover && zoneId && certificate
      ? this.failoverRecords(config.failover, failover.name, zoneId, certificate, alb)
      : undefined;

    this.publish(drContract, {
      dr_kms_key_arn: drKey.arn,
      replica_bucket_names: replicas.map((r) => r.bucketName),
      backup_vault_arn: backupVaultArn ?? '',
      alb_dns_name: alb.dnsName,
      autoscaling_group_name: tier.group.name,
      health_check_id: healthCheck?.id ?? '',
      failover_name: failover?.name ?? '',
    });
  }

  private readonly read: RemoteReader = (contract, options) => this.remote(contract, options);

  /**
   * S3 replication of each source bucket (in the primary region) to a replica under the DR key, by one role S3
   * assumes. Its policy is the buckets' replication grants: each source's versions and key (through S3 of the primary
   * region), each replica's writes and the DR key (through S3 of the DR region).
   */
  private replicateBuckets(buckets: readonly DrBucketReplication[], drKey: KmsKey, protect: boolean): SecureBucket[] {
    if (buckets.length === 0) return [];
    const { account, region } = this.ctx;
    const accessLogs = new LogBucket(this, 'replica-access-logs', {
      bucketName: this.globalName('s3-bucket', 'dr-s3-access-logs', region),
      sourceAccountId: account.id,
      protect,
    });
    const role = new ServiceRole(this, 's3-replication-role', {
      name: this.resourceName('dr-s3-replication'),
      description: `S3 replication of the critical buckets of ${account.name} to ${region}`,
      service: 's3.amazonaws.com',
      sourceAccount: account.id,
      policyName: 'replicate',
      ids: { policy: 's3-replication-policy' },
    });
    const sources = buckets.map((b) => {
      const name = resolveRef(b.bucketName, this.read);
      return { label: b.label, name, bucket: bucketFromName(name, resolveRef(b.kmsKeyArn, this.read)) };
    });
    for (const s of sources) s.bucket.grantReplicationSource(role, account.region);
    const replicas = sources.map((s) => new SecureBucket(this, `replica-${s.label}`, {
      bucketName: this.globalName('s3-bucket', s.label, 'dr', region),
      kmsKeyArn: drKey.arn,
      accessLogs: { bucket: accessLogs.bucketName, prefix: `${s.label}/` },
      protect,
    }));
    for (const replica of replicas) replica.grantReplicationDestination(role, region);
    const primary = this.providerFor(account.region);
    sources.forEach((s, i) => {
      new S3BucketReplicationConfigurationA(this, `replication-${s.label}`, {
        provider: primary,
        bucket: s.name,
        role: role.arn,
        rule: [{
          id: `to-${region}`,
          status: 'Enabled',
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: { bucket: replicas[i].arn, storageClass: 'STANDARD_IA', encryptionConfiguration: { replicaKmsKeyId: drKey.arn } },
        }],
        // S3 starts replicating new objects at once and never retries a version that failed for want of permissions.
        dependsOn: role.permissions,
      });
    });
    return replicas;
  }

  /** Global-table replicas of the tables the databases layer marks `replicateToDr`, under the DR key. */
  private replicateTables(config: DrConfig, drKey: KmsKey, protect: boolean): void {
    const facts = databasesFacts(config, this.ctx);
    if (!facts) return;
    // Read even without tables to replicate: the layer follows the data stores it protects.
    const databases = this.remote(databasesContract, { layer: config.databasesLayer ?? DEFAULT_DATABASES_LAYER });
    if (!(config.dynamodbReplicas ?? true) || facts.drReplicatedTables.length === 0) return;
    // The ARNs come from the databases layer's state, known at plan time: one replica per table.
    const tables = TerraformIterator.fromList(databases.get('dynamodb_dr_table_arns'));
    new DynamodbTableReplicaA(this, 'table-replica', {
      forEach: tables,
      globalTableArn: tables.value,
      kmsKeyArn: drKey.arn,
      pointInTimeRecovery: true,
      deletionProtectionEnabled: protect,
      lifecycle: { preventDestroy: protect },
    });
  }

  /** Private ECR replication of this registry to the DR region, by repository-name prefix (one configuration per registry). */
  private replicateRegistry(prefixes: readonly string[]): void {
    if (prefixes.length === 0) return;
    new EcrReplicationConfiguration(this, 'ecr-replication', {
      provider: this.providerFor(this.ctx.account.region),
      replicationConfiguration: {
        rule: [{
          destination: [{ region: this.ctx.region, registryId: this.ctx.account.id }],
          repositoryFilter: prefixes.map((p) => ({ filter: p, filterType: 'PREFIX_MATCH' })),
        }],
      },
    });
  }

  /**
   * Route 53 failover of `name`: PRIMARY to the primary load balancer while its health check passes, SECONDARY to the DR
   * one. The primary's listener presents the name's certificate too (SNI), issued in the primary region.
   */
  private failoverRecords(f: DrFailoverConfig, name: string, zoneId: string, certificate: DnsValidatedCertificate, alb: Alb): Route53HealthCheck {
    const { account, region } = this.ctx;
    const primary = this.providerFor(account.region);
    const primaryDns = resolveRef(f.primaryDnsName, this.read);
    new LbListenerCertificate(this, 'primary-listener-certificate', {
      provider: primary,
      listenerArn: resolveRef(f.primaryListenerArn, this.read),
      certificateArn: certificate.alsoIn('primary', primary),
    });
    // Route 53 health checkers do not validate the certificate, so the load balancer's own name is checked.
    const healthCheck = new Route53HealthCheck(this, 'primary-health', {
      type: 'HTTPS',
      fqdn: primaryDns,
      port: 443,
      resourcePath: f.healthCheckPath ?? '/health',
      failureThreshold: 3,
      requestInterval: 30,
      enableSni: true,
      tags: { Name: `${name} primary (${account.region})` },
    });
    new Route53Record(this, 'failover-primary', {
      zoneId,
      name,
      type: 'A',
      setIdentifier: `primary-${account.region}`,
      failoverRoutingPolicy: { type: 'PRIMARY' },
      healthCheckId: healthCheck.id,
      alias: { name: primaryDns, zoneId: resolveRef(f.primaryZoneId, this.read), evaluateTargetHealth: true },
    });
    // Not evaluated: the pilot light has no healthy target until it is scaled up, and when both records are
    // unhealthy Route 53 answers with the PRIMARY, the impaired region.
    new Route53Record(this, 'failover-secondary', {
      zoneId,
      name,
      type: 'A',
      setIdentifier: `secondary-${region}`,
      failoverRoutingPolicy: { type: 'SECONDARY' },
      alias: { name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: false },
    });
    return healthCheck;
  }
}
