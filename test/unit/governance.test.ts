import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer';
import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { EbsDefaultKmsKey } from '@cdktf/provider-aws/lib/ebs-default-kms-key';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { IamAccountPasswordPolicy } from '@cdktf/provider-aws/lib/iam-account-password-policy';
import { OrganizationsOrganization } from '@cdktf/provider-aws/lib/organizations-organization';
import { S3AccountPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-account-public-access-block';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { Audit, type AuditConfig } from '../../layers/audit';
import { Compliance } from '../../layers/compliance';
import { Cost, type CostConfig } from '../../layers/cost';
import { Identities, type IdentitiesConfig } from '../../layers/identities';
import { Monitoring, type MonitoringConfig } from '../../layers/monitoring';
import { Organizations, type OrganizationsConfig } from '../../layers/organizations';
import { Security, type SecurityConfig } from '../../layers/security';
import { BaseNetwork } from '../../layers/base-network';
import { Dr } from '../../layers/dr';
import { MultiTier } from '../../layers/multi-tier';
import { Serverless } from '../../layers/serverless';
import { delegatedAdministrator, delegatedAdminRegions } from '../../layers/organizations';
import type { LayerStack } from '../../lib/layer-stack';
import { checkStack, formatFinding } from '../../lib/policy';
import { CIS_METRIC_FILTERS } from '../../modules/cis-alarms';
import { ORGANIZATION_READ_ACTIONS } from '../../modules/perms';
import { account, build, parsed, REAL, resources, SANDBOX, source, synthStack } from '../helpers';

const IDS = { management: '111111111111', security: '222222222222', 'apps-devstg': '555555555555', 'apps-prd': '666666666666' } as const;

const ORG: OrganizationsConfig = {
  accountOus: { security: 'security', 'apps-devstg': 'workloads/devstg', 'apps-prd': 'workloads/prd' },
};
const IDENTITIES: IdentitiesConfig = {
  instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef',
  identityStoreId: 'd-0123456789',
  groups: { devops: 'Platform engineers', developers: 'Developers' },
  assignments: { 'apps-prd': { devops: ['DevOps'], developers: ['ReadOnly'] }, 'apps-devstg': { developers: ['DevOps'] } },
};

interface Layers {
  organizations?: OrganizationsConfig;
  identities?: IdentitiesConfig;
  cost?: CostConfig;
  audit?: AuditConfig;
  monitoring?: MonitoringConfig;
  monitoringRegion?: string;
  security?: SecurityConfig;
}

/** A four-account organisation with the governance layers, each overridable. */
function org(layers: Layers = {}, project: Record<string, unknown> = {}) {
  const security = defineLayer(Security, layers.security ?? {});
  return source({
    management: {
      config: account({ id: IDS.management, environment: 'management' }),
      layers: {
        organizations: defineLayer(Organizations, layers.organizations ?? ORG),
        identities: defineLayer(Identities, layers.identities ?? IDENTITIES),
        cost: defineLayer(Cost, layers.cost ?? { monthlyUsd: { 'apps-prd': 5000 } }),
        security,
      },
    },
    security: {
      config: account({ id: IDS.security, environment: 'security' }),
      layers: {
        audit: defineLayer(Audit, layers.audit ?? {}),
        monitoring: defineLayer(Monitoring, layers.monitoring ?? {}, { region: layers.monitoringRegion }),
        security,
      },
    },
    'apps-devstg': { config: account({ id: IDS['apps-devstg'], environment: 'devstg' }), layers: { security } },
    'apps-prd': { config: account({ id: IDS['apps-prd'], environment: 'prd' }), layers: { security } },
  }, project);
}

type Statement = { Sid?: string; Effect: string; Action?: string | string[]; NotAction?: string[]; Principal?: unknown; Resource?: unknown; Condition?: Record<string, Record<string, unknown>> };
const statements = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;
const byName = (tf: string, type: string, key: string, name: string) => resources(tf, type).find((r) => r[key] === name)!;

describe('organizations layer', () => {
  const tf = (layers: Layers = {}, project: Record<string, unknown> = {}) => synthStack(org(layers, project), 'test-management-organizations');

  it('enables all features, SCPs and trusted access for the security services and SSO', () => {
    expect(tf()).toHaveResourceWithProperties(OrganizationsOrganization, {
      feature_set: 'ALL',
      enabled_policy_types: ['SERVICE_CONTROL_POLICY'],
      aws_service_access_principals: expect.arrayContaining(['cloudtrail.amazonaws.com', 'config.amazonaws.com', 'guardduty.amazonaws.com',
        'securityhub.amazonaws.com', 'sso.amazonaws.com', 'access-analyzer.amazonaws.com', 'ram.amazonaws.com']),
    });
    expect(resources(tf(), 'aws_ram_sharing_with_organization')).toHaveLength(1);
    const withoutRam = synthStack(org({ organizations: { ...ORG, ramSharing: false } }), 'test-management-organizations');
    expect(resources(withoutRam, 'aws_ram_sharing_with_organization')).toHaveLength(0);
    expect(resources(withoutRam, 'aws_organizations_organization')[0].aws_service_access_principals).not.toContain('ram.amazonaws.com');
  });

  it('creates every member account from config, never the management account, protected and not closed on deletion', () => {
    const src = org();
    const accounts = resources(synthStack(src, 'test-management-organizations'), 'aws_organizations_account');
    expect(accounts.map((a) => a.email).sort()).toEqual(
      ['security', 'apps-devstg', 'apps-prd'].map((n) => src.accounts[n].config.email).sort());
    for (const a of accounts) {
      expect(a).toMatchObject({ close_on_deletion: false, lifecycle: { prevent_destroy: true } });
    }
    expect(accounts.find((a) => a.name === 'test-management')).toBeUndefined();
    const prd = accounts.find((a) => a.name === 'test-apps-prd')!;
    expect(prd.parent_id).toBe('${aws_organizations_organizational_unit.ou-workloads-prd.id}');
    const ou = parsed(tf()).resource.aws_organizations_organizational_unit['ou-workloads-prd'];
    expect(ou).toMatchObject({ name: 'prd', parent_id: '${aws_organizations_organizational_unit.ou-workloads.id}' });
  });

  it('protects the organisation, its OUs and accounts unless `protect: false`; old flag names are refused, naming protect', () => {
    const preventDestroy = (text: string) => ['aws_organizations_organization', 'aws_organizations_organizational_unit', 'aws_organizations_account']
      .flatMap((type) => resources(text, type).map((r) => (r.lifecycle as { prevent_destroy?: boolean }).prevent_destroy));
    expect(new Set(preventDestroy(tf()))).toEqual(new Set([true]));
    expect(preventDestroy(tf())).toHaveLength(1 + 5 + 3);
    expect(new Set(preventDestroy(tf({ organizations: { ...ORG, protect: false } })))).toEqual(new Set([false]));
    expect(() => build(org({ organizations: { ...ORG, preventDestroy: false } as OrganizationsConfig })))
      .toThrow(/management\/organizations: preventDestroy: was renamed to protect; rename it \(preventDestroy is no longer read\)/);
  });

  it('restricts regions to the configured ones with global services excepted, on the workload and infrastructure OUs', () => {
    const text = tf({}, { primaryRegion: 'eu-west-1', drRegion: 'eu-central-1', availabilityZones: { 'eu-west-1': ['eu-west-1a'], 'eu-central-1': ['eu-central-1a'] } });
    const scp = byName(text, 'aws_organizations_policy', 'name', 'test-restrict-regions');
    const [deny] = statements(scp.content);
    expect(deny.Effect).toBe('Deny');
    expect(deny.Condition).toEqual({ StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } });
    expect(deny.NotAction).toEqual(expect.arrayContaining(['iam:*', 'organizations:*', 'route53:*', 'cloudfront:*', 'sts:*', 'support:*', 'budgets:*', 'waf:*']));
    expect(deny.NotAction).not.toContain('ec2:*');
    const attachments = resources(text, 'aws_organizations_policy_attachment')
      .filter((a) => a.policy_id === '${aws_organizations_policy.scp-restrict-regions.id}').map((a) => a.target_id);
    expect(attachments.sort()).toEqual(['${aws_organizations_organizational_unit.ou-infrastructure.id}', '${aws_organizations_organizational_unit.ou-workloads.id}']);
  });

  it('denies leaving the organisation, root user actions and disabling the security services at the root', () => {
    const text = tf();
    const leave = statements(byName(text, 'aws_organizations_policy', 'name', 'test-deny-leave-organization').content);
    expect(leave).toEqual([expect.objectContaining({ Effect: 'Deny', Action: 'organizations:LeaveOrganization' })]);
    const root = statements(byName(text, 'aws_organizations_policy', 'name', 'test-deny-root-user').content);
    expect(root[0]).toMatchObject({ Effect: 'Deny', Action: '*', Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } } });
    const protect = statements(byName(text, 'aws_organizations_policy', 'name', 'test-protect-security-services').content)[0];
    expect(protect.Action).toEqual(expect.arrayContaining(['cloudtrail:StopLogging', 'guardduty:DeleteDetector', 'config:StopConfigurationRecorder', 'securityhub:DisableSecurityHub']));
    expect(protect.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${IDS.security}:role/DevOps`] } });
    const rootId = '${aws_organizations_organization.organization.roots[0].id}';
    for (const name of ['deny-leave-organization', 'deny-root-user', 'protect-security-services']) {
      expect(resources(text, 'aws_organizations_policy_attachment')).toContainEqual(
        expect.objectContaining({ policy_id: `\${aws_organizations_policy.scp-${name}.id}`, target_id: rootId }));
    }
  });

  it('delegates administration of the security services to the security account', () => {
    const text = tf();
    const delegated = resources(text, 'aws_organizations_delegated_administrator');
    expect(delegated.map((d) => d.service_principal).sort()).toEqual(['access-analyzer.amazonaws.com', 'config.amazonaws.com']);
    expect(new Set(delegated.map((d) => d.account_id))).toEqual(new Set([IDS.security]));
    expect(resources(text, 'aws_cloudtrail_organization_delegated_admin_account')).toEqual([expect.objectContaining({ account_id: IDS.security })]);
  });

  it('designates the GuardDuty and Security Hub administrator in every region in use, each through its regional provider', () => {
    const text = tf();
    const providers = parsed(text).provider.aws.map((p) => [p.alias ?? 'default', p.region]);
    expect(providers).toEqual([['default', 'us-east-1'], ['us_west_2', 'us-west-2']]);
    for (const type of ['aws_guardduty_organization_admin_account', 'aws_securityhub_organization_admin_account']) {
      const designations = parsed(text).resource[type];
      const service = type.includes('guardduty') ? 'guardduty' : 'securityhub';
      // The primary region keeps the id it always had; the DR region (where monitoring-dr runs) gets its own.
      expect(Object.keys(designations).sort()).toEqual([`delegated-${service}`, `delegated-${service}-us-west-2`]);
      expect(designations[`delegated-${service}`]).toMatchObject({ admin_account_id: IDS.security, provider: 'aws' });
      expect(designations[`delegated-${service}-us-west-2`]).toMatchObject({ admin_account_id: IDS.security, provider: 'aws.us_west_2' });
    }
    // A monitoring layer of the security account in a third region is designated there too.
    const third = org({}, { availabilityZones: { 'us-east-1': ['us-east-1a'], 'us-west-2': ['us-west-2a'], 'eu-west-1': ['eu-west-1a'] } });
    (third.accounts.security as { layers: Record<string, unknown> }).layers['monitoring-eu'] = defineLayer(Monitoring, {}, { region: 'eu-west-1' });
    const resolved = resolveOrganisation(third, REAL);
    expect(delegatedAdminRegions(ORG, resolved)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(Object.keys(parsed(synthStack(third, 'test-management-organizations')).resource.aws_guardduty_organization_admin_account))
      .toContain('delegated-guardduty-eu-west-1');
  });

  it('names the delegated administrator through a typed reader of its config', () => {
    expect(delegatedAdministrator(resolveOrganisation(org(), REAL))?.name).toBe('security');
    const src = org({ organizations: { ...ORG, securityAccount: 'apps-prd' } });
    // The monitoring layer configures the organisation: it must run where the delegation points.
    expect(() => resolveOrganisation(src, REAL))
      .toThrow(/security\/monitoring: account: configures the organisation's security services, so it belongs in apps-prd/);
    delete (src.accounts.security as { layers: Record<string, unknown> }).layers.monitoring;
    expect(delegatedAdministrator(resolveOrganisation(src, REAL))?.id).toBe(IDS['apps-prd']);
    const without = org();
    delete (without.accounts.management as { layers: Record<string, unknown> }).layers.organizations;
    expect(delegatedAdministrator(resolveOrganisation(without, REAL))).toBeUndefined();
  });

  it('refuses an account mapped to an unknown OU, an unmapped member and an unknown account', () => {
    expect(() => build(org({ organizations: { accountOus: { ...ORG.accountOus, 'apps-prd': 'workloads/prod' } } })))
      .toThrow(/organizations.*accountOus\.apps-prd: unknown OU "workloads\/prod"/);
    const { 'apps-devstg': _omitted, ...rest } = ORG.accountOus;
    expect(() => build(org({ organizations: { accountOus: rest } }))).toThrow(/accountOus: member account "apps-devstg" has no OU/);
    expect(() => build(org({ organizations: { accountOus: { ...ORG.accountOus, ghost: 'security' } } }))).toThrow(/accountOus\.ghost: unknown account "ghost"/);
    expect(() => build(org({ organizations: { ...ORG, organizationalUnits: ['workloads/prd'] } })))
      .toThrow(/organizationalUnits\[0\]: "workloads\/prd" needs its parent "workloads"/);
  });
});

describe('identities layer', () => {
  const tf = () => synthStack(org(), 'test-management-identities');

  it('creates the five permission sets with managed policies and session durations, from the configured instance', () => {
    const sets = resources(tf(), 'aws_ssoadmin_permission_set');
    expect(sets.map((s) => s.name).sort()).toEqual(['Administrator', 'DevOps', 'FinOps', 'ReadOnly', 'SecurityAuditor']);
    expect(new Set(sets.map((s) => s.instance_arn))).toEqual(new Set([IDENTITIES.instanceArn]));
    expect(sets.find((s) => s.name === 'Administrator')!.session_duration).toBe('PT1H');
    const managed = resources(tf(), 'aws_ssoadmin_managed_policy_attachment').map((m) => m.managed_policy_arn);
    expect(managed).toEqual(expect.arrayContaining(['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/SecurityAudit', 'arn:aws:iam::aws:policy/job-function/Billing']));
    expect(parsed(tf()).data).toBeUndefined();
    // read-only sets may enter the roles that trust them (their managed policies grant no sts:AssumeRole)
    const inline = (name: string) => statements(resources(tf(), 'aws_ssoadmin_permission_set_inline_policy')
      .find((p) => String(p.permission_set_arn).includes(`permission-set-${name}.`))!.inline_policy);
    expect(inline('ReadOnly')).toEqual([{ Sid: 'AssumeReadOnlyRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/ReadOnly' }]);
    expect(inline('SecurityAuditor')[0].Resource).toEqual(['arn:aws:iam::*:role/Auditor', 'arn:aws:iam::*:role/ReadOnly']);
  });

  it('assigns groups to accounts with permission sets from config', () => {
    const assignments = resources(tf(), 'aws_ssoadmin_account_assignment');
    expect(assignments).toHaveLength(3);
    expect(assignments).toContainEqual(expect.objectContaining({
      target_id: IDS['apps-prd'], target_type: 'AWS_ACCOUNT', principal_type: 'GROUP',
      principal_id: '${aws_identitystore_group.group-developers.group_id}',
      permission_set_arn: '${aws_ssoadmin_permission_set.permission-set-ReadOnly.arn}',
    }));
    expect(resources(tf(), 'aws_identitystore_group').map((g) => g.display_name).sort()).toEqual(['developers', 'devops']);
  });

  it('refuses unknown groups and permission sets and a malformed instance ARN', () => {
    expect(() => build(org({ identities: { ...IDENTITIES, assignments: { 'apps-prd': { ops: ['Root'] } } } })))
      .toThrow(/assignments\.apps-prd\.ops: unknown group "ops"[\s\S]*unknown permission set "Root"/);
    expect(() => build(org({ identities: { ...IDENTITIES, instanceArn: 'ssoins-1' } }))).toThrow(/instanceArn: "ssoins-1" is not an Identity Center instance ARN/);
  });
});

describe('cost layer', () => {
  it('budgets every account with 80% actual and 100% forecasted alerts to an encrypted topic', () => {
    const tf = synthStack(org(), 'test-management-cost');
    const budgets = resources(tf, 'aws_budgets_budget');
    expect(budgets).toHaveLength(4);
    expect(tf).toHaveResourceWithProperties(BudgetsBudget, {
      name: 'test-apps-prd-monthly',
      limit_amount: '5000.00',
      time_unit: 'MONTHLY',
      cost_filter: [{ name: 'LinkedAccount', values: [IDS['apps-prd']] }],
    });
    const prd = budgets.find((b) => b.name === 'test-apps-prd-monthly')!;
    expect(prd.notification).toEqual([
      expect.objectContaining({ threshold: 80, notification_type: 'ACTUAL', threshold_type: 'PERCENTAGE' }),
      expect.objectContaining({ threshold: 100, notification_type: 'FORECASTED' }),
    ]);
    expect(tf).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: expect.stringContaining('aws_kms_key.budgets-key') });
  });

  it('refuses a budget for an unknown account', () => {
    expect(() => build(org({ cost: { monthlyUsd: { prod: 10 } } }))).toThrow(/monthlyUsd\.prod: unknown account "prod"/);
    // A subscription to a non-address is refused at synth (SNS would refuse it at apply), as account e-mails are.
    expect(() => build(org({ cost: { notificationEmails: ['finops'] } }))).toThrow(/management\/cost: notificationEmails\[0\]: "finops" is not an e-mail address/);
  });
});

describe('audit layer', () => {
  const tf = () => synthStack(org(), 'test-security-audit');

  it('creates a multi-region organisation trail with validation, KMS and CloudWatch Logs', () => {
    expect(tf()).toHaveResourceWithProperties(Cloudtrail, {
      name: 'test-organization-trail',
      is_organization_trail: true,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.audit-key_.*\.arn\}$/),
      s3_bucket_name: expect.stringMatching(/^\$\{aws_s3_bucket\.log-archive_bucket_.*\.bucket\}$/),
      cloud_watch_logs_group_arn: '${aws_cloudwatch_log_group.trail-log-group.arn}:*',
    });
  });

  it('has one CIS metric filter and alarm per monitoring control, with the benchmark patterns', () => {
    const filters = resources(tf(), 'aws_cloudwatch_log_metric_filter');
    expect(filters).toHaveLength(15);
    expect(CIS_METRIC_FILTERS.map((f) => f.control)).toEqual(Array.from({ length: 15 }, (_, i) => `4.${i + 1}`));
    const pattern = (name: string) => filters.find((f) => f.name === name)!.pattern as string;
    expect(pattern('root-account-usage')).toBe('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }');
    expect(pattern('console-login-without-mfa')).toContain('$.additionalEventData.MFAUsed != "Yes"');
    expect(pattern('cmk-disable-or-deletion')).toContain('($.eventName = ScheduleKeyDeletion)');
    expect(pattern('organizations-changes')).toContain('$.eventSource = organizations.amazonaws.com');
    const alarms = resources(tf(), 'aws_cloudwatch_metric_alarm');
    expect(alarms).toHaveLength(15);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alarms-topic_.*\.arn\}$/)]);
    expect(resources(tf(), 'aws_cloudwatch_dashboard')).toHaveLength(1);
  });

  it('archives into a versioned bucket with Glacier lifecycle, access logs elsewhere and CloudTrail writes pinned to the trail', () => {
    const text = tf();
    const lifecycle = resources(text, 'aws_s3_bucket_lifecycle_configuration').find((l) => JSON.stringify(l).includes('archive-to-glacier'))!;
    expect(JSON.stringify(lifecycle.rule)).toContain('"storage_class":"GLACIER"');
    expect(resources(text, 'aws_s3_bucket_logging')).toContainEqual(expect.objectContaining({
      target_bucket: expect.stringMatching(/^\$\{aws_s3_bucket\.access-logs_bucket_.*\.bucket\}$/), target_prefix: 'test-security-log-archive-222222222222/' }));
    const policy = resources(text, 'aws_s3_bucket_policy').map((p) => statements(p.policy)).find((s) => s.some((x) => x.Sid === 'CloudTrailWrite'))!;
    const write = policy.find((s) => s.Sid === 'CloudTrailWrite')!;
    expect(write.Condition!.StringEquals['aws:SourceArn']).toEqual([
      `arn:aws:cloudtrail:us-east-1:${IDS.management}:trail/test-organization-trail`, `arn:aws:cloudtrail:us-east-1:${IDS.security}:trail/test-organization-trail`]);
    expect(write.Resource).toContain('arn:aws:s3:::test-security-log-archive-222222222222/AWSLogs/${data.terraform_remote_state.remote-management-organizations.outputs.organization_id}/*');
    const key = statements(resources(text, 'aws_kms_key')[0].policy);
    expect(key.find((s) => s.Sid === 'CloudTrailEncryptLogs')!.Condition!.StringEquals['aws:SourceArn']).toEqual(write.Condition!.StringEquals['aws:SourceArn']);
    expect(key.every((s) => s.Principal !== '*')).toBe(true);
  });

  it('names its buckets with the account id (S3 bucket names are shared with every AWS customer)', () => {
    expect(resources(tf(), 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual([
      `test-security-config-delivery-${IDS.security}`,
      `test-security-log-archive-${IDS.security}`,
      `test-security-log-archive-access-logs-${IDS.security}`,
    ]);
  });

  it('locks archived logs (WORM) by default, configurable or off', () => {
    expect(resources(tf(), 'aws_s3_bucket').find((b) => b.bucket === 'test-security-log-archive-222222222222')!.object_lock_enabled).toBe(true);
    expect(resources(tf(), 'aws_s3_bucket_object_lock_configuration')).toEqual([expect.objectContaining({
      rule: { default_retention: { mode: 'GOVERNANCE', days: 365 } } })]);
    const compliance = synthStack(org({ audit: { objectLock: { mode: 'COMPLIANCE', days: 400 } } }), 'test-security-audit');
    expect(resources(compliance, 'aws_s3_bucket_object_lock_configuration')[0].rule).toEqual({ default_retention: { mode: 'COMPLIANCE', days: 400 } });
    const off = synthStack(org({ audit: { objectLock: false } }), 'test-security-audit');
    expect(resources(off, 'aws_s3_bucket_object_lock_configuration')).toHaveLength(0);
    expect(resources(off, 'aws_s3_bucket').find((b) => b.bucket === 'test-security-log-archive-222222222222')!.object_lock_enabled).toBeUndefined();
  });

  it('gives AWS Config its own delivery bucket without Object Lock, with the documented per-account policy, and keeps the archive locked', () => {
    const text = tf();
    const buckets = parsed(text).resource.aws_s3_bucket;
    const configKey = Object.keys(buckets).find((k) => buckets[k].bucket === 'test-security-config-delivery-222222222222')!;
    expect(configKey).toBeDefined();
    expect(buckets[configKey].object_lock_enabled).toBeUndefined();
    const ref = (type: string, attribute: string) => `\${${type}.${configKey}.${attribute}}`;
    // Object Lock stays on the CloudTrail archive only.
    expect(resources(text, 'aws_s3_bucket_object_lock_configuration').map((l) => l.bucket)).toEqual([expect.stringMatching(/log-archive_bucket/)]);
    expect(resources(text, 'aws_s3_bucket_object_lock_configuration').map((l) => l.bucket)).not.toContain(ref('aws_s3_bucket', 'id'));
    // Same protections as the other audit buckets: SSE-KMS with the audit key, access logs, Glacier lifecycle.
    const sse = resources(text, 'aws_s3_bucket_server_side_encryption_configuration').find((e) => e.bucket === ref('aws_s3_bucket', 'id'))!;
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.audit-key_.*\.arn\}$/) }, bucket_key_enabled: true }]);
    expect(resources(text, 'aws_s3_bucket_logging')).toContainEqual(expect.objectContaining({
      bucket: ref('aws_s3_bucket', 'id'), target_prefix: 'test-security-config-delivery-222222222222/' }));
    const lifecycle = resources(text, 'aws_s3_bucket_lifecycle_configuration').find((l) => l.bucket === ref('aws_s3_bucket', 'id'))!;
    expect(JSON.stringify(lifecycle.rule)).toContain('"storage_class":"GLACIER"');

    const policy = statements(resources(text, 'aws_s3_bucket_policy').find((p) => p.bucket === ref('aws_s3_bucket', 'id'))!.policy);
    const arn = 'arn:aws:s3:::test-security-config-delivery-222222222222';
    const allIds = Object.values(IDS).sort();
    expect(policy.find((x) => x.Sid === 'DenyInsecureTransport')).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const check = policy.find((x) => x.Sid === 'ConfigBucketCheck')!;
    expect(check).toMatchObject({ Principal: { Service: 'config.amazonaws.com' }, Action: ['s3:GetBucketAcl', 's3:ListBucket'], Resource: arn });
    expect((check.Condition!.StringEquals['aws:SourceAccount'] as string[]).slice().sort()).toEqual(allIds);
    const writes = policy.filter((x) => x.Action === 's3:PutObject');
    expect(writes).toHaveLength(allIds.length);
    for (const id of allIds) {
      expect(writes).toContainEqual(expect.objectContaining({
        Principal: { Service: 'config.amazonaws.com' },
        Resource: `${arn}/AWSLogs/${id}/Config/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': id } },
      }));
    }
    // Config no longer writes into the archive.
    const archive = statements(resources(text, 'aws_s3_bucket_policy').find((p) => String(p.policy).includes('CloudTrailWrite'))!.policy);
    expect(JSON.stringify(archive)).not.toContain('config.amazonaws.com');
    // The key lets Config of every account encrypt the deliveries (service principal, aws:SourceAccount).
    const key = statements(resources(text, 'aws_kms_key')[0].policy).find((x) => x.Sid === 'ConfigDelivery')!;
    expect(key).toMatchObject({ Principal: { Service: 'config.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'] });
    expect((key.Condition!.StringEquals['aws:SourceAccount'] as string[]).slice().sort()).toEqual(allIds);
    const outputs = parsed(text).output!;
    expect(outputs.config_bucket_name.value).toBe(ref('aws_s3_bucket', 'bucket'));
    expect(outputs.config_kms_key_arn.value).toMatch(/^\$\{aws_kms_key\.audit-key_.*\.arn\}$/);
  });

  it('refuses an organisation too large for the per-account Config bucket policy', () => {
    const src = org();
    const accounts = src.accounts as Record<string, { config: ReturnType<typeof account>; layers: Record<string, unknown> }>;
    const extra = Array.from({ length: 60 }, (_, i) => `member-${i}`);
    for (const name of extra) accounts[name] = { config: account(), layers: {} };
    const layers = accounts.management.layers;
    layers.organizations = defineLayer(Organizations, { accountOus: { ...ORG.accountOus, ...Object.fromEntries(extra.map((n) => [n, 'workloads'])) } });
    expect(() => build(src)).toThrow(/audit.*accounts: the Config delivery bucket policy would be \d+ bytes for 64 accounts, over the 20480 S3 allows/);
  });

  it('refuses a log group retention below a year and a lock longer than the archive', () => {
    expect(() => build(org({ audit: { logGroupRetentionDays: 90 } }))).toThrow(/logGroupRetentionDays: 90 is below the 365 days/);
    expect(() => build(org({ audit: { alarmEmails: ['security at acme'] } }))).toThrow(/security\/audit: alarmEmails\[0\]: "security at acme" is not an e-mail address/);
    expect(() => build(org({ audit: { objectLock: { mode: 'GOVERNANCE', days: 4000 } } }))).toThrow(/objectLock\.days: 4000 must be a whole number of days between 1 and archiveRetentionDays \(2555\)/);
  });
});

