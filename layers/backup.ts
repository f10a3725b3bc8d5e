import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaresLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, integerBetween } from '../lib/validators';
import {
  AccountBackupPlans, backupPlanProblems, backupRoleName, backupVaultName, centralBackupVaultName, DEFAULT_BACKUP_PLANS,
  resolveBackupPlans, retentionsByVault, type BackupPlans, type ResolvedBackupPlan,
} from '../modules/backup-plan';
import { BACKUP_PLAN_TAG } from '../modules/backup-tag';
import { BackupVault, DEFAULT_VAULT_LOCK, vaultLockProblems, type BackupVaultLockConfig } from '../modules/backup-vault';
import { KmsKey } from '../modules/kms-key';
import { ServiceRole } from '../modules/role';
import { backupPolicyCovering, centralBackupSources, organisationBackupPolicies } from './organizations';
import { securityContract } from './security';

export interface BackupConfig {
  /**
   * Where the plans come from. `'organization'`: the organisation backup policy of the organizations layer that covers
   * this account (the usual case: this layer then creates only the vaults, keys and role the policy names). Plans by
   * name: `aws_backup_plan`s of this account, for an account no organisation policy covers (refused when one does:
   * the same resources would be backed up twice).
   * @default 'organization' when an organisation backup policy covers the account, else DEFAULT_BACKUP_PLANS here
   */
  readonly plans?: 'organization' | BackupPlans;
  /**
   * Vault Lock of every vault this layer creates (the account's, the DR region's, the central one). `false` (no lock)
   * is refused in production. GOVERNANCE is the default because COMPLIANCE cannot be undone once its grace days pass
   * (docs/data-and-dr.md, "Backups").
   * @default DEFAULT_VAULT_LOCK: GOVERNANCE, 7 to 3650 days
   */
  readonly vaultLock?: BackupVaultLockConfig | false;
  /** Let the service role back up and restore S3 buckets (AWS's S3 backup and restore managed policies). @default true */
  readonly s3?: boolean;
  /** Waiting period of a scheduled deletion of the vault keys (7 to 30). @default 30 */
  readonly keyDeletionWindowDays?: number;
  /**
   * Send failed, aborted, expired and partial backup, copy and restore jobs to the notifications topic of the
   * account's security layer (an EventBridge rule; the topic admits EventBridge). @default true when the account has a security layer
   */
  readonly alertOnFailedJobs?: boolean;
}

