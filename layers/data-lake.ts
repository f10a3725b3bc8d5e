import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { roleArn } from '../lib/naming';
import {
  arnOf, cronExpression, FieldProblems, IAM_PRINCIPAL, IAM_ROLE_OR_USER, integerAtLeast, knownAccount, oneOf, positiveInteger,
} from '../lib/validators';
import { identityCenterTrustStatement } from '../modules/assumable-role';
import { DEFAULT_BACKUP_PLAN } from '../modules/backup-tag';
import { DataStream, dataStreamPropProblems } from '../modules/data-stream';
import { DEFAULT_FIREHOSE_ERROR_PREFIX, DEFAULT_FIREHOSE_PREFIX, FirehoseToS3, firehoseToS3PropProblems } from '../modules/firehose-to-s3';
import { KmsKey } from '../modules/kms-key';
import { LakeFormation } from '../modules/lake-formation';
import { LogBucket } from '../modules/log-bucket';
import {
  actions, ATHENA_QUERY_ACTIONS, CATALOG_READ_ACTIONS, KEY_ENCRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, LAKE_FORMATION_DATA_ACCESS_ACTIONS, LOG_GROUP_ENCRYPT_ACTIONS,
} from '../modules/perms';
import { allow } from '../modules/policy';
import { Role, ServiceRole } from '../modules/role';
import { SecureBucket } from '../modules/secure-bucket';

export const DATA_ZONES = ['raw', 'curated', 'analytics'] as const;
export type DataZone = (typeof DATA_ZONES)[number];

export interface DataLakeShare {
  /** Consumer account of the organisation, e.g. `apps-prd`; it receives the curated database through RAM. */
  readonly account: string;
  /** Permissions on every table of the curated database (also grantable by the consumer's admins). @default ['SELECT', 'DESCRIBE'] */
  readonly tablePermissions?: readonly string[];
}

export interface DataLakeStreamConfig {
  /** @default 'ON_DEMAND' */
  readonly mode?: 'ON_DEMAND' | 'PROVISIONED';
  /** Shards, PROVISIONED only. @default 1 */
  readonly shardCount?: number;
  /** @default 24 */
  readonly retentionHours?: number;
}

export interface DataLakeFirehoseConfig {
  /** Key prefix in the raw bucket, with Firehose timestamp expressions. @default DEFAULT_FIREHOSE_PREFIX */
  readonly prefix?: string;
  /** Where records that fail delivery go; must contain `!{firehose:error-output-type}`. @default DEFAULT_FIREHOSE_ERROR_PREFIX */
  readonly errorOutputPrefix?: string;
  /** @default 64 */
  readonly bufferingSizeMb?: number;
  /** @default 300 */
  readonly bufferingIntervalSeconds?: number;
}

export interface DataLakeLifecycleConfig {
  /** Days before objects move to STANDARD_IA (S3 requires at least 30). @default 30 */
  readonly infrequentAccessAfterDays?: number;
  /** Days before raw objects move to GLACIER and curated ones to GLACIER_IR (still queryable). @default 90 */
  readonly glacierAfterDays?: number;
}

export interface DataLakeAthenaConfig {
  /** Per-query scan limit in bytes. @default 10 GiB */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Days query results are kept. @default 30 */
  readonly resultsExpirationDays?: number;
}

