import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { ConfigConfigurationAggregator } from '@cdktf/provider-aws/lib/config-configuration-aggregator';
import { DataAwsGuarddutyDetector } from '@cdktf/provider-aws/lib/data-aws-guardduty-detector';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { GuarddutyOrganizationConfigurationFeature } from '@cdktf/provider-aws/lib/guardduty-organization-configuration-feature';
import { Inspector2Enabler } from '@cdktf/provider-aws/lib/inspector2-enabler';
import { Inspector2MemberAssociation } from '@cdktf/provider-aws/lib/inspector2-member-association';
import { Inspector2OrganizationConfiguration } from '@cdktf/provider-aws/lib/inspector2-organization-configuration';
import { Macie2Account } from '@cdktf/provider-aws/lib/macie2-account';
import { Macie2Member } from '@cdktf/provider-aws/lib/macie2-member';
import { Macie2OrganizationConfiguration } from '@cdktf/provider-aws/lib/macie2-organization-configuration';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubFindingAggregator } from '@cdktf/provider-aws/lib/securityhub-finding-aggregator';
import { SecurityhubOrganizationConfiguration } from '@cdktf/provider-aws/lib/securityhub-organization-configuration';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext, ResolvedAccount } from '../lib/model';
import { FieldProblems, knownAccount, oneOf, repeated } from '../lib/validators';
import { ConfigRecorder } from '../modules/config-recorder';
import { ServiceRole } from '../modules/role';
import { auditContract } from './audit';
import { delegatedAdministrator, scanningDesignations } from './organizations';

export type SecurityHubStandard = 'fsbp' | 'cis-v3';
export type GuardDutyFeature = 'S3_DATA_EVENTS' | 'EKS_AUDIT_LOGS' | 'EBS_MALWARE_PROTECTION' | 'RDS_LOGIN_EVENTS' | 'LAMBDA_NETWORK_LOGS' | 'RUNTIME_MONITORING';
/** Amazon Inspector scan types: EC2 instances, ECR images, Lambda functions (packages) and Lambda code. */
export type InspectorScan = 'EC2' | 'ECR' | 'LAMBDA' | 'LAMBDA_CODE';
export const INSPECTOR_SCANS: readonly InspectorScan[] = ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'];
/** Accounts one Inspector Enable call takes. https://docs.aws.amazon.com/inspector/v2/APIReference/API_Enable.html */
const INSPECTOR_ENABLE_LIMIT = 100;

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
  /**
   * Amazon Inspector scan types enabled in this account, every member and every new account; empty turns Inspector off.
   * `LAMBDA_CODE` needs `LAMBDA`. Needs the organizations layer to designate Inspector (`inspector`, on by default).
   * @default all four when Inspector is designated (or the project has no organizations layer), else []
   */
  readonly inspectorScans?: readonly InspectorScan[];
  /**
   * Amazon Macie in this account, every member and every new account (automated sensitive-data discovery of S3 is
   * Macie's own default). Needs the organizations layer to designate Macie (`macie`, on by default).
   * @default true when Macie is designated (or the project has no organizations layer)
   */
  readonly macie?: boolean;
  /**
   * Accounts (by name) that joined the organisation after this layer first configured Inspector and Macie: their
   * auto-enable settings already made them members, and AWS refuses a second association, so the next real plan
   * adopts their memberships (import blocks) instead of creating them. @default []
   */
  readonly autoEnrolledAccounts?: readonly string[];
}

