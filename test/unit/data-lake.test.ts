import { defineLayer } from '../../lib/config';
import { DataLake, staticPrefix, type DataLakeConfig } from '../../layers/data-lake';
import { DEFAULT_FIREHOSE_ERROR_PREFIX, DEFAULT_FIREHOSE_PREFIX } from '../../modules/firehose-to-s3';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

function org(overrides: Partial<DataLakeConfig> = {}) {
  return source({
    'data-science': {
      config: account({ id: '777777777777', environment: 'data' }),
      layers: { 'data-lake': defineLayer(DataLake, { shares: [{ account: 'apps-prd' }], ...overrides }) },
    },
    'apps-prd': { config: account({ id: '666666666666', environment: 'prd' }) },
  });
}
const ID = 'test-data-science-data-lake';
const tf = (overrides: Partial<DataLakeConfig> = {}) => synthStack(org(overrides), ID);
type Res = Record<string, unknown>;
const byName = (json: string, type: string, fragment: string): Res => {
  const found = Object.entries(parsed(json).resource[type] ?? {}).find(([id]) => id.includes(fragment));
  if (!found) throw new Error(`no ${type} matching ${fragment}`);
  return found[1];
};

describe('data-lake: Lake Formation', () => {
  it('removes IAMAllowedPrincipals defaults (empty default permissions) and makes the deploy role and its own admin role admins', () => {
    const [settings] = resources(tf(), 'aws_lakeformation_data_lake_settings');
    expect(settings.create_database_default_permissions).toEqual([]);
    expect(settings.create_table_default_permissions).toEqual([]);
    // Only principals that exist by then: the day-zero deploy role, and the admin role by reference (created first).
    expect(settings.admins).toEqual(['arn:aws:iam::777777777777:role/DevOps', '${aws_iam_role.admin-role.arn}']);
    expect(settings.parameters).toEqual({ CROSS_ACCOUNT_VERSION: '4' });
    expect(JSON.stringify(settings)).not.toContain('IAM_ALLOWED_PRINCIPALS');
    const extra = 'arn:aws:iam::777777777777:role/acme-data-science-pipeline';
    expect(resources(tf({ admins: [extra] }), 'aws_lakeformation_data_lake_settings')[0].admins)
      .toEqual(['arn:aws:iam::777777777777:role/DevOps', '${aws_iam_role.admin-role.arn}', extra]);
  });

  it('creates the admin role people assume through Identity Center, with the policies Lake Formation documents for admins', () => {
    const json = tf();
    const role = byName(json, 'aws_iam_role', 'admin-role');
    expect(role.name).toBe('test-data-science-data-lake-admin');
    const [trust] = JSON.parse(role.assume_role_policy as string).Statement as Res[];
    expect(trust).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::777777777777:root'] },
      Action: 'sts:AssumeRole',
      Condition: { ArnLike: { 'aws:PrincipalArn': [
        'arn:aws:iam::777777777777:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DevOps_*',
        'arn:aws:iam::777777777777:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Administrator_*',
      ] } },
    });
    const attached = resources(json, 'aws_iam_role_policy_attachment').filter((a) => a.role === '${aws_iam_role.admin-role.name}').map((a) => a.policy_arn);
    expect(attached).toEqual([
      'arn:aws:iam::aws:policy/AWSLakeFormationDataAdmin',
      'arn:aws:iam::aws:policy/AWSLakeFormationCrossAccountManager',
      'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
    ]);
    const custom = JSON.parse(byName(tf({ adminPermissionSets: ['DataEngineer'] }), 'aws_iam_role', 'admin-role').assume_role_policy as string).Statement as Res[];
    expect(JSON.stringify(custom)).toContain('AWSReservedSSO_DataEngineer_*');
    expect(JSON.stringify(custom)).not.toContain('AWSReservedSSO_DevOps_*');
    expect(parsed(json).output!.admin_role_arn.value).toBe('${aws_iam_role.admin-role.arn}');
  });

  it('registers the three buckets with its own data-access role, without hybrid access', () => {
    const locations = resources(tf(), 'aws_lakeformation_resource');
    expect(locations).toHaveLength(3);
    for (const l of locations) {
      expect(l).toMatchObject({ role_arn: '${aws_iam_role.lakeformation-role.arn}', hybrid_access_enabled: false });
    }
    expect(locations.map((l) => l.arn)).toEqual(expect.arrayContaining([expect.stringContaining('raw-bucket'), expect.stringContaining('curated-bucket')]));
  });

  it('grants the analyst role SELECT on curated and analytics tables, never on raw', () => {
    const json = tf();
    const grants = resources(json, 'aws_lakeformation_permissions').filter((g) => g.principal === '${aws_iam_role.analyst-role.arn}');
    expect(grants).toContainEqual(expect.objectContaining({
      permissions: ['SELECT', 'DESCRIBE'],
      table: { database_name: '${aws_glue_catalog_database.curated-database.name}', wildcard: true },
    }));
    expect(grants).toContainEqual(expect.objectContaining({ table: { database_name: '${aws_glue_catalog_database.analytics-database.name}', wildcard: true } }));
    expect(JSON.stringify(grants)).not.toContain('raw-database');
    // Every grant waits for the settings that make the deployer an admin.
    for (const g of resources(json, 'aws_lakeformation_permissions')) {
      expect(g.depends_on).toEqual(expect.arrayContaining(['aws_lakeformation_data_lake_settings.lake-settings']));
    }
  });

  it('shares the curated database with the apps-prd account id, grantable by its admins', () => {
    const json = tf();
    expect(byName(json, 'aws_lakeformation_permissions', 'share-apps-prd-database')).toMatchObject({
      principal: '666666666666',
      permissions: ['DESCRIBE'],
      permissions_with_grant_option: ['DESCRIBE'],
      database: { name: '${aws_glue_catalog_database.curated-database.name}' },
    });
    expect(byName(json, 'aws_lakeformation_permissions', 'share-apps-prd-tables')).toMatchObject({
      principal: '666666666666',
      permissions: ['SELECT', 'DESCRIBE'],
      table: { database_name: '${aws_glue_catalog_database.curated-database.name}', wildcard: true },
    });
    expect(parsed(json).output!.shared_with_account_ids.value).toEqual(['666666666666']);
    const none = tf({ shares: [] });
    expect(resources(none, 'aws_lakeformation_permissions').some((g) => g.principal === '666666666666')).toBe(false);
  });
});