export interface DataLakeConfig {
  /**
   * Further Lake Formation administrators: exact IAM role or user ARNs (Lake Formation takes no wildcard) of principals
   * that exist before this layer runs, created by an upstream layer or the day-zero sequence: `PutDataLakeSettings`
   * refuses a principal that does not exist ("Invalid principal"). The account's deploy role and this layer's admin
   * role (`<project>-<account>-data-lake-admin`) are always administrators.
   * @default []
   */
  readonly admins?: readonly string[];
  /**
   * Identity Center permission sets whose sessions in this account may assume the data lake admin role: people reach
   * Lake Formation administration through it, since the roles Identity Center creates carry a suffix no config can know.
   * @default the project's deploy permission sets (`identityCenter.deployPermissionSets`)
   */
  readonly adminPermissionSets?: readonly string[];
  /** Principals allowed to assume the analyst role. @default the account root (delegated to IAM/SSO policies) */
  readonly analystTrustedPrincipals?: readonly string[];
  /** Prefix of the Glue database names (`<prefix>raw`, ...). @default '<project>_' */
  readonly databasePrefix?: string;
  /** @default on-demand, 24 h retention */
  readonly stream?: DataLakeStreamConfig;
  /** @default partitioned by day, 64 MiB / 300 s buffers */
  readonly firehose?: DataLakeFirehoseConfig;
  /** Schedule of the Glue crawlers. @default 'cron(0 3 * * ? *)' */
  readonly crawlerSchedule?: string;
  /** @default IA after 30 days, Glacier after 90 */
  readonly lifecycle?: DataLakeLifecycleConfig;
  /** @default 10 GiB per query, results kept 30 days */
  readonly athena?: DataLakeAthenaConfig;
  /** Cross-account shares of the curated database. @default [] */
  readonly shares?: readonly DataLakeShare[];
  /** Days S3 access logs of the buckets are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

export const dataLakeContract = defineContract('data-lake', {
  raw_bucket_name: { description: 'Landing bucket written by Firehose', mock: 'acme-mock-data-lake-raw-111111111111' },
  raw_bucket_arn: { description: 'ARN of the raw bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-raw-111111111111' },
  curated_bucket_name: { description: 'Cleaned, partitioned data sets', mock: 'acme-mock-data-lake-curated-111111111111' },
  curated_bucket_arn: { description: 'ARN of the curated bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-curated-111111111111' },
  analytics_bucket_name: { description: 'Reportable data sets and Athena results', mock: 'acme-mock-data-lake-analytics-111111111111' },
  analytics_bucket_arn: { description: 'ARN of the analytics bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-analytics-111111111111' },
  log_bucket_name: { description: 'S3 access logs of the data lake buckets', mock: 'acme-mock-data-lake-logs-111111111111' },
  kms_key_arn: { description: 'Key encrypting buckets, stream, delivery, catalog logs and query results', mock: 'arn:aws:kms:us-east-1:111111111111:key/mock-data' },
  stream_name: { description: 'Kinesis data stream producers write to', mock: 'acme-mock-events' },
  stream_arn: { description: 'ARN of the Kinesis data stream', mock: 'arn:aws:kinesis:us-east-1:111111111111:stream/acme-mock-events' },
  firehose_name: { description: 'Firehose delivering the stream into the raw bucket', mock: 'acme-mock-events-to-raw' },
  firehose_arn: { description: 'ARN of the Firehose delivery stream', mock: 'arn:aws:firehose:us-east-1:111111111111:deliverystream/acme-mock-events-to-raw' },
  glue_database_names: { description: 'Glue databases: raw, curated, analytics', mock: ['acme_raw', 'acme_curated', 'acme_analytics'] },
  curated_database_name: { description: 'Glue database shared with consumer accounts', mock: 'acme_curated' },
  athena_workgroup_name: { description: 'Athena workgroup with enforced, encrypted results', mock: 'acme-mock-analysts' },
  analyst_role_arn: { description: 'Role granted SELECT on curated and analytics through Lake Formation', mock: 'arn:aws:iam::111111111111:role/acme-mock-data-analyst' },
  admin_role_arn: { description: 'Lake Formation administrator role people assume through Identity Center', mock: 'arn:aws:iam::111111111111:role/acme-mock-data-lake-admin' },
  shared_with_account_ids: { description: 'Accounts the curated database is shared with', mock: ['666666666666'] },
});

const GIB = 1024 * 1024 * 1024;
const RESULTS_PREFIX = 'athena-results/';
/** Zones Glue crawlers catalogue: raw (what Firehose lands) and curated. */
const CRAWLED_ZONES = ['raw', 'curated'] as const;
/** Zones analysts query through Lake Formation; raw stays with the pipelines. */
const QUERIED_ZONES = ['curated', 'analytics'] as const;
const TABLE_PERMISSIONS = ['SELECT', 'DESCRIBE'];
/** What Lake Formation documents for data lake administrators: administration, grants to other accounts, the console. */
const LAKE_ADMIN_MANAGED_POLICIES = [
  'arn:aws:iam::aws:policy/AWSLakeFormationDataAdmin',
  'arn:aws:iam::aws:policy/AWSLakeFormationCrossAccountManager',
  'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
];

/** The static part of a Firehose prefix, before the first expression: where the crawler looks. */
export function staticPrefix(prefix: string): string {
  const i = prefix.indexOf('!{');
  const head = i === -1 ? prefix : prefix.slice(0, i);
  return head.slice(0, head.lastIndexOf('/') + 1);
}

type Buckets = Record<DataZone, SecureBucket>;
type Databases = Record<DataZone, GlueCatalogDatabase>;

/**
 * The data product's analytical store in the data-science account: raw / curated / analytics buckets, a Kinesis
 * stream delivered by Firehose into raw with date partitions, a Glue catalog with scheduled crawlers, Lake
 * Formation as the only authority on the catalog (IAMAllowedPrincipals defaults removed, locations registered,
 * analyst grants), an Athena workgroup with enforced encrypted results, and the curated database shared with
 * consumer accounts.
 */
export class DataLake extends LayerStack {
  static readonly contract = dataLakeContract;
  static readonly stateful = true;

