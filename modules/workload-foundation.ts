import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, oneOf } from '../lib/validators';
import { EncryptedTopic } from './encrypted-topic';
import { KmsKey } from './kms-key';

/** CloudWatch alarms publish to the topic, encrypting with the key. */
const ALARM_PUBLISHER = 'cloudwatch.amazonaws.com';

/** Keys and notification topic a workload layer encrypts and alarms with. */
export interface WorkloadFoundation {
  readonly dataKeyArn: string;
  readonly logsKeyArn: string;
  readonly secretsKeyArn: string;
  readonly alarmTopicArn: string;
}

/** Where a workload layer takes its keys and topic from: the account's security layer, or its own. */
export type FoundationSource = 'security-layer' | 'own';

/** The security layer's outputs a foundation is made of (a typed remote read of `securityContract`). */
export interface SecurityOutputs {
  get(output: 'data_kms_key_arn' | 'logs_kms_key_arn' | 'secrets_kms_key_arn' | 'sns_topic_arn'): string;
}

export function foundationFromSecurity(security: SecurityOutputs): WorkloadFoundation {
  return {
    dataKeyArn: security.get('data_kms_key_arn'),
    logsKeyArn: security.get('logs_kms_key_arn'),
    secretsKeyArn: security.get('secrets_kms_key_arn'),
    alarmTopicArn: security.get('sns_topic_arn'),
  };
}

export interface OwnFoundationProps {
  /** Key alias and topic name prefix. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
}

/**
 * For accounts without a security layer: one key (admitting CloudWatch Logs and CloudWatch alarm publishing) for
 * data, logs and secrets, and an encrypted alarm topic.
 */
export class OwnFoundation extends Construct implements WorkloadFoundation {
  readonly dataKeyArn: string;
  readonly logsKeyArn: string;
  readonly secretsKeyArn: string;
  readonly alarmTopicArn: string;

  constructor(scope: Construct, id: string, props: OwnFoundationProps) {
    super(scope, id);
    const key = new KmsKey(this, 'key', {
      alias: props.name,
      description: `Encrypts data, logs and alarm notifications of ${props.name}`,
      accountId: props.accountId,
    });
    key.grantToService('logs', { region: props.region, accountId: props.accountId });
    key.grantToService('sns-publishers', { services: [ALARM_PUBLISHER], accountId: props.accountId });
    this.dataKeyArn = key.arn;
    this.logsKeyArn = key.arn;
    this.secretsKeyArn = key.arn;
    this.alarmTopicArn = new EncryptedTopic(this, 'alarms', {
      name: `${props.name}-alarms`,
      kmsKeyArn: key.arn,
      accountId: props.accountId,
      publisherServices: [ALARM_PUBLISHER],
    }).arn;
  }
}

/** Config check shared by the layers offering the `foundation` switch. */
export function foundationProblems(source: unknown): FieldProblem[] {
  return source === undefined ? [] : new FieldProblems().check('foundation', oneOf(String(source), ['own', 'security-layer'])).list;
}
