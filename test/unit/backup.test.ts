/**
 * Backups (issue 14, item 1): the backup layer (vaults, keys, locks, role, DR copies, central vault, failed-job alert,
 * plans when no organisation policy covers the account), the organisation backup policies of the organizations layer,
 * the BackupPlan tag of the data modules, the policy-pack and preflight rules, and the example organisation.
 */
import { BackupGlobalSettings } from '@cdktf/provider-aws/lib/backup-global-settings';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { OrganizationsOrganization } from '@cdktf/provider-aws/lib/organizations-organization';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { checkStack, RULES_BY_ID } from '../../lib/policy';
import { runPreflight } from '../../lib/preflight/engine';
import { loadOrganisations } from '../../lib/preflight/load';
import { PREFLIGHT_RULES_BY_ID } from '../../lib/preflight/rules';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { Backup, type BackupConfig } from '../../layers/backup';
import { Organizations, type OrganizationBackupPolicyConfig, type OrganizationsConfig } from '../../layers/organizations';
import { Security } from '../../layers/security';
import { AuroraCluster } from '../../modules/aurora-cluster';
import { BACKUP_PLAN_TAG, DEFAULT_BACKUP_PLAN } from '../../modules/backup-tag';
import { DynamoTable } from '../../modules/dynamo-table';
import { SecureBucket } from '../../modules/secure-bucket';
import { BACKUP_POLICY_CASES } from '../fixtures/policy-backup-cases';
import { BACKUP_PREFLIGHT_CASES } from '../fixtures/preflight-backup-cases';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';

const IDS = { management: '111111111111', security: '222222222222', shared: '333333333333', dev: '555555555555', prd: '666666666666' } as const;

const PRODUCTION: OrganizationBackupPolicyConfig = { targets: ['workloads/prd'] };
const DEVELOPMENT: OrganizationBackupPolicyConfig = {
  targets: ['workloads/devstg'],
  plans: { standard: { daily: { retentionDays: 7, drCopyRetentionDays: false } } },
};

interface Options {
  readonly policies?: OrganizationsConfig['backupPolicies'];
  /** Leave the organizations layer out (an organisation managed elsewhere). */
  readonly noOrganizations?: boolean;
  readonly prd?: BackupConfig | false;
  readonly dev?: BackupConfig | false;
  /** The shared account declares a backup layer (a central account candidate). */
  readonly shared?: BackupConfig | false;
  readonly sharedRegion?: string;
}

function org(options: Options = {}) {
  const security = defineLayer(Security, {});
  const backup = (config: BackupConfig | false | undefined) => (config === false ? {} : { backup: defineLayer(Backup, config ?? {}) });
  const organizations: OrganizationsConfig = {
    accountOus: { security: 'security', shared: 'infrastructure', dev: 'workloads/devstg', prd: 'workloads/prd' },
    backupPolicies: options.policies ?? { production: PRODUCTION, development: DEVELOPMENT },
  };
  return source({
    management: {
      config: account({ id: IDS.management, environment: 'management' }),
      layers: options.noOrganizations ? {} : { organizations: defineLayer(Organizations, organizations) },
    },
    security: { config: account({ id: IDS.security, environment: 'security' }) },
    shared: { config: account({ id: IDS.shared, environment: 'shared', region: options.sharedRegion }), layers: { ...backup(options.shared ?? false) } },
    dev: { config: account({ id: IDS.dev, environment: 'devstg' }), layers: { security, ...backup(options.dev) } },
    prd: { config: account({ id: IDS.prd, environment: 'prd' }), layers: { security, ...backup(options.prd) } },
  });
}

type Statement = { Sid?: string; Effect: string; Action?: string | string[]; Principal?: { AWS?: string | string[]; Service?: string | string[] }; Condition?: unknown };
const statements = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;
const keyPolicy = (tf: string, alias: string): Statement[] => {
  const aliases = parsed(tf).resource.aws_kms_alias;
  const target = Object.values(aliases).find((a) => a.name === `alias/${alias}`)!.target_key_id as string;
  const address = /aws_kms_key\.([^.]+)\.key_id/.exec(target)![1];
  return statements(parsed(tf).resource.aws_kms_key[address].policy);
};