  static validate(config: DataLakeConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    if (config.admins !== undefined && !Array.isArray(config.admins)) problems.add('admins', 'must list Lake Formation administrator ARNs');
    (config.admins ?? []).forEach((a, i) => {
      problems.check(`admins[${i}]`, arnOf(a, IAM_ROLE_OR_USER));
      if (a.includes(':role/aws-reserved/sso.amazonaws.com/')) {
        problems.add(`admins[${i}]`, `"${a}" is an Identity Center role, whose name ends in a suffix Identity Center picks when it provisions the permission set; list the permission set in adminPermissionSets instead`);
      }
    });
    const sets = config.adminPermissionSets ?? ctx.org.project.permissionSets.deploy;
    if (sets.length === 0) problems.add('adminPermissionSets', 'lists no permission set; nobody could administer the data lake but the deploy role');
    sets.forEach((set, i) => {
      if (!/^[\w+=,.@-]{1,32}$/.test(set)) problems.add(`adminPermissionSets[${i}]`, `"${set}" is not a permission set name (1-32 of letters, digits and _+=,.@-; no wildcard)`);
    });
    (config.analystTrustedPrincipals ?? []).forEach((a, i) => problems.check(`analystTrustedPrincipals[${i}]`, arnOf(a, IAM_PRINCIPAL)));
    if (config.databasePrefix !== undefined && !/^[a-z][a-z0-9_]*$/.test(config.databasePrefix)) {
      problems.add('databasePrefix', `"${config.databasePrefix}" must be lowercase letters, digits and underscores`);
    }
    problems.nest('stream', dataStreamPropProblems(config.stream ?? {}));
    problems.nest('firehose', firehoseToS3PropProblems(config.firehose ?? {}));
    // The crawler reads the static head of the delivery prefix: it must exist and exclude failed records.
    const prefix = config.firehose?.prefix ?? DEFAULT_FIREHOSE_PREFIX;
    const errorPrefix = config.firehose?.errorOutputPrefix ?? DEFAULT_FIREHOSE_ERROR_PREFIX;
    if (staticPrefix(errorPrefix) !== '' && staticPrefix(prefix).startsWith(staticPrefix(errorPrefix))) {
      problems.add('firehose.errorOutputPrefix', `"${errorPrefix}" overlaps the delivery prefix "${prefix}" (the crawler would read failed records)`);
    }
    if (staticPrefix(prefix) === '') problems.add('firehose.prefix', `"${prefix}" needs a static first folder such as events/ for the crawler`);
    problems.check('crawlerSchedule', cronExpression(config.crawlerSchedule ?? 'cron(0 3 * * ? *)'));
    const ia = config.lifecycle?.infrequentAccessAfterDays ?? 30;
    const glacier = config.lifecycle?.glacierAfterDays ?? 90;
    problems.check('lifecycle.infrequentAccessAfterDays', integerAtLeast(ia, 30, 'days (the S3 minimum for STANDARD_IA)'));
    if (!Number.isInteger(glacier) || glacier < ia + 30) {
      problems.add('lifecycle.glacierAfterDays', `${glacier} must be at least 30 days after infrequentAccessAfterDays (${ia})`);
    }
    problems.check('athena.bytesScannedCutoffPerQuery', integerAtLeast(config.athena?.bytesScannedCutoffPerQuery ?? 10 * GIB, 10 * 1024 * 1024, 'bytes (10 MiB)'));
    problems.check('athena.resultsExpirationDays', positiveInteger(config.athena?.resultsExpirationDays ?? 30));
    problems.check('accessLogRetentionDays', positiveInteger(config.accessLogRetentionDays ?? 365));
    const shares = config.shares ?? [];
    shares.forEach((s, i) => {
      const field = `shares[${i}].account`;
      problems.check(field, knownAccount(ctx.org, s.account));
      if (s.account === ctx.account.name) problems.add(field, 'is this account; share with another account');
      if (shares.slice(0, i).some((x) => x.account === s.account)) problems.add(field, `${s.account} is listed twice`);
      (s.tablePermissions ?? []).forEach((perm, j) => {
        const bad = oneOf(perm, TABLE_PERMISSIONS);
        if (bad) problems.add(`shares[${i}].tablePermissions[${j}]`, `${bad} (consumers only read)`);
      });
    });
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DataLakeConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const key = new KmsKey(this, 'data-key', {
      alias: this.resourceName('data-lake'),
      description: `Encrypts the data lake of ${ctx.account.name}`,
      accountId,
    });
    key.grantToService('logs', { region: ctx.region, accountId });
    const logs = new LogBucket(this, 'log-bucket', {
      bucketName: this.globalName('s3-bucket', 'data-lake-logs'),
      sourceAccountId: accountId,
      expirationDays: config.accessLogRetentionDays ?? 365,
    });
    const buckets = this.zoneBuckets(config, key, logs);

    // Ingestion: KMS-encrypted stream -> Firehose -> raw/<prefix with date partitions>, KMS-encrypted objects.
    const stream = new DataStream(this, 'stream', { ...config.stream, name: this.resourceName('events'), kmsKey: key });
    const firehose = new FirehoseToS3(this, 'firehose', {
      ...config.firehose,
      name: this.resourceName('events-to-raw'),
      source: stream,
      destination: buckets.raw,
      kmsKey: key,
      accountId,
      roleName: this.resourceName('firehose'),
      policyName: 'deliver-to-raw',
    });

    // Lake Formation owns the catalog (no IAMAllowedPrincipals defaults) and reaches the buckets through its own role.
    // Admins: the deploy role (created at day zero, it must be admin to grant) and the people's admin role created
    // here, by reference so that the settings wait for it (Lake Formation refuses a principal that does not exist).
    const admin = this.adminRole(config);
    const lake = new LakeFormation(this, 'lake-settings', {
      admins: [roleArn(accountId, ctx.account.deployRoleName), admin.arn, ...(config.admins ?? [])],
    });
    const databases = this.catalog(config, buckets, lake);
    const dataAccess = new ServiceRole(this, 'lakeformation-role', {
      name: this.resourceName('lakeformation-data-access'),
      service: 'lakeformation.amazonaws.com',
      sourceAccount: accountId,
      policyName: 'registered-locations',
      ids: { policy: 'lakeformation-policy' },
    });
    for (const zone of DATA_ZONES) lake.registerLocation(`${zone}-location`, buckets[zone], dataAccess);

    this.crawlers(config, key, buckets, databases, lake);
    const workgroup = this.workgroup(config, key, buckets.analytics);
    const analyst = this.analystRole(config, key, buckets.analytics, workgroup, databases, lake);
    const sharedWith = (config.shares ?? []).map((share) => this.share(share, databases.curated, lake));

    this.publish(dataLakeContract, {
      raw_bucket_name: buckets.raw.bucketName,
      raw_bucket_arn: buckets.raw.arn,
      curated_bucket_name: buckets.curated.bucketName,
      curated_bucket_arn: buckets.curated.arn,
      analytics_bucket_name: buckets.analytics.bucketName,
      analytics_bucket_arn: buckets.analytics.arn,
      log_bucket_name: logs.bucketName,
      kms_key_arn: key.arn,
      stream_name: stream.name,
      stream_arn: stream.arn,
      firehose_name: firehose.name,
      firehose_arn: firehose.arn,
      glue_database_names: DATA_ZONES.map((z) => databases[z].name),
      curated_database_name: databases.curated.name,
      athena_workgroup_name: workgroup.name,
      analyst_role_arn: analyst.arn,
      admin_role_arn: admin.arn,
      shared_with_account_ids: sharedWith,
    });
  }

