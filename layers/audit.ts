import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { CIS_METRIC_FILTERS, CisAlarms } from '../modules/cis-alarms';
import { EncryptedTopic, snsPublisherKeyStatement } from '../modules/encrypted-topic';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { denyInsecureTransport, policyDocument, serviceTrustPolicy, type PolicyStatement } from '../modules/policy';
import { SecureBucket } from '../modules/secure-bucket';
import { organizationsContract } from './organizations';

export interface AuditConfig {
  /** Account (by name) holding the organizations layer; the organisation id is read from its state. @default 'management' */
  readonly managementAccount?: string;
  /** Days CloudTrail events stay in the CloudWatch log group (CIS alarms read them there). @default 365 */
  readonly logGroupRetentionDays?: number;
  /** Days before log-archive objects move to Glacier Flexible Retrieval. @default 90 */
  readonly glacierAfterDays?: number;
  /** Days log-archive objects are kept in total (7 years by default, a common audit requirement). @default 2555 */
  readonly archiveRetentionDays?: number;
  /** Days S3 server access logs of the archive are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
  /** E-mail addresses subscribed to the security alarms topic. @default [] */
  readonly alarmEmails?: readonly string[];
  /**
   * S3 Object Lock default retention of the log archive (WORM). GOVERNANCE lets a principal with
   * s3:BypassGovernanceRetention delete early; COMPLIANCE lets nobody, not even root. `false` keeps versioning only.
   * @default { mode: 'GOVERNANCE', days: 365 }
   */
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number } | false;
}

