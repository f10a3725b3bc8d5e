import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { RDS_CONNECT_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';
import { ServiceRole } from './role';

/** What Enhanced Monitoring's role may do: publish OS metrics to CloudWatch Logs (AWS managed). */
const ENHANCED_MONITORING_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';
import { backupPlanChoiceProblem, backupPlanTags, DEFAULT_BACKUP_PLAN, type BackupPlanChoice } from './backup-tag';

export type AuroraEngine = 'aurora-postgresql' | 'aurora-mysql';

/** Aurora Serverless v2 capacity range in ACUs (0.5 ACU steps). */
export interface AuroraServerlessV2Scaling {
  /** Lowest capacity, from 0 (auto-pause, recent engine versions only) to 256. */
  readonly minCapacity: number;
  /** Highest capacity, up to 256; must be at least minCapacity. */
  readonly maxCapacity: number;
}

export interface AuroraClusterProps {
  /** Cluster identifier, also the prefix of the instances, parameter group and security group names. Lowercase, hyphens. */
  readonly name: string;
  /** `aurora-postgresql` or `aurora-mysql`. */
  readonly engine: AuroraEngine;
  /**
   * Engine version the cluster is created with. With `autoMinorVersionUpgrade` (the default) it is only that: RDS
   * moves the cluster to newer minors in the maintenance window and the module ignores the difference, so a plan
   * never tries a downgrade the API refuses. With `autoMinorVersionUpgrade: false` it is the exact version Terraform
   * keeps, and changing it upgrades the cluster. @default AURORA_DEFAULT_ENGINE_VERSIONS[engine]
   */
  readonly engineVersion?: string;
  /**
   * Let RDS apply minor versions in the maintenance window (every instance opts in; Aurora upgrades only then), and
   * ignore `engine_version` after creation. Set false to own every upgrade through `engineVersion` (e.g. to stay on a
   * long-term-support minor); then upgrade before the minor's end of support, or AWS upgrades it anyway. @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Allow a change of `engineVersion` to a new major version (only with `autoMinorVersionUpgrade: false`, when the
   * module applies version changes; choose a matching `parameterGroupFamily`). @default false
   */
  readonly allowMajorVersionUpgrade?: boolean;
  /** Family of the cluster parameter group; must match engineVersion. @default 'aurora-postgresql16' or 'aurora-mysql8.0' */
  readonly parameterGroupFamily?: string;
  /** Extra cluster parameters on top of the TLS one (which cannot be turned off here). @default {} */
  readonly parameters?: Readonly<Record<string, string>>;
  /** VPC of the security group (the one holding the DB subnet group). */
  readonly vpcId: string;
  /** Existing DB subnet group over isolated database subnets (base-network's `database_subnet_group_name`). */
  readonly dbSubnetGroupName: string;
  /** AZs the instances are spread over round-robin (writer in the first). @default - RDS chooses the AZ of each instance */
  readonly availabilityZones?: readonly string[];
  /** Number of instances: 1 writer plus (count - 1) readers. Use at least 2 in production for a multi-AZ failover target. @default 2 */
  readonly instanceCount?: number;
  /** Instance class; forced to `db.serverless` when serverlessV2 is set. @default 'db.r6g.large' */
  readonly instanceClass?: string;
  /** Serverless v2 scaling; when set, every instance is `db.serverless`. @default - provisioned instances */
  readonly serverlessV2?: AuroraServerlessV2Scaling;
  /** KMS key ARN encrypting the storage, snapshots and (by default) the master secret and Performance Insights. */
  readonly kmsKeyArn: string;
  /**
   * KMS key ARN of the Secrets Manager secret RDS creates for the master user (`manage_master_user_password`).
   * There is deliberately no way to pass a literal password. @default kmsKeyArn
   */
  readonly masterUserSecretKmsKeyArn?: string;
  /** Master user name (the password is generated and rotated by RDS in Secrets Manager). @default 'dbadmin' */
  readonly masterUsername?: string;
  /** Name of a database created with the cluster. @default - none created */
  readonly databaseName?: string;
  /** Listener port. @default 5432 for aurora-postgresql, 3306 for aurora-mysql */
  readonly port?: number;
  /** IAM database authentication (CKV_AWS_162). @default true */
  readonly iamDatabaseAuthentication?: boolean;
  /** Days automated backups are kept, 1 to 35. @default 7 */
  readonly backupRetentionDays?: number;
  /** Daily backup window, UTC. @default '03:00-04:00' */
  readonly preferredBackupWindow?: string;
  /** Weekly maintenance window, UTC; must not overlap the backup window. @default 'sun:05:00-sun:06:00' */
  readonly preferredMaintenanceWindow?: string;
  /** Performance Insights on every instance. @default true */
  readonly performanceInsights?: boolean;
  /** KMS key ARN of Performance Insights data. @default kmsKeyArn */
  readonly performanceInsightsKmsKeyArn?: string;
  /** Days Performance Insights data is kept: 7 (free) or a multiple of 31 up to 731. @default 7 */
  readonly performanceInsightsRetentionDays?: number;
  /** Enhanced Monitoring interval in seconds (0 turns it off; otherwise a monitoring role is created). @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /** Log types exported to CloudWatch Logs. @default ['postgresql'] for aurora-postgresql, ['audit', 'error', 'slowquery'] for aurora-mysql */
  readonly cloudwatchLogExports?: readonly string[];
  /**
   * Protect the data: deletion protection at the API (CKV_AWS_139), a final snapshot `<name>-final` when the cluster is
   * deleted anyway, and `prevent_destroy` on the cluster and its instances. @default true
   */
  readonly protect?: boolean;
  /** Security groups admitted on the engine port (e.g. service or node security groups from remote state). @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** IPv4 ranges admitted on the engine port (e.g. a VPN or a peered VPC). @default [] */
  readonly allowedCidrBlocks?: readonly string[];
  /** Apply modifications immediately instead of in the maintenance window. @default false */
  readonly applyImmediately?: boolean;
  /**
   * AWS Backup plan that backs the cluster up (the `BackupPlan` tag, modules/backup-tag.ts), on top of the automated
   * backups; `false` leaves it to the automated backups alone. @default DEFAULT_BACKUP_PLAN ('standard')
   */
  readonly backupPlan?: BackupPlanChoice;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Versions new clusters are created with: the long-term-support minor of each major, creatable for at least three
 * years from its release (a regular minor only about one). Aurora PostgreSQL 16 is in standard support until
 * 2029-02-28, Aurora MySQL 3 (MySQL 8.0) until 2028-04-30 (docs/data-and-dr.md, "Engine versions").
 */
export const AURORA_DEFAULT_ENGINE_VERSIONS: Readonly<Record<AuroraEngine, string>> = {
  'aurora-postgresql': '16.8',
  'aurora-mysql': '8.0.mysql_aurora.3.10.0',
};

const ENGINE_DEFAULTS: Record<AuroraEngine, { version: string; family: string; port: number; logs: string[]; tls: Record<string, string> }> = {
  'aurora-postgresql': { version: AURORA_DEFAULT_ENGINE_VERSIONS['aurora-postgresql'], family: 'aurora-postgresql16', port: 5432, logs: ['postgresql'], tls: { 'rds.force_ssl': '1' } },
  'aurora-mysql': {
    version: AURORA_DEFAULT_ENGINE_VERSIONS['aurora-mysql'],
    family: 'aurora-mysql8.0',
    port: 3306,
    logs: ['audit', 'error', 'slowquery'],
    tls: { require_secure_transport: 'ON' },
  },
};

/** Log types each engine can export; anything else is refused by RDS at apply time, so it is refused here at synth. */
const EXPORTABLE_LOGS: Record<AuroraEngine, readonly string[]> = {
  'aurora-postgresql': ['postgresql', 'iam-db-auth-error', 'instance'],
  'aurora-mysql': ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error', 'instance'],
};

/** Why a global database is refused: RDS cannot manage the master password of a cluster in a global cluster. */
export const GLOBAL_DATABASE_MANAGED_PASSWORD =
  'Aurora global databases do not support an RDS-managed master password (manage_master_user_password), ' +
  'and this project never takes a literal password';

/** Config problems of the props that need no AWS, as plain messages. Also called by layers' validate(). */
export function auroraPropProblems(props: Partial<AuroraClusterProps>): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (props.engine !== undefined && !(props.engine in ENGINE_DEFAULTS)) {
    problems.push({ field: 'engine', message: `"${String(props.engine)}" must be aurora-postgresql or aurora-mysql` });
  }
  if (props.name !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(props.name)) {
    problems.push({ field: 'name', message: `"${props.name}" must start with a letter and hold only lowercase letters, digits and hyphens (max 63)` });
  }
  const retention = props.backupRetentionDays;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < 1 || retention > 35)) {
    problems.push({ field: 'backupRetentionDays', message: `${retention} must be a whole number of days from 1 to 35` });
  }
  const count = props.instanceCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 16)) {
    problems.push({ field: 'instanceCount', message: `${count} must be from 1 to 16 (one writer, up to 15 readers)` });
  }
  const s = props.serverlessV2;
  if (s && (s.minCapacity < 0 || s.maxCapacity > 256 || s.minCapacity > s.maxCapacity || s.maxCapacity < 1)) {
    problems.push({ field: 'serverlessV2', message: `capacity ${s.minCapacity}-${s.maxCapacity} ACU must satisfy 0 <= min <= max <= 256 and max >= 1` });
  } else if (s && (s.minCapacity % 0.5 !== 0 || s.maxCapacity % 0.5 !== 0)) {
    // Serverless v2 scales in half ACUs; RDS refuses any other capacity (InvalidParameterValue).
    problems.push({ field: 'serverlessV2', message: `capacity ${s.minCapacity}-${s.maxCapacity} ACU must be in steps of 0.5 ACU` });
  }
  const pi = props.performanceInsightsRetentionDays;
  if (pi !== undefined && pi !== 7 && !(pi % 31 === 0 && pi >= 31 && pi <= 731)) {
    problems.push({ field: 'performanceInsightsRetentionDays', message: `${pi} must be 7 or a multiple of 31 up to 731` });
  }
  const plan = backupPlanChoiceProblem(props.backupPlan);
  if (plan) problems.push({ field: 'backupPlan', message: plan });
  const interval = props.monitoringIntervalSeconds;
  if (interval !== undefined && ![0, 1, 5, 10, 15, 30, 60].includes(interval)) {
    problems.push({ field: 'monitoringIntervalSeconds', message: `${interval} must be one of 0, 1, 5, 10, 15, 30, 60` });
  }
  if (props.engine && props.engine in ENGINE_DEFAULTS) {
    for (const log of props.cloudwatchLogExports ?? []) {
      if (!EXPORTABLE_LOGS[props.engine].includes(log)) {
        problems.push({ field: 'cloudwatchLogExports', message: `"${log}" is not a log type of ${props.engine} (${EXPORTABLE_LOGS[props.engine].join(', ')})` });
      }
    }
    const tlsParam = Object.keys(ENGINE_DEFAULTS[props.engine].tls)[0];
    if (props.parameters && tlsParam in props.parameters) {
      problems.push({ field: `parameters.${tlsParam}`, message: 'is always forced on by the module (TLS only) and cannot be overridden' });
    }
  }
  if (props.allowMajorVersionUpgrade && props.autoMinorVersionUpgrade !== false) {
    problems.push({ field: 'allowMajorVersionUpgrade', message: 'needs autoMinorVersionUpgrade: false (with automatic minor upgrades the module ignores engineVersion changes)' });
  }
  for (const cidr of props.allowedCidrBlocks ?? []) {
    if (cidr === '0.0.0.0/0') problems.push({ field: 'allowedCidrBlocks', message: '0.0.0.0/0 would open the database to any address' });
  }
  return problems;
}