describe('monitoring layer', () => {
  it('enables GuardDuty auto-enable, Security Hub standards from the region, Config on the audit Config bucket and an org Access Analyzer', () => {
    const tf = synthStack(org(), 'test-security-monitoring');
    expect(tf).toHaveResourceWithProperties(GuarddutyOrganizationConfiguration, { auto_enable_organization_members: 'ALL' });
    expect(resources(tf, 'aws_securityhub_standards_subscription').map((s) => s.standards_arn).sort()).toEqual([
      'arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0',
      'arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0',
    ]);
    expect(resources(tf, 'aws_securityhub_finding_aggregator')).toHaveLength(1);
    expect(tf).toHaveResourceWithProperties(ConfigConfigurationRecorder, { recording_group: { all_supported: true, include_global_resource_types: true } });
    // Config delivers to the audit layer's Config bucket (the locked archive would refuse it).
    const [channel] = resources(tf, 'aws_config_delivery_channel');
    expect(channel).toMatchObject({
      s3_bucket_name: '${data.terraform_remote_state.remote-security-audit.outputs.config_bucket_name}',
      s3_kms_key_arn: '${data.terraform_remote_state.remote-security-audit.outputs.config_kms_key_arn}',
    });
    expect(resources(tf, 'aws_config_configuration_aggregator')).toHaveLength(1);
    expect(tf).toHaveResourceWithProperties(AccessanalyzerAnalyzer, { type: 'ORGANIZATION' });
  });

  it('adopts the detector and hub the delegation enabled on real AWS, and creates them in the offline sandbox', () => {
    const real = parsed(synthStack(org(), 'test-security-monitoring'));
    const detectorLookup = '${data.aws_guardduty_detector.guardduty-enabled-by-delegation.id}';
    expect(real.data!.aws_guardduty_detector['guardduty-enabled-by-delegation']).toBeDefined();
    expect((real as { import?: unknown[] }).import).toEqual([
      { id: detectorLookup, to: 'aws_guardduty_detector.guardduty' },
      { id: IDS.security, to: 'aws_securityhub_account.securityhub' },
      { id: IDS.security, to: 'aws_macie2_account.macie' },
    ]);
    // The organisation configuration runs on the adopted detector, not a second one.
    expect(Object.keys(real.resource.aws_guardduty_detector)).toEqual(['guardduty']);
    expect(resources(JSON.stringify(real), 'aws_guardduty_organization_configuration')[0].detector_id).toBe('${aws_guardduty_detector.guardduty.id}');
    // enable_default_standards is create-only and never read back: an adopted hub is never replaced over it.
    expect(real.resource.aws_securityhub_account.securityhub).toMatchObject({ lifecycle: { ignore_changes: ['enable_default_standards'] } });
    const sandbox = parsed(synthStack(org(), 'test-security-monitoring', SANDBOX));
    expect((sandbox as { import?: unknown[] }).import).toBeUndefined();
    expect(Object.keys(sandbox.data ?? {})).toEqual(['terraform_remote_state']);
    expect(Object.keys(sandbox.resource.aws_guardduty_detector)).toEqual(['guardduty']);
  });

  it('records global resources and aggregates only in the primary region', () => {
    const tf = synthStack(org({ monitoringRegion: 'us-west-2' }), 'test-security-monitoring');
    expect(tf).toHaveResourceWithProperties(ConfigConfigurationRecorder, { recording_group: { all_supported: true, include_global_resource_types: false } });
    expect(resources(tf, 'aws_config_configuration_aggregator')).toHaveLength(0);
    expect(resources(tf, 'aws_securityhub_finding_aggregator')).toHaveLength(0);
    expect(resources(tf, 'aws_securityhub_standards_subscription')[0].standards_arn).toContain('arn:aws:securityhub:us-west-2::');
    expect(() => build(org({ monitoringRegion: 'us-west-2', monitoring: { aggregate: true } }))).toThrow(/aggregate: aggregation belongs in the primary region us-east-1/);
  });

  it('depends on the audit layer through remote state', () => {
    const { stacks } = build(org());
    expect([...stacks.get('test-security-monitoring')!.reads.keys()]).toEqual(['security/audit']);
    expect([...stacks.get('test-security-audit')!.reads.keys()]).toEqual(['management/organizations']);
  });
});

