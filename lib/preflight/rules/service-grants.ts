/**
 * Service grants: every customer managed key a service uses on the account's behalf grants that service what its
 * documentation requires, in the key policy (services get no key access through IAM). "Used by" is resolved through
 * references in the synthesized JSON, across stacks through remote-state outputs.
 */
import type { ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { actionAllowedBy, missingActions, servicePrincipals, statementsOf, type Asker } from '../iam';
import { keyStatements, keyUses, resolveKey, type KeyRef, type KeyUse } from '../kms';
import { literalString, valuesAt, type Located, type OrgModel, type StackModel } from '../model';
import { SERVICE_LINKED_ROLES, serviceLinkedRoleArn } from '../tables';

interface Need {
  readonly stack: StackModel;
  readonly resource: ResourceView;
  readonly key: KeyRef;
  readonly asker: Asker;
  readonly who: string;
  readonly actions: readonly string[];
  readonly context?: Readonly<Record<string, string>>;
  /** Why the service uses the key, when the resource alone does not say it. */
  readonly note?: string;
}

/** Needs whose key policy misses actions, as hits at the key (the thing to fix) naming the user. */
function check(needs: readonly Need[], fixFor: (need: Need, missing: string[]) => string): Hit[] {
  const hits: Hit[] = [];
  for (const need of needs) {
    if (need.key.kind !== 'key') continue;
    const missing = missingActions(keyStatements(need.key.key), need.asker, need.actions, need.context);
    if (missing.length === 0) continue;
    const key = need.key.key;
    hits.push({
      stack: key.stack.id,
      address: key.resource.address,
      message: `${need.note ?? `${need.stack.id === key.stack.id ? '' : `${need.stack.id}: `}${need.resource.address} has ${need.who} use this key`}, but the key policy does not grant ${need.who} ${missing.join(', ')}`,
      fix: fixFor(need, missing),
    });
  }
  return hits;
}

function usesOf(org: OrgModel, type: string): KeyUse[] {
  return keyUses(org).filter((u) => u.resource.type === type);
}

const KEY_POLICY_FIX = (n: Need, missing: string[]): string =>
  `add a key policy statement allowing ${n.who} ${missing.join(', ')} (scoped with aws:SourceAccount/aws:SourceArn or the service's encryption context)`;

/** The resources of the organisation a value points at (same stack or through remote state). */
function target(org: OrgModel, stack: StackModel, value: unknown): Located | undefined {
  const r = org.resolve(stack, value);
  return r.kind === 'resource' ? { stack: r.stack, resource: r.resource } : undefined;
}

/** Service principals that publish to a topic or send to a queue, from the org's wiring and the resource policy. */
function writers(org: OrgModel, sink: Located, kind: 'topic' | 'queue'): { service: string; stack: StackModel; resource: ResourceView }[] {
  const found: { service: string; stack: StackModel; resource: ResourceView }[] = [];
  const is = (stack: StackModel, value: unknown): boolean => {
    const t = target(org, stack, value);
    return t !== undefined && t.stack.id === sink.stack.id && t.resource.address === sink.resource.address;
  };
  const policyType = kind === 'topic' ? 'aws_sns_topic_policy' : 'aws_sqs_queue_policy';
  const policyTarget = kind === 'topic' ? 'arn' : 'queue_url';
  const action = kind === 'topic' ? 'sns:Publish' : 'sqs:SendMessage';
  for (const policy of sink.stack.view.ofType(policyType)) {
    if (!is(sink.stack, policy.config[policyTarget])) continue;
    for (const s of statementsOf(sink.stack, policy.config.policy)) {
      if (s.Effect !== 'Allow' || !actionAllowedBy(s, action)) continue;
      for (const service of servicePrincipals(s)) found.push({ service, stack: sink.stack, resource: policy });
    }
  }
  const wire = (type: string, paths: string[], service: string) => {
    for (const { stack, resource } of org.resources(type)) {
      if (paths.some((p) => valuesAt(resource.config, p).some((v) => is(stack, v)))) found.push({ service, stack, resource });
    }
  };
  if (kind === 'topic') {
    wire('aws_cloudwatch_metric_alarm', ['alarm_actions', 'ok_actions', 'insufficient_data_actions'], 'cloudwatch.amazonaws.com');
    wire('aws_cloudwatch_composite_alarm', ['alarm_actions', 'ok_actions', 'insufficient_data_actions'], 'cloudwatch.amazonaws.com');
    wire('aws_budgets_budget', ['notification.subscriber_sns_topic_arns'], 'budgets.amazonaws.com');
    wire('aws_cloudwatch_event_target', ['arn'], 'events.amazonaws.com');
    wire('aws_s3_bucket_notification', ['topic.topic_arn'], 's3.amazonaws.com');
    wire('aws_db_event_subscription', ['sns_topic'], 'events.rds.amazonaws.com');
    wire('aws_backup_vault_notifications', ['sns_topic_arn'], 'backup.amazonaws.com');
  } else {
    for (const { stack, resource } of org.resources('aws_sns_topic_subscription')) {
      if (resource.config.protocol === 'sqs' && is(stack, resource.config.endpoint)) found.push({ service: 'sns.amazonaws.com', stack, resource });
    }
    wire('aws_cloudwatch_event_target', ['arn', 'dead_letter_config.arn'], 'events.amazonaws.com');
    wire('aws_s3_bucket_notification', ['queue.queue_arn'], 's3.amazonaws.com');
  }
  return found;
}

const SNS_KMS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * Whether instances of an Auto Scaling group or EKS node group get volumes encrypted with the account's default
 * EBS key: no launch template, or one whose block devices name no key.
 */
function usesDefaultEbsKey(org: OrgModel, launcher: Located): boolean {
  const template = valuesAt(launcher.resource.config, 'launch_template.id')[0] ?? valuesAt(launcher.resource.config, 'launch_template.name')[0];
  const lt = template === undefined ? undefined : target(org, launcher.stack, template);
  if (!lt || lt.resource.type !== 'aws_launch_template') return true;
  return valuesAt(lt.resource.config, 'block_device_mappings.ebs.kms_key_id').length === 0;
}

export const serviceGrantRules: PreflightRule[] = [
  {
    id: 'PF-KMS-001',
    family: 'service-grants',
    title: 'A key encrypting a CloudWatch Logs log group grants the regional CloudWatch Logs principal (logs.REGION.amazonaws.com) for that log group',
    docs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
    severity: 'error',
    check: (org) => check(usesOf(org, 'aws_cloudwatch_log_group').map((u) => {
      const region = u.stack.regionOf(u.resource);
      const name = literalString(u.resource.config.name) ?? '*';
      return {
        stack: u.stack, resource: u.resource, key: u.key,
        asker: { service: `logs.${region}.amazonaws.com` }, who: `logs.${region}.amazonaws.com`,
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${u.stack.account.id}:log-group:${name}` },
      };
    }), KEY_POLICY_FIX),
  },
  {
    id: 'PF-KMS-002',
    family: 'service-grants',
    title: 'A key EventBridge uses grants events.amazonaws.com kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt',
    docs: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html',
    severity: 'error',
    check(org) {
      const needs: Need[] = usesOf(org, 'aws_cloudwatch_event_bus').map((u) => ({
        stack: u.stack, resource: u.resource, key: u.key, asker: { service: 'events.amazonaws.com' }, who: 'events.amazonaws.com',
        actions: ['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt'], context: { 'aws:SourceAccount': u.stack.account.id },
      }));
      const hits = check(needs, KEY_POLICY_FIX);
      // A key whose policy already admits EventBridge (for a bus, or a topic/queue it writes to) needs the whole set.
      for (const key of org.resources('aws_kms_key')) {
        const statements = keyStatements(key);
        const admits = statements.some((s) => s.Effect === 'Allow' && servicePrincipals(s).includes('events.amazonaws.com'));
        if (!admits || hits.some((h) => h.stack === key.stack.id && h.address === key.resource.address)) continue;
        const missing = missingActions(statements, { service: 'events.amazonaws.com' }, ['kms:DescribeKey'], { 'aws:SourceAccount': key.stack.account.id });
        if (missing.length === 0) continue;
        hits.push({
          stack: key.stack.id,
          address: key.resource.address,
          message: 'the key policy admits events.amazonaws.com without kms:DescribeKey, which EventBridge calls to check a customer managed key',
          fix: 'add kms:DescribeKey to the statement granting events.amazonaws.com',
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-KMS-003',
    family: 'service-grants',
    title: 'The key of an encrypted SNS topic grants every AWS service that publishes to it',
    docs: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
    severity: 'error',
    check(org) {
      const needs: Need[] = [];
      for (const u of usesOf(org, 'aws_sns_topic')) {
        for (const w of writers(org, { stack: u.stack, resource: u.resource }, 'topic')) {
          needs.push({
            stack: w.stack, resource: w.resource, key: u.key, asker: { service: w.service }, who: w.service, actions: SNS_KMS,
            context: { 'aws:SourceAccount': w.stack.account.id },
          });
        }
      }
      return check(needs, (n, missing) => `grant ${n.who} ${missing.join(', ')} in the key policy of the topic's key (SNS encrypts with the publisher's grant)`);
    },
  },
  {
    id: 'PF-KMS-004',
    family: 'service-grants',
    title: 'The key of an encrypted SQS queue grants every AWS service that sends to it (SNS, EventBridge, S3)',
    docs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
    severity: 'error',
    check(org) {
      const needs: Need[] = [];
      for (const u of usesOf(org, 'aws_sqs_queue')) {
        for (const w of writers(org, { stack: u.stack, resource: u.resource }, 'queue')) {
          needs.push({
            stack: w.stack, resource: w.resource, key: u.key, asker: { service: w.service }, who: w.service, actions: SNS_KMS,
            context: { 'aws:SourceAccount': w.stack.account.id },
          });
        }
      }
      return check(needs, KEY_POLICY_FIX);
    },
  },
  {
    id: 'PF-KMS-005',
    family: 'service-grants',
    title: 'EBS keys of instances launched by Auto Scaling (the account default EBS key included) grant the Auto Scaling service-linked role',
    docs: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html',
    severity: 'error',
    check(org) {
      const spec = SERVICE_LINKED_ROLES.find((s) => s.name === 'AWSServiceRoleForAutoScaling')!;
      const launchers = org.resources(...spec.createdImplicitlyBy);
      const needs: Need[] = [];
      const asg = (stack: StackModel) => {
        const arn = serviceLinkedRoleArn(stack.account.id, spec);
        return { asker: { arn, accountId: stack.account.id, viaRoot: false } as Asker, who: arn };
      };
      const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey', 'kms:CreateGrant'];
      for (const u of usesOf(org, 'aws_ebs_default_kms_key')) {
        const region = u.stack.regionOf(u.resource);
        const users = launchers.filter((l) => l.stack.account.id === u.stack.account.id && l.stack.regionOf(l.resource) === region && usesDefaultEbsKey(org, l));
        if (users.length === 0) continue;
        needs.push({
          stack: users[0].stack, resource: users[0].resource, key: u.key, ...asg(u.stack), actions,
          note: `it is the default EBS key of ${u.stack.account.name} in ${region} (${u.stack.id}: ${u.resource.address}), so every volume Auto Scaling launches for ${users.map((l) => `${l.stack.id}: ${l.resource.address}`).join(', ')} is encrypted with it`,
        });
      }
      for (const u of usesOf(org, 'aws_launch_template')) {
        const who = asg(u.stack);
        needs.push({ stack: u.stack, resource: u.resource, key: u.key, ...who, actions });
      }
      return check(needs, (n, missing) => `allow the Auto Scaling service-linked role ${n.who} ${missing.join(', ')} (CreateGrant with kms:GrantIsForAWSResource) in the key policy, and create the role in an earlier layer (aws_iam_service_linked_role) so the policy can name it`);
    },
  },
  {
    id: 'PF-KMS-006',
    family: 'service-grants',
    title: 'The key of a CloudTrail trail grants cloudtrail.amazonaws.com kms:GenerateDataKey* and kms:DescribeKey for that trail',
    docs: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    severity: 'error',
    check: (org) => check(usesOf(org, 'aws_cloudtrail').map((u) => {
      const name = literalString(u.resource.config.name) ?? '*';
      const arn = `arn:aws:cloudtrail:${u.stack.regionOf(u.resource)}:${u.stack.account.id}:trail/${name}`;
      return {
        stack: u.stack, resource: u.resource, key: u.key, asker: { service: 'cloudtrail.amazonaws.com' }, who: 'cloudtrail.amazonaws.com',
        actions: ['kms:GenerateDataKey', 'kms:DescribeKey'],
        context: { 'aws:SourceArn': arn, 'kms:EncryptionContext:aws:cloudtrail:arn': arn },
      };
    }), KEY_POLICY_FIX),
  },
  {
    id: 'PF-KMS-007',
    family: 'service-grants',
    title: 'The key AWS Config delivers with (channel key, or the bucket\'s default key) grants config.amazonaws.com for the delivering account',
    docs: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html',
    severity: 'error',
    check(org) {
      const needs: Need[] = [];
      for (const { stack, resource } of org.resources('aws_config_delivery_channel')) {
        let key: KeyRef | undefined = resource.config.s3_kms_key_arn !== undefined ? resolveKey(org, stack, resource.config.s3_kms_key_arn) : undefined;
        if (!key) {
          const bucket = target(org, stack, resource.config.s3_bucket_name);
          const sse = bucket?.stack.view.ofType('aws_s3_bucket_server_side_encryption_configuration')
            .find((c) => target(org, bucket.stack, c.config.bucket)?.resource.address === bucket.resource.address);
          const keyValue = sse ? valuesAt(sse.config, 'rule.apply_server_side_encryption_by_default.kms_master_key_id')[0] : undefined;
          if (bucket && keyValue !== undefined) key = resolveKey(org, bucket.stack, keyValue);
        }
        if (!key) continue;
        needs.push({
          stack, resource, key, asker: { service: 'config.amazonaws.com' }, who: `config.amazonaws.com (delivering for account ${stack.account.name}, ${stack.account.id})`,
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'], context: { 'aws:SourceAccount': stack.account.id },
        });
      }
      return check(needs, (n) => `grant config.amazonaws.com kms:Decrypt and kms:GenerateDataKey with aws:SourceAccount including ${n.stack.account.id}`);
    },
  },
];

export { target };