export const auditContract = defineContract('audit', {
  log_archive_bucket_name: { description: 'Central, object-locked log archive of the organisation trail', mock: 'acme-security-log-archive' },
  log_archive_bucket_arn: { description: 'ARN of the log-archive bucket', mock: 'arn:aws:s3:::acme-security-log-archive' },
  access_logs_bucket_name: { description: 'Bucket receiving the S3 server access logs of the log archive and the Config bucket', mock: 'acme-security-log-archive-access-logs' },
  audit_kms_key_arn: { description: 'KMS key encrypting the trail, the archive, the Config bucket, the trail log group and the alarms topic', mock: 'arn:aws:kms:us-east-1:222222222222:key/00000000-0000-0000-0000-0000000a0d17' },
  config_bucket_name: { description: 'Bucket every AWS Config delivery channel of the organisation delivers to (no Object Lock: Config refuses it)', mock: 'acme-security-config-delivery' },
  config_bucket_arn: { description: 'ARN of the Config delivery bucket', mock: 'arn:aws:s3:::acme-security-config-delivery' },
  config_kms_key_arn: { description: 'KMS key the Config delivery channels encrypt with (its policy admits Config of every account)', mock: 'arn:aws:kms:us-east-1:222222222222:key/00000000-0000-0000-0000-0000000a0d17' },
  cloudtrail_arn: { description: 'ARN of the organisation trail', mock: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/acme-organization-trail' },
  cloudtrail_log_group_name: { description: 'CloudWatch log group receiving the trail', mock: '/aws/cloudtrail/acme-organization-trail' },
  alarms_topic_arn: { description: 'Encrypted topic of the CIS security alarms', mock: 'arn:aws:sns:us-east-1:222222222222:acme-security-security-alarms' },
  dashboard_name: { description: 'CloudWatch dashboard of the CIS alarms', mock: 'acme-security-cis' },
});

/** S3 refuses a bucket policy longer than 20 KB. */
const BUCKET_POLICY_MAX_BYTES = 20480;

const VALID_RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Leverage security-audit (security account): the organisation CloudTrail (all regions, global events, log file
 * validation, KMS, CloudWatch Logs) into a central, versioned, object-locked, TLS-only log archive with access
 * logging and Glacier lifecycle, the AWS Config delivery bucket of every account (same protections but no Object
 * Lock, which Config cannot deliver to), CIS section 4 metric filters and alarms on an encrypted topic, and a dashboard.
 */
export class Audit extends LayerStack {
  static readonly contract = auditContract;
  static readonly stateful = true;

  static validate(config: AuditConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const management = config.managementAccount ?? 'management';
    if (!ctx.org.accounts.has(management)) problems.push({ field: 'managementAccount', message: `unknown account "${management}"` });
    const retention = config.logGroupRetentionDays ?? 365;
    if (!VALID_RETENTION.includes(retention)) {
      problems.push({ field: 'logGroupRetentionDays', message: `${retention} is not a CloudWatch Logs retention (${VALID_RETENTION.join(', ')})` });
    } else if (retention < 365) {
      problems.push({ field: 'logGroupRetentionDays', message: `${retention} is below the 365 days CIS and most audits expect` });
    }
    const glacier = config.glacierAfterDays ?? 90;
    const total = config.archiveRetentionDays ?? 2555;
    if (glacier < 30) problems.push({ field: 'glacierAfterDays', message: `${glacier} must be at least 30 days` });
    if (total < Math.max(365, glacier + 90)) {
      problems.push({ field: 'archiveRetentionDays', message: `${total} must be at least 365 days and 90 days after the Glacier transition (${glacier})` });
    }
    const lock = config.objectLock ?? { mode: 'GOVERNANCE', days: 365 };
    if (lock) {
      if (lock.mode !== 'GOVERNANCE' && lock.mode !== 'COMPLIANCE') problems.push({ field: 'objectLock.mode', message: `"${String(lock.mode)}" must be GOVERNANCE or COMPLIANCE` });
      if (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > total) {
        problems.push({ field: 'objectLock.days', message: `${lock.days} must be a whole number of days between 1 and archiveRetentionDays (${total})` });
      }
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: AuditConfig) {
    super(scope, ctx);
    const project = ctx.org.project.name;
    const accountId = ctx.account.id;
    const management = ctx.org.accounts.get(config.managementAccount ?? 'management')!;
    const organizationId = this.remote(organizationsContract, { account: management.name }).get('organization_id');
    const allAccountIds = [...ctx.org.accounts.values()].map((a) => a.id);

    const trailName = `${project}-organization-trail`;
    // An organisation trail made by a delegated administrator is owned by the management account: admit both.
    const trailArns = [...new Set([management.id, accountId])].map((id) => `arn:aws:cloudtrail:${ctx.region}:${id}:trail/${trailName}`);
    const bucketName = this.resourceName('log-archive');
    const bucketArn = `arn:aws:s3:::${bucketName}`;

    const key = new KmsKey(this, 'audit-key', {
      alias: this.resourceName('audit'),
      description: 'Encrypts the organisation trail, the log archive, the Config delivery bucket, the trail log group and the security alarms',
      accountId,
      serviceStatements: [
        {
          Sid: 'CloudTrailEncryptLogs',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceArn': trailArns },
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': [...new Set([management.id, accountId])].map((id) => `arn:aws:cloudtrail:*:${id}:trail/*`) },
          },
        },
        {
          Sid: 'CloudTrailDescribeKey',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceArn': trailArns } },
        },
        {
          Sid: 'ConfigDelivery',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': allAccountIds } },
        },
        cloudWatchLogsKeyStatement(ctx.region, accountId),
        snsPublisherKeyStatement(['cloudwatch.amazonaws.com'], accountId),
      ],
    });

    const accessLogs = new LogBucket(this, 'access-logs', {
      bucketName: this.resourceName('log-archive-access-logs'),
      sourceAccountId: accountId,
      expirationDays: config.accessLogRetentionDays ?? 365,
    });
    const cloudTrailWrite = (prefixes: string[]): PolicyStatement => ({
      Sid: 'CloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: prefixes.map((p) => `${bucketArn}/${p}`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArns } },
    });
    const archive = new SecureBucket(this, 'log-archive', {
      bucketName,
      kmsKeyArn: key.arn,
      accessLogs: { bucket: accessLogs.bucketName, prefix: `${bucketName}/` },
      noncurrentVersionExpirationDays: 90,
      lifecycleRules: [{
        id: 'archive-to-glacier',
        status: 'Enabled',
        filter: [{ prefix: 'AWSLogs/' }],
        transition: [{ days: config.glacierAfterDays ?? 90, storageClass: 'GLACIER' }],
        expiration: [{ days: config.archiveRetentionDays ?? 2555 }],
      }],
      policyStatements: [
        {
          Sid: 'CloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: { StringEquals: { 'aws:SourceArn': trailArns } },
        },
        cloudTrailWrite([`AWSLogs/${management.id}/*`, `AWSLogs/${accountId}/*`, `AWSLogs/${organizationId}/*`]),
      ],
    });

    const lock = config.objectLock ?? { mode: 'GOVERNANCE', days: 365 };
    if (lock) {
      // Object Lock is chosen when the bucket is created; SecureBucket leaves it off, so it is switched on here.
      archive.bucket.objectLockEnabled = true;
      new S3BucketObjectLockConfigurationA(this, 'log-archive-object-lock', {
        bucket: archive.bucket.id,
        rule: { defaultRetention: { mode: lock.mode, days: lock.days } },
      });
    }

    // AWS Config cannot deliver to a bucket with Object Lock, so its history and snapshots get their own bucket: same
    // encryption, TLS-only policy, access logs and lifecycle as the archive, written only by Config of the organisation's
    // accounts, each under its own documented prefix AWSLogs/<account>/Config/.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
    const configBucketName = this.resourceName('config-delivery');
    const configBucketArn = `arn:aws:s3:::${configBucketName}`;
    const configStatements: PolicyStatement[] = [
      {
        Sid: 'ConfigBucketCheck',
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: ['s3:GetBucketAcl', 's3:ListBucket'],
        Resource: configBucketArn,
        Condition: { StringEquals: { 'aws:SourceAccount': allAccountIds } },
      },
      ...allAccountIds.map((id): PolicyStatement => ({
        Sid: `ConfigDelivery${id}`,
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${configBucketArn}/AWSLogs/${id}/Config/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': id } },
      })),
    ];
    const configPolicyBytes = policyDocument([denyInsecureTransport(configBucketArn), ...configStatements]).length;
    if (configPolicyBytes > BUCKET_POLICY_MAX_BYTES) {
      this.report('accounts', `the Config delivery bucket policy would be ${configPolicyBytes} bytes for ${allAccountIds.length} accounts, over the ${BUCKET_POLICY_MAX_BYTES} S3 allows`);
    }
    const configBucket = new SecureBucket(this, 'config-delivery', {
      bucketName: configBucketName,
      kmsKeyArn: key.arn,
      accessLogs: { bucket: accessLogs.bucketName, prefix: `${configBucketName}/` },
      noncurrentVersionExpirationDays: 90,
      lifecycleRules: [{
        id: 'history-to-glacier',
        status: 'Enabled',
        filter: [{ prefix: 'AWSLogs/' }],
        transition: [{ days: config.glacierAfterDays ?? 90, storageClass: 'GLACIER' }],
        expiration: [{ days: config.archiveRetentionDays ?? 2555 }],
      }],
      policyStatements: configStatements,
    });

    const logGroup = new CloudwatchLogGroup(this, 'trail-log-group', {
      name: `/aws/cloudtrail/${trailName}`,
      retentionInDays: config.logGroupRetentionDays ?? 365,
      kmsKeyId: key.arn,
      lifecycle: { preventDestroy: true },
    });
    const trailRole = new IamRole(this, 'trail-logs-role', {
      name: this.resourceName('cloudtrail-logs'),
      description: 'Lets the organisation trail write to its CloudWatch log group',
      assumeRolePolicy: serviceTrustPolicy('cloudtrail.amazonaws.com'),
    });
    new IamRolePolicy(this, 'trail-logs-policy', {
      name: 'write-trail-log-group',
      role: trailRole.id,
      policy: policyDocument([{
        Sid: 'WriteTrailLogStreams',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${logGroup.arn}:log-stream:*`,
      }]),
    });
    const trail = new Cloudtrail(this, 'trail', {
      name: trailName,
      s3BucketName: archive.bucketName,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: key.arn,
      cloudWatchLogsGroupArn: `${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: trailRole.arn,
      // The bucket policy must exist before CloudTrail checks its access.
      dependsOn: [archive.node.findChild('policy') as S3BucketPolicy],
    });

    const topic = new EncryptedTopic(this, 'alarms-topic', {
      name: this.resourceName('security-alarms'),
      kmsKeyArn: key.arn,
      accountId,
      publisherServices: ['cloudwatch.amazonaws.com'],
      emailSubscriptions: config.alarmEmails,
    });
    const alarms = new CisAlarms(this, 'cis', {
      logGroupName: logGroup.name,
      alarmTopicArn: topic.arn,
      namePrefix: this.resourceName(),
    });

    const dashboardName = this.resourceName('cis');
    const alarmArns = CIS_METRIC_FILTERS.map((f) => `arn:aws:cloudwatch:${ctx.region}:${accountId}:alarm:${this.resourceName()}-cis-${f.id}`);
    const dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName,
      dashboardBody: JSON.stringify({
        widgets: [
          { type: 'alarm', x: 0, y: 0, width: 24, height: 6, properties: { title: 'CIS 4.x security alarms', alarms: alarmArns } },
          ...CIS_METRIC_FILTERS.map((f, i) => ({
            type: 'metric',
            x: (i % 3) * 8,
            y: 6 + Math.floor(i / 3) * 6,
            width: 8,
            height: 6,
            properties: {
              title: `CIS ${f.control}: ${f.description}`,
              region: ctx.region,
              stat: 'Sum',
              period: 300,
              metrics: [[alarms.namespace, f.id]],
            },
          })),
        ],
      }),
      dependsOn: alarms.alarms,
    });

    this.publish(auditContract, {
      log_archive_bucket_name: archive.bucketName,
      log_archive_bucket_arn: archive.arn,
      access_logs_bucket_name: accessLogs.bucketName,
      audit_kms_key_arn: key.arn,
      config_bucket_name: configBucket.bucketName,
      config_bucket_arn: configBucket.arn,
      config_kms_key_arn: key.arn,
      cloudtrail_arn: trail.arn,
      cloudtrail_log_group_name: logGroup.name,
      alarms_topic_arn: topic.arn,
      dashboard_name: dashboard.dashboardName,
    });
  }
}
