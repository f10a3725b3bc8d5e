import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { ConfigConfigurationAggregator } from '@cdktf/provider-aws/lib/config-configuration-aggregator';
import { DataAwsGuarddutyDetector } from '@cdktf/provider-aws/lib/data-aws-guardduty-detector';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { GuarddutyOrganizationConfigurationFeature } from '@cdktf/provider-aws/lib/guardduty-organization-configuration-feature';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubFindingAggregator } from '@cdktf/provider-aws/lib/securityhub-finding-aggregator';
import { SecurityhubOrganizationConfiguration } from '@cdktf/provider-aws/lib/securityhub-organization-configuration';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount, oneOf } from '../lib/validators';
import { ConfigRecorder } from '../modules/config-recorder';
import { ServiceRole } from '../modules/role';
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
    const problems = new FieldProblems();
    if (config.auditAccount !== undefined) problems.check('auditAccount', knownAccount(ctx.org, config.auditAccount));
    (config.guardDutyFeatures ?? []).forEach((f, i) => problems.check(`guardDutyFeatures[${i}]`, oneOf(f, ALL_FEATURES)));
    (config.securityHubStandards ?? []).forEach((s, i) => problems.check(`securityHubStandards[${i}]`, oneOf<SecurityHubStandard>(s, ['fsbp', 'cis-v3'])));
    const admin = delegatedAdministrator(ctx.org);
    if (admin && admin.name !== ctx.account.name) {
      problems.add('account', `configures the organisation's security services, so it belongs in ${admin.name}, the delegated administrator named by the organizations layer`);
    }
    if (config.aggregate === true && ctx.region !== ctx.org.project.primaryRegion) {
      problems.add('aggregate', `aggregation belongs in the primary region ${ctx.org.project.primaryRegion}, not ${ctx.region}`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: MonitoringConfig) {
    super(scope, ctx);
    const primary = ctx.region === ctx.org.project.primaryRegion;
    const aggregate = config.aggregate ?? primary;
    const audit = this.remote(auditContract, { account: config.auditAccount ?? ctx.account.name });
    // On real AWS the organizations layer's designation has already enabled GuardDuty and Security Hub here (one
    // detector and one hub per account and region): adopt them. Both need AWS to look up, so the offline sandbox, where
    // nothing exists, creates them instead.
    const adopt = ctx.org.mode.sandbox === undefined;

    const detector = this.guardDuty(config, adopt);
    const standards = this.securityHub(config, adopt, aggregate);
    // AWS Config: every supported resource; global resources (IAM) only once, in the primary region.
    const { recorder } = new ConfigRecorder(this, 'config', {
      name: this.resourceName('config'),
      accountId: ctx.account.id,
      region: ctx.region,
      bucketName: audit.get('config_bucket_name'),
      kmsKeyArn: audit.get('config_kms_key_arn'),
      includeGlobalResources: primary,
    });
    const aggregator = aggregate ? this.configAggregator() : undefined;
    const analyzer = new AccessanalyzerAnalyzer(this, 'access-analyzer', { analyzerName: this.resourceName('organization'), type: 'ORGANIZATION' });

    this.publish(monitoringContract, {
      guardduty_detector_id: detector.id,
      securityhub_standards_arns: standards.map((s) => s.standardsArn),
      config_recorder_name: recorder.name,
      config_aggregator_arn: aggregator?.arn ?? '',
      access_analyzer_arn: analyzer.arn,
    });
  }

  /**
   * GuardDuty: the detector of the delegated administrator (adopted on real AWS: its id is AWS-generated, so it comes
   * from the data source at plan time), the chosen protection plans, and auto-enable of every member.
   */
  private guardDuty(config: MonitoringConfig, adopt: boolean): GuarddutyDetector {
    const detector = new GuarddutyDetector(this, 'guardduty', {
      enable: true,
      findingPublishingFrequency: config.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
    });
    if (adopt) detector.importFrom(new DataAwsGuarddutyDetector(this, 'guardduty-enabled-by-delegation', {}).id);
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
    return detector;
  }

  /** Security Hub (adopted on real AWS, import id = account id): consolidated control findings, the standards, auto-enable. */
  private securityHub(config: MonitoringConfig, adopt: boolean, aggregate: boolean): SecurityhubStandardsSubscription[] {
    const hub = new SecurityhubAccount(this, 'securityhub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
      // Only read at creation and never returned by AWS: an adopted hub must not be replaced (disabled) over it.
      lifecycle: { ignoreChanges: ['enable_default_standards'] },
    });
    if (adopt) hub.importFrom(this.ctx.account.id);
    const standards = (config.securityHubStandards ?? ['fsbp', 'cis-v3']).map((s) => new SecurityhubStandardsSubscription(this, `standard-${s}`, {
      standardsArn: standardArn(s, this.ctx.region),
      dependsOn: [hub],
    }));
    new SecurityhubOrganizationConfiguration(this, 'securityhub-organization', { autoEnable: true, autoEnableStandards: 'DEFAULT', dependsOn: [hub] });
    if (aggregate) new SecurityhubFindingAggregator(this, 'securityhub-aggregator', { linkingMode: 'ALL_REGIONS', dependsOn: [hub] });
    return standards;
  }

  /** The organisation's Config aggregator over every region, through the role AWS Config documents for it. */
  private configAggregator(): ConfigConfigurationAggregator {
    const role = new ServiceRole(this, 'config-aggregator-role', {
      name: this.resourceName('config-aggregator'),
      description: 'AWS Config organisation aggregator',
      service: 'config.amazonaws.com',
      sourceAccount: this.ctx.account.id,
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations'],
      ids: { managedPolicies: ['config-aggregator-role-policy'] },
    });
    return new ConfigConfigurationAggregator(this, 'config-aggregator', {
      name: this.resourceName('organization'),
      organizationAggregationSource: { allRegions: true, roleArn: role.arn },
    });
  }
}