export const backupContract = defineContract('backup', {
  vault_name: { description: 'Vault AWS Backup writes the recovery points of this account to', mock: 'acme-backup' },
  vault_arn: { description: 'ARN of the vault in the account\'s region', mock: 'arn:aws:backup:us-east-1:111111111111:backup-vault:acme-backup' },
  kms_key_arn: { description: 'Key encrypting the vault', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000bac1' },
  dr_vault_arn: { description: 'Vault in the DR region receiving the copies ("" without DR copies)', mock: 'arn:aws:backup:us-west-2:111111111111:backup-vault:acme-backup' },
  dr_kms_key_arn: { description: 'Key encrypting the DR vault ("" without DR copies)', mock: 'arn:aws:kms:us-west-2:111111111111:key/00000000-0000-0000-0000-00000000bac2' },
  central_vault_arn: { description: 'Central vault receiving other accounts\' copies ("" unless this is the central backup account)', mock: '' },
  role_arn: { description: 'Role AWS Backup assumes to back up and restore', mock: 'arn:aws:iam::111111111111:role/acme-backup' },
  plan_source: { description: '"organization" (an organisation backup policy) or "account" (plans of this layer)', mock: 'organization' },
  plan_names: { description: 'Plans backing this account up: the values of the selection tag', mock: ['standard'] },
  selection_tag_key: { description: 'Tag key selecting resources for a plan (value: the plan name)', mock: BACKUP_PLAN_TAG },
});

/** What other layers may know of a backup layer: where its plans come from and what they copy. */
export interface BackupFacts {
  readonly source: 'organization' | 'account';
  /** The organisation backup policy, when `source` is organization. */
  readonly policy?: string;
  readonly plans: readonly ResolvedBackupPlan[];
  /** Some rule copies to the project's DR region. */
  readonly drCopies: boolean;
  /** Some rule copies to a central account's vault (organisation policies only). */
  readonly centralCopies: boolean;
}

/** Effective plans of a backup layer, or why there are none. */
function effectivePlans(config: BackupConfig, ctx: LayerContext): BackupFacts | string {
  const policy = backupPolicyCovering(ctx.org, ctx.account.name);
  const wanted = config.plans ?? (policy ? 'organization' : DEFAULT_BACKUP_PLANS);
  const drRegion = ctx.org.project.drRegion;
  if (wanted === 'organization') {
    if (!policy) return `is organization, but no organisation backup policy (organizations layer, backupPolicies) covers account ${ctx.account.name}`;
    const central = policy.config.centralAccount !== undefined;
    const plans = resolveBackupPlans(policy.config.plans ?? DEFAULT_BACKUP_PLANS, { drRegion, central });
    return { source: 'organization', policy: policy.name, plans, ...copies(plans) };
  }
  if (policy) {
    return `account ${ctx.account.name} is covered by the organisation backup policy ${policy.name}: plans here would back the same resources up twice; leave plans unset or take the account out of the policy's targets`;
  }
  const plans = resolveBackupPlans(wanted, { drRegion });
  return { source: 'account', plans, ...copies(plans) };
}

function copies(plans: readonly ResolvedBackupPlan[]): { drCopies: boolean; centralCopies: boolean } {
  const rules = plans.flatMap((p) => p.rules);
  return { drCopies: rules.some((r) => r.drCopyDays !== undefined), centralCopies: rules.some((r) => r.centralCopyDays !== undefined) };
}

const FAILED_STATES = ['ABORTED', 'EXPIRED', 'FAILED', 'PARTIAL'];
const JOB_EVENTS = ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'];

/**
 * AWS Backup in an account that holds data: a KMS-encrypted, locked vault in the account's region, a locked vault in
 * the project's DR region for the copies, the role AWS Backup assumes (the one the plans name), a central vault when
 * an organisation backup policy names this account as central backup account, an alert on failed jobs and, only for
 * an account no organisation backup policy covers, the plans themselves. Resources are selected by the `BackupPlan`
 * tag that the data modules set (modules/backup-tag.ts).
 */
export class Backup extends LayerStack {
  static readonly contract = backupContract;
  static readonly stateful = true;

  /** Where the plans of a backup layer come from and what they copy; throws on a config validate() refuses. */
  static facts(config: BackupConfig, ctx: LayerContext): BackupFacts {
    const facts = effectivePlans(config, ctx);
    if (typeof facts === 'string') throw new Error(`${ctx.account.name}/${ctx.layer}: plans: ${facts}`);
    return facts;
  }

  static validate(config: BackupConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    if (ctx.region !== ctx.account.region) {
      problems.add('region', `is ${ctx.region}; declare the layer in the account's region ${ctx.account.region} (it creates the DR-region vault itself)`);
    }
    if (config.plans !== undefined && config.plans !== 'organization') {
      problems.nest('plans', backupPlanProblems(config.plans, { drRegion: ctx.org.project.drRegion }));
    }
    const facts = effectivePlans(config, ctx);
    if (typeof facts === 'string') problems.add('plans', facts);
    const prd = isProduction(ctx.account);
    const lock = config.vaultLock ?? DEFAULT_VAULT_LOCK;
    if (lock === false && prd) problems.add('vaultLock', 'is false in production; recovery points there must be locked against deletion');
    if (typeof facts !== 'string') {
      const where = facts.source === 'organization' ? ` (organisation backup policy ${facts.policy})` : '';
      if (prd) {
        for (const plan of facts.plans) {
          for (const rule of plan.rules.filter((r) => r.drCopyDays === undefined)) {
            problems.add('plans', `rule ${rule.frequency} of plan ${plan.name}${where} makes no copy in another region; production backups must be copied to the DR region${ctx.org.project.drRegion ? '' : ' (the project has no drRegion)'}`);
          }
        }
      }
      if (lock) {
        const retentions = retentionsByVault(facts.plans);
        const central = centralBackupSources(ctx.org, ctx.account.name).length > 0 ? centralRetentions(ctx) : [];
        problems.nest('vaultLock', vaultLockProblems(lock, [...retentions.primary, ...retentions.dr, ...central]));
      }
    }
    problems.check('keyDeletionWindowDays', integerBetween(config.keyDeletionWindowDays ?? 30, 7, 30, 'days'));
    if (config.alertOnFailedJobs === true && !declaresLayer(ctx, securityContract)) {
      problems.add('alertOnFailedJobs', `account ${ctx.account.name} has no enabled security layer whose notifications topic would receive the alerts`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: BackupConfig) {
    super(scope, ctx);
    const facts = Backup.facts(config, ctx);
    const project = ctx.org.project.name;
    const accountId = ctx.account.id;
    const drRegion = ctx.org.project.drRegion;
    const lock = config.vaultLock ?? DEFAULT_VAULT_LOCK;
    const keyProps = { accountId, deletionWindowInDays: config.keyDeletionWindowDays ?? 30 };
    const central = this.centralAccount(facts);

    const key = new KmsKey(this, 'vault-key', {
      ...keyProps,
      alias: this.resourceName('backup'),
      description: `Encrypts the backup vault of ${ctx.account.name} in ${ctx.region}`,
    });
    // Copies into another account's vault: the destination account re-encrypts them and must be able to use this key.
    if (central) key.grantToAccounts('CentralBackupAccount', [central.id]);
    const vault = new BackupVault(this, 'vault', { name: backupVaultName(project), kmsKeyArn: key.arn, lock });

    let dr: { vault: BackupVault; key: KmsKey } | undefined;
    if (facts.drCopies && drRegion) {
      const provider = this.providerFor(drRegion);
      const drKey = new KmsKey(this, 'dr-vault-key', {
        ...keyProps,
        alias: this.resourceName('backup', drRegion),
        description: `Encrypts the DR backup vault of ${ctx.account.name} in ${drRegion}`,
        provider,
      });
      dr = { key: drKey, vault: new BackupVault(this, 'dr-vault', { name: backupVaultName(project), kmsKeyArn: drKey.arn, lock, provider }) };
    }
    const centralVault = this.centralVault(lock, keyProps);

    // AWS's default backup role has the same trust; cross-account misuse would need iam:PassRole in this account.
    const s3 = config.s3 ?? true;
    const role = new ServiceRole(this, 'service-role', {
      name: backupRoleName(project),
      description: `AWS Backup backs up and restores the tagged resources of ${ctx.account.name}`,
      service: 'backup.amazonaws.com',
      managedPolicyArns: [
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
        ...(s3 ? ['arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup', 'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore'] : []),
      ],
    });

    if (facts.source === 'account') {
      new AccountBackupPlans(this, 'plans', {
        plans: facts.plans,
        namePrefix: this.resourceName(),
        vaultName: vault.name,
        drVaultArn: dr?.vault.arn,
        roleArn: role.arn,
        dependsOn: role.permissions,
      });
    }
    if (config.alertOnFailedJobs ?? declaresLayer(ctx, securityContract)) this.alertOnFailedJobs();

    this.publish(backupContract, {
      vault_name: vault.name,
      vault_arn: vault.arn,
      kms_key_arn: key.arn,
      dr_vault_arn: dr?.vault.arn ?? '',
      dr_kms_key_arn: dr?.key.arn ?? '',
      central_vault_arn: centralVault?.arn ?? '',
      role_arn: role.arn,
      plan_source: facts.source,
      plan_names: facts.plans.map((p) => p.name),
      selection_tag_key: BACKUP_PLAN_TAG,
    });
  }

  /** The central backup account this account's recovery points are copied to, if any. */
  private centralAccount(facts: BackupFacts): { id: string } | undefined {
    if (!facts.centralCopies || !facts.policy) return undefined;
    const name = organisationBackupPolicies(this.ctx.org).find((p) => p.name === facts.policy)?.config.centralAccount;
    const account = name ? this.ctx.org.accounts.get(name) : undefined;
    return account && account.id !== this.ctx.account.id ? account : undefined;
  }

  /**
   * The central vault, when organisation backup policies name this account as central backup account: its own key,
   * whose policy admits the source accounts (they copy into it), and a vault policy allowing them CopyIntoBackupVault.
   */
  private centralVault(lock: BackupVaultLockConfig | false, keyProps: { accountId: string; deletionWindowInDays: number }): BackupVault | undefined {
    const sources = centralBackupSources(this.ctx.org, this.ctx.account.name).map((a) => a.id);
    if (sources.length === 0) return undefined;
    const key = new KmsKey(this, 'central-vault-key', {
      ...keyProps,
      alias: this.resourceName('central-backup'),
      description: `Encrypts the central backup vault of ${this.ctx.org.project.name} in ${this.ctx.region}`,
    });
    key.grantToAccounts('BackupSourceAccounts', sources);
    return new BackupVault(this, 'central-vault', {
      name: centralBackupVaultName(this.ctx.org.project.name),
      kmsKeyArn: key.arn,
      lock,
      copySourceAccountIds: sources,
    });
  }

  /** Failed, aborted, expired and partial jobs of this account and region to the security layer's notifications topic. */
  private alertOnFailedJobs(): void {
    const topicArn = this.remote(securityContract).get('sns_topic_arn');
    const rule = new CloudwatchEventRule(this, 'failed-jobs', {
      name: this.resourceName('backup-failed-jobs'),
      description: `AWS Backup jobs of ${this.ctx.account.name} that did not complete`,
      eventPattern: JSON.stringify({ source: ['aws.backup'], 'detail-type': JOB_EVENTS, detail: { state: FAILED_STATES } }),
    });
    new CloudwatchEventTarget(this, 'failed-jobs-topic', { rule: rule.name, targetId: 'notifications', arn: topicArn });
  }
}

/** Every retention the central vault of an account receives, from every policy copying to it. */
function centralRetentions(ctx: LayerContext): { days: number; where: string }[] {
  return organisationBackupPolicies(ctx.org)
    .filter((p) => p.config.centralAccount === ctx.account.name)
    .flatMap((p) => retentionsByVault(resolveBackupPlans(p.config.plans ?? DEFAULT_BACKUP_PLANS, { central: true })).central
      .map((r) => ({ days: r.days, where: `${r.where} (organisation backup policy ${p.name})` })));
}

