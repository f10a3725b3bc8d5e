import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { emailAddress, FieldProblems, knownAccount, oneOf } from '../lib/validators';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { KmsKey } from '../modules/kms-key';

export interface BudgetThreshold {
  /** Percent of the monthly amount. */
  readonly percent: number;
  /** `ACTUAL` spend so far or `FORECASTED` spend at month end. */
  readonly type: 'ACTUAL' | 'FORECASTED';
}

export interface CostConfig {
  /** Monthly budget in USD per account name; accounts not listed get `defaultMonthlyUsd`. */
  readonly monthlyUsd?: Readonly<Record<string, number>>;
  /** Monthly budget of accounts absent from `monthlyUsd`; 0 creates no budget for them. @default 100 */
  readonly defaultMonthlyUsd?: number;
  /** @default [{ percent: 80, type: 'ACTUAL' }, { percent: 100, type: 'FORECASTED' }] */
  readonly thresholds?: readonly BudgetThreshold[];
  /** E-mail addresses subscribed to the budget topic. @default [] */
  readonly notificationEmails?: readonly string[];
}

export const costContract = defineContract('cost', {
  budget_names: { description: 'Budget names, one per account with a budget', mock: ['acme-apps-prd-monthly'] },
  sns_topic_arn: { description: 'Encrypted topic receiving budget alerts', mock: 'arn:aws:sns:us-east-1:111111111111:acme-management-budgets' },
});

const DEFAULT_THRESHOLDS: readonly BudgetThreshold[] = [{ percent: 80, type: 'ACTUAL' }, { percent: 100, type: 'FORECASTED' }];

/** Leverage cost-mgmt (management account): one monthly cost budget per account, alerting an encrypted topic. */
export class Cost extends LayerStack {
  static readonly contract = costContract;

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
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: CostConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const key = new KmsKey(this, 'budgets-key', {
      alias: this.resourceName('budgets'),
      description: 'Encrypts the budget alerts topic',
      accountId,
    });
    key.grantToService('sns-publishers', { services: ['budgets.amazonaws.com'], accountId });
    const topic = new EncryptedTopic(this, 'budgets-topic', {
      name: this.resourceName('budgets'),
      kmsKeyArn: key.arn,
      accountId,
      publisherServices: ['budgets.amazonaws.com'],
      emailSubscriptions: config.notificationEmails,
    });
    const thresholds = config.thresholds ?? DEFAULT_THRESHOLDS;
    const budgets: BudgetsBudget[] = [];
    for (const account of ctx.org.accounts.values()) {
      const amount = config.monthlyUsd?.[account.name] ?? config.defaultMonthlyUsd ?? 100;
      if (amount <= 0) continue;
      budgets.push(new BudgetsBudget(this, `budget-${account.name}`, {
        name: `${ctx.org.project.name}-${account.name}-monthly`,
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
    this.publish(costContract, { budget_names: budgets.map((b) => b.name), sns_topic_arn: topic.arn });
  }
}