describe('compliance layer (member accounts)', () => {
  const withCompliance = (account: 'apps-prd' | 'security') => {
    const src = org();
    const target = src.accounts[account] as { layers: Record<string, unknown> };
    target.layers = { ...target.layers, compliance: defineLayer(Compliance, {}) };
    return src;
  };

  it('records every resource of the account into the security account Config delivery bucket', () => {
    const { stacks } = build(withCompliance('apps-prd'));
    const stack = stacks.get('test-apps-prd-compliance')!;
    expect([...stack.reads.keys()]).toEqual(['security/audit']);
    const tf = Testing.synth(stack);
    expect(tf).toHaveResourceWithProperties(ConfigConfigurationRecorder, { recording_group: { all_supported: true, include_global_resource_types: true } });
    const [channel] = resources(tf, 'aws_config_delivery_channel');
    expect(channel).toMatchObject({
      s3_bucket_name: '${data.terraform_remote_state.remote-security-audit.outputs.config_bucket_name}',
      s3_kms_key_arn: '${data.terraform_remote_state.remote-security-audit.outputs.config_kms_key_arn}',
    });
    const delivery = statements(resources(tf, 'aws_iam_role_policy')[0].policy).find((x) => x.Sid === 'Deliver')!;
    expect(delivery.Resource).toBe(`arn:aws:s3:::\${data.terraform_remote_state.remote-security-audit.outputs.config_bucket_name}/AWSLogs/${IDS['apps-prd']}/Config/*`);
  });

  it('refuses a second recorder where the monitoring layer already records', () => {
    expect(() => build(withCompliance('security'))).toThrow(/layer monitoring already records AWS Config in us-east-1/);
  });
});

