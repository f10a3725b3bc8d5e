/**
 * AWS Backup plans, written once and rendered two ways: as the `plans` of an AWS Organizations backup policy (the
 * organizations layer, the usual source of truth) or as `aws_backup_plan` + `aws_backup_selection` of one account (a
 * backup layer no organisation policy covers). Either way a plan has up to three rules (daily, weekly, monthly), each
 * with its retention and its copies to the DR region and to a central account, and selects exactly the resources
 * tagged `BackupPlan=<plan name>` (modules/backup-tag.ts): never all resources of the account.
 *
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html
 */
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import type { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { cronExpression, FieldProblems, integerBetween } from '../lib/validators';
import { BACKUP_PLAN_NAME, BACKUP_PLAN_TAG, DEFAULT_BACKUP_PLAN } from './backup-tag';

export const BACKUP_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type BackupFrequency = (typeof BACKUP_FREQUENCIES)[number];

/** One rule of a plan: when recovery points are taken, how long they and their copies are kept. */
export interface BackupRuleConfig {
  /**
   * Six-field `cron(...)` in UTC. The defaults start before the backup window (03:00-04:00) and away from the
   * maintenance window (Sunday 05:00-06:00) AuroraCluster gives a cluster, so a snapshot job never competes with them.
   * @default daily 'cron(0 1 ? * * *)', weekly 'cron(0 2 ? * SUN *)', monthly 'cron(0 2 1 * ? *)'
   */
  readonly schedule?: string;
  /** Days recovery points are kept in the account's vault (1 to 36500). */
  readonly retentionDays: number;
  /** Days the copy in the DR region's vault is kept; `false` copies nothing there. @default retentionDays (when the project has a drRegion) */
  readonly drCopyRetentionDays?: number | false;
  /** Days the copy in the central account's vault is kept (policies naming a central account); `false` copies nothing there. @default retentionDays */
  readonly centralCopyRetentionDays?: number | false;
  /** Minutes after the scheduled time a job may still start (at least 60). @default 60 */
  readonly startWindowMinutes?: number;
  /** Minutes a started job may run before AWS Backup cancels it (at least 60 more than the start window). @default 1440 */
  readonly completionWindowMinutes?: number;
}

/** The rules of one plan, by frequency; a frequency left out (or `false`) has no rule. */
export type BackupPlanRules = { readonly [F in BackupFrequency]?: BackupRuleConfig | false };

/** Plans by name: the name is also the value of the `BackupPlan` tag that selects resources for the plan. */
export type BackupPlans = Readonly<Record<string, BackupPlanRules>>;

export const DEFAULT_BACKUP_SCHEDULES: Readonly<Record<BackupFrequency, string>> = {
  daily: 'cron(0 1 ? * * *)',
  weekly: 'cron(0 2 ? * SUN *)',
  monthly: 'cron(0 2 1 * ? *)',
};

/** The plan set used unless configured: `standard` with dailies for 5 weeks, weeklies for 13 weeks, monthlies for a year. */
export const DEFAULT_BACKUP_PLANS: BackupPlans = {
  [DEFAULT_BACKUP_PLAN]: { daily: { retentionDays: 35 }, weekly: { retentionDays: 91 }, monthly: { retentionDays: 365 } },
};

/** Whether copies to the DR region and to a central account are made at all. */
export interface BackupCopyTargets {
  /** The project's DR region: rules copy there unless they say `drCopyRetentionDays: false`. @default - no DR copies */
  readonly drRegion?: string;
  /** A central account's vault receives copies unless rules say `centralCopyRetentionDays: false`. @default false */
  readonly central?: boolean;
}

/** A rule with every default applied. */
export interface ResolvedBackupRule {
  readonly frequency: BackupFrequency;
  readonly schedule: string;
  readonly retentionDays: number;
  readonly startWindowMinutes: number;
  readonly completionWindowMinutes: number;
  /** Days the DR copy is kept, when there is one. */
  readonly drCopyDays?: number;
  /** Days the central copy is kept, when there is one. */
  readonly centralCopyDays?: number;
}

export interface ResolvedBackupPlan {
  readonly name: string;
  readonly rules: readonly ResolvedBackupRule[];
}

/** Every plan with its rules resolved against the copy targets. */
export function resolveBackupPlans(plans: BackupPlans, targets: BackupCopyTargets): ResolvedBackupPlan[] {
  return Object.entries(plans).map(([name, rules]) => ({
    name,
    rules: BACKUP_FREQUENCIES.flatMap((frequency): ResolvedBackupRule[] => {
      const rule = rules[frequency];
      if (!rule) return [];
      const dr = rule.drCopyRetentionDays ?? rule.retentionDays;
      const central = rule.centralCopyRetentionDays ?? rule.retentionDays;
      return [{
        frequency,
        schedule: rule.schedule ?? DEFAULT_BACKUP_SCHEDULES[frequency],
        retentionDays: rule.retentionDays,
        startWindowMinutes: rule.startWindowMinutes ?? 60,
        completionWindowMinutes: rule.completionWindowMinutes ?? 1440,
        ...(targets.drRegion && dr !== false ? { drCopyDays: dr } : {}),
        ...(targets.central && central !== false ? { centralCopyDays: central } : {}),
      }];
    }),
  }));
}

/** Every retention a vault of each kind must accept: what vault locks are checked against. */
export function retentionsByVault(plans: readonly ResolvedBackupPlan[]): Record<'primary' | 'dr' | 'central', { days: number; where: string }[]> {
  const found: Record<'primary' | 'dr' | 'central', { days: number; where: string }[]> = { primary: [], dr: [], central: [] };
  for (const plan of plans) {
    for (const rule of plan.rules) {
      const where = `rule ${rule.frequency} of plan ${plan.name}`;
      found.primary.push({ days: rule.retentionDays, where });
      if (rule.drCopyDays !== undefined) found.dr.push({ days: rule.drCopyDays, where: `the DR copy of ${where}` });
      if (rule.centralCopyDays !== undefined) found.central.push({ days: rule.centralCopyDays, where: `the central copy of ${where}` });
    }
  }
  return found;
}

const MAX_RETENTION_DAYS = 36500;

/** Problems of a plan set that need no AWS, by field (`<plan>.<frequency>.<field>`). */
export function backupPlanProblems(plans: BackupPlans, targets: BackupCopyTargets): FieldProblem[] {
  const problems = new FieldProblems();
  const names = Object.keys(plans);
  if (names.length === 0) problems.add('', 'defines no plan');
  if (!names.includes(DEFAULT_BACKUP_PLAN)) {
    problems.add('', `must define "${DEFAULT_BACKUP_PLAN}", the plan the data modules tag with by default (${BACKUP_PLAN_TAG}=${DEFAULT_BACKUP_PLAN}); without it those resources are backed up by nothing`);
  }
  for (const [name, rules] of Object.entries(plans)) {
    if (!BACKUP_PLAN_NAME.test(name)) problems.add(name, `"${name}" must be 1 to 50 letters, digits, hyphens, underscores or dots (an AWS Backup plan name and tag value)`);
    const defined = BACKUP_FREQUENCIES.filter((f) => rules[f]);
    if (defined.length === 0) problems.add(name, 'has no rule (daily, weekly or monthly)');
    for (const frequency of defined) {
      const rule = rules[frequency] as BackupRuleConfig;
      const at = (field: string) => `${name}.${frequency}.${field}`;
      if (rule.schedule !== undefined) problems.check(at('schedule'), cronExpression(rule.schedule));
      problems.check(at('retentionDays'), integerBetween(rule.retentionDays, 1, MAX_RETENTION_DAYS, 'days'));
      for (const copy of ['drCopyRetentionDays', 'centralCopyRetentionDays'] as const) {
        const days = rule[copy];
        if (days !== undefined && days !== false) problems.check(at(copy), integerBetween(days, 1, MAX_RETENTION_DAYS, 'days'));
      }
      if (typeof rule.drCopyRetentionDays === 'number' && !targets.drRegion) {
        problems.add(at('drCopyRetentionDays'), 'the project has no drRegion to copy to');
      }
      const start = rule.startWindowMinutes ?? 60;
      const completion = rule.completionWindowMinutes ?? 1440;
      problems.check(at('startWindowMinutes'), integerBetween(start, 60, 43200, 'minutes'));
      if (!Number.isInteger(completion) || completion < start + 60) {
        problems.add(at('completionWindowMinutes'), `${completion} must be a whole number of minutes at least 60 more than the start window (${start})`);
      }
    }
  }
  return problems.list;
}

/** Name of the vault AWS Backup writes to in every account and region (one name: an organisation policy names it once). */
export function backupVaultName(project: string): string {
  return `${project}-backup`;
}

/** Name of the vault of the central backup account receiving the cross-account copies. */
export function centralBackupVaultName(project: string): string {
  return `${project}-central-backup`;
}

/** Name of the role AWS Backup assumes in every account (an organisation policy names it as `arn:aws:iam::$account:role/<name>`). */
export function backupRoleName(project: string): string {
  return `${project}-backup`;
}

/** ARN of a backup vault; `$account` is the placeholder AWS Organizations replaces by each account's id. */
export function backupVaultArn(region: string, accountId: string, name: string): string {
  return `arn:aws:backup:${region}:${accountId}:backup-vault:${name}`;
}

/** Where one plan set writes: the vault of the account and the vaults its copies go to. */
export interface BackupDestinations {
  /** Vault name in the account and region where the plan runs. */
  readonly vaultName: string;
  /** ARN of the DR-region vault (copies for rules with a DR copy). @default - none */
  readonly drVaultArn?: string;
  /** ARN of the central account's vault (copies for rules with a central copy). @default - none */
  readonly centralVaultArn?: string;
}

const assign = <T>(value: T): { '@@assign': T } => ({ '@@assign': value });

/**
 * The content of an AWS Organizations backup policy (type BACKUP_POLICY) for these plans: each plan runs in
 * `regions`, writes to the vault named the same in every account, copies to `arn:...:$account:...` in the DR region and
 * to the central vault, and selects resources tagged `BackupPlan=<plan>` with the role named the same in every account.
 * Numbers are strings, as in the syntax reference's examples.
 */
export function backupPolicyContent(plans: readonly ResolvedBackupPlan[], options: BackupDestinations & { readonly regions: readonly string[]; readonly roleName: string }): Record<string, unknown> {
  const lifecycle = (days: number) => ({ delete_after_days: assign(String(days)) });
  const copy = (arn: string, days: number) => [arn, { target_backup_vault_arn: assign(arn), lifecycle: lifecycle(days) }] as const;
  return {
    plans: Object.fromEntries(plans.map((plan) => [plan.name, {
      regions: assign([...options.regions]),
      rules: Object.fromEntries(plan.rules.map((rule) => {
        const copies = [
          ...(rule.drCopyDays !== undefined && options.drVaultArn ? [copy(options.drVaultArn, rule.drCopyDays)] : []),
          ...(rule.centralCopyDays !== undefined && options.centralVaultArn ? [copy(options.centralVaultArn, rule.centralCopyDays)] : []),
        ];
        return [rule.frequency, {
          schedule_expression: assign(rule.schedule),
          start_backup_window_minutes: assign(String(rule.startWindowMinutes)),
          complete_backup_window_minutes: assign(String(rule.completionWindowMinutes)),
          target_backup_vault_name: assign(options.vaultName),
          lifecycle: lifecycle(rule.retentionDays),
          ...(copies.length > 0 ? { copy_actions: Object.fromEntries(copies) } : {}),
        }];
      })),
      selections: {
        tags: {
          [plan.name]: {
            iam_role_arn: assign(`arn:aws:iam::$account:role/${options.roleName}`),
            tag_key: assign(BACKUP_PLAN_TAG),
            tag_value: assign([plan.name]),
          },
        },
      },
    }])),
  };
}

export interface AccountBackupPlansProps extends BackupDestinations {
  /** Plans with their rules resolved. */
  readonly plans: readonly ResolvedBackupPlan[];
  /** Prefix of the plan names: `<prefix>-<plan>`. */
  readonly namePrefix: string;
  /** Role AWS Backup assumes to back the selected resources up. */
  readonly roleArn: string;
  /** Resources the selections must wait for (the role's policy attachments). @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The plans of one account when no organisation backup policy covers it: one `aws_backup_plan` per plan and one
 * `aws_backup_selection` choosing the resources tagged `BackupPlan=<plan>`.
 */
export class AccountBackupPlans extends Construct {
  readonly plans: BackupPlan[] = [];
  readonly selections: BackupSelection[] = [];

  constructor(scope: Construct, id: string, props: AccountBackupPlansProps) {
    super(scope, id);
    for (const plan of props.plans) {
      const created = new BackupPlan(this, `plan-${plan.name}`, {
        provider: props.provider,
        name: `${props.namePrefix}-${plan.name}`,
        rule: plan.rules.map((rule) => ({
          ruleName: rule.frequency,
          targetVaultName: props.vaultName,
          schedule: rule.schedule,
          startWindow: rule.startWindowMinutes,
          completionWindow: rule.completionWindowMinutes,
          lifecycle: { deleteAfter: rule.retentionDays },
          copyAction: [
            ...(rule.drCopyDays !== undefined && props.drVaultArn ? [{ destinationVaultArn: props.drVaultArn, lifecycle: { deleteAfter: rule.drCopyDays } }] : []),
            ...(rule.centralCopyDays !== undefined && props.centralVaultArn ? [{ destinationVaultArn: props.centralVaultArn, lifecycle: { deleteAfter: rule.centralCopyDays } }] : []),
          ],
        })),
      });
      this.plans.push(created);
      this.selections.push(new BackupSelection(this, `selection-${plan.name}`, {
        provider: props.provider,
        name: `${BACKUP_PLAN_TAG}-${plan.name}`.slice(0, 50),
        planId: created.id,
        iamRoleArn: props.roleArn,
        selectionTag: [{ type: 'STRINGEQUALS', key: BACKUP_PLAN_TAG, value: plan.name }],
        dependsOn: props.dependsOn,
      }));
    }
  }
}