  /**
   * The Lake Formation administrator role for people: assumed from the Identity Center sessions of
   * `adminPermissionSets` in this account, with the AWS managed policies Lake Formation documents for data lake
   * administrators (administration, cross-account grants, the console).
   * https://docs.aws.amazon.com/lake-formation/latest/dg/lf-managed-policies.html
   */
  private adminRole(config: DataLakeConfig): Role {
    const sets = config.adminPermissionSets ?? this.ctx.org.project.permissionSets.deploy;
    return new Role(this, 'admin-role', {
      name: this.resourceName('data-lake-admin'),
      description: `Lake Formation administrator of ${this.ctx.account.name} for people (Identity Center: ${sets.join(', ')})`,
      assumedBy: { statements: [identityCenterTrustStatement([this.ctx.account.id], sets)] },
      managedPolicyArns: LAKE_ADMIN_MANAGED_POLICIES,
    });
  }

  /** One SSE-KMS bucket per zone with access logs; raw archives to Glacier, curated stays queryable in Glacier IR. */
  private zoneBuckets(config: DataLakeConfig, key: KmsKey, logs: LogBucket): Buckets {
    const ia = config.lifecycle?.infrequentAccessAfterDays ?? 30;
    const glacier = config.lifecycle?.glacierAfterDays ?? 90;
    const tiers = (cold: string): S3BucketLifecycleConfigurationRule => ({
      id: 'tiering',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      transition: [{ days: ia, storageClass: 'STANDARD_IA' }, { days: glacier, storageClass: cold }],
    });
    const rules: Record<DataZone, S3BucketLifecycleConfigurationRule[]> = {
      raw: [tiers('GLACIER')],
      curated: [tiers('GLACIER_IR')],
      analytics: [
        { id: 'expire-query-results', status: 'Enabled', filter: [{ prefix: RESULTS_PREFIX }], expiration: [{ days: config.athena?.resultsExpirationDays ?? 30 }] },
      ],
    };
    return Object.fromEntries(DATA_ZONES.map((zone) => [zone, new SecureBucket(this, `${zone}-bucket`, {
      bucketName: this.globalName('s3-bucket', 'data-lake', zone),
      kmsKeyArn: key.arn,
      accessLogs: { bucket: logs.bucketName, prefix: `s3/${zone}/` },
      lifecycleRules: rules[zone],
      // Raw is the source of truth and curated is costly to rebuild; analytics holds query results only.
      backupPlan: zone === 'analytics' ? false : DEFAULT_BACKUP_PLAN,
    })])) as Buckets;
  }

