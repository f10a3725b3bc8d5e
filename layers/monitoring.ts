import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { ConfigConfigurationAggregator } from '@cdktf/provider-aws/lib/config-configuration-aggregator';
import { DataAwsGuarddutyDetector } from '@cdktf/provider-aws/lib/data-aws-guardduty-detector';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { GuarddutyOrganizationConfigurationFeature } from '@cdktf/provider-aws/lib/guardduty-organization-configuration-feature';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubFindingAggregator } from '@cdktf/provider-aws/lib/securityhub-finding-aggregator';
import { SecurityhubOrganizationConfiguration } from '@cdktf/provider-aws/lib/securityhub-organization-configuration';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { ConfigRecorder } from '../modules/config-recorder';
import { serviceTrustPolicy } from '../modules/policy';
import { auditContract } from './audit';
import { delegatedAdministrator } from './organizations';

export type SecurityHubStandard = 'fsbp' | 'cis-v3';
export type GuardDutyFeature = 'S3_DATA_EVENTS' | 'EKS_AUDIT_LOGS' | 'EBS_MALWARE_PROTECTION' | 'RDS_LOGIN_EVENTS' | 'LAMBDA_NETWORK_LOGS' | 'RUNTIME_MONITORING';

export interface MonitoringConfig {
  /** Account (by name) of the audit layer whose Config delivery bucket receives the snapshots. @default this account */
  readonly auditAccount?: string;
  /** GuardDuty protection plans, enabled here and auto-enabled for every member. @default S3, EKS audit logs, EBS malware, RDS logins */
  readonly guardDutyFeatures?: readonly GuardDutyFeature[];
  /** @default 'FIFTEEN_MINUTES' */
  readonly findingPublishingFrequency?: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';
  /** Security Hub standards subscribed. @default ['fsbp', 'cis-v3'] */
  readonly securityHubStandards?: readonly SecurityHubStandard[];
  /**
   * Aggregate Security Hub findings and Config data from every region into this one. Set it only in the layer of the
   * project's primary region. @default true when the layer runs in the primary region
   */
  readonly aggregate?: boolean;
}

export const monitoringContract = defineContract('monitoring', {
  guardduty_detector_id: { description: 'GuardDuty detector of the delegated administrator', mock: '12abc34d567e8fa901bc2d34e56789f0' },
  securityhub_standards_arns: { description: 'Security Hub standards subscribed', mock: ['arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0'] },
  config_recorder_name: { description: 'AWS Config recorder of the account', mock: 'acme-security-config' },
  config_aggregator_arn: { description: 'Organisation Config aggregator (empty outside the aggregating region)', mock: 'arn:aws:config:us-east-1:222222222222:config-aggregator/config-aggregator-mock' },
  access_analyzer_arn: { description: 'Organisation IAM Access Analyzer', mock: 'arn:aws:access-analyzer:us-east-1:222222222222:analyzer/acme-security-organization' },
});

