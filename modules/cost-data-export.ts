import { BcmdataexportsExport } from '@cdktf/provider-aws/lib/bcmdataexports-export';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, integerAtLeast, oneOf } from '../lib/validators';
import type { KmsKey } from './kms-key';
import type { PolicyStatement } from './policy';
import { SecureBucket } from './secure-bucket';

/**
 * CUR 2.0 columns exported unless configured: identity, billing period and payer, usage account (id and name),
 * product, operation, usage, the cost columns (unblended, net unblended, amortised through Savings Plans and
 * reservations), pricing unit and term, resource id, tags and cost categories. Names from the Data Exports table
 * dictionary (COST_AND_USAGE_REPORT); an unknown column makes CreateExport fail.
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
 */
export const CUR2_DEFAULT_COLUMNS: readonly string[] = [
  'identity_line_item_id', 'identity_time_interval',
  'bill_bill_type', 'bill_billing_entity', 'bill_billing_period_start_date', 'bill_billing_period_end_date', 'bill_invoice_id',
  'bill_payer_account_id', 'bill_payer_account_name',
  'line_item_usage_account_id', 'line_item_usage_account_name', 'line_item_line_item_type', 'line_item_line_item_description',
  'line_item_product_code', 'line_item_usage_type', 'line_item_operation', 'line_item_availability_zone', 'line_item_resource_id',
  'line_item_usage_start_date', 'line_item_usage_end_date', 'line_item_usage_amount', 'line_item_currency_code',
  'line_item_unblended_cost', 'line_item_net_unblended_cost', 'line_item_blended_cost',
  'pricing_term', 'pricing_unit',
  'product_product_family', 'product_region_code', 'product_servicecode',
  'reservation_effective_cost', 'savings_plan_savings_plan_effective_cost',
  'resource_tags', 'cost_category',
];

/** Region of the Data Exports API: exports are created there whatever the bucket's region. */
export const DATA_EXPORTS_REGION = 'us-east-1';

/** The services writing exports into the bucket: Data Exports, and the CUR service checking the bucket policy. */
const EXPORT_SERVICES = ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'];

export interface CostDataExportProps {
  /** Export name (the S3 folder under the prefix too). */
  readonly name: string;
  /** Bucket receiving the export. */
  readonly bucketName: string;
  /** Region of the bucket. */
  readonly bucketRegion: string;
  /** Key of the bucket (SSE-KMS): its policy gets the statement admitting Data Exports of this account. */
  readonly kmsKey: KmsKey;
  /** Account creating the export and owning the bucket (Data Exports refuses another owner). */
  readonly accountId: string;
  /** Where server access logs of the bucket go. */
  readonly accessLogs: { readonly bucket: string; readonly prefix: string };
  /** @default 'DAILY' */
  readonly timeGranularity?: 'HOURLY' | 'DAILY' | 'MONTHLY';
  /** Add resource ids (`line_item_resource_id`) to the line items: more rows, finer attribution. @default true */
  readonly includeResourceIds?: boolean;
  /** Columns of the CUR 2.0 table. @default CUR2_DEFAULT_COLUMNS */
  readonly columns?: readonly string[];
  /** Days export files are kept. @default 760 (two years and a month) */
  readonly retentionDays?: number;
  /** Key prefix of the export in the bucket. @default 'cur2' */
  readonly prefix?: string;
  /** Provider of the bucket (its region). @default the stack's default provider */
  readonly provider?: TerraformProvider;
  /** Provider in us-east-1, where the Data Exports API lives. @default the stack's default provider */
  readonly exportProvider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function costDataExportPropProblems(props: Pick<CostDataExportProps, 'timeGranularity' | 'columns' | 'retentionDays' | 'includeResourceIds'>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.timeGranularity !== undefined) problems.check('timeGranularity', oneOf(props.timeGranularity, ['HOURLY', 'DAILY', 'MONTHLY']));
  const columns = props.columns ?? CUR2_DEFAULT_COLUMNS;
  if (columns.length === 0) problems.add('columns', 'must list at least one column of COST_AND_USAGE_REPORT');
  columns.forEach((c, i) => { if (!/^[a-z][a-z0-9_]*$/.test(c)) problems.add(`columns[${i}]`, `"${c}" is not a CUR 2.0 column name`); });
  if (props.includeResourceIds === false && columns.includes('line_item_resource_id')) {
    problems.add('columns', 'line_item_resource_id needs includeResourceIds');
  }
  problems.check('retentionDays', integerAtLeast(props.retentionDays ?? 760, 32, 'days (a month of exports at least)'));
  return problems.list;
}