describe('data-lake: ingestion', () => {
  it('delivers the KMS-encrypted stream into raw with date partitions and a separate error prefix', () => {
    const json = tf();
    const [stream] = resources(json, 'aws_kinesis_stream');
    expect(stream.encryption_type).toBe('KMS');
    expect(String(stream.kms_key_id)).toMatch(/^\$\{aws_kms_key\.data-key.*\.arn\}$/);
    const [firehose] = resources(json, 'aws_kinesis_firehose_delivery_stream');
    expect(firehose).toMatchObject({
      destination: 'extended_s3',
      kinesis_source_configuration: { kinesis_stream_arn: '${aws_kinesis_stream.stream.arn}' },
      extended_s3_configuration: {
        prefix: 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        error_output_prefix: 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        compression_format: 'GZIP',
        cloudwatch_logging_options: { enabled: true },
      },
    });
    const s3 = firehose.extended_s3_configuration as Res;
    expect(String(s3.bucket_arn)).toContain('raw-bucket');
    expect(String(s3.kms_key_arn)).toMatch(/^\$\{aws_kms_key\.data-key.*\.arn\}$/);
  });

  it('takes prefixes and stream capacity from config', () => {
    const json = tf({ firehose: { prefix: 'raw/!{timestamp:yyyy/MM/dd}/', errorOutputPrefix: 'failed/!{firehose:error-output-type}/' }, stream: { mode: 'PROVISIONED', shardCount: 4 } });
    expect(resources(json, 'aws_kinesis_firehose_delivery_stream')[0]).toMatchObject({
      extended_s3_configuration: { prefix: 'raw/!{timestamp:yyyy/MM/dd}/', error_output_prefix: 'failed/!{firehose:error-output-type}/' },
    });
    expect(resources(json, 'aws_kinesis_stream')[0]).toMatchObject({ shard_count: 4, stream_mode_details: { stream_mode: 'PROVISIONED' } });
    // The raw crawler follows the static part of the prefix.
    expect(JSON.stringify(byName(json, 'aws_glue_crawler', 'raw-crawler').s3_target)).toContain('/raw/"');
    expect(staticPrefix(DEFAULT_FIREHOSE_PREFIX)).toBe('events/');
  });
});

