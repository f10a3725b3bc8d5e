import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { CeAnomalyMonitor } from '@cdktf/provider-aws/lib/ce-anomaly-monitor';
import { CeAnomalySubscription, type CeAnomalySubscriptionThresholdExpression } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import type { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { emailAddress, FieldProblems, integerBetween, knownAccount, oneOf } from '../lib/validators';
import { CostDataExport, costDataExportPropProblems, DATA_EXPORTS_REGION } from '../modules/cost-data-export';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';

export interface BudgetThreshold {
  /** Percent of the monthly amount. */
  readonly percent: number;
  /** `ACTUAL` spend so far or `FORECASTED` spend at month end. */
  readonly type: 'ACTUAL' | 'FORECASTED';
}

/** AWS Cost Anomaly Detection (docs/governance.md, "cost"). */
export interface CostAnomalyConfig {
  /** Alert when an anomaly's total impact reaches this many USD. @default 100 */
  readonly impactUsd?: number;
  /** ... and is at least this many percent above the expected spend. @default - the USD threshold alone */
  readonly impactPercent?: number;
  /** One monitor per member account (spend of each account evaluated on its own) besides the AWS services monitor. @default true */
  readonly perAccount?: boolean;
}

/** The cost and usage data export (CUR 2.0) into an encrypted bucket of this account. */
export interface CostExportConfig {
  /** @default 'DAILY' */
  readonly timeGranularity?: 'HOURLY' | 'DAILY' | 'MONTHLY';
  /** Add resource ids to the line items. @default true */
  readonly includeResourceIds?: boolean;
  /** Columns of the CUR 2.0 table. @default CUR2_DEFAULT_COLUMNS (modules/cost-data-export.ts) */
  readonly columns?: readonly string[];
  /** Days export files are kept. @default 760 */
  readonly retentionDays?: number;
  /** Days S3 access logs of the export bucket are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

export interface CostConfig {
  /** Monthly budget in USD per account name; accounts not listed get `defaultMonthlyUsd`. */
  readonly monthlyUsd?: Readonly<Record<string, number>>;
  /** Monthly budget of accounts absent from `monthlyUsd`; 0 creates no budget for them. @default 100 */
  readonly defaultMonthlyUsd?: number;
  /** @default [{ percent: 80, type: 'ACTUAL' }, { percent: 100, type: 'FORECASTED' }] */
  readonly thresholds?: readonly BudgetThreshold[];
  /** E-mail addresses subscribed to the budget topic (which also carries the cost anomaly alerts). @default [] */
  readonly notificationEmails?: readonly string[];
  /** Cost Anomaly Detection monitors and an immediate alert subscription to the topic; `false` for none. @default {} (on) */
  readonly anomalyDetection?: CostAnomalyConfig | false;
  /** Cost and usage report 2.0 exported as Parquet to an encrypted bucket; `false` for none. @default {} (on) */
  readonly dataExport?: CostExportConfig | false;
}

export const costContract = defineContract('cost', {
  budget_names: { description: 'Budget names, one per account with a budget', mock: ['acme-apps-prd-monthly'] },
  sns_topic_arn: { description: 'Encrypted topic receiving budget and cost anomaly alerts', mock: 'arn:aws:sns:us-east-1:111111111111:acme-management-budgets' },
  anomaly_monitor_arns: { description: 'Cost Anomaly Detection monitors: AWS services, then one per account ([] when off)', mock: ['arn:aws:ce::111111111111:anomalymonitor/00000000-0000-0000-0000-000000000000'] },
  anomaly_subscription_arn: { description: 'Subscription sending anomalies to the topic ("" when off)', mock: 'arn:aws:ce::111111111111:anomalysubscription/00000000-0000-0000-0000-000000000000' },
  data_export_arn: { description: 'Cost and usage data export (CUR 2.0) ("" when off)', mock: 'arn:aws:bcm-data-exports:us-east-1:111111111111:export/acme-cur2-00000000-0000-0000-0000-000000000000' },
  data_export_bucket_name: { description: 'Bucket receiving the export ("" when off)', mock: 'acme-management-cost-exports-111111111111' },
});

/**
 * The expression of a monitor of one account, written the way the provider reads it back (the SDK's Expression with
 * every field, unset ones null): the attribute forces replacement, and a shorter but equal JSON would be replaced on
 * every plan.
 */
export function linkedAccountSpecification(accountId: string): string {
  return JSON.stringify({
    And: null, CostCategories: null, Dimensions: { Key: 'LINKED_ACCOUNT', MatchOptions: null, Values: [accountId] }, Not: null, Or: null, Tags: null,
  });
}

const DEFAULT_THRESHOLDS: readonly BudgetThreshold[] = [{ percent: 80, type: 'ACTUAL' }, { percent: 100, type: 'FORECASTED' }];
/** The service principal of AWS Cost Anomaly Detection alerts. */
const COST_ALERTS = 'costalerts.amazonaws.com';

/**
 * Leverage cost-mgmt (management account): one monthly cost budget per account, Cost Anomaly Detection (the AWS
 * services monitor and one monitor per member account) with immediate alerts, both to an encrypted topic, and the
 * organisation's cost and usage report 2.0 exported as Parquet into an encrypted bucket.
 */
export class Cost extends LayerStack {
  static readonly contract = costContract;
  /** The export bucket keeps billing history. */
  static readonly stateful = true;

  static validate(config: CostConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    for (const [account, amount] of Object.entries(config.monthlyUsd ?? {})) {
      problems.check(`monthlyUsd.${account}`, knownAccount(ctx.org, account));
      if (!(amount > 0)) problems.add(`monthlyUsd.${account}`, `${amount} must be a positive amount of USD`);
    }
    if ((config.defaultMonthlyUsd ?? 100) < 0) problems.add('defaultMonthlyUsd', 'must not be negative');
    const thresholds = config.thresholds ?? DEFAULT_THRESHOLDS;
    // AWS Budgets: at most 5 notifications per budget, and no two alike (DuplicateRecordException).
    if (thresholds.length > 5) problems.add('thresholds', `lists ${thresholds.length} notifications; a budget accepts 5`);
    thresholds.forEach((t, i) => {
      if (!(t.percent > 0 && t.percent <= 1000)) problems.add(`thresholds[${i}].percent`, `${t.percent} must be between 0 and 1000`);
      problems.check(`thresholds[${i}].type`, oneOf(t.type, ['ACTUAL', 'FORECASTED']));
      if (thresholds.slice(0, i).some((x) => x.percent === t.percent && x.type === t.type)) problems.add(`thresholds[${i}]`, `${t.percent}% ${t.type} is listed twice`);
    });
    (config.notificationEmails ?? []).forEach((email, i) => problems.check(`notificationEmails[${i}]`, emailAddress(email)));
    const anomaly = config.anomalyDetection ?? {};
    if (anomaly) {
      const usd = anomaly.impactUsd ?? 100;
      if (!(usd > 0)) problems.add('anomalyDetection.impactUsd', `${usd} must be a positive amount of USD`);
      if (anomaly.impactPercent !== undefined) problems.check('anomalyDetection.impactPercent', integerBetween(anomaly.impactPercent, 1, 1000, 'percent'));
      // One monitor per member account plus the services monitor, within the 101 monitors an account may have.
      const monitors = 1 + ((anomaly.perAccount ?? true) ? ctx.org.accounts.size : 0);
      if (monitors > 101) problems.add('anomalyDetection.perAccount', `would create ${monitors} monitors; Cost Anomaly Detection allows 101 per account`);
    }
    const exported = config.dataExport ?? {};
    if (exported) {
      problems.nest('dataExport', costDataExportPropProblems(exported));
      problems.check('dataExport.accessLogRetentionDays', integerBetween(exported.accessLogRetentionDays ?? 365, 1, 3650, 'days'));
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: CostConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const anomaly = config.anomalyDetection ?? {};
    const publishers = ['budgets.amazonaws.com', ...(anomaly ? [COST_ALERTS] : [])];
    const key = new KmsKey(this, 'budgets-key', {
      alias: this.resourceName('budgets'),
      description: 'Encrypts the budget and cost anomaly alerts topic',
      accountId,
    });
    key.grantToService('sns-publishers', { services: publishers, accountId });
    const topic = new EncryptedTopic(this, 'budgets-topic', {
      name: this.resourceName('budgets'),
      kmsKeyArn: key.arn,
      accountId,
      publisherServices: publishers,
      emailSubscriptions: config.notificationEmails,
    });
    const budgets = this.budgets(config, topic);
    const anomalies = anomaly ? this.anomalyDetection(anomaly, topic) : undefined;
    const exported = config.dataExport ?? {};
    const dataExport = exported ? this.dataExport(exported) : undefined;
    this.publish(costContract, {
      budget_names: budgets.map((b) => b.name),
      sns_topic_arn: topic.arn,
      anomaly_monitor_arns: anomalies?.monitors.map((m) => m.arn) ?? [],
      anomaly_subscription_arn: anomalies?.subscription.arn ?? '',
      data_export_arn: dataExport?.arn ?? '',
      data_export_bucket_name: dataExport?.bucket.bucketName ?? '',
    });
  }

  private budgets(config: CostConfig, topic: EncryptedTopic): BudgetsBudget[] {
    const thresholds = config.thresholds ?? DEFAULT_THRESHOLDS;
    const budgets: BudgetsBudget[] = [];
    for (const account of this.ctx.org.accounts.values()) {
      const amount = config.monthlyUsd?.[account.name] ?? config.defaultMonthlyUsd ?? 100;
      if (amount <= 0) continue;
      budgets.push(new BudgetsBudget(this, `budget-${account.name}`, {
        name: `${this.ctx.org.project.name}-${account.name}-monthly`,
        budgetType: 'COST',
        limitAmount: amount.toFixed(2),
        limitUnit: 'USD',
        timeUnit: 'MONTHLY',
        costFilter: [{ name: 'LinkedAccount', values: [account.id] }],
        notification: thresholds.map((t) => ({
          comparisonOperator: 'GREATER_THAN',
          threshold: t.percent,
          thresholdType: 'PERCENTAGE',
          notificationType: t.type,
          subscriberSnsTopicArns: [topic.arn],
        })),
      }));
    }
    return budgets;
  }

  /**
   * The AWS services monitor (DIMENSIONAL/SERVICE: each service evaluated on its own; one per account allows) and, per
   * member account, a customer managed monitor of that account's spend (CUSTOM on LINKED_ACCOUNT: the AWS provider
   * 5.100 accepts only SERVICE as dimension of an AWS managed monitor). One subscription sends every anomaly of them to
   * the topic as it is detected (SNS subscribers must be IMMEDIATE) when its impact reaches the thresholds.
   */
  private anomalyDetection(config: CostAnomalyConfig, topic: EncryptedTopic): { monitors: CeAnomalyMonitor[]; subscription: CeAnomalySubscription } {
    // Cost Explorer is served from us-east-1 whatever the layer's region.
    const provider = this.providerFor(DATA_EXPORTS_REGION);
    const monitors = [new CeAnomalyMonitor(this, 'anomaly-services', {
      provider,
      name: `${this.ctx.org.project.name}-aws-services`,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    })];
    if (config.perAccount ?? true) {
      for (const account of this.ctx.org.accounts.values()) {
        monitors.push(new CeAnomalyMonitor(this, `anomaly-account-${account.name}`, {
          provider,
          name: `${this.ctx.org.project.name}-${account.name}`,
          monitorType: 'CUSTOM',
          monitorSpecification: linkedAccountSpecification(account.id),
        }));
      }
    }
    const impact = (key: string, value: number): CeAnomalySubscriptionThresholdExpression => ({
      dimension: { key, matchOptions: ['GREATER_THAN_OR_EQUAL'], values: [String(value)] },
    });
    const absolute = impact('ANOMALY_TOTAL_IMPACT_ABSOLUTE', config.impactUsd ?? 100);
    const thresholdExpression: CeAnomalySubscriptionThresholdExpression = config.impactPercent === undefined
      ? absolute
      : { and: [absolute, impact('ANOMALY_TOTAL_IMPACT_PERCENTAGE', config.impactPercent)] };
    const subscription = new CeAnomalySubscription(this, 'anomaly-alerts', {
      provider,
      name: `${this.ctx.org.project.name}-cost-anomalies`,
      frequency: 'IMMEDIATE',
      monitorArnList: monitors.map((m) => m.arn),
      subscriber: [{ type: 'SNS', address: topic.arn }],
      thresholdExpression,
      // The topic must admit costalerts.amazonaws.com before anomalies are sent to it.
      dependsOn: [topic.node.findChild('policy') as SnsTopicPolicy],
    });
    return { monitors, subscription };
  }

  /** CUR 2.0 export into a bucket of this account (its own key, access logs to a log bucket). */
  private dataExport(config: CostExportConfig): CostDataExport {
    const accountId = this.ctx.account.id;
    const key = new KmsKey(this, 'exports-key', {
      alias: this.resourceName('cost-exports'),
      description: 'Encrypts the cost and usage data exports',
      accountId,
    });
    const logs = new LogBucket(this, 'exports-logs', {
      bucketName: this.resourceName('cost-exports-logs', accountId),
      sourceAccountId: accountId,
      expirationDays: config.accessLogRetentionDays ?? 365,
    });
    return new CostDataExport(this, 'data-export', {
      ...config,
      name: `${this.ctx.org.project.name}-cur2`,
      bucketName: this.resourceName('cost-exports', accountId),
      bucketRegion: this.ctx.region,
      kmsKey: key,
      accountId,
      accessLogs: { bucket: logs.bucketName, prefix: 'cost-exports/' },
      exportProvider: this.providerFor(DATA_EXPORTS_REGION),
    });
  }
}
