import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LakeformationDataLakeSettings } from '@cdktf/provider-aws/lib/lakeformation-data-lake-settings';
import { LakeformationPermissions } from '@cdktf/provider-aws/lib/lakeformation-permissions';
import { LakeformationResource } from '@cdktf/provider-aws/lib/lakeformation-resource';
import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { roleArn } from '../lib/naming';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { policyDocument, serviceTrustPolicy } from '../modules/policy';
import { SecureBucket } from '../modules/secure-bucket';

export const DATA_ZONES = ['raw', 'curated', 'analytics'] as const;
export type DataZone = (typeof DATA_ZONES)[number];

export const DEFAULT_FIREHOSE_PREFIX = 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
export const DEFAULT_FIREHOSE_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

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
  /** Lake Formation administrators (IAM role or user ARNs). The account's deploy role is always added. */
  readonly admins: readonly string[];
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
  /** Days S3 access logs are kept. @default 365 */
  readonly logRetentionDays?: number;
}

export const dataLakeContract = defineContract('data-lake', {
  raw_bucket_name: { description: 'Landing bucket written by Firehose', mock: 'acme-mock-data-lake-raw' },
  raw_bucket_arn: { description: 'ARN of the raw bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-raw' },
  curated_bucket_name: { description: 'Cleaned, partitioned data sets', mock: 'acme-mock-data-lake-curated' },
  curated_bucket_arn: { description: 'ARN of the curated bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-curated' },
  analytics_bucket_name: { description: 'Reportable data sets and Athena results', mock: 'acme-mock-data-lake-analytics' },
  analytics_bucket_arn: { description: 'ARN of the analytics bucket', mock: 'arn:aws:s3:::acme-mock-data-lake-analytics' },
  log_bucket_name: { description: 'S3 access logs of the data lake buckets', mock: 'acme-mock-data-lake-logs' },
  kms_key_arn: { description: 'Key encrypting buckets, stream, delivery, catalog logs and query results', mock: 'arn:aws:kms:us-east-1:111111111111:key/mock-data' },
  stream_name: { description: 'Kinesis data stream producers write to', mock: 'acme-mock-events' },
  stream_arn: { description: 'ARN of the Kinesis data stream', mock: 'arn:aws:kinesis:us-east-1:111111111111:stream/acme-mock-events' },
  firehose_name: { description: 'Firehose delivering the stream into the raw bucket', mock: 'acme-mock-events-to-raw' },
  firehose_arn: { description: 'ARN of the Firehose delivery stream', mock: 'arn:aws:firehose:us-east-1:111111111111:deliverystream/acme-mock-events-to-raw' },
  glue_database_names: { description: 'Glue databases: raw, curated, analytics', mock: ['acme_raw', 'acme_curated', 'acme_analytics'] },
  curated_database_name: { description: 'Glue database shared with consumer accounts', mock: 'acme_curated' },
  athena_workgroup_name: { description: 'Athena workgroup with enforced, encrypted results', mock: 'acme-mock-analysts' },
  analyst_role_arn: { description: 'Role granted SELECT on curated and analytics through Lake Formation', mock: 'arn:aws:iam::111111111111:role/acme-mock-data-analyst' },
  shared_with_account_ids: { description: 'Accounts the curated database is shared with', mock: ['666666666666'] },
});

const ARN = /^arn:aws:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const PRINCIPAL = /^(arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+))$/;
const GIB = 1024 * 1024 * 1024;

