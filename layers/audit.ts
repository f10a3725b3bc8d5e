import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { emailAddress, FieldProblems, integerAtLeast, knownAccount, logRetentionDays, oneOf } from '../lib/validators';
import { CIS_METRIC_FILTERS, CisAlarms } from '../modules/cis-alarms';
import { cloudTrailBucketStatements, OrganizationTrail } from '../modules/cloudtrail';
import { configDeliveryBucketStatements } from '../modules/config-recorder';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { denyInsecureTransport, policyDocument } from '../modules/policy';
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
  log_archive_bucket_name: { description: 'Central, object-locked log archive of the organisation trail', mock: 'acme-security-log-archive-222222222222' },
  log_archive_bucket_arn: { description: 'ARN of the log-archive bucket', mock: 'arn:aws:s3:::acme-security-log-archive-222222222222' },
  access_logs_bucket_name: { description: 'Bucket receiving the S3 server access logs of the log archive and the Config bucket', mock: 'acme-security-log-archive-access-logs-222222222222' },
  audit_kms_key_arn: { description: 'KMS key encrypting the trail, the archive, the Config bucket, the trail log group and the alarms topic', mock: 'arn:aws:kms:us-east-1:222222222222:key/00000000-0000-0000-0000-0000000a0d17' },
  config_bucket_name: { description: 'Bucket every AWS Config delivery channel of the organisation delivers to (no Object Lock: Config refuses it)', mock: 'acme-security-config-delivery-222222222222' },
  config_bucket_arn: { description: 'ARN of the Config delivery bucket', mock: 'arn:aws:s3:::acme-security-config-delivery-222222222222' },
  config_kms_key_arn: { description: 'KMS key the Config delivery channels encrypt with (its policy admits Config of every account)', mock: 'arn:aws:kms:us-east-1:222222222222:key/00000000-0000-0000-0000-0000000a0d17' },
  cloudtrail_arn: { description: 'ARN of the organisation trail', mock: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/acme-organization-trail' },
  cloudtrail_log_group_name: { description: 'CloudWatch log group receiving the trail', mock: '/aws/cloudtrail/acme-organization-trail' },
  alarms_topic_arn: { description: 'Encrypted topic of the CIS security alarms', mock: 'arn:aws:sns:us-east-1:222222222222:acme-security-security-alarms' },
  dashboard_name: { description: 'CloudWatch dashboard of the CIS alarms', mock: 'acme-security-cis' },
});

