/**
 * Cost anomalies and the cost and usage data export of the cost layer (issue 14, item 8): monitors, the alert
 * subscription, what the topic and its key admit, the CUR 2.0 export in us-east-1 into an SSE-KMS bucket whose
 * policy and key admit Data Exports of this account only, and the refusals.
 */
import { BcmdataexportsExport } from '@cdktf/provider-aws/lib/bcmdataexports-export';
import { CeAnomalySubscription } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import { defineLayer } from '../../lib/config';
import { Cost, type CostConfig } from '../../layers/cost';
import { CUR2_DEFAULT_COLUMNS } from '../../modules/cost-data-export';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

const IDS = { management: '111111111111', security: '222222222222', prd: '666666666666' } as const;

function org(cost: CostConfig = {}, region?: string) {
  return source({
    management: { config: account({ id: IDS.management, environment: 'management', region }), layers: { cost: defineLayer(Cost, cost) } },
    security: { config: account({ id: IDS.security, environment: 'security' }) },
    prd: { config: account({ id: IDS.prd, environment: 'prd' }) },
  }, region ? { availabilityZones: { [region]: ['a', 'b', 'c'].map((z) => `${region}${z}`), 'us-east-1': ['us-east-1a'], 'us-west-2': ['us-west-2a'] } } : {});
}

type Statement = { Sid?: string; Effect: string; Action?: string | string[]; Principal?: { Service?: string | string[]; AWS?: string }; Resource?: unknown; Condition?: Record<string, Record<string, unknown>> };
const statements = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;
const ID = 'test-management-cost';

