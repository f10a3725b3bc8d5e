import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { Alb, AlbAccessLogBucket } from '../modules/alb';
import { GLOBAL_DATABASE_MANAGED_PASSWORD } from '../modules/aurora-cluster';
import { AutoScalingTier, autoScalingTierPropProblems } from '../modules/auto-scaling-tier';
import { autoScalingServiceLinkedRoleArn, autoScalingVolumeKeyStatements, KmsKey } from '../modules/kms-key';
import { declaresLayer } from '../lib/layer-presence';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { refProblems, resolveRef, type RemoteReader, type ValueRef } from '../lib/layer-ref';
import { policyDocument, serviceTrustPolicy } from '../modules/policy';
import { LogBucket } from '../modules/log-bucket';
import { SecureBucket } from '../modules/secure-bucket';
import { Backup, backupContract, type BackupConfig } from './backup';
import { baseNetworkContract } from './base-network';
import { Databases, databasesContract, type DatabasesConfig } from './databases';
import { securityContract } from './security';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems } from './dns-zone';

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

/** The failover name and its zone, when failover is configured and the account has the dns-zone layer. */
function failoverName(config: DrConfig, ctx: LayerContext): { zone: string; name: string } | undefined {
  const f = config.failover;
  return f ? subZoneName(ctx, { subdomain: f.subdomain ?? DEFAULT_FAILOVER_SUBDOMAIN, zoneLayer: f.zoneLayer }) : undefined;
}

/** The databases declaration this layer protects, when it is a `databases` layer of this account. */
function databasesDeclaration(config: DrConfig, ctx: LayerContext): DatabasesConfig | undefined {
  const decl = ctx.account.layers.get(config.databasesLayer ?? 'databases');
  return decl?.enabled && decl.kind === Databases ? (decl.config as DatabasesConfig) : undefined;
}

