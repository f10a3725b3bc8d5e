/** AWS Backup: vaults, plans, selections, and the backup policies of AWS Organizations. */
import { assigned, backupPolicyPlans, blocks, isObject, isProduction, isSet, refersTo, resourcesPointingAt, strings, type Json, type ResourceView, type Rule, type StackView } from '../model';

/** Region of the AWS provider a resource uses (`provider = "aws.<alias>"`, else the default provider). */
function regionOf(resource: ResourceView, stack: StackView): string | undefined {
  const alias = typeof resource.config.provider === 'string' && resource.config.provider.startsWith('aws.') ? resource.config.provider.slice(4) : 'default';
  const provider = stack.ofType('provider.aws').find((p) => p.name === alias);
  return typeof provider?.config.region === 'string' ? provider.config.region : undefined;
}

/** Region of a copy destination: a literal vault ARN, or a vault of this stack by reference; undefined when unknowable. */
function destinationRegion(value: Json, stack: StackView): string | undefined {
  if (typeof value !== 'string') return undefined;
  const arn = /^arn:aws[a-z-]*:backup:([a-z0-9-]+):/.exec(value);
  if (arn) return arn[1];
  const vault = stack.ofType('aws_backup_vault').find((v) => refersTo(value, v.address));
  return vault ? regionOf(vault, stack) : undefined;
}

function backupPolicyProblems(content: unknown): string[] {
  const problems: string[] = [];
  for (const [name, plan] of backupPolicyPlans(content)) {
    const selections = isObject(plan.selections) ? plan.selections : {};
    const tags = isObject(selections.tags) ? Object.values(selections.tags).filter(isObject) : [];
    if (isObject(selections.resources)) {
      problems.push(`plan ${name} selects resources by ARN (selections.resources); select by tag so that only tagged data is backed up`);
    }
    if (tags.length === 0) problems.push(`plan ${name} selects no resources by tag`);
    for (const tag of tags) {
      if (typeof assigned(tag.tag_key) !== 'string' || strings(assigned(tag.tag_value)).length === 0) problems.push(`plan ${name} has a tag selection without tag_key and tag_value`);
      if (typeof assigned(tag.iam_role_arn) !== 'string') problems.push(`plan ${name} has a tag selection without iam_role_arn`);
    }
    for (const [ruleName, rule] of Object.entries(isObject(plan.rules) ? plan.rules : {})) {
      if (isObject(rule) && typeof assigned(rule.target_backup_vault_name) !== 'string') problems.push(`rule ${ruleName} of plan ${name} names no target_backup_vault_name`);
    }
  }
  return problems;
}

export const backupRules: Rule[] = [
  {
    id: 'POL-BACKUP-001',
    title: 'Backup vaults are encrypted with a customer managed key',
    description: 'Set `kms_key_arn` to a customer managed key (modules/backup-vault.ts, the backup layer\'s keys). Without it the ' +
      'vault uses the AWS managed `aws/backup` key, whose policy cannot admit another account: copies into or out of the ' +
      'vault across accounts are refused, and access cannot be restricted through the key policy.',
    severity: 'error',
    checkov: ['CKV_AWS_166'],
    controls: ['FSBP Backup.1'],
    resourceTypes: ['aws_backup_vault'],
    check(vault) {
      const key = vault.config.kms_key_arn;
      if (!isSet(key)) return 'kms_key_arn is not set (AWS managed aws/backup key)';
      return typeof key === 'string' && /alias\/aws\/backup$/.test(key) ? 'kms_key_arn is the AWS managed aws/backup key' : undefined;
    },
  },
  {
    id: 'POL-BACKUP-002',
    title: 'Production backup vaults have Vault Lock',
    description: 'In a production account every `aws_backup_vault` has an `aws_backup_vault_lock_configuration`: recovery points ' +
      'cannot be deleted, nor their retention shortened, before the minimum retention (governance mode by default; ' +
      'compliance mode cannot be undone). Other environments are not checked.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_backup_vault'],
    check(vault, stack) {
      if (!isProduction(stack)) return undefined;
      const locks = resourcesPointingAt(stack, 'aws_backup_vault_lock_configuration', (c) => c.backup_vault_name, vault, ['name']);
      return locks.length > 0 ? undefined : `no aws_backup_vault_lock_configuration locks this vault in ${stack.environment}`;
    },
  },
  {
    id: 'POL-BACKUP-003',
    title: 'Production backup plans copy every rule to another region',
    description: 'In a production account every rule of an `aws_backup_plan` has a `copy_action` to a vault in another region ' +
      '(the DR region), so a regional outage or a compromised account region does not take the backups with it. ' +
      'A destination whose region cannot be read (a value from remote state) is accepted.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_backup_plan'],
    check(plan, stack) {
      if (!isProduction(stack)) return undefined;
      const home = regionOf(plan, stack);
      const problems: string[] = [];
      for (const rule of blocks(plan.config.rule)) {
        const destinations = blocks(rule.copy_action).map((c) => c.destination_vault_arn);
        const elsewhere = destinations.some((d) => {
          const region = destinationRegion(d, stack);
          return region === undefined ? isSet(d) : region !== home;
        });
        if (!elsewhere) problems.push(`rule ${String(rule.rule_name)} copies to no vault outside ${home ?? 'its region'}`);
      }
      return problems;
    },
  },
  {
    id: 'POL-BACKUP-004',
    title: 'Backup selections choose resources by tag, never every resource',
    description: 'An `aws_backup_selection` selects with `selection_tag` or `condition` on the BackupPlan tag ' +
      '(modules/backup-tag.ts); a `resources` entry with a wildcard (`*`, `arn:aws:rds:*:*:cluster:*`) backs up everything ' +
      'the role can read, twice where another plan already covers it. Listing exact resource ARNs is accepted.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_backup_selection'],
    check(selection) {
      const wildcards = strings(selection.config.resources).filter((r) => r.includes('*'));
      if (wildcards.length > 0) return `resources ${wildcards.join(', ')} select by wildcard; select by tag`;
      const byTag = isSet(selection.config.selection_tag) || isSet(selection.config.condition);
      return byTag || strings(selection.config.resources).length > 0 ? undefined : 'selects no resource by tag (no selection_tag or condition)';
    },
  },
  {
    id: 'POL-BACKUP-005',
    title: 'Organisation backup policies select by tag and name the vault and role of each plan',
    description: 'An `aws_organizations_policy` of type BACKUP_POLICY selects resources of each plan through `selections.tags` ' +
      '(tag_key, tag_value, iam_role_arn), never `selections.resources`, and every rule names its target_backup_vault_name. ' +
      'AWS Organizations does not check that the vault and role exist in the accounts (the preflight rule PF-BACKUP-001 does).',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_organizations_policy'],
    check(policy) {
      if (policy.config.type !== 'BACKUP_POLICY') return undefined;
      return backupPolicyProblems(policy.config.content);
    },
  },
];
