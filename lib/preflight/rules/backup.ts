/**
 * AWS Backup across accounts: an organisation backup policy names a vault and a role that each account it applies to
 * must create itself (AWS Organizations does not check), and a copy into another account's vault needs that vault's
 * access policy, both vaults' keys and the organisation setting to admit it.
 */
import { assigned, backupPolicyPlans, blocks, isObject, refersTo, strings, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { roleIndex } from '../roles';
import { missingActions, statementsOf } from '../iam';
import { keyLabel, keyStatements, resolveKey } from '../kms';
import { literalString, parseResourceRef, type AccountInfo, type Located, type OrgModel, type StackModel } from '../model';

const BACKUP_DOCS = 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html';
const CROSS_ACCOUNT_DOCS = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html';

/** Resource types whose recovery points keep the source resource's key (not fully managed by AWS Backup). */
const SOURCE_KEY_TYPES: Readonly<Record<string, string>> = {
  aws_rds_cluster: 'kms_key_id',
  aws_db_instance: 'kms_key_id',
  aws_ebs_volume: 'kms_key_id',
};

/** One plan of an organisation backup policy, as it applies to one account. */
interface PolicyPlan {
  readonly name: string;
  readonly regions: readonly string[];
  readonly vaults: readonly string[];
  /** Copy destinations, `$account` still in them. */
  readonly copies: readonly string[];
  readonly roles: readonly string[];
  readonly tags: readonly { key: string; values: readonly string[] }[];
}

function plansOf(content: unknown): PolicyPlan[] {
  return backupPolicyPlans(content).map(([name, plan]) => {
    const rules = Object.values(isObject(plan.rules) ? plan.rules : {}).filter(isObject);
    const selections = isObject(plan.selections) && isObject(plan.selections.tags) ? Object.values(plan.selections.tags).filter(isObject) : [];
    return {
      name,
      regions: strings(assigned(plan.regions)),
      vaults: [...new Set(rules.map((r) => assigned(r.target_backup_vault_name)).filter((v): v is string => typeof v === 'string'))],
      copies: [...new Set(rules.flatMap((r) => Object.values(isObject(r.copy_actions) ? r.copy_actions : {}).map((c) => assigned(isObject(c) ? c.target_backup_vault_arn : undefined))
        .filter((v): v is string => typeof v === 'string')))],
      roles: [...new Set(selections.map((s) => assigned(s.iam_role_arn)).filter((v): v is string => typeof v === 'string'))],
      tags: selections.flatMap((s) => (typeof assigned(s.tag_key) === 'string' ? [{ key: assigned(s.tag_key) as string, values: strings(assigned(s.tag_value)) }] : [])),
    };
  });
}

/** An organisation backup policy with the accounts its attachments cover. */
interface AttachedPolicy extends Located {
  readonly plans: readonly PolicyPlan[];
  readonly accounts: readonly AccountInfo[];
}

/**
 * The accounts a management stack's attachment target covers: the root (every account of the project), an OU (the
 * accounts under it or its child OUs, matched by e-mail), an account resource, or a literal account id.
 */
function coveredBy(org: OrgModel, stack: StackModel, target: unknown): AccountInfo[] {
  const literal = literalString(target);
  if (literal) return org.project.accounts.filter((a) => a.id === literal);
  const ref = parseResourceRef(target);
  if (!ref) return [];
  if (ref.address.startsWith('aws_organizations_organization.')) return [...org.project.accounts];
  const parentOf = (address: string): string | undefined => {
    const r = stack.view.byAddress(address);
    return r ? parseResourceRef(r.config.parent_id)?.address : undefined;
  };
  const accountOf = (resource: ResourceView) => org.project.accounts.find((a) => a.email !== undefined && a.email === resource.config.email);
  if (ref.address.startsWith('aws_organizations_account.')) {
    const r = stack.view.byAddress(ref.address);
    const account = r ? accountOf(r) : undefined;
    return account ? [account] : [];
  }
  return stack.view.ofType('aws_organizations_account').filter((a) => {
    for (let ou = parseResourceRef(a.config.parent_id)?.address, depth = 0; ou && depth < 6; ou = parentOf(ou), depth++) {
      if (ou === ref.address) return true;
    }
    return false;
  }).map(accountOf).filter((a): a is AccountInfo => a !== undefined);
}

function attachedPolicies(org: OrgModel): AttachedPolicy[] {
  return org.resources('aws_organizations_policy').filter(({ resource }) => resource.config.type === 'BACKUP_POLICY').map(({ stack, resource }) => {
    const attachments = stack.view.ofType('aws_organizations_policy_attachment').filter((a) => refersTo(a.config.policy_id, resource.address));
    const accounts = new Map(attachments.flatMap((a) => coveredBy(org, stack, a.config.target_id)).map((a) => [a.id, a]));
    return { stack, resource, plans: plansOf(resource.config.content), accounts: [...accounts.values()] };
  });
}

/** The vaults of an account named `name` in `region`. */
function vaultsNamed(org: OrgModel, accountId: string, region: string, name: string): Located[] {
  return org.resources('aws_backup_vault').filter(({ stack, resource }) =>
    stack.account.id === accountId && stack.regionOf(resource) === region && literalString(resource.config.name) === name);
}

function parseVaultArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:backup:([a-z0-9-]+):(\d{12}):backup-vault:([A-Za-z0-9_-]+)$/.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3] } : undefined;
}