/**
 * The key statement letting Data Exports (and the CUR service) of one account write SSE-KMS objects with the key, only
 * for that account's exports and report definitions (aws:SourceAccount, aws:SourceArn).
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-s3-bucket.html
 */
export function dataExportsKeyStatement(accountId: string): PolicyStatement {
  return {
    Sid: 'DataExportsEncrypt',
    Effect: 'Allow',
    Principal: { Service: [...EXPORT_SERVICES] },
    Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceAccount': accountId },
      ArnLike: { 'aws:SourceArn': sourceArns(accountId) },
    },
  };
}

function sourceArns(accountId: string): string[] {
  return [`arn:aws:cur:${DATA_EXPORTS_REGION}:${accountId}:definition/*`, `arn:aws:bcm-data-exports:${DATA_EXPORTS_REGION}:${accountId}:export/*`];
}

/**
 * A cost and usage data export (CUR 2.0, Parquet, refreshed as the billing data updates) into a versioned SSE-KMS
 * bucket with access logs: the bucket policy Data Exports documents (PutObject and GetBucketPolicy for its services,
 * pinned to this account's exports), the key statement it needs for SSE-KMS, and the export itself in us-east-1.
 */
export class CostDataExport extends Construct {
  readonly bucket: SecureBucket;
  readonly export: BcmdataexportsExport;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: CostDataExportProps) {
    super(scope, id);
    const arn = `arn:aws:s3:::${props.bucketName}`;
    const prefix = props.prefix ?? 'cur2';
    props.kmsKey.addToKeyPolicy(dataExportsKeyStatement(props.accountId));
    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      kmsKeyArn: props.kmsKey.arn,
      accessLogs: props.accessLogs,
      provider: props.provider,
      lifecycleRules: [{ id: 'expire-exports', status: 'Enabled', filter: [{ prefix: `${prefix}/` }], expiration: [{ days: props.retentionDays ?? 760 }] }],
      policyStatements: [{
        Sid: 'DataExportsWrite',
        Effect: 'Allow',
        Principal: { Service: [...EXPORT_SERVICES] },
        Action: ['s3:GetBucketPolicy', 's3:PutObject'],
        Resource: [arn, `${arn}/*`],
        Condition: { StringEquals: { 'aws:SourceAccount': props.accountId }, ArnLike: { 'aws:SourceArn': sourceArns(props.accountId) } },
      }],
    });
    const columns = props.columns ?? CUR2_DEFAULT_COLUMNS;
    this.export = new BcmdataexportsExport(this, 'export', {
      provider: props.exportProvider,
      export: [{
        name: props.name,
        description: 'Cost and usage report 2.0 of the organisation (Parquet, for Athena)',
        dataQuery: [{
          queryStatement: `SELECT ${columns.join(', ')} FROM COST_AND_USAGE_REPORT`,
          // Every setting must be given once one is, BILLING_VIEW_ARN included (the provider documents it).
          tableConfigurations: {
            COST_AND_USAGE_REPORT: {
              BILLING_VIEW_ARN: `arn:aws:billing::${props.accountId}:billingview/primary`,
              TIME_GRANULARITY: props.timeGranularity ?? 'DAILY',
              INCLUDE_RESOURCES: (props.includeResourceIds ?? true) ? 'TRUE' : 'FALSE',
              INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
              INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
            },
          },
        }],
        destinationConfigurations: [{
          s3Destination: [{
            s3Bucket: this.bucket.bucketName,
            s3Prefix: prefix,
            s3Region: props.bucketRegion,
            s3OutputConfigurations: [{ overwrite: 'OVERWRITE_REPORT', format: 'PARQUET', compression: 'PARQUET', outputType: 'CUSTOM' }],
          }],
        }],
        refreshCadence: [{ frequency: 'SYNCHRONOUS' }],
      }],
      // Data Exports checks the bucket policy when the export is created.
      dependsOn: [this.bucket.policy],
    });
    this.arn = this.export.export.get(0).exportArn;
  }
}