export const monitoringContract = defineContract('monitoring', {
  guardduty_detector_id: { description: 'GuardDuty detector of the delegated administrator', mock: '12abc34d567e8fa901bc2d34e56789f0' },
  securityhub_standards_arns: { description: 'Security Hub standards subscribed', mock: ['arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0'] },
  config_recorder_name: { description: 'AWS Config recorder of the account', mock: 'acme-security-config' },
  config_aggregator_arn: { description: 'Organisation Config aggregator (empty outside the aggregating region)', mock: 'arn:aws:config:us-east-1:222222222222:config-aggregator/config-aggregator-mock' },
  access_analyzer_arn: { description: 'Organisation IAM Access Analyzer', mock: 'arn:aws:access-analyzer:us-east-1:222222222222:analyzer/acme-security-organization' },
  inspector_resource_types: { description: 'Inspector scan types enabled across the organisation in this region (empty: Inspector off)', mock: ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'] },
  macie_enabled: { description: 'Whether Macie is enabled across the organisation in this region', mock: true },
});

const DEFAULT_FEATURES: readonly GuardDutyFeature[] = ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS'];
const ALL_FEATURES: readonly GuardDutyFeature[] = [...DEFAULT_FEATURES, 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'];

/**
 * Inspector scan types and Macie as configured, or as the organizations layer's designations imply: a service is on by
 * default where its administrator is designated (and where the project designates nothing itself).
 */
function scanning(config: MonitoringConfig, ctx: LayerContext): { readonly scans: readonly InspectorScan[]; readonly macie: boolean } {
  const designated = scanningDesignations(ctx.org);
  return {
    scans: config.inspectorScans ?? (designated?.inspector ?? true ? INSPECTOR_SCANS : []),
    macie: config.macie ?? designated?.macie ?? true,
  };
}

function scanningProblems(config: MonitoringConfig, ctx: LayerContext): FieldProblem[] {
  const problems = new FieldProblems();
  const scans = config.inspectorScans ?? [];
  scans.forEach((scan, i) => problems.check(`inspectorScans[${i}]`, oneOf(scan, INSPECTOR_SCANS)));
  const twice = repeated(scans);
  if (twice !== undefined) problems.add('inspectorScans', `lists ${twice} twice`);
  if (scans.includes('LAMBDA_CODE') && !scans.includes('LAMBDA')) {
    problems.add('inspectorScans', 'LAMBDA_CODE needs LAMBDA: Inspector scans Lambda code only where it scans Lambda functions');
  }
  (config.autoEnrolledAccounts ?? []).forEach((name, i) => {
    const field = `autoEnrolledAccounts[${i}]`;
    if (name === ctx.account.name) problems.add(field, `${name} is the administrator, not a member`);
    else problems.check(field, knownAccount(ctx.org, name));
  });
  const members = ctx.org.accounts.size - 1;
  if ((config.inspectorScans ?? INSPECTOR_SCANS).length > 0 && members > INSPECTOR_ENABLE_LIMIT) {
    problems.add('inspectorScans', `${members} member accounts: Inspector's Enable takes at most ${INSPECTOR_ENABLE_LIMIT} accounts per call (aws_inspector2_enabler makes one)`);
  }
  const designated = scanningDesignations(ctx.org);
  if (designated && !designated.inspector && scans.length > 0) {
    problems.add('inspectorScans', 'the organizations layer designates no Inspector administrator (inspector: false): designate one there, or set inspectorScans: []');
  }
  if (designated && !designated.macie && config.macie === true) {
    problems.add('macie', 'the organizations layer designates no Macie administrator (macie: false): designate one there, or set macie: false');
  }
  return problems.list;
}

/** Standards ARNs are regional and built from the region string: no data source needed. */
export function standardArn(standard: SecurityHubStandard, region: string): string {
  return standard === 'fsbp'
    ? `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`
    : `arn:aws:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/3.0.0`;
}

/**
 * Leverage security-monitoring + security-compliance (security account, the delegated administrator): GuardDuty
 * with auto-enable for every member, Security Hub with FSBP and CIS v3 and a cross-region aggregator, the AWS Config
 * recorder delivering to the audit layer's Config bucket plus an organisation aggregator, an organisation Access
 * Analyzer, and Amazon Inspector and Amazon Macie in every account of the organisation.
 *
 * The delegation itself (GuardDuty, Security Hub, Config, Access Analyzer, CloudTrail, Inspector, Macie) is registered
 * by the organizations layer of the management account, which must be applied first. Designating the GuardDuty,
 * Security Hub and Macie administrator enables those services in this account and region, so on real AWS this layer
 * adopts the detector, the hub and the Macie session (import blocks) instead of creating them, which AWS would refuse
 * as duplicates.
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
    for (const p of scanningProblems(config, ctx)) problems.add(p.field, p.message);
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
    const { scans, macie } = scanning(config, ctx);
    const enrolled = new Set(adopt ? config.autoEnrolledAccounts ?? [] : []);
    if (scans.length > 0) this.inspector(scans, enrolled);
    if (macie) this.macie(config, adopt, enrolled);

    this.publish(monitoringContract, {
      guardduty_detector_id: detector.id,
      securityhub_standards_arns: standards.map((s) => s.standardsArn),
      config_recorder_name: recorder.name,
      config_aggregator_arn: aggregator?.arn ?? '',
      access_analyzer_arn: analyzer.arn,
      inspector_resource_types: [...scans],
      macie_enabled: macie,
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

  /** The other accounts of the organisation, which the administrator enables the scanning services for. */
  private members(): ResolvedAccount[] {
    return [...this.ctx.org.accounts.values()].filter((a) => a.id !== this.ctx.account.id);
  }

  /**
   * Amazon Inspector: the scans in this account, auto-enable for accounts that join later (the organisation
   * configuration covers new accounts only), and every existing member associated, then enabled (the order of the
   * provider's own member-account tests). Enable is idempotent and the designation enables no scan, so only
   * memberships the auto-enable already made need adopting (`enrolled`).
   */
  private inspector(scans: readonly InspectorScan[], enrolled: ReadonlySet<string>): void {
    const has = (scan: InspectorScan): boolean => scans.includes(scan);
    const administrator = new Inspector2Enabler(this, 'inspector', { accountIds: [this.ctx.account.id], resourceTypes: [...scans] });
    new Inspector2OrganizationConfiguration(this, 'inspector-organization', {
      autoEnable: { ec2: has('EC2'), ecr: has('ECR'), lambda: has('LAMBDA'), lambdaCode: has('LAMBDA_CODE') },
      dependsOn: [administrator],
    });
    const members = this.members();
    if (members.length === 0) return;
    const associations = members.map((m) => {
      const association = new Inspector2MemberAssociation(this, `inspector-member-${m.name}`, { accountId: m.id, dependsOn: [administrator] });
      if (enrolled.has(m.name)) association.importFrom(m.id);
      return association;
    });
    new Inspector2Enabler(this, 'inspector-members', { accountIds: members.map((m) => m.id), resourceTypes: [...scans], dependsOn: associations });
  }

  /**
   * Amazon Macie: the session of this account (enabled by the designation on real AWS, so adopted by an import block
   * whose id is the account id), auto-enable for accounts that join later, and every existing member added by account
   * id and e-mail (organisation members need no invitation; `enrolled` ones are adopted).
   */
  private macie(config: MonitoringConfig, adopt: boolean, enrolled: ReadonlySet<string>): void {
    const session = new Macie2Account(this, 'macie', {
      findingPublishingFrequency: config.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
      status: 'ENABLED',
    });
    if (adopt) session.importFrom(this.ctx.account.id);
    new Macie2OrganizationConfiguration(this, 'macie-organization', { autoEnable: true, dependsOn: [session] });
    for (const m of this.members()) {
      const member = new Macie2Member(this, `macie-member-${m.name}`, { accountId: m.id, email: m.email, status: 'ENABLED', dependsOn: [session] });
      if (enrolled.has(m.name)) member.importFrom(m.id);
    }
  }
}