  /** One Glue database per zone, created once Lake Formation's settings hold. */
  private catalog(config: DataLakeConfig, buckets: Buckets, lake: LakeFormation): Databases {
    const prefix = config.databasePrefix ?? `${this.ctx.org.project.name}_`;
    return Object.fromEntries(DATA_ZONES.map((zone) => [zone, new GlueCatalogDatabase(this, `${zone}-database`, {
      name: `${prefix}${zone}`,
      catalogId: this.ctx.account.id,
      description: `${zone} zone of the data lake of ${this.ctx.account.name}`,
      locationUri: `s3://${buckets[zone].bucketName}/`,
      dependsOn: [lake.settings],
    })])) as Databases;
  }

  /** Scheduled crawlers of raw and curated, with encrypted logs, bookmarks and S3 writes, allowed by Lake Formation. */
  private crawlers(config: DataLakeConfig, key: KmsKey, buckets: Buckets, databases: Databases, lake: LakeFormation): void {
    const { id: accountId } = this.ctx.account;
    const securityConfiguration = new GlueSecurityConfiguration(this, 'glue-security', {
      name: this.resourceName('data-lake'),
      encryptionConfiguration: {
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.arn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.arn },
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.arn },
      },
    });
    const role = new ServiceRole(this, 'crawler-role', {
      name: this.resourceName('glue-crawler'),
      service: 'glue.amazonaws.com',
      sourceAccount: accountId,
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
      policyName: 'crawl-raw-and-curated',
      ids: { policy: 'crawler-policy', managedPolicies: ['crawler-service-role'] },
    });
    for (const zone of CRAWLED_ZONES) buckets[zone].grantRead(role);
    // Bookmarks are encrypted client-side (kms:Encrypt), logs and S3 writes through the services.
    key.grant(role, 'KmsDirectEncryptDecrypt', actions(KEY_ENCRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS));
    role.addToPolicy(allow('EncryptedLogs', LOG_GROUP_ENCRYPT_ACTIONS, `arn:aws:logs:${this.ctx.region}:${accountId}:log-group:/aws-glue/*`));
    role.addToPolicy(allow('LakeFormation', LAKE_FORMATION_DATA_ACCESS_ACTIONS, '*'));