describe('security layer (every account)', () => {
  const tf = (layers: Layers = {}, id = 'test-apps-prd-security') => synthStack(org(layers), id);

  it('sets the CIS password policy, EBS default encryption with the data key and the account public-access block', () => {
    const text = tf();
    expect(text).toHaveResourceWithProperties(IamAccountPasswordPolicy, {
      minimum_password_length: 14, password_reuse_prevention: 24, max_password_age: 90,
      require_lowercase_characters: true, require_uppercase_characters: true, require_numbers: true, require_symbols: true,
    });
    expect(text).toHaveResourceWithProperties(EbsEncryptionByDefault, { enabled: true });
    expect(text).toHaveResourceWithProperties(EbsDefaultKmsKey, { key_arn: expect.stringContaining('aws_kms_key.data-key') });
    expect(text).toHaveResourceWithProperties(S3AccountPublicAccessBlock, {
      account_id: IDS['apps-prd'], block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
  });

  it('creates data, logs and secrets keys that rotate, are protected and name only their account', () => {
    const keys = resources(tf(), 'aws_kms_key');
    expect(keys).toHaveLength(3);
    const ownRoles = [`arn:aws:iam::${IDS['apps-prd']}:root`, '${aws_iam_service_linked_role.autoscaling-service-linked-role.arn}'];
    for (const key of keys) {
      expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
      for (const s of statements(key.policy)) {
        expect(s.Principal).not.toBe('*');
        if (s.Principal && 'AWS' in (s.Principal as object)) expect(ownRoles).toContain((s.Principal as { AWS: string }).AWS);
      }
    }
    const logs = statements(keys.find((k) => String(k.description).startsWith('Encrypts CloudWatch Logs'))!.policy);
    expect(logs.find((s) => s.Sid === 'CloudWatchLogs')!.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${IDS['apps-prd']}:*` } });
  });

  it('trusts Identity Center permission sets of the identity account and of its own account, never an MFA key or a wildcard principal', () => {
    const roles = resources(tf(), 'aws_iam_role');
    expect(roles.map((r) => r.name).sort()).toEqual(['Auditor', 'DevOps', 'ReadOnly', 'TerraformStateReader']);
    const trust = (name: string) => statements(roles.find((r) => r.name === name)!.assume_role_policy);
    const sso = (account: string, set: string) => `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${set}_*`;
    const roots = [`arn:aws:iam::${IDS.management}:root`, `arn:aws:iam::${IDS['apps-prd']}:root`];
    expect(trust('DevOps')).toEqual([{
      Sid: 'IdentityCenterPeople', Effect: 'Allow', Principal: { AWS: roots }, Action: 'sts:AssumeRole',
      Condition: { ArnLike: { 'aws:PrincipalArn': [sso(IDS.management, 'DevOps'), sso(IDS.management, 'Administrator'), sso(IDS['apps-prd'], 'DevOps'), sso(IDS['apps-prd'], 'Administrator')] } },
    }]);
    expect(trust('ReadOnly')[0].Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': [sso(IDS.management, 'ReadOnly'), sso(IDS.management, 'SecurityAuditor'), sso(IDS['apps-prd'], 'ReadOnly'), sso(IDS['apps-prd'], 'SecurityAuditor')] } });
    expect(trust('Auditor')[0].Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': [sso(IDS.management, 'SecurityAuditor'), sso(IDS['apps-prd'], 'SecurityAuditor')] } });
    const all = JSON.stringify(roles.map((r) => r.assume_role_policy));
    // Identity Center sessions never carry aws:MultiFactorAuthPresent: a condition on it would lock every person out.
    expect(all).not.toMatch(/MultiFactorAuthPresent|TerraformAutomation/);
    expect(all).not.toMatch(/\\"Principal\\":\\"\*\\"|\\"AWS\\":\\"\*\\"/);
  });

  it('uses the configured permission sets and deploy role name, and the account name for the deploy role it creates', () => {
    const identities = { ...IDENTITIES, permissionSets: { Platform: { description: 'Platform engineers' } } };
    const text = synthStack(org({ identities }, { deployRoleName: 'Deployer', identityCenter: { startUrl: 'https://d-0123456789.awsapps.com/start', deployPermissionSets: ['Platform'] } }), 'test-apps-prd-security');
    const devops = resources(text, 'aws_iam_role').find((r) => r.name === 'Deployer')!;
    expect(statements(devops.assume_role_policy)[0].Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': [
      `arn:aws:iam::${IDS.management}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Platform_*`,
      `arn:aws:iam::${IDS['apps-prd']}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Platform_*`,
    ] } });
  });

  it('moves trust to another identity account when configured, and trusts listed automation roles by exact ARN', () => {
    const runner = `arn:aws:iam::${IDS.security}:role/atlantis`;
    const roles = resources(tf({ security: { identityAccount: 'security', automationPrincipalArns: [runner] } }), 'aws_iam_role');
    for (const role of roles) {
      expect(statements(role.assume_role_policy)[0].Principal).toEqual({ AWS: [`arn:aws:iam::${IDS.security}:root`, `arn:aws:iam::${IDS['apps-prd']}:root`] });
    }
    const devops = statements(roles.find((r) => r.name === 'DevOps')!.assume_role_policy);
    expect(devops.find((s) => s.Sid === 'Automation')).toEqual({ Sid: 'Automation', Effect: 'Allow', Principal: { AWS: [runner] }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect(statements(roles.find((r) => r.name === 'TerraformStateReader')!.assume_role_policy).find((s) => s.Sid === 'Automation')!.Principal).toEqual({ AWS: [runner] });
  });

  it('gives the management account deploy role Organizations and Identity Center administration, and member deploy roles not', () => {
    const attached = (id: string) => resources(synthStack(org(), id), 'aws_iam_role_policy_attachment').map((a) => a.policy_arn);
    expect(attached('test-management-security')).toEqual(expect.arrayContaining([
      'arn:aws:iam::aws:policy/AWSOrganizationsFullAccess', 'arn:aws:iam::aws:policy/AWSSSOMasterAccountAdministrator']));
    expect(attached('test-apps-prd-security').filter((a) => /Organizations|SSO/.test(String(a)))).toEqual([]);
  });

  it('encrypts the notifications topic with the logs key and publishes the key and role ARNs', () => {
    const text = tf();
    expect(text).toHaveResourceWithProperties(SnsTopic, { name: 'test-apps-prd-notifications', kms_master_key_id: expect.stringContaining('aws_kms_key.logs-key') });
    expect(Object.keys(parsed(text).output ?? {}).sort()).toEqual(['auditor_role_arn', 'autoscaling_service_linked_role_arn', 'chat_configuration_arns',
      'data_kms_key_arn', 'devops_role_arn', 'logs_kms_key_arn', 'read_only_role_arn', 'secrets_kms_key_arn', 'sns_topic_arn']);
  });

  it('holds the Auto Scaling service-linked role and grants it the default EBS key, after it exists', () => {
    const text = tf();
    const role = '${aws_iam_service_linked_role.autoscaling-service-linked-role.arn}';
    expect(parsed(text).resource.aws_iam_service_linked_role).toEqual({
      'autoscaling-service-linked-role': expect.objectContaining({ aws_service_name: 'autoscaling.amazonaws.com' }),
    });
    // The default EBS key is the data key; its policy names the role by reference, so the key waits for it.
    const defaultKey = resources(text, 'aws_ebs_default_kms_key')[0].key_arn as string;
    const dataKey = parsed(text).resource.aws_kms_key[defaultKey.replace(/^\$\{aws_kms_key\.(.*)\.arn\}$/, '$1')];
    const policy = statements(dataKey.policy);
    expect(policy.find((x) => x.Sid === 'AutoScalingUsesKeyForVolumes')).toEqual({
      Sid: 'AutoScalingUsesKeyForVolumes', Effect: 'Allow', Principal: { AWS: role }, Resource: '*',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    });
    expect(policy.find((x) => x.Sid === 'AutoScalingGrantsForVolumes')).toEqual({
      Sid: 'AutoScalingGrantsForVolumes', Effect: 'Allow', Principal: { AWS: role }, Resource: '*', Action: 'kms:CreateGrant',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
    expect(parsed(text).output!.autoscaling_service_linked_role_arn.value).toBe(role);
    expect((parsed(text) as { import?: unknown }).import).toBeUndefined();
    // An account that already has the role adopts it on the next real plan (import block); the sandbox cannot import.
    const imported = (mode = REAL) => parsed(synthStack(org({ security: { autoScalingServiceLinkedRole: 'import' } }), 'test-apps-prd-security', mode));
    expect((imported() as { import?: unknown[] }).import).toEqual([{
      id: `arn:aws:iam::${IDS['apps-prd']}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      to: 'aws_iam_service_linked_role.autoscaling-service-linked-role',
    }]);
    expect((imported(SANDBOX) as { import?: unknown[] }).import).toBeUndefined();
    expect(() => build(org({ security: { autoScalingServiceLinkedRole: 'adopt' as 'import' } }))).toThrow(/autoScalingServiceLinkedRole: "adopt" must be create or import/);
  });

  it('lets EventBridge describe the logs key it encrypts notifications with', () => {
    const logs = resources(tf(), 'aws_kms_key').find((k) => String(k.description).startsWith('Encrypts CloudWatch Logs'))!;
    expect(statements(logs.policy).find((x) => x.Sid === 'EventBridge')).toEqual({
      Sid: 'EventBridge', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: '*',
      Action: ['kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Decrypt'],
      Condition: { StringEquals: { 'aws:SourceAccount': IDS['apps-prd'] } },
    });
  });

  it('lets the DevOps role of the delegated administrator read the organisation, and nobody else', () => {
    const readStatement = (text: string) => {
      const inline = resources(text, 'aws_iam_role_policy').find((p) => p.name === 'DevOps-inline')!;
      return statements(inline.policy).find((x) => x.Sid === 'ReadOrganization');
    };
    const admin = readStatement(tf({}, 'test-security-security'));
    expect(admin).toEqual({ Sid: 'ReadOrganization', Effect: 'Allow', Action: ORGANIZATION_READ_ACTIONS, Resource: '*' });
    for (const action of ['organizations:ListDelegatedAdministrators', 'organizations:ListAccounts', 'organizations:DescribeOrganization',
      'organizations:ListAWSServiceAccessForOrganization', 'organizations:DescribeAccount', 'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent', 'organizations:ListChildren']) {
      expect(ORGANIZATION_READ_ACTIONS).toContain(action);
    }
    // Read-only: no wildcard, nothing that creates, changes or reveals policy contents.
    expect(ORGANIZATION_READ_ACTIONS.every((a) => /^organizations:(Describe|List)[A-Za-z]+$/.test(a) && !/Polic/.test(a))).toBe(true);
    expect(readStatement(tf())).toBeUndefined();
    expect(readStatement(tf({}, 'test-management-security'))).toBeUndefined();
    // Explicit config wins (e.g. an organisation managed outside this project).
    expect(readStatement(tf({ security: { organizationReadAccess: true } }))).toBeDefined();
    expect(readStatement(tf({ security: { organizationReadAccess: false } }, 'test-security-security'))).toBeUndefined();
  });

  it('refuses weaker password policies, wildcard or foreign automation principals and an unknown identity account', () => {
    expect(() => build(org({ security: { passwordPolicy: { minimumLength: 8 } } }))).toThrow(/passwordPolicy\.minimumLength: 8 is below the CIS 1\.8 minimum of 14/);
    expect(() => build(org({ security: { automationPrincipalArns: ['arn:aws:iam::111111111111:role/*'] } }))).toThrow(/automationPrincipalArns\[0\]: .* contains a wildcard/);
    expect(() => build(org({ security: { automationPrincipalArns: ['arn:aws:iam::999999999999:role/ci'] } }))).toThrow(/is not in the identity account management/);
    expect(() => build(org({}, { identityCenter: { startUrl: 'https://d-0123456789.awsapps.com/start', deployPermissionSets: ['Platform'] } })))
      .toThrow(/identities: permissionSets: project identityCenter.deployPermissionSets names "Platform", which is not a permission set here/);
    expect(() => build(org({}, { identityCenter: { startUrl: 'https://d-0123456789.awsapps.com/start', region: 'eu-west-1' } })))
      .toThrow(/identities: region: runs in us-east-1 but Identity Center is in eu-west-1 \(project identityCenter.region\): declare it with \{ region: 'eu-west-1' \}/);
    expect(() => build(org({ security: { identityAccount: 'identity' } }))).toThrow(/identityAccount: unknown account "identity"/);
  });
});