/** Every copy of the organisation: from a vault of one account (and region) into a vault given by ARN. */
interface Copy {
  /** Where the copy is configured (the policy, or the local plan). */
  readonly at: Located;
  readonly source: AccountInfo;
  readonly sourceRegion: string;
  readonly sourceVault: string;
  readonly destination: string;
  /** Tags selecting what is copied (resources whose keys travel with them). */
  readonly tags: readonly { key: string; values: readonly string[] }[];
}

function copies(org: OrgModel): Copy[] {
  const found: Copy[] = [];
  for (const policy of attachedPolicies(org)) {
    for (const account of policy.accounts) {
      for (const plan of policy.plans) {
        for (const region of plan.regions) {
          for (const vault of plan.vaults) {
            for (const arn of plan.copies) {
              found.push({ at: policy, source: account, sourceRegion: region, sourceVault: vault, destination: arn.replace(/\$account/g, account.id), tags: plan.tags });
            }
          }
        }
      }
    }
  }
  for (const { stack, resource } of org.resources('aws_backup_plan')) {
    const selections = stack.view.ofType('aws_backup_selection').filter((s) => refersTo(s.config.plan_id, resource.address));
    const tags = selections.flatMap((s) => blocks(s.config.selection_tag).map((t) => ({ key: String(t.key), values: strings(t.value) })));
    for (const rule of blocks(resource.config.rule)) {
      const vaultRef = parseResourceRef(rule.target_vault_name);
      const vault = literalString(rule.target_vault_name) ?? (vaultRef ? literalString(stack.view.byAddress(vaultRef.address)?.config.name) : undefined);
      for (const copy of blocks(rule.copy_action)) {
        const destination = literalString(copy.destination_vault_arn);
        if (vault && destination) found.push({ at: { stack, resource }, source: stack.account, sourceRegion: stack.regionOf(resource), sourceVault: vault, destination, tags });
      }
    }
  }
  return found;
}

const KEY_USE = ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey'];

/** Keys (with a label) that must admit the destination account of a cross-account copy. */
function sourceKeys(org: OrgModel, copy: Copy): { key: Located; what: string }[] {
  const keys: { key: Located; what: string }[] = [];
  for (const vault of vaultsNamed(org, copy.source.id, copy.sourceRegion, copy.sourceVault)) {
    const ref = resolveKey(org, vault.stack, vault.resource.config.kms_key_arn);
    if (ref.kind === 'key') keys.push({ key: ref.key, what: `the key of vault ${copy.sourceVault} of ${copy.source.name}` });
  }
  for (const [type, attribute] of Object.entries(SOURCE_KEY_TYPES)) {
    for (const { stack, resource } of org.resources(type)) {
      if (stack.account.id !== copy.source.id || stack.regionOf(resource) !== copy.sourceRegion) continue;
      const tags = isObject(resource.config.tags) ? resource.config.tags : {};
      if (!copy.tags.some((t) => strings(tags[t.key]).some((v) => t.values.includes(v)))) continue;
      const ref = resolveKey(org, stack, resource.config[attribute]);
      if (ref.kind === 'key') keys.push({ key: ref.key, what: `the key of ${resource.address} (${stack.id}), whose recovery points keep it` });
    }
  }
  return keys;
}