/** S3 refuses a bucket policy longer than 20 KB. */
const BUCKET_POLICY_MAX_BYTES = 20480;

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
    const problems = new FieldProblems();
    problems.check('managementAccount', knownAccount(ctx.org, config.managementAccount ?? 'management'));
    problems.check('logGroupRetentionDays', logRetentionDays(config.logGroupRetentionDays ?? 365, { atLeast: 365, reason: 'CIS and most audits expect' }));
    const glacier = config.glacierAfterDays ?? 90;
    const total = config.archiveRetentionDays ?? 2555;
    problems.check('glacierAfterDays', integerAtLeast(glacier, 30, 'days'));
    if (!Number.isInteger(total) || total < Math.max(365, glacier + 90)) {
      problems.add('archiveRetentionDays', `${total} must be a whole number of days, at least 365 and 90 days after the Glacier transition (${glacier})`);
    }
    problems.check('accessLogRetentionDays', integerAtLeast(config.accessLogRetentionDays ?? 365, 1, 'days'));
    (config.alarmEmails ?? []).forEach((email, i) => problems.check(`alarmEmails[${i}]`, emailAddress(email)));
    const lock = config.objectLock ?? { mode: 'GOVERNANCE', days: 365 };
    if (lock) {
      problems.check('objectLock.mode', oneOf(lock.mode, ['GOVERNANCE', 'COMPLIANCE']));
      if (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > total) {
        problems.add('objectLock.days', `${lock.days} must be a whole number of days between 1 and archiveRetentionDays (${total})`);
      }
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: AuditConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const management = ctx.org.accounts.get(config.managementAccount ?? 'management')!;
    const organizationId = this.remote(organizationsContract, { account: management.name }).get('organization_id');
    const allAccountIds = [...ctx.org.accounts.values()].map((a) => a.id);
    const trailName = `${ctx.org.project.name}-organization-trail`;
    // An organisation trail made by a delegated administrator is owned by the management account: admit both.
    const trailOwners = [...new Set([management.id, accountId])];
    const trailArns = trailOwners.map((id) => `arn:aws:cloudtrail:${ctx.region}:${id}:trail/${trailName}`);

    const key = new KmsKey(this, 'audit-key', {
      alias: this.resourceName('audit'),
      description: 'Encrypts the organisation trail, the log archive, the Config delivery bucket, the trail log group and the security alarms',
      accountId,
    });
    key.grantToService('cloudtrail', { trailArns, ownerAccountIds: trailOwners });
    key.grantToService('config', { sourceAccountIds: allAccountIds });
    key.grantToService('logs', { region: ctx.region, accountId });
    key.grantToService('sns-publishers', { services: ['cloudwatch.amazonaws.com'], accountId });

    const accessLogs = new LogBucket(this, 'access-logs', {
      bucketName: this.globalName('s3-bucket', 'log-archive-access-logs'),
      sourceAccountId: accountId,
      expirationDays: config.accessLogRetentionDays ?? 365,
    });
    const archive = this.logArchive(config, key, accessLogs, trailArns, [management.id, accountId, organizationId]);
    const configBucket = this.configDelivery(config, key, accessLogs, allAccountIds);

    const trail = new OrganizationTrail(this, 'trail', {
      name: trailName,
      bucket: archive,
      kmsKey: key,
      roleName: this.resourceName('cloudtrail-logs'),
      logRetentionDays: config.logGroupRetentionDays ?? 365,
    });
    const { topic, dashboard } = this.cisAlarms(config, key, trail);

    this.publish(auditContract, {
      log_archive_bucket_name: archive.bucketName,
      log_archive_bucket_arn: archive.arn,
      access_logs_bucket_name: accessLogs.bucketName,
      audit_kms_key_arn: key.arn,
      config_bucket_name: configBucket.bucketName,
      config_bucket_arn: configBucket.arn,
      config_kms_key_arn: key.arn,
      cloudtrail_arn: trail.arn,
      cloudtrail_log_group_name: trail.logGroup.name,
      alarms_topic_arn: topic.arn,
      dashboard_name: dashboard.dashboardName,
    });
  }

  /**
   * The trail's archive: CloudTrail writes the management account's, this account's and the organisation's prefixes;
   * Glacier after `glacierAfterDays`, expiry after `archiveRetentionDays`, and Object Lock (WORM) unless turned off.
   */
  private logArchive(config: AuditConfig, key: KmsKey, accessLogs: LogBucket, trailArns: readonly string[], writers: readonly string[]): SecureBucket {
    const bucketName = this.globalName('s3-bucket', 'log-archive');
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
      policyStatements: cloudTrailBucketStatements(`arn:aws:s3:::${bucketName}`, trailArns, writers.map((w) => `AWSLogs/${w}/*`)),
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
    return archive;
  }

  /**
   * AWS Config cannot deliver to a bucket with Object Lock, so its history and snapshots get their own bucket: same
   * encryption, TLS-only policy, access logs and lifecycle as the archive, written only by Config of the organisation's
   * accounts, each under its own prefix. The policy grows by one statement per account: refused above S3's 20 KB.
   */
  private configDelivery(config: AuditConfig, key: KmsKey, accessLogs: LogBucket, accountIds: readonly string[]): SecureBucket {
    const bucketName = this.globalName('s3-bucket', 'config-delivery');
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const statements = configDeliveryBucketStatements(bucketArn, accountIds);
    const bytes = policyDocument([denyInsecureTransport(bucketArn), ...statements]).length;
    if (bytes > BUCKET_POLICY_MAX_BYTES) {
      this.report('accounts', `the Config delivery bucket policy would be ${bytes} bytes for ${accountIds.length} accounts, over the ${BUCKET_POLICY_MAX_BYTES} S3 allows`);
    }
    return new SecureBucket(this, 'config-delivery', {
      bucketName,
      kmsKeyArn: key.arn,
      accessLogs: { bucket: accessLogs.bucketName, prefix: `${bucketName}/` },
      noncurrentVersionExpirationDays: 90,
      lifecycleRules: [{
        id: 'history-to-glacier',
        status: 'Enabled',
        filter: [{ prefix: 'AWSLogs/' }],
        transition: [{ days: config.glacierAfterDays ?? 90, storageClass: 'GLACIER' }],
        expiration: [{ days: config.archiveRetentionDays ?? 2555 }],
      }],
      policyStatements: statements,
    });
  }

  /** CIS section 4 metric filters and alarms on the trail's log group, an encrypted topic for them, and a dashboard. */
  private cisAlarms(config: AuditConfig, key: KmsKey, trail: OrganizationTrail): { topic: EncryptedTopic; dashboard: CloudwatchDashboard } {
    const topic = new EncryptedTopic(this, 'alarms-topic', {
      name: this.resourceName('security-alarms'),
      kmsKeyArn: key.arn,
      accountId: this.ctx.account.id,
      publisherServices: ['cloudwatch.amazonaws.com'],
      emailSubscriptions: config.alarmEmails,
    });
    const alarms = new CisAlarms(this, 'cis', { logGroupName: trail.logGroup.name, alarmTopicArn: topic.arn, namePrefix: this.resourceName() });
    const alarmArns = CIS_METRIC_FILTERS.map((f) => `arn:aws:cloudwatch:${this.ctx.region}:${this.ctx.account.id}:alarm:${this.resourceName()}-cis-${f.id}`);
    const dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.resourceName('cis'),
      dashboardBody: JSON.stringify({
        widgets: [
          { type: 'alarm', x: 0, y: 0, width: 24, height: 6, properties: { title: 'CIS 4.x security alarms', alarms: alarmArns } },
          ...CIS_METRIC_FILTERS.map((f, i) => ({
            type: 'metric',
            x: (i % 3) * 8,
            y: 6 + Math.floor(i / 3) * 6,
            width: 8,
            height: 6,
            properties: { title: `CIS ${f.control}: ${f.description}`, region: this.ctx.region, stat: 'Sum', period: 300, metrics: [[alarms.namespace, f.id]] },
          })),
        ],
      }),
      dependsOn: alarms.alarms,
    });
    return { topic, dashboard };
  }
}