describe('organisation backup policies (organizations layer)', () => {
  const tf = (options: Options = {}) => synthStack(org(options), 'test-management-organizations');

  it('enables backup policies on the root with trusted access, one policy per config entry attached to its targets', () => {
    const json = tf();
    expect(json).toHaveResourceWithProperties(OrganizationsOrganization, {
      enabled_policy_types: ['SERVICE_CONTROL_POLICY', 'BACKUP_POLICY'],
      aws_service_access_principals: expect.arrayContaining(['backup.amazonaws.com']),
    });
    const policies = resources(json, 'aws_organizations_policy').filter((p) => p.type === 'BACKUP_POLICY');
    expect(policies.map((p) => p.name).sort()).toEqual(['test-backup-development', 'test-backup-production']);
    const attachments = parsed(json).resource.aws_organizations_policy_attachment;
    expect(attachments['backup-policy-production-workloads-prd']).toMatchObject({
      policy_id: '${aws_organizations_policy.backup-policy-production.id}',
      target_id: '${aws_organizations_organizational_unit.ou-workloads-prd.id}',
    });
    expect(attachments['backup-policy-development-workloads-devstg'].target_id).toBe('${aws_organizations_organizational_unit.ou-workloads-devstg.id}');
    // No central account: cross-account backup stays off.
    expect(resources(json, 'aws_backup_global_settings')).toHaveLength(0);
    // Without backup policies the organisation is as before.
    const none = tf({ policies: {}, prd: false, dev: false });
    expect(resources(none, 'aws_organizations_organization')[0].enabled_policy_types).toEqual(['SERVICE_CONTROL_POLICY']);
    expect(resources(none, 'aws_organizations_organization')[0].aws_service_access_principals).not.toContain('backup.amazonaws.com');
  });

  it('writes daily/weekly/monthly rules to the one vault name, copies to the DR vault of each account, selects by the BackupPlan tag', () => {
    const production = resources(tf(), 'aws_organizations_policy').find((p) => p.name === 'test-backup-production')!;
    const plan = JSON.parse(production.content as string).plans.standard;
    expect(plan.regions).toEqual({ '@@assign': ['us-east-1'] });
    expect(Object.keys(plan.rules)).toEqual(['daily', 'weekly', 'monthly']);
    expect(plan.rules.daily).toEqual({
      schedule_expression: { '@@assign': 'cron(0 1 ? * * *)' },
      start_backup_window_minutes: { '@@assign': '60' },
      complete_backup_window_minutes: { '@@assign': '1440' },
      target_backup_vault_name: { '@@assign': 'test-backup' },
      lifecycle: { delete_after_days: { '@@assign': '35' } },
      copy_actions: {
        'arn:aws:backup:us-west-2:$account:backup-vault:test-backup': {
          target_backup_vault_arn: { '@@assign': 'arn:aws:backup:us-west-2:$account:backup-vault:test-backup' },
          lifecycle: { delete_after_days: { '@@assign': '35' } },
        },
      },
    });
    expect(plan.rules.monthly.lifecycle.delete_after_days['@@assign']).toBe('365');
    expect(plan.selections).toEqual({
      tags: { standard: { iam_role_arn: { '@@assign': 'arn:aws:iam::$account:role/test-backup' }, tag_key: { '@@assign': BACKUP_PLAN_TAG }, tag_value: { '@@assign': ['standard'] } } },
    });
    const development = resources(tf(), 'aws_organizations_policy').find((p) => p.name === 'test-backup-development')!;
    expect(JSON.parse(development.content as string).plans.standard.rules.daily.copy_actions).toBeUndefined();
  });

  it('turns cross-account backup on (every global setting written) when a policy copies to a central account', () => {
    const json = tf({ policies: { production: { ...PRODUCTION, centralAccount: 'shared' }, development: DEVELOPMENT }, shared: {} });
    expect(json).toHaveResourceWithProperties(BackupGlobalSettings, {
      global_settings: { isCrossAccountBackupEnabled: 'true', isMpaEnabled: 'false', isDelegatedAdministratorEnabled: 'false' },
    });
    const production = resources(json, 'aws_organizations_policy').find((p) => p.name === 'test-backup-production')!;
    const copies = JSON.parse(production.content as string).plans.standard.rules.daily.copy_actions;
    expect(Object.keys(copies)).toEqual(['arn:aws:backup:us-west-2:$account:backup-vault:test-backup', `arn:aws:backup:us-east-1:${IDS.shared}:backup-vault:test-central-backup`]);
  });

  it('refuses policies that would fail in AWS or back an account up twice', () => {
    expect(() => build(org({ dev: false }))).toThrow(/backupPolicies\.development\.targets: covers account dev, which declares no backup layer: the vault and role the policy names would be missing there/);
    expect(() => build(org({ policies: { production: PRODUCTION, all: { targets: ['workloads'] } } }))).toThrow(/backupPolicies\.all\.targets: covers account prd, already covered by backup policy production/);
    expect(() => build(org({ policies: { production: { targets: ['workloads/prod'] }, development: DEVELOPMENT } }))).toThrow(/backupPolicies\.production\.targets\[0\]: unknown target "workloads\/prod"/);
    expect(() => build(org({ policies: { production: { ...PRODUCTION, plans: { gold: { daily: { retentionDays: 35 } } } }, development: DEVELOPMENT } })))
      .toThrow(/backupPolicies\.production\.plans: must define "standard", the plan the data modules tag with by default/);
    expect(() => build(org({ policies: { production: { ...PRODUCTION, plans: { standard: { daily: { retentionDays: 35, schedule: 'daily at 5' } } } }, development: DEVELOPMENT } })))
      .toThrow(/backupPolicies\.production\.plans\.standard\.daily\.schedule: "daily at 5" must be a six-field cron\(\) expression/);
    expect(() => build(org({ policies: { production: { ...PRODUCTION, centralAccount: 'shared' }, development: DEVELOPMENT }, shared: {}, sharedRegion: 'eu-west-1' })))
      .toThrow(/backupPolicies\.production\.centralAccount: account prd is in us-east-1 but the central vault is in eu-west-1: one copy cannot change both account and region/);
    expect(() => build(org({ policies: { production: { ...PRODUCTION, centralAccount: 'shared' }, development: DEVELOPMENT } })))
      .toThrow(/backupPolicies\.production\.centralAccount: account shared declares no backup layer to create the central vault/);
  });
});

