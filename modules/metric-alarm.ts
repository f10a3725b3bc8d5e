import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Token, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, oneOf, positiveInteger } from '../lib/validators';
import { refuseProblems } from './prop-problems';

export type AlarmStatistic = 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount';
export type AlarmComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
export type MissingDataTreatment = 'notBreaching' | 'breaching' | 'ignore' | 'missing';

const STATISTICS: readonly AlarmStatistic[] = ['Average', 'Maximum', 'Minimum', 'Sum', 'SampleCount'];
const COMPARISONS: readonly AlarmComparison[] = ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];
const MISSING_DATA: readonly MissingDataTreatment[] = ['notBreaching', 'breaching', 'ignore', 'missing'];
/** A percentile statistic, p0 to p100 with up to two decimals (CloudWatch's `ExtendedStatistic`). */
const PERCENTILE = /^p(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;

/** The metric an alarm watches. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** @default - none (a metric without dimensions) */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount`, or a percentile such as `p99`. */
  readonly statistic: AlarmStatistic | `p${string}`;
}

export interface MetricAlarmProps {
  /** Alarm name, `<prefix>-<what>` like every other name of the layer; unique per account and region, at most 255 characters. */
  readonly name: string;
  /** What went wrong and what to do, shown in the notification. At most 1024 characters. */
  readonly description: string;
  readonly metric: AlarmMetric;
  readonly threshold: number;
  /** @default 'GreaterThanThreshold' */
  readonly comparison?: AlarmComparison;
  /** Seconds per evaluated datapoint: 10, 20, 30 (high-resolution metrics only) or a multiple of 60. @default 300 */
  readonly periodSeconds?: number;
  /** Periods looked at. @default 1 */
  readonly evaluationPeriods?: number;
  /** Breaching periods among them that raise the alarm ("M out of N"). @default - every one of evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /**
   * How a period without data counts. Most metrics alarmed on here (errors, 5xx, messages in a dead-letter queue) are
   * only emitted when something happens, so no data means all is well. @default 'notBreaching'
   */
  readonly treatMissingData?: MissingDataTreatment;
  /** Topic notified when the alarm fires (its key must admit cloudwatch.amazonaws.com). @default - no notification, the console only */
  readonly alarmTopicArn?: string;
  /** Notify the topic again when the alarm returns to OK. @default true */
  readonly notifyOnOk?: boolean;
  /** Resources the alarm waits for (the metric filter producing its metric). @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Longest evaluation range PutMetricAlarm accepts: one day for periods under an hour, seven days otherwise. */
function longestRange(periodSeconds: number): number {
  return periodSeconds < 3600 ? 86400 : 604800;
}

/**
 * Problems of the props that need no AWS, by prop name: what PutMetricAlarm would refuse at apply time.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export function metricAlarmPropProblems(props: Partial<MetricAlarmProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 255, pattern: /^[^\p{Cc}]+$/u, described: 'free of control characters' }));
  }
  if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 1024) {
    problems.add('description', `is ${props.description.length} characters, more than the 1024 CloudWatch allows`);
  }
  const statistic = props.metric?.statistic;
  if (statistic !== undefined && !STATISTICS.includes(statistic as AlarmStatistic) && !PERCENTILE.test(statistic)) {
    problems.add('metric.statistic', `"${statistic}" must be ${STATISTICS.join(', ')} or a percentile such as p99`);
  }
  if (props.threshold !== undefined && !Number.isFinite(props.threshold)) problems.add('threshold', `${props.threshold} is not a number`);
  if (props.comparison !== undefined) problems.check('comparison', oneOf(props.comparison, COMPARISONS));
  if (props.treatMissingData !== undefined) problems.check('treatMissingData', oneOf(props.treatMissingData, MISSING_DATA));
  const period = props.periodSeconds ?? 300;
  const evaluations = props.evaluationPeriods ?? 1;
  if (![10, 20, 30].includes(period) && !(Number.isInteger(period) && period > 0 && period % 60 === 0)) {
    problems.add('periodSeconds', `${period} must be 10, 20, 30 or a multiple of 60`);
  }
  problems.check('evaluationPeriods', positiveInteger(evaluations));
  if (period * evaluations > longestRange(period)) {
    problems.add('evaluationPeriods', `${evaluations} periods of ${period} s span more than the ${longestRange(period)} s CloudWatch evaluates`);
  }
  const datapoints = props.datapointsToAlarm;
  if (datapoints !== undefined && !(Number.isInteger(datapoints) && datapoints >= 1 && datapoints <= evaluations)) {
    problems.add('datapointsToAlarm', `${datapoints} must be a whole number from 1 to evaluationPeriods (${evaluations})`);
  }
  return problems.list;
}

/**
 * A CloudWatch alarm on one metric, with the defaults every alarm of this project shares: 5-minute periods, one period,
 * "greater than", missing data not breaching, and the alarm topic notified on ALARM and again on OK. Created in `scope`
 * with the id given (its Terraform address), so modules that wrote the alarm by hand keep their addresses.
 */
export class MetricAlarm {
  readonly alarm: CloudwatchMetricAlarm;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: MetricAlarmProps) {
    refuseProblems(scope, id, metricAlarmPropProblems(props));
    const actions = props.alarmTopicArn ? [props.alarmTopicArn] : [];
    const { statistic } = props.metric;
    const percentile = !STATISTICS.includes(statistic as AlarmStatistic);
    this.alarm = new CloudwatchMetricAlarm(scope, id, {
      provider: props.provider,
      alarmName: props.name,
      alarmDescription: props.description,
      namespace: props.metric.namespace,
      metricName: props.metric.metricName,
      dimensions: props.metric.dimensions ? { ...props.metric.dimensions } : undefined,
      statistic: percentile ? undefined : statistic,
      extendedStatistic: percentile ? statistic : undefined,
      period: props.periodSeconds ?? 300,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm,
      threshold: props.threshold,
      comparisonOperator: props.comparison ?? 'GreaterThanThreshold',
      treatMissingData: props.treatMissingData ?? 'notBreaching',
      alarmActions: actions,
      okActions: (props.notifyOnOk ?? true) ? actions : undefined,
      dependsOn: props.dependsOn,
    });
    this.arn = this.alarm.arn;
    this.name = this.alarm.alarmName;
  }
}