/**
 * An Aurora cluster (PostgreSQL or MySQL): a writer and readers spread over AZs, provisioned or Serverless v2,
 * KMS-encrypted storage, the master password generated and kept by RDS in Secrets Manager, IAM database
 * authentication, backups, Performance Insights and Enhanced Monitoring, log exports, TLS forced by the cluster
 * parameter group, deletion protection and a final snapshot, and a security group that admits only the given
 * sources on the engine port and has no egress.
 */
export class AuroraCluster extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: RdsClusterInstance[];
  readonly parameterGroup: RdsClusterParameterGroup;
  readonly securityGroup: SecurityGroup;
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  /** Resource id used in `rds-db:connect` IAM policies. */
  readonly clusterResourceId: string;
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  /** ARN of the Secrets Manager secret holding the master credentials, managed by RDS. */
  readonly masterUserSecretArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: AuroraClusterProps) {
    super(scope, id);
    const problems = auroraPropProblems(props);
    if (problems.length > 0) {
      throw new Error(`AuroraCluster ${props.name}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    }
    const provider = props.provider;
    const defaults = ENGINE_DEFAULTS[props.engine];
    const port = props.port ?? defaults.port;
    const name = props.name;

    this.parameterGroup = new RdsClusterParameterGroup(this, 'parameters', {
      provider,
      name: `${name}-cluster`,
      family: props.parameterGroupFamily ?? defaults.family,
      description: `${name}: TLS-only connections`,
      parameter: Object.entries({ ...(props.parameters ?? {}), ...defaults.tls }).map(([n, value]) => ({ name: n, value })),
      lifecycle: { createBeforeDestroy: true },
    });

    const sgIds = props.allowedSecurityGroupIds ?? [];
    const cidrs = props.allowedCidrBlocks ?? [];
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      provider,
      name: `${name}-aurora`,
      description: `${name}: engine port ${port} from allowed consumers only`,
      vpcId: props.vpcId,
      ingress: [
        ...(sgIds.length > 0
          ? [{ description: 'Engine port from consumer security groups', protocol: 'tcp', fromPort: port, toPort: port, securityGroups: [...sgIds] }]
          : []),
        ...(cidrs.length > 0
          ? [{ description: 'Engine port from consumer ranges', protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: [...cidrs] }]
          : []),
      ],
      // A database initiates no connections.
      egress: [],
      tags: { Name: `${name}-aurora` },
    });

    const protect = props.protect ?? true;
    const serverless = props.serverlessV2;
    // Automatic minor upgrades move the running version past engineVersion; without ignore_changes every later plan
    // would try to go back, a downgrade RDS refuses (terraform-aws-modules/terraform-aws-rds-aurora#454).
    const autoMinor = props.autoMinorVersionUpgrade ?? true;
    this.cluster = new RdsCluster(this, 'cluster', {
      provider,
      clusterIdentifier: name,
      engine: props.engine,
      engineVersion: props.engineVersion ?? defaults.version,
      allowMajorVersionUpgrade: props.allowMajorVersionUpgrade,
      engineMode: 'provisioned',
      port,
      dbSubnetGroupName: props.dbSubnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.id],
      dbClusterParameterGroupName: this.parameterGroup.name,
      databaseName: props.databaseName,
      masterUsername: props.masterUsername ?? 'dbadmin',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.masterUserSecretKmsKeyArn ?? props.kmsKeyArn,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      iamDatabaseAuthenticationEnabled: props.iamDatabaseAuthentication ?? true,
      backupRetentionPeriod: props.backupRetentionDays ?? 7,
      preferredBackupWindow: props.preferredBackupWindow ?? '03:00-04:00',
      preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:05:00-sun:06:00',
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: [...(props.cloudwatchLogExports ?? defaults.logs)],
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
      applyImmediately: props.applyImmediately ?? false,
      serverlessv2ScalingConfiguration: serverless ? { minCapacity: serverless.minCapacity, maxCapacity: serverless.maxCapacity } : undefined,
      tags: backupPlanTags(props.backupPlan ?? DEFAULT_BACKUP_PLAN),
      lifecycle: { preventDestroy: protect, ...(autoMinor ? { ignoreChanges: ['engine_version'] } : {}) },
    });

    const interval = props.monitoringIntervalSeconds ?? 60;
    let monitoringRoleArn: string | undefined;
    if (interval > 0) {
      const role = new ServiceRole(this, 'monitoring-role', {
        provider,
        name: `${name}-rds-monitoring`,
        description: `Enhanced Monitoring of ${name}`,
        service: 'monitoring.rds.amazonaws.com',
        managedPolicyArns: [ENHANCED_MONITORING_POLICY],
        ids: { managedPolicies: ['monitoring-policy'] },
      });
      monitoringRoleArn = role.arn;
    }

    const performanceInsights = props.performanceInsights ?? true;
    const azs = props.availabilityZones ?? [];
    const count = props.instanceCount ?? 2;
    this.instances = [];
    for (let i = 0; i < count; i++) {
      this.instances.push(new RdsClusterInstance(this, `instance-${i}`, {
        provider,
        identifier: `${name}-${i + 1}`,
        clusterIdentifier: this.cluster.id,
        // No engine_version: an Aurora instance runs the cluster's version (CreateDBInstance ignores it for Aurora).
        engine: props.engine,
        instanceClass: serverless ? 'db.serverless' : (props.instanceClass ?? 'db.r6g.large'),
        availabilityZone: azs.length > 0 ? azs[i % azs.length] : undefined,
        // Tier 0 for the first two instances: the writer and its preferred failover target.
        promotionTier: i < 2 ? 0 : 1,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: autoMinor,
        copyTagsToSnapshot: true,
        performanceInsightsEnabled: performanceInsights,
        performanceInsightsKmsKeyId: performanceInsights ? (props.performanceInsightsKmsKeyArn ?? props.kmsKeyArn) : undefined,
        performanceInsightsRetentionPeriod: performanceInsights ? (props.performanceInsightsRetentionDays ?? 7) : undefined,
        monitoringInterval: interval,
        monitoringRoleArn,
        applyImmediately: props.applyImmediately ?? false,
        lifecycle: { preventDestroy: props.protect ?? true },
      }));
    }

    this.clusterIdentifier = this.cluster.clusterIdentifier;
    this.clusterArn = this.cluster.arn;
    this.clusterResourceId = this.cluster.clusterResourceId;
    this.endpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.port = port;
    this.masterUserSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    this.securityGroupId = this.securityGroup.id;
  }

  /**
   * `rds-db:connect` as these database users with IAM authentication (the users must exist in the database and be
   * granted `rds_iam`). https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
   */
  grantConnect(grantee: Grantable, options: { readonly users: readonly string[]; readonly region: string; readonly accountId: string }): void {
    grantee.addToPolicy(allow('ConnectAsIamDatabaseUsers', RDS_CONNECT_ACTIONS,
      options.users.map((u) => `arn:aws:rds-db:${options.region}:${options.accountId}:dbuser:${this.clusterResourceId}/${u}`)));
  }
}