describe('backup layer', () => {
  const prd = (options: Options = {}) => synthStack(org(options), 'test-prd-backup');

  it('creates a CMK-encrypted, governance-locked vault, the same in the DR region with its own key, and no plan when the organisation policy covers the account', () => {
    const json = prd();
    const vaults = parsed(json).resource.aws_backup_vault;
    const primary = Object.values(vaults).find((v) => v.provider === undefined)!;
    const dr = Object.values(vaults).find((v) => v.provider !== undefined)!;
    expect(primary).toMatchObject({ name: 'test-backup', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(dr).toMatchObject({ name: 'test-backup', provider: 'aws.us_west_2' });
    expect(primary.kms_key_arn).toMatch(/^\$\{aws_kms_key\.vault-key_.*\.arn\}$/);
    expect(dr.kms_key_arn).toMatch(/^\$\{aws_kms_key\.dr-vault-key_.*\.arn\}$/);
    const locks = resources(json, BackupVaultLockConfiguration.tfResourceType);
    expect(locks).toHaveLength(2);
    for (const lock of locks) {
      expect(lock).toMatchObject({ min_retention_days: 7, max_retention_days: 3650 });
      // Governance: no changeable_for_days, so the lock can be lifted by principals allowed to.
      expect(lock.changeable_for_days).toBeUndefined();
    }
    expect(resources(json, 'aws_backup_plan')).toHaveLength(0);
    expect(resources(json, 'aws_backup_selection')).toHaveLength(0);
    const outputs = parsed(json).output!;
    expect(outputs.plan_source.value).toBe('organization');
    expect(outputs.plan_names.value).toEqual(['standard']);
    expect(outputs.dr_vault_arn.value).toMatch(/aws_backup_vault\.dr-vault_.*\.arn/);
  });

  it('names the role the policy names, assumable by AWS Backup, with AWS\'s backup, restore and S3 policies', () => {
    const json = prd();
    const [role] = resources(json, 'aws_iam_role');
    expect(role.name).toBe('test-backup');
    expect(statements(role.assume_role_policy)).toEqual([{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(resources(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup',
      'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
    ]);
    const noS3 = prd({ prd: { s3: false } });
    expect(resources(noS3, 'aws_iam_role_policy_attachment')).toHaveLength(2);
  });

  it('sends failed, aborted, expired and partial jobs to the security layer\'s notifications topic', () => {
    const json = prd();
    const [rule] = resources(json, 'aws_cloudwatch_event_rule');
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
      detail: { state: ['ABORTED', 'EXPIRED', 'FAILED', 'PARTIAL'] },
    });
    expect(resources(json, 'aws_cloudwatch_event_target')[0].arn).toBe('${data.terraform_remote_state.remote-prd-security.outputs.sns_topic_arn}');
    expect(resources(prd({ prd: { alertOnFailedJobs: false } }), 'aws_cloudwatch_event_rule')).toHaveLength(0);
  });

  it('creates its own plans, selecting by tag and copying to the DR vault, where no organisation policy exists', () => {
    const json = prd({ noOrganizations: true });
    const plans = resources(json, 'aws_backup_plan');
    expect(plans.map((p) => p.name)).toEqual(['test-prd-standard']);
    const rules = plans[0].rule as { rule_name: string; target_vault_name: string; lifecycle: unknown; copy_action: { destination_vault_arn: string; lifecycle: unknown }[] }[];
    expect(rules.map((r) => r.rule_name)).toEqual(['daily', 'weekly', 'monthly']);
    for (const r of rules) {
      expect(r.target_vault_name).toMatch(/aws_backup_vault\.vault_.*\.name/);
      expect(r.copy_action[0].destination_vault_arn).toMatch(/aws_backup_vault\.dr-vault_.*\.arn/);
    }
    expect(rules[2]).toMatchObject({ lifecycle: { delete_after: 365 }, copy_action: [{ lifecycle: { delete_after: 365 } }] });
    const [selection] = resources(json, 'aws_backup_selection');
    expect(selection).toMatchObject({ name: 'BackupPlan-standard', selection_tag: [{ type: 'STRINGEQUALS', key: 'BackupPlan', value: 'standard' }] });
    expect(selection.resources).toBeUndefined();
    expect(selection.iam_role_arn).toBe('${aws_iam_role.service-role.arn}');
    expect(parsed(json).output!.plan_source.value).toBe('account');
  });

  it('locks in compliance mode when asked, with the grace days', () => {
    const json = prd({ prd: { vaultLock: { mode: 'COMPLIANCE', minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 7 } } });
    for (const lock of resources(json, BackupVaultLockConfiguration.tfResourceType)) {
      expect(lock).toMatchObject({ min_retention_days: 30, max_retention_days: 400, changeable_for_days: 7 });
    }
  });

  it('creates the central vault, admitting the source accounts, and lets the central account use the source vault key', () => {
    const options: Options = { policies: { production: { ...PRODUCTION, centralAccount: 'shared' }, development: DEVELOPMENT }, shared: {} };
    const shared = synthStack(org(options), 'test-shared-backup');
    const central = Object.values(parsed(shared).resource.aws_backup_vault).find((v) => v.name === 'test-central-backup')!;
    expect(central.kms_key_arn).toMatch(/central-vault-key/);
    const [policy] = resources(shared, 'aws_backup_vault_policy');
    expect(statements(policy.policy)).toEqual([{
      Sid: 'CopyFromOrganisationAccounts', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${IDS.prd}:root`] }, Action: 'backup:CopyIntoBackupVault', Resource: '*',
    }]);
    const centralKey = keyPolicy(shared, 'test-shared-central-backup');
    expect(centralKey.find((s) => s.Sid === 'BackupSourceAccountsUse')!.Principal).toEqual({ AWS: [`arn:aws:iam::${IDS.prd}:root`] });
    expect(centralKey.find((s) => s.Sid === 'BackupSourceAccountsGrants')!.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': true } });
    // The source account's vault key admits the central account (copies out are re-encrypted there).
    const source = synthStack(org(options), 'test-prd-backup');
    expect(keyPolicy(source, 'test-prd-backup').find((s) => s.Sid === 'CentralBackupAccountUse')!.Principal).toEqual({ AWS: [`arn:aws:iam::${IDS.shared}:root`] });
    // The development policy has no central account: its accounts' keys stay closed.
    expect(keyPolicy(synthStack(org(options), 'test-dev-backup'), 'test-dev-backup').map((s) => s.Sid)).toEqual(['AccountAdministration']);
    // The central vault's lock must hold what the copies keep (365 days for the monthlies).
    expect(() => build(org({ ...options, shared: { vaultLock: { mode: 'GOVERNANCE', maxRetentionDays: 100 } } })))
      .toThrow(/shared\/backup: vaultLock\.maxRetentionDays: 100 is below the 365 days the central copy of rule monthly of plan standard \(organisation backup policy production\) keeps/);
  });

  it('refuses plans that would back up twice, a missing policy, an unlocked or uncopied production vault, and locks the plans would break', () => {
    expect(() => build(org({ prd: { plans: { standard: { daily: { retentionDays: 35 } } } } })))
      .toThrow(/prd\/backup: plans: account prd is covered by the organisation backup policy production: plans here would back the same resources up twice/);
    expect(() => build(org({ noOrganizations: true, prd: { plans: 'organization' } })))
      .toThrow(/prd\/backup: plans: is organization, but no organisation backup policy \(organizations layer, backupPolicies\) covers account prd/);
    expect(() => build(org({ prd: { vaultLock: false } }))).toThrow(/prd\/backup: vaultLock: is false in production/);
    expect(() => build(org({ policies: { production: { ...PRODUCTION, plans: { standard: { daily: { retentionDays: 35, drCopyRetentionDays: false } } } }, development: DEVELOPMENT } })))
      .toThrow(/prd\/backup: plans: rule daily of plan standard \(organisation backup policy production\) makes no copy in another region; production backups must be copied to the DR region/);
    expect(() => build(org({ policies: { production: PRODUCTION, development: { ...DEVELOPMENT, plans: { standard: { daily: { retentionDays: 5, drCopyRetentionDays: false } } } } } })))
      .toThrow(/dev\/backup: vaultLock\.minRetentionDays: 7 is above the 5 days rule daily of plan standard keeps recovery points: AWS Backup would fail those jobs/);
    expect(() => build(org({ dev: { vaultLock: { mode: 'COMPLIANCE', changeableForDays: 2 } } }))).toThrow(/dev\/backup: vaultLock\.changeableForDays: 2 must be a whole number from 3 to 36500 days/);
    expect(() => build(org({ dev: { vaultLock: { mode: 'GOVERNANCE', changeableForDays: 3 } } }))).toThrow(/vaultLock\.changeableForDays: applies to COMPLIANCE mode only/);
    expect(() => build(org({ noOrganizations: true, dev: { plans: { standard: { daily: { retentionDays: 7, completionWindowMinutes: 90 } } } } })))
      .toThrow(/dev\/backup: plans\.standard\.daily\.completionWindowMinutes: 90 must be a whole number of minutes at least 60 more than the start window \(60\)/);
    const inDr = source({ prd: { config: account({ id: IDS.prd, environment: 'devstg' }), layers: { backup: defineLayer(Backup, {}, { region: 'us-west-2' }) } } });
    expect(() => build(inDr)).toThrow(/prd\/backup: region: is us-west-2; declare the layer in the account's region us-east-1/);
  });
});

describe('the BackupPlan tag of the data modules', () => {
  const stack = () => {
    const s = new TerraformStack(Testing.app(), 'modules');
    new AwsProvider(s, 'aws', { region: 'us-east-1' });
    return s;
  };
  const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const aurora = { engine: 'aurora-postgresql' as const, vpcId: 'vpc-1', dbSubnetGroupName: 'db', kmsKeyArn: KEY };

  it('tags Aurora clusters and tables with the default plan, and buckets only when asked', () => {
    const s = stack();
    new AuroraCluster(s, 'db', { ...aurora, name: 'tagged' });
    new AuroraCluster(s, 'cache', { ...aurora, name: 'untagged', backupPlan: false });
    new DynamoTable(s, 'orders', { name: 'orders', partitionKey: { name: 'pk' }, kmsKeyArn: KEY });
    new DynamoTable(s, 'sessions', { name: 'sessions', partitionKey: { name: 'pk' }, kmsKeyArn: KEY, backupPlan: false });
    new SecureBucket(s, 'logs', { bucketName: 'logs-bucket', kmsKeyArn: KEY });
    new SecureBucket(s, 'data', { bucketName: 'data-bucket', kmsKeyArn: KEY, backupPlan: 'gold' });
    const json = Testing.synth(s);
    const clusters = resources(json, 'aws_rds_cluster');
    expect(clusters.find((c) => c.cluster_identifier === 'tagged')!.tags).toEqual({ [BACKUP_PLAN_TAG]: DEFAULT_BACKUP_PLAN });
    expect(clusters.find((c) => c.cluster_identifier === 'untagged')!.tags).toEqual({});
    expect(resources(json, 'aws_dynamodb_table').map((t) => [t.name, t.tags])).toEqual([['orders', { BackupPlan: 'standard' }], ['sessions', {}]]);
    const buckets = resources(json, 'aws_s3_bucket');
    expect(buckets.find((b) => b.bucket === 'logs-bucket')!.tags).toBeUndefined();
    expect(buckets.find((b) => b.bucket === 'data-bucket')!.tags).toEqual({ BackupPlan: 'gold' });
    expect(() => new AuroraCluster(stack(), 'db', { ...aurora, name: 'bad', backupPlan: 'gold plan' })).toThrow(/backupPlan: "gold plan" must be 1 to 50 letters/);
  });
});

describe('backup rules of the policy pack and the preflight', () => {
  it('does not hold development vaults and plans to the production rules', () => {
    for (const id of ['POL-BACKUP-002', 'POL-BACKUP-003']) {
      const s = new TerraformStack(Testing.app(), 'fixture');
      new AwsProvider(s, 'aws', { region: 'us-east-1', defaultTags: [{ tags: { Environment: 'devstg' } }] });
      BACKUP_POLICY_CASES[id].bad(s);
      expect(checkStack(s, [RULES_BY_ID.get(id)!]).findings).toEqual([]);
    }
  });

  it('PF-BACKUP-001 names each vault and role the covered account lacks', () => {
    const found = runPreflight(BACKUP_PREFLIGHT_CASES['PF-BACKUP-001'].bad(), [PREFLIGHT_RULES_BY_ID.get('PF-BACKUP-001')!]).findings;
    expect(found.map((f) => [f.stack, f.address, f.message])).toEqual([[
      'fx-management-organizations', 'aws_organizations_policy.backup',
      'plan standard applies to account apps (333333333333), but no layer creates its copy destination vault fx-backup of apps in us-west-2, role fx-backup: ' +
      'AWS Organizations accepts the policy and every backup or copy job there fails',
    ]]);
  });

  it('PF-BACKUP-002 names the organisation setting, the vault policy and every key that would refuse a copy to the central account', () => {
    const found = runPreflight(BACKUP_PREFLIGHT_CASES['PF-BACKUP-002'].bad(), [PREFLIGHT_RULES_BY_ID.get('PF-BACKUP-002')!]).findings;
    const where = found.map((f) => `${f.stack} ${f.address}`);
    expect(where).toEqual(expect.arrayContaining([
      'fx-management-organizations aws_organizations_policy.backup',
      'fx-security-backup aws_backup_vault.central',
      'fx-security-backup aws_kms_key.c',
      'fx-apps-backup aws_kms_key.k',
    ]));
    expect(found.find((f) => f.address === 'aws_organizations_policy.backup')!.message).toMatch(/no layer of the management account turns cross-account backup on/);
    expect(found.find((f) => f.address === 'aws_backup_vault.central')!.message).toMatch(/does not allow account 333333333333 backup:CopyIntoBackupVault/);
    const source = found.filter((f) => f.address === 'aws_kms_key.k').map((f) => f.message);
    // The vault key and the tagged Aurora cluster's key (one key here) must both admit the destination account.
    expect(source.some((m) => /the key of vault fx-backup of apps does not allow the destination account 222222222222 kms:CreateGrant, kms:Decrypt, kms:DescribeKey/.test(m))).toBe(true);
    expect(source.some((m) => /the key of aws_rds_cluster\.db \(fx-apps-backup\), whose recovery points keep it/.test(m))).toBe(true);
  });
});

describe('the example organisation', () => {
  const ROOT = path.resolve(__dirname, '../..');
  const example = () => resolveOrganisation(readProjectFolder(path.join(ROOT, 'projects', 'acme')), REAL);

  it('backs up every account holding data from two organisation policies, production copied to the DR region', () => {
    const organisation = example();
    const withBackup = [...organisation.accounts.values()].filter((a) => a.layers.get('backup')?.enabled).map((a) => a.name).sort();
    expect(withBackup).toEqual(['apps-devstg', 'apps-prd', 'data-science', 'shared']);
    const facts = (name: string) => Backup.facts(organisation.accounts.get(name)!.layers.get('backup')!.config as BackupConfig,
      { org: organisation, account: organisation.accounts.get(name)!, layer: 'backup', region: 'us-east-1', azs: [], localState: false, step: 'steady' });
    expect(facts('apps-prd')).toMatchObject({ source: 'organization', policy: 'production', drCopies: true });
    expect(facts('shared')).toMatchObject({ source: 'organization', policy: 'production', drCopies: true });
    expect(facts('apps-devstg')).toMatchObject({ source: 'organization', policy: 'development', drCopies: false });
    expect(facts('data-science')).toMatchObject({ source: 'organization', policy: 'development', drCopies: false });
    const { stacks } = buildOrganisation(Testing.app(), organisation, { only: new Set(['acme-apps-prd-backup', 'acme-data-science-data-lake']) });
    const lake = Testing.synth(stacks.find((s) => s.node.id === 'acme-data-science-data-lake')!);
    expect(resources(lake, 'aws_s3_bucket').filter((b) => b.tags).map((b) => b.bucket).sort()).toEqual(['acme-data-science-data-lake-curated-777777777777', 'acme-data-science-data-lake-raw-777777777777']);
    for (const stack of stacks) expect(checkStack(stack).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('passes the backup preflight rules in real mode', () => {
    const { models } = loadOrganisations({ projectsDir: path.join(ROOT, 'projects'), project: 'acme' });
    const rules = ['PF-BACKUP-001', 'PF-BACKUP-002'].map((id) => PREFLIGHT_RULES_BY_ID.get(id)!);
    expect(runPreflight(models[0], rules).findings).toEqual([]);
  }, 60_000);
});