describe('keys of the instance and event layers', () => {
  const PRD = '666666666666';
  const CERT = `arn:aws:acm:us-east-1:${PRD}:certificate/0d2c5e1a-1111-4a2b-9c3d-000000000001`;
  const tier = { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2 };
  const workloads = (options: { security?: boolean; createAutoScalingServiceLinkedRole?: boolean } = {}) => source({
    'apps-prd': {
      config: account({ id: PRD, environment: 'prd' }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }),
        'base-network-dr': defineLayer(BaseNetwork, { vpcCidr: '10.41.0.0/16', natGateways: 'none' }, { region: 'us-west-2' }),
        ...(options.security ?? true ? { security: defineLayer(Security, { identityAccount: 'apps-prd', automationPrincipalArns: [] }) } : {}),
        'multi-tier': defineLayer(MultiTier, { certificateArn: CERT, web: tier, app: tier, createAutoScalingServiceLinkedRole: options.createAutoScalingServiceLinkedRole }),
        dr: defineLayer(Dr, {}, { region: 'us-west-2' }),
        serverless: defineLayer(Serverless, {
          functions: Object.fromEntries(['api', 'writer', 'stream', 'validate', 'process'].map((f) => [f, { reservedConcurrency: 2 }])) as never,
          throttling: { burstLimit: 50, rateLimit: 20 },
        }),
      },
    },
  });
  const keyPolicy = (tf: string) => statements(resources(tf, 'aws_kms_key')[0].policy);
  const fromSecurity = '${data.terraform_remote_state.remote-apps-prd-security.outputs.autoscaling_service_linked_role_arn}';

  it('multi-tier and dr grant the Auto Scaling role read from the security layer, which orders them after it', () => {
    const { stacks } = build(workloads());
    for (const id of ['test-apps-prd-multi-tier', 'test-apps-prd-dr']) {
      expect([...stacks.get(id)!.reads.keys()]).toContain('apps-prd/security');
      const tf = Testing.synth(stacks.get(id)!);
      const policy = keyPolicy(tf);
      expect(policy.find((x) => x.Sid === 'AutoScalingUsesKeyForVolumes')).toMatchObject({
        Principal: { AWS: fromSecurity }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] });
      expect(policy.find((x) => x.Sid === 'AutoScalingGrantsForVolumes')).toMatchObject({
        Principal: { AWS: fromSecurity }, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
      expect(resources(tf, 'aws_iam_service_linked_role')).toHaveLength(0);
    }
  });

  it('multi-tier without a security layer can still create the role itself, but never next to one', () => {
    const own = synthStack(workloads({ security: false, createAutoScalingServiceLinkedRole: true }), 'test-apps-prd-multi-tier');
    expect(keyPolicy(own).find((x) => x.Sid === 'AutoScalingUsesKeyForVolumes')!.Principal).toEqual({ AWS: '${aws_iam_service_linked_role.autoscaling-slr.arn}' });
    expect(() => build(workloads({ createAutoScalingServiceLinkedRole: true })))
      .toThrow(/multi-tier: createAutoScalingServiceLinkedRole: the security layer of apps-prd already holds AWSServiceRoleForAutoScaling/);
  });

  it('the serverless bus key lets EventBridge describe it', () => {
    const policy = keyPolicy(synthStack(workloads(), 'test-apps-prd-serverless'));
    expect(policy.find((x) => x.Sid === 'EventBridge')).toEqual({
      Sid: 'EventBridge', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: '*',
      Action: ['kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Decrypt'], Condition: { StringEquals: { 'aws:SourceAccount': PRD } },
    });
    expect(policy.find((x) => x.Sid === 'MessagingServices')!.Principal).toEqual({ Service: 'sns.amazonaws.com' });
  });
});

