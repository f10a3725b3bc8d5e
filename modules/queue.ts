import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { Token, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerBetween } from '../lib/validators';
import { keyFromArn, type IKey } from './kms-key';
import { QUEUE_ALL_ACTIONS, QUEUE_CONSUME_ACTIONS, QUEUE_SEND_ACTIONS, QUEUE_SERVICE_SEND_ACTIONS } from './perms';
import { allow, oneOrMany, policyDocument, type Grantable, type PolicyStatement, type ServicePrincipal } from './policy';
import { refuseProblems } from './prop-problems';

export interface QueueProps {
  /** Queue name; the dead-letter queue is `<name>-dlq`. */
  readonly name: string;
  /** Customer managed key for SSE-KMS of the queue and its DLQ (CKV_AWS_27). */
  readonly kmsKeyArn: string;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Seconds a received message is hidden; at least 6x the consumer Lambda's timeout. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  /** The DLQ keeps messages the longest SQS allows, for investigation and redrive. @default 1209600 (14 days) */
  readonly dlqMessageRetentionSeconds?: number;
  /** Seconds KMS data keys are reused (cost vs. KMS calls). @default 300 */
  readonly kmsDataKeyReusePeriodSeconds?: number;
  /** Create a dead-letter queue and redrive to it. @default true (false for a queue that is itself a DLQ) */
  readonly deadLetterQueue?: boolean;
  /**
   * Extra statements of the queue policy (e.g. an SNS topic or EventBridge rule allowed to send, scoped with
   * `aws:SourceArn`), given the queue's ARN. Every policy also denies non-TLS access.
   * @default - TLS-only policy
   */
  readonly policyStatements?: (queueArn: string) => PolicyStatement[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Problems of the props that need no AWS, by prop name: the limits SQS's CreateQueue enforces.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export function queuePropProblems(props: Partial<QueueProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    // The dead-letter queue adds `-dlq`; SQS allows 80 characters.
    const room = (props.deadLetterQueue ?? true) ? 80 - '-dlq'.length : 80;
    problems.check('name', awsName(props.name, { maxLength: room, pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, - and _' }));
  }
  if (props.maxReceiveCount !== undefined) problems.check('maxReceiveCount', integerBetween(props.maxReceiveCount, 1, 1000));
  if (props.visibilityTimeoutSeconds !== undefined) problems.check('visibilityTimeoutSeconds', integerBetween(props.visibilityTimeoutSeconds, 0, 43200, 'seconds'));
  if (props.messageRetentionSeconds !== undefined) problems.check('messageRetentionSeconds', integerBetween(props.messageRetentionSeconds, 60, 1209600, 'seconds'));
  if (props.dlqMessageRetentionSeconds !== undefined) problems.check('dlqMessageRetentionSeconds', integerBetween(props.dlqMessageRetentionSeconds, 60, 1209600, 'seconds'));
  if (props.kmsDataKeyReusePeriodSeconds !== undefined) {
    problems.check('kmsDataKeyReusePeriodSeconds', integerBetween(props.kmsDataKeyReusePeriodSeconds, 60, 86400, 'seconds'));
  }
  return problems.list;
}

/**
 * An SQS queue encrypted with a customer managed key, refusing non-TLS access, with a KMS-encrypted dead-letter
 * queue and a redrive policy; the DLQ only accepts redrives from this queue.
 */
export class Queue extends Construct {
  readonly queue: SqsQueue;
  readonly arn: string;
  readonly url: string;
  readonly name: string;
  readonly dlq?: SqsQueue;
  /** The key of the queue and its DLQ: senders and consumers are granted use of it with the queue. */
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: QueueProps) {
    super(scope, id);
    refuseProblems(scope, id, queuePropProblems(props));
    const provider = props.provider;
    this.encryptionKey = keyFromArn(props.kmsKeyArn);
    const reuse = props.kmsDataKeyReusePeriodSeconds ?? 300;
    if (props.deadLetterQueue ?? true) {
      this.dlq = new SqsQueue(this, 'dlq', {
        provider,
        name: `${props.name}-dlq`,
        kmsMasterKeyId: props.kmsKeyArn,
        kmsDataKeyReusePeriodSeconds: reuse,
        messageRetentionSeconds: props.dlqMessageRetentionSeconds ?? 1209600,
      });
      new SqsQueuePolicy(this, 'dlq-policy', { provider, queueUrl: this.dlq.url, policy: policyDocument([denyInsecureQueueTransport(this.dlq.arn)]) });
    }
    this.queue = new SqsQueue(this, 'queue', {
      provider,
      name: props.name,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: reuse,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 60,
      messageRetentionSeconds: props.messageRetentionSeconds ?? 345600,
      redrivePolicy: this.dlq ? JSON.stringify({ deadLetterTargetArn: this.dlq.arn, maxReceiveCount: props.maxReceiveCount ?? 5 }) : undefined,
    });
    if (this.dlq) {
      new SqsQueueRedriveAllowPolicy(this, 'dlq-redrive-allow', {
        provider,
        queueUrl: this.dlq.url,
        redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
      });
    }
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.name = this.queue.name;
    new SqsQueuePolicy(this, 'policy', {
      provider,
      queueUrl: this.queue.url,
      policy: policyDocument([denyInsecureQueueTransport(this.arn), ...(props.policyStatements?.(this.arn) ?? [])]),
    });
  }

  /**
   * Grants `queueActions` (from modules/perms.ts) on the queue under the statement id `sid`, without its key: for a
   * purpose the other grants do not cover (a Lambda function's dead-letter delivery, whose key the function has anyway).
   */
  grant(grantee: Grantable, sid: string, queueActions: readonly string[]): void {
    grantee.addToPolicy(allow(sid, queueActions, this.arn));
  }

  /** Send messages (SendMessage with the queue's URL and attributes), encrypting them with the queue's key. */
  grantSendMessages(grantee: Grantable): void {
    grantee.addToPolicy(allow('SqsSend', QUEUE_SEND_ACTIONS, this.arn));
    this.encryptionKey.grantEncryptDecrypt(grantee);
  }

  /** Receive, delete and hide messages, decrypting them with the queue's key. */
  grantConsumeMessages(grantee: Grantable): void {
    grantee.addToPolicy(allow('SqsConsume', QUEUE_CONSUME_ACTIONS, this.arn));
    this.encryptionKey.grantDecrypt(grantee);
  }
}

/**
 * A queue-policy statement letting an AWS service send to the queue for one source only (`aws:SourceArn`): an SNS topic
 * delivering to its subscribed queue, an EventBridge rule parking undeliverable events. For `policyStatements`:
 *
 *   policyStatements: (queueArn) => [serviceSendStatement('TopicDelivers', 'sns.amazonaws.com', queueArn, topic.arn)]
 */
export function serviceSendStatement(sid: string, service: ServicePrincipal, queueArn: string, sourceArn: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: service },
    Action: oneOrMany(QUEUE_SERVICE_SEND_ACTIONS),
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
  };
}

/** Refuses any request to the queue not made over TLS. */
export function denyInsecureQueueTransport(queueArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: oneOrMany(QUEUE_ALL_ACTIONS),
    Resource: queueArn,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