describe('cost anomaly detection', () => {
  const json = synthStack(org(), ID);

  it('monitors every AWS service and, on its own, the spend of every account', () => {
    const monitors = resources(json, 'aws_ce_anomaly_monitor');
    expect(monitors.filter((m) => m.monitor_type === 'DIMENSIONAL')).toEqual([expect.objectContaining({ name: 'test-aws-services', monitor_dimension: 'SERVICE' })]);
    const custom = monitors.filter((m) => m.monitor_type === 'CUSTOM');
    // Every field of the SDK's Expression, unset ones null: what the provider reads back, so no plan replaces the monitor.
    expect(custom.map((m) => JSON.parse(m.monitor_specification as string)).sort((a, b) => a.Dimensions.Values[0].localeCompare(b.Dimensions.Values[0]))).toEqual(
      [IDS.management, IDS.security, IDS.prd].map((id) => ({
        And: null, CostCategories: null, Dimensions: { Key: 'LINKED_ACCOUNT', MatchOptions: null, Values: [id] }, Not: null, Or: null, Tags: null,
      })),
    );
    expect(custom.every((m) => m.monitor_dimension === undefined)).toBe(true);
    const services = synthStack(org({ anomalyDetection: { perAccount: false } }), ID);
    expect(resources(services, 'aws_ce_anomaly_monitor')).toHaveLength(1);
  });

  it('alerts the encrypted topic immediately when an anomaly reaches 100 USD, after the topic admits Cost Anomaly Detection', () => {
    expect(json).toHaveResourceWithProperties(CeAnomalySubscription, {
      frequency: 'IMMEDIATE',
      subscriber: [{ type: 'SNS', address: expect.stringMatching(/aws_sns_topic\.budgets-topic_.*\.arn/) }],
      threshold_expression: { dimension: { key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', match_options: ['GREATER_THAN_OR_EQUAL'], values: ['100'] } },
    });
    const [subscription] = resources(json, 'aws_ce_anomaly_subscription');
    expect(subscription.monitor_arn_list).toHaveLength(4);
    expect(subscription.depends_on).toEqual([expect.stringMatching(/^aws_sns_topic_policy\.budgets-topic_policy/)]);
    const topicPolicy = statements(resources(json, 'aws_sns_topic_policy')[0].policy);
    expect(topicPolicy.find((s) => s.Sid === 'ServicePublishers')).toMatchObject({
      Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
      Condition: { StringEquals: { 'aws:SourceAccount': IDS.management } },
    });
    const key = Object.values(parsed(json).resource.aws_kms_key).find((k) => String(k.description).includes('alerts topic'))!;
    expect(statements(key.policy).find((s) => s.Sid === 'ServicesPublishToEncryptedTopics')).toMatchObject({
      Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': IDS.management } },
    });
  });

  it('combines an absolute and a percentage threshold, and leaves everything out when turned off', () => {
    const both = synthStack(org({ anomalyDetection: { impactUsd: 250, impactPercent: 20 } }), ID);
    expect(resources(both, 'aws_ce_anomaly_subscription')[0].threshold_expression).toEqual({
      and: [
        { dimension: { key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', match_options: ['GREATER_THAN_OR_EQUAL'], values: ['250'] } },
        { dimension: { key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', match_options: ['GREATER_THAN_OR_EQUAL'], values: ['20'] } },
      ],
    });
    const off = synthStack(org({ anomalyDetection: false }), ID);
    expect(resources(off, 'aws_ce_anomaly_monitor')).toHaveLength(0);
    expect(resources(off, 'aws_ce_anomaly_subscription')).toHaveLength(0);
    expect(statements(resources(off, 'aws_sns_topic_policy')[0].policy).find((s) => s.Sid === 'ServicePublishers')!.Principal).toEqual({ Service: ['budgets.amazonaws.com'] });
    expect(parsed(off).output!.anomaly_subscription_arn.value).toBe('');
  });
});

describe('cost and usage data export', () => {
  const json = synthStack(org(), ID);

  it('exports CUR 2.0 as Parquet, overwritten per period, with every table setting the API requires', () => {
    const [exported] = resources(json, BcmdataexportsExport.tfResourceType);
    const spec = (exported.export as Record<string, unknown>[])[0] as Record<string, Record<string, unknown>[]>;
    expect(spec.data_query[0]).toEqual({
      query_statement: `SELECT ${CUR2_DEFAULT_COLUMNS.join(', ')} FROM COST_AND_USAGE_REPORT`,
      table_configurations: {
        COST_AND_USAGE_REPORT: {
          BILLING_VIEW_ARN: `arn:aws:billing::${IDS.management}:billingview/primary`,
          TIME_GRANULARITY: 'DAILY',
          INCLUDE_RESOURCES: 'TRUE',
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
          INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
        },
      },
    });
    expect(spec.destination_configurations[0]).toEqual({
      s3_destination: [{
        s3_bucket: expect.stringMatching(/aws_s3_bucket\.data-export_bucket_.*\.bucket/),
        s3_prefix: 'cur2',
        s3_region: 'us-east-1',
        s3_output_configurations: [{ overwrite: 'OVERWRITE_REPORT', format: 'PARQUET', compression: 'PARQUET', output_type: 'CUSTOM' }],
      }],
    });
    expect(spec.refresh_cadence).toEqual([{ frequency: 'SYNCHRONOUS' }]);
    expect(exported.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.data-export_bucket_policy/)]);
  });

  it('writes into an SSE-KMS bucket of this account whose policy and key admit only this account\'s exports', () => {
    const bucket = resources(json, 'aws_s3_bucket').find((b) => String(b.bucket).startsWith('test-management-cost-exports-'))!;
    expect(bucket.bucket).toBe(`test-management-cost-exports-${IDS.management}`);
    const sse = resources(json, 'aws_s3_bucket_server_side_encryption_configuration').find((c) => String(c.bucket).includes('data-export_bucket'))!;
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/aws_kms_key\.exports-key/) }, bucket_key_enabled: true }]);
    const sourceArns = [`arn:aws:cur:us-east-1:${IDS.management}:definition/*`, `arn:aws:bcm-data-exports:us-east-1:${IDS.management}:export/*`];
    const bucketPolicy = resources(json, 'aws_s3_bucket_policy').find((p) => String(p.bucket).includes('data-export_bucket'))!;
    expect(statements(bucketPolicy.policy).find((s) => s.Sid === 'DataExportsWrite')).toEqual({
      Sid: 'DataExportsWrite',
      Effect: 'Allow',
      Principal: { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] },
      Action: ['s3:GetBucketPolicy', 's3:PutObject'],
      Resource: [`arn:aws:s3:::test-management-cost-exports-${IDS.management}`, `arn:aws:s3:::test-management-cost-exports-${IDS.management}/*`],
      Condition: { StringEquals: { 'aws:SourceAccount': IDS.management }, ArnLike: { 'aws:SourceArn': sourceArns } },
    });
    const key = Object.values(parsed(json).resource.aws_kms_key).find((k) => k.description === 'Encrypts the cost and usage data exports')!;
    expect(statements(key.policy).find((s) => s.Sid === 'DataExportsEncrypt')).toMatchObject({
      Principal: { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': IDS.management }, ArnLike: { 'aws:SourceArn': sourceArns } },
    });
    expect(resources(json, 'aws_s3_bucket_logging').find((l) => String(l.bucket).includes('data-export_bucket'))!.target_bucket).toMatch(/exports-logs_bucket/);
  });

  it('creates the export (and the monitors) in us-east-1 when the management account lives elsewhere', () => {
    const eu = synthStack(org({}, 'eu-west-1'), ID);
    expect(parsed(eu).provider.aws.map((p) => [p.alias ?? 'default', p.region])).toEqual([['default', 'eu-west-1'], ['us_east_1', 'us-east-1']]);
    expect(resources(eu, BcmdataexportsExport.tfResourceType)[0].provider).toBe('aws.us_east_1');
    expect(resources(eu, 'aws_ce_anomaly_monitor').every((m) => m.provider === 'aws.us_east_1')).toBe(true);
    const exported = (resources(eu, BcmdataexportsExport.tfResourceType)[0].export as Record<string, Record<string, Record<string, unknown>[]>[]>[])[0];
    expect(exported.destination_configurations[0].s3_destination[0].s3_region).toBe('eu-west-1');
    expect(resources(eu, 'aws_s3_bucket').every((b) => b.provider === undefined)).toBe(true);
  });

  it('publishes its outputs, and creates no bucket when turned off', () => {
    const outputs = parsed(json).output!;
    expect(outputs.data_export_arn.value).toMatch(/aws_bcmdataexports_export\.data-export_.*\.export\[0\]\.export_arn/);
    expect(outputs.anomaly_monitor_arns.value).toHaveLength(4);
    const off = synthStack(org({ dataExport: false }), ID);
    expect(resources(off, 'aws_bcmdataexports_export')).toHaveLength(0);
    expect(resources(off, 'aws_s3_bucket')).toHaveLength(0);
    expect(parsed(off).output!.data_export_bucket_name.value).toBe('');
  });

  it('refuses thresholds, columns and retentions AWS would refuse', () => {
    expect(() => build(org({ anomalyDetection: { impactUsd: 0 } }))).toThrow(/management\/cost: anomalyDetection\.impactUsd: 0 must be a positive amount of USD/);
    expect(() => build(org({ anomalyDetection: { impactPercent: 0 } }))).toThrow(/anomalyDetection\.impactPercent: 0 must be a whole number from 1 to 1000 percent/);
    expect(() => build(org({ dataExport: { columns: [] } }))).toThrow(/dataExport\.columns: must list at least one column of COST_AND_USAGE_REPORT/);
    expect(() => build(org({ dataExport: { columns: ['line_item_unblended_cost', 'Cost Center'] } }))).toThrow(/dataExport\.columns\[1\]: "Cost Center" is not a CUR 2\.0 column name/);
    expect(() => build(org({ dataExport: { includeResourceIds: false } }))).toThrow(/dataExport\.columns: line_item_resource_id needs includeResourceIds/);
    expect(() => build(org({ dataExport: { timeGranularity: 'WEEKLY' as 'DAILY' } }))).toThrow(/dataExport\.timeGranularity: "WEEKLY" must be HOURLY, DAILY or MONTHLY/);
    expect(() => build(org({ dataExport: { retentionDays: 7 } }))).toThrow(/dataExport\.retentionDays: 7 must be a whole number of at least 32 days/);
  });
});