    const grants = CRAWLED_ZONES.flatMap((zone) => [
      lake.grantOnDatabase(`crawler-${zone}-database`, databases[zone].name, { principal: role.arn, permissions: ['CREATE_TABLE', 'ALTER', 'DESCRIBE'] }),
      lake.grantOnLocation(`crawler-${zone}-location`, buckets[zone], role.arn),
    ]);
    const targets: Record<(typeof CRAWLED_ZONES)[number], string> = {
      raw: `s3://${buckets.raw.bucketName}/${staticPrefix(config.firehose?.prefix ?? DEFAULT_FIREHOSE_PREFIX)}`,
      curated: `s3://${buckets.curated.bucketName}/`,
    };
    for (const zone of CRAWLED_ZONES) {
      new GlueCrawler(this, `${zone}-crawler`, {
        name: this.resourceName(zone, 'crawler'),
        databaseName: databases[zone].name,
        role: role.arn,
        schedule: config.crawlerSchedule ?? 'cron(0 3 * * ? *)',
        securityConfiguration: securityConfiguration.name,
        s3Target: [{ path: targets[zone], exclusions: ['errors/**'] }],
        schemaChangePolicy: { deleteBehavior: 'LOG', updateBehavior: 'UPDATE_IN_DATABASE' },
        recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
        configuration: JSON.stringify({ Version: 1, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } } }),
        dependsOn: grants,
      });
    }
  }

  /** One Athena workgroup whose settings clients cannot override, results encrypted with the data key. */
  private workgroup(config: DataLakeConfig, key: KmsKey, results: SecureBucket): AthenaWorkgroup {
    return new AthenaWorkgroup(this, 'workgroup', {
      name: this.resourceName('analysts'),
      description: `Analyst queries of ${this.ctx.account.name}`,
      state: 'ENABLED',
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athena?.bytesScannedCutoffPerQuery ?? 10 * GIB,
        resultConfiguration: {
          outputLocation: `s3://${results.bucketName}/${RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: key.arn },
          expectedBucketOwner: this.ctx.account.id,
        },
      },
    });
  }

  /** The analysts' role: queries in the workgroup, catalog reads and SELECT on curated and analytics through Lake Formation. */
  private analystRole(config: DataLakeConfig, key: KmsKey, results: SecureBucket, workgroup: AthenaWorkgroup, databases: Databases, lake: LakeFormation): Role {
    const { id: accountId } = this.ctx.account;
    const prefix = config.databasePrefix ?? `${this.ctx.org.project.name}_`;
    const analyst = new Role(this, 'analyst-role', {
      name: this.resourceName('data-analyst'),
      assumedBy: { principals: [...(config.analystTrustedPrincipals ?? [`arn:aws:iam::${accountId}:root`])] },
      policyName: 'query-through-lake-formation',
      ids: { policy: 'analyst-policy' },
    });
    const glueArn = (what: string) => `arn:aws:glue:${this.ctx.region}:${accountId}:${what}`;
    analyst.addToPolicy(allow('Athena', ATHENA_QUERY_ACTIONS, workgroup.arn));
    analyst.addToPolicy(allow('Catalog', CATALOG_READ_ACTIONS,
      [glueArn('catalog'), ...QUERIED_ZONES.flatMap((z) => [glueArn(`database/${prefix}${z}`), glueArn(`table/${prefix}${z}/*`)])]));
    analyst.addToPolicy(allow('LakeFormation', LAKE_FORMATION_DATA_ACCESS_ACTIONS, '*'));
    results.grantReadWrite(analyst, `${RESULTS_PREFIX}*`);
    key.grantEncryptDecrypt(analyst);
    for (const zone of QUERIED_ZONES) {
      lake.grantOnDatabase(`analyst-${zone}-database`, databases[zone].name, { principal: analyst.arn, permissions: ['DESCRIBE'] });
      lake.grantOnAllTables(`analyst-${zone}-tables`, databases[zone].name, { principal: analyst.arn, permissions: TABLE_PERMISSIONS });
    }
    return analyst;
  }

  /** The consumer account (its Lake Formation admins) receives the curated database through RAM; returns its id. */
  private share(share: DataLakeShare, curated: GlueCatalogDatabase, lake: LakeFormation): string {
    const consumerId = this.ctx.org.accounts.get(share.account)!.id;
    const tables = [...(share.tablePermissions ?? TABLE_PERMISSIONS)];
    lake.grantOnDatabase(`share-${share.account}-database`, curated.name, { principal: consumerId, permissions: ['DESCRIBE'], grantable: ['DESCRIBE'] });
    lake.grantOnAllTables(`share-${share.account}-tables`, curated.name, { principal: consumerId, permissions: tables, grantable: tables });
    return consumerId;
  }
}