describe('example organisation (projects/acme)', () => {
  const acme = path.resolve(__dirname, '../../projects/acme');
  let cache: ReturnType<typeof build> | undefined;
  const built = () => (cache ??= build(readProjectFolder(acme), REAL));

  it('enables the governance layers in management and security and the security layer in every account', () => {
    const ids = [...built().stacks.keys()];
    for (const layer of ['organizations', 'identities', 'cost']) expect(ids).toContain(`acme-management-${layer}`);
    for (const layer of ['audit', 'monitoring']) expect(ids).toContain(`acme-security-${layer}`);
    const org = resolveOrganisation(readProjectFolder(acme), REAL);
    for (const name of org.accounts.keys()) {
      expect(ids).toContain(`acme-${name}-security`);
      // AWS Config everywhere: monitoring in the security account, compliance in the others.
      expect(ids).toContain(name === 'security' ? 'acme-security-monitoring' : `acme-${name}-compliance`);
    }
  });

  it('uses no data source that calls AWS in the governance stacks, but the detector lookup of a real monitoring plan', () => {
    const governance = /-(organizations|identities|cost|audit|monitoring|monitoring-dr|security|compliance)$/;
    const lookups = (stacks: Map<string, LayerStack>) => [...stacks].filter(([id]) => governance.test(id))
      .flatMap(([id, stack]) => Object.keys(parsed(Testing.synth(stack)).data ?? {}).filter((t) => t !== 'terraform_remote_state').map((t) => `${id} ${t}`));
    // The sandbox plans offline, so nothing may call AWS there.
    expect(lookups(build(readProjectFolder(acme), SANDBOX).stacks)).toEqual([]);
    // A real plan runs against AWS anyway: monitoring reads the detector the delegation created, to adopt it.
    expect(lookups(built().stacks).sort()).toEqual(['acme-security-monitoring aws_guardduty_detector', 'acme-security-monitoring-dr aws_guardduty_detector']);
  });

  it('passes the policy pack with only the explained break-glass suppression', () => {
    const { stacks } = built();
    const mine = [...stacks.values()].filter((s) => /-(organizations|identities|cost|audit|monitoring|monitoring-dr|security|compliance)$/.test(s.node.id));
    expect(mine.length).toBeGreaterThanOrEqual(13);
    const reports = mine.map((s) => checkStack(s));
    expect(reports.flatMap((r) => r.findings.filter((f) => f.severity === 'error')).map(formatFinding)).toEqual([]);
    const suppressed = reports.flatMap((r) => r.suppressed);
    expect(suppressed.map((f) => `${f.ruleId} ${f.address}`)).toEqual(['POL-IAM-002 aws_ssoadmin_managed_policy_attachment.permission-set-Administrator-managed-0']);
  });

  it('monitors the DR region without global resources or aggregators', () => {
    const tf = Testing.synth(built().stacks.get('acme-security-monitoring-dr')!);
    expect(tf).toHaveResourceWithProperties(ConfigConfigurationRecorder, { recording_group: { all_supported: true, include_global_resource_types: false } });
    expect(resources(tf, 'aws_securityhub_finding_aggregator')).toHaveLength(0);
    expect(parsed(tf).provider.aws[0].region).toBe('us-west-2');
  });

  it('keeps a shorter key deletion window in apps-devstg than in apps-prd', () => {
    const { stacks } = built();
    const window = (id: string) => new Set(resources(Testing.synth(stacks.get(id)!), 'aws_kms_key').map((k) => k.deletion_window_in_days));
    expect(window('acme-apps-devstg-security')).toEqual(new Set([7]));
    expect(window('acme-apps-prd-security')).toEqual(new Set([30]));
  });
});
