/**
 * Vended logs: logs AWS services hand to the CloudWatch Logs delivery service (`delivery.logs.amazonaws.com`), which
 * writes them into a log group or a bucket of the organisation. The destination's resource policy (log group resource
 * policy, bucket policy) and, for an SSE-KMS bucket, its key must admit the delivery service for the delivering
 * account; otherwise the logging configuration is created and no log ever arrives, or its creation fails. Today the
 * Network Firewall logs (layers/network-firewall.ts) are the vended logs of the organisation.
 */
import { block, blocks, refersTo, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { missingActions, statementsOf, type Statement } from '../iam';
import { keyStatements, resolveKey } from '../kms';
import { literalString, valuesAt, type Located, type OrgModel, type StackModel } from '../model';
import { bucketOf } from './cross-account';
import { target } from './service-grants';

const DELIVERY = { service: 'delivery.logs.amazonaws.com' };

interface Destination {
  /** `ALERT logs to S3`: the log type and destination type, for messages. */
  readonly label: string;
  /** `CloudWatchLogs`, `S3` or `KinesisDataFirehose`. */
  readonly kind: string;
  /** The destination map: `logGroup`, or `bucketName` and `prefix`. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** The destinations of a Network Firewall logging configuration. */
function destinations(config: ResourceView['config']): Destination[] {
  return blocks(block(config.logging_configuration)?.log_destination_config).map((d) => ({
    label: `${String(d.log_type)} logs to`,
    kind: String(d.log_destination_type),
    values: (typeof d.log_destination === 'object' && d.log_destination !== null ? d.log_destination : {}) as Record<string, unknown>,
  }));
}

/** The log group a destination names: by reference (same stack or remote output), else by literal name in the account and region. */
function logGroupOf(org: OrgModel, stack: StackModel, region: string, value: unknown): Located | undefined {
  const t = target(org, stack, value);
  if (t && t.resource.type === 'aws_cloudwatch_log_group') return t;
  const name = literalString(value);
  return name === undefined ? undefined : org.resources('aws_cloudwatch_log_group')
    .find((g) => g.stack.account.id === stack.account.id && g.stack.regionOf(g.resource) === region && g.resource.config.name === name);
}

/** Statements of every CloudWatch Logs resource policy of one account and region. */
function logResourcePolicies(org: OrgModel, accountId: string, region: string): Statement[] {
  return org.resources('aws_cloudwatch_log_resource_policy')
    .filter((p) => p.stack.account.id === accountId && p.stack.regionOf(p.resource) === region)
    .flatMap((p) => statementsOf(p.stack, p.resource.config.policy_document));
}

function bucketKeyOf(org: OrgModel, bucket: Located): Located | undefined {
  const sse = bucket.stack.view.ofType('aws_s3_bucket_server_side_encryption_configuration')
    .find((c) => refersTo(c.config.bucket, bucket.resource.address) || c.config.bucket === bucket.resource.config.bucket);
  const value = sse ? valuesAt(sse.config, 'rule.apply_server_side_encryption_by_default.kms_master_key_id')[0] : undefined;
  if (value === undefined) return undefined;
  const key = resolveKey(org, bucket.stack, value);
  return key.kind === 'key' ? key.key : undefined;
}

export const logDeliveryRules: PreflightRule[] = [
  {
    id: 'PF-LOGS-001',
    family: 'service-grants',
    title: 'A network firewall\'s log destination (log group or bucket, and the bucket\'s key) admits the log delivery service for the firewall\'s account',
    docs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_networkfirewall_logging_configuration')) {
        const region = stack.regionOf(resource);
        const account = stack.account.id;
        const context = { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:logs:${region}:${account}:delivery-source/network-firewall` };
        for (const d of destinations(resource.config)) {
          if (d.kind === 'CloudWatchLogs') {
            const group = logGroupOf(org, stack, region, d.values.logGroup);
            if (!group) {
              hits.push({
                stack: stack.id, address: resource.address,
                message: `sends ${d.label} group ${String(d.values.logGroup)}, which no layer creates in ${stack.account.name} (${region}): delivery fails`,
                fix: 'create the log group in this layer (modules/inspection-firewall.ts does) or name one that exists in the same account and region',
              });
              continue;
            }
            const name = literalString(group.resource.config.name) ?? '*';
            const streamArn = `arn:aws:logs:${region}:${account}:log-group:${name}:log-stream:delivery`;
            const missing = missingActions(logResourcePolicies(org, account, region), DELIVERY, ['logs:CreateLogStream', 'logs:PutLogEvents'], context, streamArn);
            if (missing.length > 0) {
              hits.push({
                stack: stack.id, address: resource.address,
                message: `sends ${d.label} group ${name}, but no CloudWatch Logs resource policy of ${stack.account.name} (${region}) grants delivery.logs.amazonaws.com ${missing.join(', ')} on it`,
                fix: 'add an aws_cloudwatch_log_resource_policy allowing delivery.logs.amazonaws.com logs:CreateLogStream and logs:PutLogEvents on the group\'s streams, with aws:SourceAccount and aws:SourceArn conditions',
              });
            }
            continue;
          }
          if (d.kind !== 'S3') continue;
          const bucket = bucketOf(org, stack, d.values.bucketName);
          if (!bucket) continue; // a bucket outside the organisation's stacks: nothing to read
          const name = literalString(bucket.resource.config.bucket) ?? '*';
          const prefix = literalString(d.values.prefix);
          const statements = bucket.stack.view.ofType('aws_s3_bucket_policy')
            .filter((p) => refersTo(p.config.bucket, bucket.resource.address) || p.config.bucket === bucket.resource.config.bucket)
            .flatMap((p) => statementsOf(bucket.stack, p.config.policy));
          const objectArn = `arn:aws:s3:::${name}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/network-firewall/log`;
          const missing = [
            ...missingActions(statements, DELIVERY, ['s3:GetBucketAcl'], context, `arn:aws:s3:::${name}`),
            ...missingActions(statements, DELIVERY, ['s3:PutObject'], { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' }, objectArn),
          ];
          if (missing.length > 0) {
            hits.push({
              stack: bucket.stack.id, address: bucket.resource.address,
              message: `${stack.id}: ${resource.address} sends ${d.label} this bucket, but its policy does not grant delivery.logs.amazonaws.com ${missing.join(', ')} for account ${stack.account.name} (${account})`,
              fix: `grant delivery.logs.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on ${prefix ? `${prefix}/` : ''}AWSLogs/${account}/* with aws:SourceAccount ${account}`,
            });
          }
          const key = bucketKeyOf(org, bucket);
          const keyMissing = key ? missingActions(keyStatements(key), DELIVERY, ['kms:GenerateDataKey'], context) : [];
          if (key && keyMissing.length > 0) {
            hits.push({
              stack: key.stack.id, address: key.resource.address,
              message: `${stack.id}: ${resource.address} sends ${d.label} bucket ${name}, encrypted with this key, but the key policy does not grant delivery.logs.amazonaws.com ${keyMissing.join(', ')} for account ${account}`,
              fix: `allow delivery.logs.amazonaws.com kms:GenerateDataKey* (and kms:Decrypt) with aws:SourceAccount ${account}`,
            });
          }
        }
      }
      return hits;
    },
  },
];