export const backupRules: PreflightRule[] = [
  {
    id: 'PF-BACKUP-001',
    family: 'cross-account',
    title: 'Every account an organisation backup policy applies to has the vaults and the role the policy names, in each of its regions',
    docs: BACKUP_DOCS,
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const policy of attachedPolicies(org)) {
        for (const account of policy.accounts) {
          for (const plan of policy.plans) {
            const missing: string[] = [];
            for (const region of plan.regions) {
              for (const vault of plan.vaults) {
                if (vaultsNamed(org, account.id, region, vault).length === 0) missing.push(`vault ${vault} in ${region}`);
              }
            }
            for (const arn of plan.copies) {
              const target = parseVaultArn(arn.replace(/\$account/g, account.id));
              if (target && vaultsNamed(org, target.accountId, target.region, target.name).length === 0) {
                const owner = org.accountById(target.accountId)?.name ?? target.accountId;
                missing.push(`copy destination vault ${target.name} of ${owner} in ${target.region}`);
              }
            }
            for (const roleArn of plan.roles) {
              const name = /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn.replace(/\$account/g, account.id))?.[1];
              const exists = org.resources('aws_iam_role').some(({ stack, resource }) => stack.account.id === account.id && literalString(resource.config.name) === name);
              if (name && !exists) missing.push(`role ${name}`);
            }
            if (missing.length === 0) continue;
            hits.push({
              stack: policy.stack.id,
              address: policy.resource.address,
              message: `plan ${plan.name} applies to account ${account.name} (${account.id}), but no layer creates its ${missing.join(', ')}: AWS Organizations accepts the policy and every backup or copy job there fails`,
              fix: `declare a backup layer in ${account.name} (it creates the vaults and the role the policies name), or detach the policy from that account`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-BACKUP-002',
    family: 'cross-account',
    title: 'A backup copy into another account is admitted by the destination vault policy and key, the source keys, and the organisation',
    docs: CROSS_ACCOUNT_DOCS,
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const organisationAccount = roleIndex(org).organisationAccount;
      const crossAccountOn = org.resources('aws_backup_global_settings').some(({ stack, resource }) =>
        stack.account.id === organisationAccount?.id && isObject(resource.config.global_settings) &&
        String(resource.config.global_settings.isCrossAccountBackupEnabled) === 'true');
      const seen = new Set<string>();
      for (const copy of copies(org)) {
        const target = parseVaultArn(copy.destination);
        if (!target || target.accountId === copy.source.id) continue;
        const owner = org.accountById(target.accountId);
        const label = `copies from ${copy.source.name} (${copy.source.id}) into vault ${target.name} of ${owner?.name ?? target.accountId} in ${target.region}`;
        const once = (hit: Hit): void => {
          const k = `${hit.stack}\u0000${hit.address}\u0000${hit.message}`;
          if (!seen.has(k)) hits.push(hit);
          seen.add(k);
        };
        if (!crossAccountOn) {
          once({
            stack: copy.at.stack.id, address: copy.at.resource.address,
            message: `${label}, but no layer of the management account turns cross-account backup on (aws_backup_global_settings isCrossAccountBackupEnabled): the copy jobs fail`,
            fix: 'name the central account in the organizations layer\'s backup policy (centralAccount), which turns the setting on',
          });
        }
        for (const vault of vaultsNamed(org, target.accountId, target.region, target.name)) {
          const policies = vault.stack.view.ofType('aws_backup_vault_policy').filter((p) =>
            refersTo(p.config.backup_vault_name, vault.resource.address) || p.config.backup_vault_name === target.name);
          const statements = policies.flatMap((p) => statementsOf(vault.stack, p.config.policy));
          if (missingActions(statements, { accountId: copy.source.id }, ['backup:CopyIntoBackupVault']).length > 0) {
            once({
              stack: vault.stack.id, address: vault.resource.address,
              message: `${copy.at.stack.id}: ${label}, but the vault's access policy does not allow account ${copy.source.id} backup:CopyIntoBackupVault`,
              fix: `add an aws_backup_vault_policy allowing backup:CopyIntoBackupVault to arn:aws:iam::${copy.source.id}:root`,
            });
          }
          const key = resolveKey(org, vault.stack, vault.resource.config.kms_key_arn);
          if (key.kind === 'key') {
            const missing = missingActions(keyStatements(key.key), { accountId: copy.source.id }, [...KEY_USE, 'kms:GenerateDataKey']);
            if (missing.length > 0) {
              once({
                stack: key.key.stack.id, address: key.key.resource.address,
                message: `${label}, but the destination vault's key (${keyLabel(key)}) does not allow account ${copy.source.id} ${missing.join(', ')}`,
                fix: `add a key policy statement for arn:aws:iam::${copy.source.id}:root with ${missing.join(', ')}`,
              });
            }
          }
        }
        for (const { key, what } of sourceKeys(org, copy)) {
          const missing = missingActions(keyStatements(key), { accountId: target.accountId }, KEY_USE);
          if (missing.length === 0) continue;
          once({
            stack: key.stack.id, address: key.resource.address,
            message: `${label}, but ${what} does not allow the destination account ${target.accountId} ${missing.join(', ')}: the copy job fails`,
            fix: `add a key policy statement for arn:aws:iam::${target.accountId}:root with ${missing.join(', ')} (kms:CreateGrant with kms:GrantIsForAWSResource)`,
          });
        }
      }
      return hits;
    },
  },
];