describe('data-lake: roles built from grants', () => {
  const policyOf = (json: string, name: string) => JSON.parse(byName(json, 'aws_iam_role_policy', name).policy as string).Statement as Res[];

  it('lets Firehose read the stream, write raw, use the data key and its log group, and nothing else', () => {
    const json = tf();
    const statements = policyOf(json, 'firehose-policy');
    expect(statements.map((s) => s.Sid)).toEqual(['KinesisRead', 'S3ReadWrite', 'KmsEncryptDecrypt', 'LogsWrite']);
    expect(statements[0].Resource).toBe('${aws_kinesis_stream.stream.arn}');
    expect(String(statements[1].Resource)).toContain('raw-bucket');
    expect(JSON.stringify(statements)).not.toMatch(/curated-bucket|analytics-bucket/);
    expect(byName(json, 'aws_kinesis_firehose_delivery_stream', 'firehose').depends_on).toEqual(['aws_iam_role_policy.firehose-policy']);
  });

  it('gives Lake Formation read, write and delete on the three zones and one key statement', () => {
    const statements = policyOf(tf(), 'lakeformation-policy');
    expect(statements.map((s) => s.Sid)).toEqual(['S3ReadWrite', 'S3Delete', 'KmsDirectEncryptDecrypt']);
    expect(statements[1].Resource).toHaveLength(3);
    expect(statements[2].Action).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  });

  it('limits the analysts to query results in the analytics bucket', () => {
    const s3 = policyOf(tf(), 'analyst-policy').find((s) => s.Sid === 'S3ReadWrite')!;
    expect(s3.Resource).toEqual([expect.stringContaining('analytics-bucket'), expect.stringMatching(/analytics-bucket.*\/athena-results\/\*$/)]);
  });
});

describe('data-lake: storage, catalog and queries', () => {
  it('names its buckets with the account id (S3 bucket names are shared with every AWS customer)', () => {
    expect(resources(tf(), 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual([
      'test-data-science-data-lake-analytics-777777777777',
      'test-data-science-data-lake-curated-777777777777',
      'test-data-science-data-lake-logs-777777777777',
      'test-data-science-data-lake-raw-777777777777',
    ]);
  });

  it('tiers raw to Glacier and curated to Glacier Instant Retrieval, logs access, and expires query results', () => {
    const json = tf({ lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 120 } });
    const lifecycle = (zone: string) => JSON.stringify(byName(json, 'aws_s3_bucket_lifecycle_configuration', `${zone}-bucket`).rule);
    expect(lifecycle('raw')).toContain('{"days":30,"storage_class":"STANDARD_IA"},{"days":120,"storage_class":"GLACIER"}');
    expect(lifecycle('curated')).toContain('{"days":120,"storage_class":"GLACIER_IR"}');
    expect(lifecycle('analytics')).toContain('"prefix":"athena-results/"');
    const logging = resources(json, 'aws_s3_bucket_logging');
    expect(logging.map((l) => l.target_prefix).sort()).toEqual(['s3/analytics/', 's3/curated/', 's3/raw/']);
    const sse = JSON.stringify(byName(json, 'aws_s3_bucket_server_side_encryption_configuration', 'raw-bucket'));
    expect(sse).toContain('"sse_algorithm":"aws:kms"');
    expect(sse).toContain('"bucket_key_enabled":true');
  });

  it('crawls on a schedule with a security configuration encrypting logs, bookmarks and S3 writes', () => {
    const json = tf({ crawlerSchedule: 'cron(0 5 * * ? *)' });
    expect(resources(json, 'aws_glue_security_configuration')[0]).toMatchObject({
      encryption_configuration: {
        cloudwatch_encryption: { cloudwatch_encryption_mode: 'SSE-KMS' },
        job_bookmarks_encryption: { job_bookmarks_encryption_mode: 'CSE-KMS' },
        s3_encryption: { s3_encryption_mode: 'SSE-KMS' },
      },
    });
    const crawlers = resources(json, 'aws_glue_crawler');
    expect(crawlers).toHaveLength(2);
    for (const c of crawlers) {
      expect(c).toMatchObject({ schedule: 'cron(0 5 * * ? *)', security_configuration: '${aws_glue_security_configuration.glue-security.name}' });
    }
    expect(resources(json, 'aws_glue_catalog_database').map((d) => d.name).sort()).toEqual(['test_analytics', 'test_curated', 'test_raw']);
  });

  it('enforces the Athena workgroup configuration with SSE_KMS results in the analytics bucket', () => {
    const [wg] = resources(tf(), 'aws_athena_workgroup');
    expect(wg).toMatchObject({
      configuration: {
        enforce_workgroup_configuration: true,
        bytes_scanned_cutoff_per_query: 10 * 1024 ** 3,
        result_configuration: { encryption_configuration: { encryption_option: 'SSE_KMS' }, expected_bucket_owner: '777777777777' },
      },
    });
    const result = (wg.configuration as Res).result_configuration as Res;
    expect(result.output_location).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.analytics-bucket.*\.bucket\}\/athena-results\/$/);
  });

  it('allows * only where IAM has no resource type (lakeformation:GetDataAccess), and no wildcard actions', () => {
    const policies = resources(tf(), 'aws_iam_role_policy').flatMap((p) => JSON.parse(p.policy as string).Statement as Res[]);
    for (const s of policies) {
      expect(String(s.Action)).not.toMatch(/(^|:)\*$/);
      if (s.Resource === '*') expect(s.Action).toBe('lakeformation:GetDataAccess');
    }
  });
});