const DEFAULT_FEATURES: readonly GuardDutyFeature[] = ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS'];
const ALL_FEATURES: readonly GuardDutyFeature[] = [...DEFAULT_FEATURES, 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'];

/** Standards ARNs are regional and built from the region string: no data source needed. */
export function standardArn(standard: SecurityHubStandard, region: string): string {
  return standard === 'fsbp'
    ? `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`
    : `arn:aws:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/3.0.0`;
}

/**
 * Leverage security-monitoring + security-compliance (security account, the delegated administrator): GuardDuty
 * with auto-enable for every member, Security Hub with FSBP and CIS v3 and a cross-region aggregator, the AWS Config
 * recorder delivering to the audit layer's Config bucket plus an organisation aggregator, and an organisation Access Analyzer.
 *
 * The delegation itself (GuardDuty, Security Hub, Config, Access Analyzer, CloudTrail) is registered by the
 * organizations layer of the management account, which must be applied first. Designating the GuardDuty and Security
 * Hub administrator enables both services in this account and region, so on real AWS this layer adopts the detector
 * and the hub (import blocks) instead of creating them, which AWS would refuse as duplicates.
 */
export class Monitoring extends LayerStack {
  static readonly contract = monitoringContract;

  static validate(config: MonitoringConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (config.auditAccount !== undefined && !ctx.org.accounts.has(config.auditAccount)) {
      problems.push({ field: 'auditAccount', message: `unknown account "${config.auditAccount}"` });
    }
    (config.guardDutyFeatures ?? []).forEach((f, i) => {
      if (!ALL_FEATURES.includes(f)) problems.push({ field: `guardDutyFeatures[${i}]`, message: `"${f}" is not one of ${ALL_FEATURES.join(', ')}` });
    });
    (config.securityHubStandards ?? []).forEach((s, i) => {
      if (s !== 'fsbp' && s !== 'cis-v3') problems.push({ field: `securityHubStandards[${i}]`, message: `"${String(s)}" must be fsbp or cis-v3` });
    });
    const admin = delegatedAdministrator(ctx.org);
    if (admin && admin.name !== ctx.account.name) {
      problems.push({ field: 'account', message: `configures the organisation's security services, so it belongs in ${admin.name}, the delegated administrator named by the organizations layer` });
    }
    if (config.aggregate === true && ctx.region !== ctx.org.project.primaryRegion) {
      problems.push({ field: 'aggregate', message: `aggregation belongs in the primary region ${ctx.org.project.primaryRegion}, not ${ctx.region}` });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: MonitoringConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const primary = ctx.region === ctx.org.project.primaryRegion;
    const aggregate = config.aggregate ?? primary;
    const audit = this.remote(auditContract, { account: config.auditAccount ?? ctx.account.name });

    // On real AWS the organizations layer's designation has already enabled GuardDuty and Security Hub here (one
    // detector and one hub per account and region): adopt them. The detector id is AWS-generated, so it comes from the
    // data source, read at plan time; the hub's import id is the account id. Both need AWS, so the offline sandbox,
    // where nothing exists, creates them instead.
    const adopt = ctx.org.mode.sandbox === undefined;

    // GuardDuty: the detector of the delegated administrator and auto-enable of every member account.
    const detector = new GuarddutyDetector(this, 'guardduty', {
      enable: true,
      findingPublishingFrequency: config.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
    });
    if (adopt) {
      detector.importFrom(new DataAwsGuarddutyDetector(this, 'guardduty-enabled-by-delegation', {}).id);
    }
    const orgConfig = new GuarddutyOrganizationConfiguration(this, 'guardduty-organization', {
      detectorId: detector.id,
      autoEnableOrganizationMembers: 'ALL',
    });
    for (const feature of config.guardDutyFeatures ?? DEFAULT_FEATURES) {
      new GuarddutyDetectorFeature(this, `guardduty-feature-${feature}`, { detectorId: detector.id, name: feature, status: 'ENABLED' });
      new GuarddutyOrganizationConfigurationFeature(this, `guardduty-organization-feature-${feature}`, {
        detectorId: detector.id,
        name: feature,
        autoEnable: 'ALL',
        dependsOn: [orgConfig],
      });
    }

    // Security Hub: consolidated control findings, the chosen standards, auto-enable for members.
    const hub = new SecurityhubAccount(this, 'securityhub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
      // Only read at creation and never returned by AWS: an adopted hub must not be replaced (disabled) over it.
      lifecycle: { ignoreChanges: ['enable_default_standards'] },
    });
    if (adopt) hub.importFrom(accountId);
    const standards = (config.securityHubStandards ?? ['fsbp', 'cis-v3']).map((s) => new SecurityhubStandardsSubscription(this, `standard-${s}`, {
      standardsArn: standardArn(s, ctx.region),
      dependsOn: [hub],
    }));
    new SecurityhubOrganizationConfiguration(this, 'securityhub-organization', {
      autoEnable: true,
      autoEnableStandards: 'DEFAULT',
      dependsOn: [hub],
    });
    if (aggregate) {
      new SecurityhubFindingAggregator(this, 'securityhub-aggregator', { linkingMode: 'ALL_REGIONS', dependsOn: [hub] });
    }

    // AWS Config: every supported resource; global resources (IAM) only once, in the primary region.
    const { recorder } = new ConfigRecorder(this, 'config', {
      name: this.resourceName('config'),
      accountId,
      region: ctx.region,
      bucketName: audit.get('config_bucket_name'),
      kmsKeyArn: audit.get('config_kms_key_arn'),
      includeGlobalResources: primary,
    });

    let aggregatorArn = '';
    if (aggregate) {
      const aggregatorRole = new IamRole(this, 'config-aggregator-role', {
        name: this.resourceName('config-aggregator'),
        description: 'AWS Config organisation aggregator',
        assumeRolePolicy: serviceTrustPolicy('config.amazonaws.com', accountId),
      });
      new IamRolePolicyAttachment(this, 'config-aggregator-role-policy', {
        role: aggregatorRole.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations',
      });
      aggregatorArn = new ConfigConfigurationAggregator(this, 'config-aggregator', {
        name: this.resourceName('organization'),
        organizationAggregationSource: { allRegions: true, roleArn: aggregatorRole.arn },
      }).arn;
    }

    const analyzer = new AccessanalyzerAnalyzer(this, 'access-analyzer', {
      analyzerName: this.resourceName('organization'),
      type: 'ORGANIZATION',
    });

    this.publish(monitoringContract, {
      guardduty_detector_id: detector.id,
      securityhub_standards_arns: standards.map((s) => s.standardsArn),
      config_recorder_name: recorder.name,
      config_aggregator_arn: aggregatorArn,
      access_analyzer_arn: analyzer.arn,
    });
  }
}
