/**
 * The metric alarm module (modules/metric-alarm.ts): the defaults every alarm shares, the topic on ALARM and OK, the
 * address given by the caller, and what PutMetricAlarm would refuse caught before synth.
 */
import { TerraformStack, Testing } from 'cdktf';
import { MetricAlarm, metricAlarmPropProblems, type MetricAlarmProps } from '../../modules/metric-alarm';
import { resources } from '../helpers';

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:alarms';
const METRIC = { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'jobs-dlq' }, statistic: 'Maximum' } as const;

function synth(props: Partial<MetricAlarmProps>, id = 'dlq-alarm'): Record<string, unknown>[] {
  const stack = new TerraformStack(Testing.app(), 'test');
  new MetricAlarm(stack, id, { name: 'acme-test-jobs-dlq', description: 'Messages in the DLQ', metric: METRIC, threshold: 0, ...props });
  return resources(Testing.synth(stack), 'aws_cloudwatch_metric_alarm');
}

describe('MetricAlarm', () => {
  it('defaults to one 5-minute period, greater-than, missing data not breaching, and notifies the topic on ALARM and OK', () => {
    const [alarm] = synth({ alarmTopicArn: TOPIC });
    expect(alarm).toMatchObject({
      alarm_name: 'acme-test-jobs-dlq',
      alarm_description: 'Messages in the DLQ',
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: 'jobs-dlq' },
      statistic: 'Maximum',
      period: 300,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(alarm).not.toHaveProperty('datapoints_to_alarm');
    expect(alarm).not.toHaveProperty('extended_statistic');
  });

  it('keeps the address it is given (modules that wrote the alarm by hand move nothing)', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new MetricAlarm(stack, 'alarm-cpu-high', { name: 'x-cpu-high', description: 'd', metric: METRIC, threshold: 1 });
    const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(json.resource.aws_cloudwatch_metric_alarm)).toEqual(['alarm-cpu-high']);
  });

  it('without a topic has no actions; notifyOnOk false leaves OK unannounced; a percentile is an extended statistic', () => {
    expect(synth({})[0]).toMatchObject({ alarm_actions: [], ok_actions: [] });
    const [quiet] = synth({ alarmTopicArn: TOPIC, notifyOnOk: false });
    expect(quiet.alarm_actions).toEqual([TOPIC]);
    expect(quiet).not.toHaveProperty('ok_actions');
    const [p99] = synth({ metric: { ...METRIC, statistic: 'p99' }, periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3, comparison: 'GreaterThanOrEqualToThreshold' });
    expect(p99).toMatchObject({ extended_statistic: 'p99', period: 60, evaluation_periods: 5, datapoints_to_alarm: 3, comparison_operator: 'GreaterThanOrEqualToThreshold' });
    expect(p99).not.toHaveProperty('statistic');
  });

  it('refuses what PutMetricAlarm refuses, by prop name', () => {
    const problems = (p: Partial<MetricAlarmProps>) => metricAlarmPropProblems({ name: 'ok', description: 'ok', metric: METRIC, threshold: 1, ...p });
    expect(problems({})).toEqual([]);
    expect(problems({ periodSeconds: 90 })).toEqual([{ field: 'periodSeconds', message: '90 must be 10, 20, 30 or a multiple of 60' }]);
    expect(problems({ periodSeconds: 300, evaluationPeriods: 300 })).toEqual([
      { field: 'evaluationPeriods', message: '300 periods of 300 s span more than the 86400 s CloudWatch evaluates' },
    ]);
    expect(problems({ periodSeconds: 3600, evaluationPeriods: 168 })).toEqual([]);
    expect(problems({ evaluationPeriods: 2, datapointsToAlarm: 3 })).toEqual([
      { field: 'datapointsToAlarm', message: '3 must be a whole number from 1 to evaluationPeriods (2)' },
    ]);
    expect(problems({ name: 'x'.repeat(256) })[0]).toMatchObject({ field: 'name', message: expect.stringContaining('longer than the 255 characters') });
    expect(problems({ metric: { ...METRIC, statistic: 'Median' as never } })[0]).toMatchObject({ field: 'metric.statistic' });
    expect(problems({ treatMissingData: 'zero' as never })[0]).toMatchObject({ field: 'treatMissingData' });
  });

  it('outside a layer, bad props throw naming the alarm and the field', () => {
    expect(() => synth({ periodSeconds: 45 }, 'bad')).toThrow('bad: periodSeconds: 45 must be 10, 20, 30 or a multiple of 60');
  });
});