/** The account's backup layer must copy to the DR region: the Aurora recovery points the runbook restores come from it. */
function backupCopyProblems(config: DrConfig, ctx: LayerContext): FieldProblem[] {
  const layer = config.backupLayer ?? 'backup';
  const decl = ctx.account.layers.get(layer);
  if (!decl?.enabled || decl.kind !== Backup) {
    return [{ field: 'backupLayer', message: `account ${ctx.account.name} has no enabled backup layer "${layer}" to copy the Aurora backups to the DR region` }];
  }
  try {
    if (!Backup.facts(decl.config as BackupConfig, { ...ctx, layer, region: ctx.account.region }).drCopies) {
      return [{ field: 'backupLayer', message: `the plans of ${ctx.account.name}/${layer} make no copy in the DR region ${ctx.region}` }];
    }
  } catch {
    // The backup layer reports its own plans problem.
  }
  return [];
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
    const problems: FieldProblem[] = [];
    const drRegion = ctx.org.project.drRegion;
    if (!drRegion) problems.push({ field: 'region', message: 'the project has no drRegion' });
    else if (ctx.region !== drRegion) problems.push({ field: 'region', message: `is ${ctx.region}; declare the layer with { region: '${drRegion}' } (the project's drRegion)` });
    if (ctx.region === ctx.account.region) problems.push({ field: 'region', message: `must differ from the account's primary region ${ctx.account.region}` });
    const net = ctx.account.layers.get(config.networkLayer ?? DEFAULT_NETWORK_LAYER);
    if (!net?.enabled) problems.push({ field: 'networkLayer', message: `account ${ctx.account.name} has no enabled layer "${config.networkLayer ?? DEFAULT_NETWORK_LAYER}"` });
    else if ((net.region ?? ctx.account.region) !== ctx.region) {
      problems.push({ field: 'networkLayer', message: `"${config.networkLayer ?? DEFAULT_NETWORK_LAYER}" is in ${net.region ?? ctx.account.region}, not in the DR region ${ctx.region}` });
    }

    const databases = databasesDeclaration(config, ctx);
    if (config.aurora) {
      const mode = config.aurora.mode ?? 'backup-copy';
      if (mode === 'global-database') {
        problems.push({ field: 'aurora.mode', message: `global-database is refused: ${GLOBAL_DATABASE_MANAGED_PASSWORD}; use 'backup-copy'` });
      } else if (mode !== 'backup-copy') {
        problems.push({ field: 'aurora.mode', message: `"${String(mode)}" must be backup-copy or global-database` });
      }
      if (!databases?.aurora) problems.push({ field: 'aurora', message: `layer "${config.databasesLayer ?? 'databases'}" of ${ctx.account.name} declares no Aurora cluster to protect` });
      for (const field of ['schedule', 'copyRetentionDays'] as const) {
        if (config.aurora[field] !== undefined) {
          problems.push({ field: `aurora.${field}`, message: 'is set by the backup plans now (organizations backupPolicies, or the backup layer\'s plans): docs/data-and-dr.md, "Backups"' });
        }
      }
      problems.push(...backupCopyProblems(config, ctx));
    }
    if ((config.dynamodbReplicas ?? true) && databases && !(databases.dynamodb?.tables ?? []).some((t) => t.replicateToDr)) {
      // Nothing to replicate is fine; say so only when replicas were asked for explicitly.
      if (config.dynamodbReplicas === true) problems.push({ field: 'dynamodbReplicas', message: 'no table of the databases layer has replicateToDr' });
    }
    const labels = new Set<string>();
    (config.s3Replication ?? []).forEach((b, i) => {
      if (!/^[a-z0-9][a-z0-9-]{0,20}$/.test(b.label)) problems.push({ field: `s3Replication[${i}].label`, message: `"${b.label}" must be 1-21 lowercase letters, digits or hyphens` });
      if (labels.has(b.label)) problems.push({ field: `s3Replication[${i}].label`, message: `"${b.label}" is used twice` });
      labels.add(b.label);
      problems.push(...refProblems(`s3Replication[${i}].bucketName`, b.bucketName), ...refProblems(`s3Replication[${i}].kmsKeyArn`, b.kmsKeyArn));
    });
    const compute = config.compute ?? {};
    // The pilot light: minSize is always 0, so the group can stay empty until a failover scales it up.
    problems.push(...autoScalingTierPropProblems({ ...compute, minSize: 0, desiredCapacity: compute.desiredCapacity ?? 0, maxSize: compute.maxSize ?? 6 })
      .map((p) => ({ field: `compute.${p.field}`, message: p.message })));
    if (config.failover) {
      const f = config.failover;
      problems.push(
        ...refProblems('failover.primaryDnsName', f.primaryDnsName),
        ...refProblems('failover.primaryZoneId', f.primaryZoneId),
        ...refProblems('failover.primaryListenerArn', f.primaryListenerArn),
        ...subZoneNameProblems('failover', { subdomain: f.subdomain ?? DEFAULT_FAILOVER_SUBDOMAIN, zoneLayer: f.zoneLayer }, ctx),
        ...dnsClaimProblems(ctx, Dr.dnsClaims(config, ctx)),
      );
      if (f.healthCheckPath !== undefined && !f.healthCheckPath.startsWith('/')) {
        problems.push({ field: 'failover.healthCheckPath', message: `"${f.healthCheckPath}" must start with /` });
      }
    }
    for (const prefix of config.ecrRepositoryPrefixes ?? []) {
      if (!/^[a-z0-9][a-z0-9._/-]*$/.test(prefix)) problems.push({ field: 'ecrRepositoryPrefixes', message: `"${prefix}" is not a repository name prefix` });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DrConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const drRegion = ctx.region;
    const primaryRegion = ctx.account.region;
    const primary = this.providerFor(primaryRegion);
    const read: RemoteReader = (contract, options) => this.remote(contract, options);
    const network = this.remote(baseNetworkContract, { layer: config.networkLayer ?? DEFAULT_NETWORK_LAYER });
    const databasesDecl = databasesDeclaration(config, ctx);
    const databases = databasesDecl ? this.remote(databasesContract, { layer: config.databasesLayer ?? 'databases' }) : undefined;

    // The key policy names the Auto Scaling service-linked role, which must exist first (KMS refuses unknown
    // principals): reading it from the security layer that holds it orders this layer after that one.
    const autoScalingRole = declaresLayer(ctx, securityContract)
      ? this.remote(securityContract).get('autoscaling_service_linked_role_arn')
      : autoScalingServiceLinkedRoleArn(accountId);
    const drKey = new KmsKey(this, 'dr-key', {
      alias: this.resourceName('dr', drRegion),
      description: `Encrypts the DR copies of ${ctx.account.name} in ${drRegion}: bucket replicas, table replicas, volumes`,
      accountId,
      serviceStatements: autoScalingVolumeKeyStatements(autoScalingRole),
    });

    // --- S3 replication -------------------------------------------------------------------------------------
    const replicas: SecureBucket[] = [];
    const buckets = config.s3Replication ?? [];
    if (buckets.length > 0) {
      const sources = buckets.map((b) => ({ label: b.label, name: resolveRef(b.bucketName, read), key: resolveRef(b.kmsKeyArn, read) }));
      const accessLogs = new LogBucket(this, 'replica-access-logs', {
        bucketName: this.globalName('s3-bucket', 'dr-s3-access-logs', drRegion),
        sourceAccountId: accountId,
      });
      for (const s of sources) {
        replicas.push(new SecureBucket(this, `replica-${s.label}`, {
          bucketName: this.globalName('s3-bucket', s.label, 'dr', drRegion),
          kmsKeyArn: drKey.arn,
          accessLogs: { bucket: accessLogs.bucketName, prefix: `${s.label}/` },
        }));
      }
      const role = new IamRole(this, 's3-replication-role', {
        name: this.resourceName('dr-s3-replication'),
        description: `S3 replication of the critical buckets of ${ctx.account.name} to ${drRegion}`,
        assumeRolePolicy: serviceTrustPolicy('s3.amazonaws.com', accountId),
      });
      new IamRolePolicy(this, 's3-replication-policy', {
        role: role.name,
        name: 'replicate',
        policy: policyDocument([
          { Sid: 'ReadSourceConfig', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: sources.map((s) => `arn:aws:s3:::${s.name}`) },
          {
            Sid: 'ReadSourceVersions',
            Effect: 'Allow',
            Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
            Resource: sources.map((s) => `arn:aws:s3:::${s.name}/*`),
          },
          { Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: replicas.map((r) => `${r.arn}/*`) },
          {
            Sid: 'DecryptSource',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: sources.map((s) => s.key),
            Condition: { StringLike: { 'kms:ViaService': `s3.${primaryRegion}.amazonaws.com` } },
          },
          {
            Sid: 'EncryptReplica',
            Effect: 'Allow',
            Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
            Resource: drKey.arn,
            Condition: { StringLike: { 'kms:ViaService': `s3.${drRegion}.amazonaws.com` } },
          },
        ]),
      });
      sources.forEach((s, i) => {
        new S3BucketReplicationConfigurationA(this, `replication-${s.label}`, {
          provider: primary,
          bucket: s.name,
          role: role.arn,
          rule: [{
            id: `to-${drRegion}`,
            status: 'Enabled',
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
            destination: {
              bucket: replicas[i].arn,
              storageClass: 'STANDARD_IA',
              encryptionConfiguration: { replicaKmsKeyId: drKey.arn },
            },
          }],
        });
      });
    }

    // --- Aurora: the backup layer copies the recovery points to its DR vault ------------------------------------
    const backupVaultArn = config.aurora ? this.remote(backupContract, { layer: config.backupLayer ?? 'backup' }).get('dr_vault_arn') : undefined;
    // The vaults this layer made before hold recovery points until they expire: Terraform forgets them, AWS keeps them.
    this.addOverride('removed', FORMER_VAULTS.map((from) => ({ from, lifecycle: { destroy: false } })));

    // --- DynamoDB global-table replicas -------------------------------------------------------------------
    if ((config.dynamodbReplicas ?? true) && databases && (databasesDecl?.dynamodb?.tables ?? []).some((t) => t.replicateToDr)) {
      // The ARNs come from the databases layer's state, known at plan time: one replica per table.
      const tables = TerraformIterator.fromList(databases.get('dynamodb_dr_table_arns'));
      new DynamodbTableReplicaA(this, 'table-replica', {
        forEach: tables,
        globalTableArn: tables.value,
        kmsKeyArn: drKey.arn,
        pointInTimeRecovery: true,
        deletionProtectionEnabled: true,
        lifecycle: { preventDestroy: true },
      });
    }

    // --- ECR ------------------------------------------------------------------------------------------------
    const prefixes = config.ecrRepositoryPrefixes ?? [];
    if (prefixes.length > 0) {
      new EcrReplicationConfiguration(this, 'ecr-replication', {
        provider: primary,
        replicationConfiguration: {
          rule: [{
            destination: [{ region: drRegion, registryId: accountId }],
            repositoryFilter: prefixes.map((p) => ({ filter: p, filterType: 'PREFIX_MATCH' })),
          }],
        },
      });
    }

    // --- Compute at zero behind a DR load balancer ---------------------------------------------------------
    const compute = config.compute ?? {};
    const port = compute.port ?? 8080;
    const vpcId = network.get('vpc_id');
    // The failover name's certificates: one for the DR load balancer here, one for the primary load balancer's listener
    // in the primary region. ACM validates both with the same CNAME (one per name and account), owned by this layer.
    const failover = failoverName(config, ctx);
    const zoneId = failover ? this.remote(dnsZoneContract, { layer: config.failover?.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id') : undefined;
    const certificate = failover && zoneId ? new DnsValidatedCertificate(this, 'certificate', { domainNames: [failover.name], zoneId }) : undefined;
    const certificateArn = certificate?.arn;
    const albLogs = new AlbAccessLogBucket(this, 'alb-logs', {
      bucketName: this.globalName('s3-bucket', 'dr-alb-logs', drRegion),
      accountId,
      region: drRegion,
      prefix: 'alb',
      expirationDays: 90,
    });
    const alb = new Alb(this, 'alb', {
      name: this.resourceName('dr'),
      accessLogs: { bucket: albLogs.bucketName, prefix: 'alb' },
      dependsOn: [albLogs.policy],
      vpcId,
      subnetIds: network.get('public_subnet_ids'),
      internal: !certificateArn,
      certificateArn,
      ingressCidrs: certificateArn ? ['0.0.0.0/0'] : [network.get('vpc_cidr_block')],
      deletionProtection: true,
    });
    const tier = new AutoScalingTier(this, 'app', {
      name: this.resourceName('dr-app'),
      vpcId,
      subnetIds: network.get('private_subnet_ids'),
      instanceType: compute.instanceType ?? 't3.medium',
      minSize: 0,
      desiredCapacity: compute.desiredCapacity ?? 0,
      maxSize: compute.maxSize ?? 6,
      port,
      ebsKmsKeyArn: drKey.arn,
      loadBalancer: { arnSuffix: alb.arnSuffix, listener: alb.listener },
      healthCheckPath: compute.healthCheckPath ?? '/health',
    });
    alb.connectTo('app', tier.securityGroup.id, port);
    alb.listener.putDefaultAction([{ type: 'forward', targetGroupArn: tier.targetGroup.arn }]);

    // --- Route 53 failover ---------------------------------------------------------------------------------
    let healthCheck: Route53HealthCheck | undefined;
    if (config.failover && failover && zoneId && certificate) {
      const f = config.failover;
      const primaryDns = resolveRef(f.primaryDnsName, read);
      // SNI picks this certificate when a client asks the primary load balancer for the failover name.
      new LbListenerCertificate(this, 'primary-listener-certificate', {
        provider: primary,
        listenerArn: resolveRef(f.primaryListenerArn, read),
        certificateArn: certificate.alsoIn('primary', primary),
      });
      // Route 53 health checkers do not validate the certificate, so the load balancer's own name is checked.
      healthCheck = new Route53HealthCheck(this, 'primary-health', {
        type: 'HTTPS',
        fqdn: primaryDns,
        port: 443,
        resourcePath: f.healthCheckPath ?? '/health',
        failureThreshold: 3,
        requestInterval: 30,
        enableSni: true,
        tags: { Name: `${failover.name} primary (${primaryRegion})` },
      });
      new Route53Record(this, 'failover-primary', {
        zoneId,
        name: failover.name,
        type: 'A',
        setIdentifier: `primary-${primaryRegion}`,
        failoverRoutingPolicy: { type: 'PRIMARY' },
        healthCheckId: healthCheck.id,
        alias: { name: primaryDns, zoneId: resolveRef(f.primaryZoneId, read), evaluateTargetHealth: true },
      });
      // Not evaluated: the pilot light has no healthy target until it is scaled up, and when both records are
      // unhealthy Route 53 answers with the PRIMARY, the impaired region.
      new Route53Record(this, 'failover-secondary', {
        zoneId,
        name: failover.name,
        type: 'A',
        setIdentifier: `secondary-${drRegion}`,
        failoverRoutingPolicy: { type: 'SECONDARY' },
        alias: { name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: false },
      });
    }

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
}