describe('data-lake: bad config', () => {
  it('refuses an error prefix without the error-output-type expression', () => {
    expect(() => build(org({ firehose: { errorOutputPrefix: 'errors/' } }))).toThrow(
      /data-science\/data-lake: firehose\.errorOutputPrefix: "errors\/" must contain !\{firehose:error-output-type\}/,
    );
    expect(DEFAULT_FIREHOSE_ERROR_PREFIX).toContain('!{firehose:error-output-type}');
  });

  it('refuses shares with unknown accounts or itself, and bad admins', () => {
    expect(() => build(org({ shares: [{ account: 'apps-nope' }] }))).toThrow(/shares\[0\]\.account: unknown account "apps-nope"/);
    expect(() => build(org({ shares: [{ account: 'data-science' }] }))).toThrow(/shares\[0\]\.account: is this account/);
    expect(() => build(org({ admins: ['*'] }))).toThrow(/admins\[0\]: "\*" is not an IAM role or user ARN/);
    expect(() => build(org({ admins: ['arn:aws:iam::777777777777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DevOps_0123456789abcdef'] })))
      .toThrow(/data-science\/data-lake: admins\[0\]: .* is an Identity Center role, .* list the permission set in adminPermissionSets instead/);
    expect(() => build(org({ adminPermissionSets: [] }))).toThrow(/data-science\/data-lake: adminPermissionSets: lists no permission set/);
    expect(() => build(org({ adminPermissionSets: ['Data*'] }))).toThrow(/adminPermissionSets\[0\]: "Data\*" is not a permission set name/);
    expect(() => build(org({ shares: [{ account: 'apps-prd', tablePermissions: ['ALL'] }] }))).toThrow(/tablePermissions\[0\]: "ALL" must be SELECT or DESCRIBE/);
  });

  it('refuses inconsistent lifecycle and stream settings', () => {
    expect(() => build(org({ lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 45 } }))).toThrow(
      /lifecycle\.glacierAfterDays: 45 must be at least 30 days after infrequentAccessAfterDays \(30\)/,
    );
    expect(() => build(org({ stream: { shardCount: 2 } }))).toThrow(/stream\.shardCount: is only valid with mode PROVISIONED/);
    expect(() => build(org({ crawlerSchedule: 'daily' }))).toThrow(/crawlerSchedule: "daily" must be a six-field cron\(\) expression/);
  });
});
