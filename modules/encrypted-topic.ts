import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Token, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, emailAddress, FieldProblems } from '../lib/validators';
import { keyFromArn, type IKey } from './kms-key';
import { TOPIC_OWNER_ACTIONS, TOPIC_PUBLISH_ACTIONS } from './perms';
import { allow, oneOrMany, policyDocument, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';

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

/** Problems of the props that need no AWS, by prop name. */
export function encryptedTopicPropProblems(props: Partial<EncryptedTopicProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 256, pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, - and _' }));
  }
  (props.emailSubscriptions ?? []).forEach((email, i) => {
    if (!Token.isUnresolved(email)) problems.check(`emailSubscriptions[${i}]`, emailAddress(email));
  });
  (props.publisherServices ?? []).forEach((service, i) => {
    if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(service)) problems.add(`publisherServices[${i}]`, `"${service}" is not a service principal (<service>.amazonaws.com)`);
  });
  return problems.list;
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
    refuseProblems(scope, id, encryptedTopicPropProblems(props));
    const provider = props.provider;
    this.topic = new SnsTopic(this, 'topic', { provider, name: props.name, kmsMasterKeyId: props.kmsKeyArn });
    this.arn = this.topic.arn;
    this.encryptionKey = keyFromArn(props.kmsKeyArn);
    const statements: PolicyStatement[] = [
      {
        Sid: 'AccountOwner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
        Action: oneOrMany(TOPIC_OWNER_ACTIONS),
        Resource: this.arn,
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: oneOrMany(TOPIC_PUBLISH_ACTIONS),
        Resource: this.arn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    if ((props.publisherServices ?? []).length > 0) {
      statements.push({
        Sid: 'ServicePublishers',
        Effect: 'Allow',
        Principal: { Service: [...(props.publisherServices ?? [])] },
        Action: oneOrMany(TOPIC_PUBLISH_ACTIONS),
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
