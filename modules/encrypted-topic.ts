import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { keyFromArn, type IKey } from './kms-key';
import { TOPIC_PUBLISH_ACTIONS } from './perms';
import { allow, policyDocument, type Grantable, type PolicyStatement } from './policy';

export interface EncryptedTopicProps {
  readonly name: string;
  /** Customer managed key encrypting messages at rest (CKV_AWS_26). Its policy must admit the publishing services. */
  readonly kmsKeyArn: string;
  /** Account owning the topic: publishers are pinned to it with `aws:SourceAccount`. */
  readonly accountId: string;
  /** AWS services allowed to publish, e.g. `cloudwatch.amazonaws.com`, `budgets.amazonaws.com`. @default [] */
  readonly publisherServices?: readonly string[];
  /** E-mail addresses subscribed to the topic (each must confirm the subscription). @default [] */
  readonly emailSubscriptions?: readonly string[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * An SNS topic encrypted with a customer managed key, with a policy that refuses non-TLS publishing and lets
 * only the listed AWS services of the owning account publish.
 */
export class EncryptedTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;
  /** The key messages are encrypted with: publishers are granted use of it with the topic. */
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    const provider = props.provider;
    this.topic = new SnsTopic(this, 'topic', { provider, name: props.name, kmsMasterKeyId: props.kmsKeyArn });
    this.arn = this.topic.arn;
    this.encryptionKey = keyFromArn(props.kmsKeyArn);
    const statements: PolicyStatement[] = [
      {
        Sid: 'AccountOwner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
        Action: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Publish'],
        Resource: this.arn,
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: this.arn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    if ((props.publisherServices ?? []).length > 0) {
      statements.push({
        Sid: 'ServicePublishers',
        Effect: 'Allow',
        Principal: { Service: [...(props.publisherServices ?? [])] },
        Action: 'sns:Publish',
        Resource: this.arn,
        Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
      });
    }
    new SnsTopicPolicy(this, 'policy', { provider, arn: this.arn, policy: policyDocument(statements) });
    (props.emailSubscriptions ?? []).forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { provider, topicArn: this.arn, protocol: 'email', endpoint: email });
    });
  }

  /** Publish to the topic (an IAM principal of the owning account), encrypting with the topic's key. */
  grantPublish(grantee: Grantable): void {
    grantee.addToPolicy(allow('SnsPublish', TOPIC_PUBLISH_ACTIONS, this.arn));
    this.encryptionKey.grantEncryptDecrypt(grantee);
  }
}

/** Moved to modules/kms-key.ts with the other service key statements; re-exported for the layers that import it here. */
export { snsPublisherKeyStatement } from './kms-key';