/** The static part of a Firehose prefix, before the first expression: where the crawler looks. */
export function staticPrefix(prefix: string): string {
  const i = prefix.indexOf('!{');
  const head = i === -1 ? prefix : prefix.slice(0, i);
  return head.slice(0, head.lastIndexOf('/') + 1);
}

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
    const problems: FieldProblem[] = [];
    const p = (field: string, message: string): void => void problems.push({ field, message });
    if (!Array.isArray(config.admins)) p('admins', 'must list Lake Formation administrator ARNs');
    (config.admins ?? []).forEach((a, i) => { if (!ARN.test(a)) p(`admins[${i}]`, `"${a}" is not an IAM role or user ARN`); });
    (config.analystTrustedPrincipals ?? []).forEach((a, i) => {
      if (!PRINCIPAL.test(a)) p(`analystTrustedPrincipals[${i}]`, `"${a}" is not an account root, role or user ARN`);
    });
    if (config.databasePrefix !== undefined && !/^[a-z][a-z0-9_]*$/.test(config.databasePrefix)) {
      p('databasePrefix', `"${config.databasePrefix}" must be lowercase letters, digits and underscores`);
    }
    const stream = config.stream ?? {};
    const mode = stream.mode ?? 'ON_DEMAND';
    if (!['ON_DEMAND', 'PROVISIONED'].includes(mode)) p('stream.mode', `"${mode}" must be ON_DEMAND or PROVISIONED`);
    if (stream.shardCount !== undefined && mode !== 'PROVISIONED') p('stream.shardCount', 'is only valid with mode PROVISIONED');
    if (stream.shardCount !== undefined && (!Number.isInteger(stream.shardCount) || stream.shardCount < 1)) p('stream.shardCount', `${stream.shardCount} must be a positive integer`);
    const retention = stream.retentionHours ?? 24;
    if (!Number.isInteger(retention) || retention < 24 || retention > 8760) p('stream.retentionHours', `${retention} must be between 24 and 8760`);
    const fh = config.firehose ?? {};
    const prefix = fh.prefix ?? DEFAULT_FIREHOSE_PREFIX;
    const errorPrefix = fh.errorOutputPrefix ?? DEFAULT_FIREHOSE_ERROR_PREFIX;
    if (prefix.startsWith('/') || !prefix.endsWith('/')) p('firehose.prefix', `"${prefix}" must not start with / and must end with /`);
    if (!errorPrefix.includes('!{firehose:error-output-type}')) {
      p('firehose.errorOutputPrefix', `"${errorPrefix}" must contain !{firehose:error-output-type}`);
    }
    if (staticPrefix(errorPrefix) !== '' && staticPrefix(prefix).startsWith(staticPrefix(errorPrefix))) {
      p('firehose.errorOutputPrefix', `"${errorPrefix}" overlaps the delivery prefix "${prefix}" (the crawler would read failed records)`);
    }
    if (staticPrefix(prefix) === '') p('firehose.prefix', `"${prefix}" needs a static first folder such as events/ for the crawler`);
    const size = fh.bufferingSizeMb ?? 64;
    if (!Number.isInteger(size) || size < 1 || size > 128) p('firehose.bufferingSizeMb', `${size} must be between 1 and 128`);
    const interval = fh.bufferingIntervalSeconds ?? 300;
    if (!Number.isInteger(interval) || interval < 0 || interval > 900) p('firehose.bufferingIntervalSeconds', `${interval} must be between 0 and 900`);
    const schedule = config.crawlerSchedule ?? 'cron(0 3 * * ? *)';
    if (!/^cron\(\S+( \S+){5}\)$/.test(schedule)) p('crawlerSchedule', `"${schedule}" must be a six-field cron() expression`);
    const ia = config.lifecycle?.infrequentAccessAfterDays ?? 30;
    const glacier = config.lifecycle?.glacierAfterDays ?? 90;
    if (!Number.isInteger(ia) || ia < 30) p('lifecycle.infrequentAccessAfterDays', `${ia} must be at least 30 (S3 minimum for STANDARD_IA)`);
    if (!Number.isInteger(glacier) || glacier < ia + 30) p('lifecycle.glacierAfterDays', `${glacier} must be at least 30 days after infrequentAccessAfterDays (${ia})`);
    const cutoff = config.athena?.bytesScannedCutoffPerQuery ?? 10 * GIB;
    if (!Number.isInteger(cutoff) || cutoff < 10 * 1024 * 1024) p('athena.bytesScannedCutoffPerQuery', `${cutoff} must be at least 10 MiB`);
    const seen = new Set<string>();
    (config.shares ?? []).forEach((s, i) => {
      const field = `shares[${i}].account`;
      if (!ctx.org.accounts.has(s.account)) p(field, `unknown account "${s.account}" (known: ${[...ctx.org.accounts.keys()].join(', ')})`);
      else if (s.account === ctx.account.name) p(field, 'is this account; share with another account');
      if (seen.has(s.account)) p(field, `${s.account} is listed twice`);
      seen.add(s.account);
      (s.tablePermissions ?? []).forEach((perm, j) => {
        if (!['SELECT', 'DESCRIBE'].includes(perm)) p(`shares[${i}].tablePermissions[${j}]`, `"${perm}" must be SELECT or DESCRIBE (consumers only read)`);
      });
    });
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DataLakeConfig) {
    super(scope, ctx);
    const { id: accountId } = ctx.account;
    const region = ctx.region;
    const dbPrefix = config.databasePrefix ?? `${ctx.org.project.name}_`;
    const fh = config.firehose ?? {};
    const firehosePrefix = fh.prefix ?? DEFAULT_FIREHOSE_PREFIX;
    const ia = config.lifecycle?.infrequentAccessAfterDays ?? 30;
    const glacier = config.lifecycle?.glacierAfterDays ?? 90;
    const resultsPrefix = 'athena-results/';

    const key = new KmsKey(this, 'data-key', {
      alias: this.resourceName('data-lake'),
      description: `Encrypts the data lake of ${ctx.account.name}`,
      accountId,
      serviceStatements: [cloudWatchLogsKeyStatement(region, accountId)],
    });
    const logs = new LogBucket(this, 'log-bucket', {
      bucketName: this.resourceName('data-lake-logs'),
      sourceAccountId: accountId,
      expirationDays: config.logRetentionDays ?? 365,
    });

    const tiers = (cold: string): S3BucketLifecycleConfigurationRule => ({
      id: 'tiering',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      transition: [{ days: ia, storageClass: 'STANDARD_IA' }, { days: glacier, storageClass: cold }],
    });
    const rules: Record<DataZone, S3BucketLifecycleConfigurationRule[]> = {
      // Raw is replayable history: archive it. Curated stays queryable by Athena in Glacier Instant Retrieval.
      raw: [tiers('GLACIER')],
      curated: [tiers('GLACIER_IR')],
      analytics: [
        { id: 'expire-query-results', status: 'Enabled', filter: [{ prefix: resultsPrefix }], expiration: [{ days: config.athena?.resultsExpirationDays ?? 30 }] },
      ],
    };
    const buckets = Object.fromEntries(DATA_ZONES.map((zone) => [zone, new SecureBucket(this, `${zone}-bucket`, {
      bucketName: this.resourceName('data-lake', zone),
      kmsKeyArn: key.arn,
      accessLogs: { bucket: logs.bucketName, prefix: `s3/${zone}/` },
      lifecycleRules: rules[zone],
    })])) as Record<DataZone, SecureBucket>;

    // Ingestion: KMS-encrypted stream -> Firehose -> raw/<prefix with date partitions>, KMS-encrypted objects.
    const streamMode = config.stream?.mode ?? 'ON_DEMAND';
    const stream = new KinesisStream(this, 'stream', {
      name: this.resourceName('events'),
      encryptionType: 'KMS',
      kmsKeyId: key.arn,
      retentionPeriod: config.stream?.retentionHours ?? 24,
      streamModeDetails: { streamMode },
      shardCount: streamMode === 'PROVISIONED' ? config.stream?.shardCount ?? 1 : undefined,
    });
    const firehoseName = this.resourceName('events-to-raw');
    const firehoseLogs = new CloudwatchLogGroup(this, 'firehose-logs', {
      name: `/aws/kinesisfirehose/${firehoseName}`,
      retentionInDays: 365,
      kmsKeyId: key.arn,
    });
    new CloudwatchLogStream(this, 'firehose-log-stream', { name: 'S3Delivery', logGroupName: firehoseLogs.name });
    const firehoseRole = new IamRole(this, 'firehose-role', {
      name: this.resourceName('firehose'),
      assumeRolePolicy: serviceTrustPolicy('firehose.amazonaws.com', accountId),
    });
    const firehosePolicy = new IamRolePolicy(this, 'firehose-policy', {
      role: firehoseRole.id,
      name: 'deliver-to-raw',
      policy: policyDocument([
        { Sid: 'ReadStream', Effect: 'Allow', Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'], Resource: stream.arn },
        { Sid: 'WriteRaw', Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'], Resource: [buckets.raw.arn, `${buckets.raw.arn}/*`] },
        { Sid: 'UseKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key.arn },
        { Sid: 'Logs', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `${firehoseLogs.arn}:*` },
      ]),
    });
    // Server-side encryption of the delivery stream itself is for DirectPut only; with a Kinesis source the
    // records are encrypted at rest by the stream's key and the S3 objects by kms_key_arn below.
    const firehose = new KinesisFirehoseDeliveryStream(this, 'firehose', {
      name: firehoseName,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: stream.arn, roleArn: firehoseRole.arn },
      extendedS3Configuration: {
        roleArn: firehoseRole.arn,
        bucketArn: buckets.raw.arn,
        prefix: firehosePrefix,
        errorOutputPrefix: fh.errorOutputPrefix ?? DEFAULT_FIREHOSE_ERROR_PREFIX,
        bufferingSize: fh.bufferingSizeMb ?? 64,
        bufferingInterval: fh.bufferingIntervalSeconds ?? 300,
        compressionFormat: 'GZIP',
        kmsKeyArn: key.arn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.name, logStreamName: 'S3Delivery' },
      },
      dependsOn: [firehosePolicy],
    });

    // Lake Formation owns the catalog: no IAMAllowedPrincipals defaults on new databases and tables.
    const deployRole = roleArn(accountId, ctx.account.deployRoleName);
    const settings = new LakeformationDataLakeSettings(this, 'lake-settings', {
      admins: [...new Set([deployRole, ...config.admins])],
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
      // Version 4: cross-account grants through RAM, with hybrid access and LF-tag support.
      parameters: { CROSS_ACCOUNT_VERSION: '4' },
    });

    const databases = Object.fromEntries(DATA_ZONES.map((zone) => [zone, new GlueCatalogDatabase(this, `${zone}-database`, {
      name: `${dbPrefix}${zone}`,
      catalogId: accountId,
      description: `${zone} zone of the data lake of ${ctx.account.name}`,
      locationUri: `s3://${buckets[zone].bucketName}/`,
      dependsOn: [settings],
    })])) as Record<DataZone, GlueCatalogDatabase>;

    const dataAccessRole = new IamRole(this, 'lakeformation-role', {
      name: this.resourceName('lakeformation-data-access'),
      assumeRolePolicy: serviceTrustPolicy('lakeformation.amazonaws.com', accountId),
    });
    new IamRolePolicy(this, 'lakeformation-policy', {
      role: dataAccessRole.id,
      name: 'registered-locations',
      policy: policyDocument([
        { Sid: 'Buckets', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: DATA_ZONES.map((z) => buckets[z].arn) },
        { Sid: 'Objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: DATA_ZONES.map((z) => `${buckets[z].arn}/*`) },
        { Sid: 'UseKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: key.arn },
      ]),
    });
    const locations = Object.fromEntries(DATA_ZONES.map((zone) => [zone, new LakeformationResource(this, `${zone}-location`, {
      arn: buckets[zone].arn,
      roleArn: dataAccessRole.arn,
      hybridAccessEnabled: false,
      dependsOn: [settings],
    })])) as Record<DataZone, LakeformationResource>;

    // Glue crawlers into raw and curated, with encrypted logs, bookmarks and S3 writes.
    const securityConfiguration = new GlueSecurityConfiguration(this, 'glue-security', {
      name: this.resourceName('data-lake'),
      encryptionConfiguration: {
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.arn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.arn },
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.arn },
      },
    });
    const crawlerRole = new IamRole(this, 'crawler-role', {
      name: this.resourceName('glue-crawler'),
      assumeRolePolicy: serviceTrustPolicy('glue.amazonaws.com', accountId),
    });
    new IamRolePolicyAttachment(this, 'crawler-service-role', {
      role: crawlerRole.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole',
    });
    new IamRolePolicy(this, 'crawler-policy', {
      role: crawlerRole.id,
      name: 'crawl-raw-and-curated',
      policy: policyDocument([
        { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [buckets.raw.arn, `${buckets.raw.arn}/*`, buckets.curated.arn, `${buckets.curated.arn}/*`] },
        { Sid: 'UseKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: key.arn },
        { Sid: 'EncryptedLogs', Effect: 'Allow', Action: 'logs:AssociateKmsKey', Resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws-glue/*` },
        // GetDataAccess has no resource type: '*' is the only valid resource. Lake Formation grants scope it.
        { Sid: 'LakeFormation', Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' },
      ]),
    });
    const schedule = config.crawlerSchedule ?? 'cron(0 3 * * ? *)';
    const crawlTargets: Record<'raw' | 'curated', string> = {
      raw: `s3://${buckets.raw.bucketName}/${staticPrefix(firehosePrefix)}`,
      curated: `s3://${buckets.curated.bucketName}/`,
    };
    const crawlerGrants = (['raw', 'curated'] as const).flatMap((zone) => [
      new LakeformationPermissions(this, `crawler-${zone}-database`, {
        principal: crawlerRole.arn,
        permissions: ['CREATE_TABLE', 'ALTER', 'DESCRIBE'],
        database: { name: databases[zone].name },
        dependsOn: [settings],
      }),
      new LakeformationPermissions(this, `crawler-${zone}-location`, {
        principal: crawlerRole.arn,
        permissions: ['DATA_LOCATION_ACCESS'],
        dataLocation: { arn: buckets[zone].arn },
        dependsOn: [settings, locations[zone]],
      }),
    ]);
    for (const zone of ['raw', 'curated'] as const) {
      new GlueCrawler(this, `${zone}-crawler`, {
        name: this.resourceName(zone, 'crawler'),
        databaseName: databases[zone].name,
        role: crawlerRole.arn,
        schedule,
        securityConfiguration: securityConfiguration.name,
        s3Target: [{ path: crawlTargets[zone], exclusions: ['errors/**'] }],
        schemaChangePolicy: { deleteBehavior: 'LOG', updateBehavior: 'UPDATE_IN_DATABASE' },
        recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
        configuration: JSON.stringify({ Version: 1, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } } }),
        dependsOn: crawlerGrants,
      });
    }

    // Athena: one workgroup whose settings clients cannot override, results encrypted with the data key.
    const workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: this.resourceName('analysts'),
      description: `Analyst queries of ${ctx.account.name}`,
      state: 'ENABLED',
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athena?.bytesScannedCutoffPerQuery ?? 10 * GIB,
        resultConfiguration: {
          outputLocation: `s3://${buckets.analytics.bucketName}/${resultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: key.arn },
          expectedBucketOwner: accountId,
        },
      },
    });

    const analyst = new IamRole(this, 'analyst-role', {
      name: this.resourceName('data-analyst'),
      assumeRolePolicy: policyDocument([{
        Effect: 'Allow',
        Principal: { AWS: [...(config.analystTrustedPrincipals ?? [`arn:aws:iam::${accountId}:root`])] },
        Action: 'sts:AssumeRole',
      }]),
    });
    const glueArn = (what: string) => `arn:aws:glue:${region}:${accountId}:${what}`;
    const readable = ['curated', 'analytics'] as const;
    new IamRolePolicy(this, 'analyst-policy', {
      role: analyst.id,
      name: 'query-through-lake-formation',
      policy: policyDocument([
        {
          Sid: 'Athena',
          Effect: 'Allow',
          Action: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup', 'athena:ListQueryExecutions'],
          Resource: workgroup.arn,
        },
        {
          Sid: 'Catalog',
          Effect: 'Allow',
          Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
          Resource: [glueArn('catalog'), ...readable.flatMap((z) => [glueArn(`database/${dbPrefix}${z}`), glueArn(`table/${dbPrefix}${z}/*`)])],
        },
        { Sid: 'LakeFormation', Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' },
        { Sid: 'ResultsBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: buckets.analytics.arn },
        { Sid: 'Results', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], Resource: `${buckets.analytics.arn}/${resultsPrefix}*` },
        { Sid: 'UseKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key.arn },
      ]),
    });
    for (const zone of readable) {
      new LakeformationPermissions(this, `analyst-${zone}-database`, {
        principal: analyst.arn,
        permissions: ['DESCRIBE'],
        database: { name: databases[zone].name },
        dependsOn: [settings],
      });
      new LakeformationPermissions(this, `analyst-${zone}-tables`, {
        principal: analyst.arn,
        permissions: ['SELECT', 'DESCRIBE'],
        table: { databaseName: databases[zone].name, wildcard: true },
        dependsOn: [settings],
      });
    }

    // Cross-account: the consumer account (its Lake Formation admins) receives the curated database through RAM.
    const sharedWith: string[] = [];
    for (const share of config.shares ?? []) {
      const consumerId = ctx.org.accounts.get(share.account)!.id;
      sharedWith.push(consumerId);
      new LakeformationPermissions(this, `share-${share.account}-database`, {
        principal: consumerId,
        permissions: ['DESCRIBE'],
        permissionsWithGrantOption: ['DESCRIBE'],
        database: { name: databases.curated.name },
        dependsOn: [settings],
      });
      const tablePermissions = [...(share.tablePermissions ?? ['SELECT', 'DESCRIBE'])];
      new LakeformationPermissions(this, `share-${share.account}-tables`, {
        principal: consumerId,
        permissions: tablePermissions,
        permissionsWithGrantOption: tablePermissions,
        table: { databaseName: databases.curated.name, wildcard: true },
        dependsOn: [settings],
      });
    }

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
      shared_with_account_ids: sharedWith,
    });
  }
}
