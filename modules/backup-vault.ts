import { BackupVault as BackupVaultResource } from '@cdktf/provider-aws/lib/backup-vault';
import { BackupVaultLockConfiguration } from '@cdktf/provider-aws/lib/backup-vault-lock-configuration';
import { BackupVaultPolicy } from '@cdktf/provider-aws/lib/backup-vault-policy';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, integerBetween } from '../lib/validators';
import { policyDocument, type PolicyStatement } from './policy';

/**
 * AWS Backup Vault Lock. GOVERNANCE: the retention limits hold for everyone but principals allowed
 * `backup:DeleteBackupVaultLockConfiguration`, who can also remove the lock. COMPLIANCE: once `changeableForDays` have
 * passed the lock can no longer be changed or removed by anyone, AWS included, and the vault cannot be deleted while it
 * holds recovery points: choose it deliberately (regulated data), never to try it out.
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 */
export interface BackupVaultLockConfig {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Shortest retention a recovery point may have; shorter backup or copy jobs fail. @default 7 */
  readonly minRetentionDays?: number;
  /** Longest retention a recovery point may have; longer backup or copy jobs fail. @default 3650 */
  readonly maxRetentionDays?: number;
  /** COMPLIANCE only: days (at least 3) during which the lock can still be changed or removed. @default 3 */
  readonly changeableForDays?: number;
}

/** The lock every vault gets unless configured: governance mode, 7 days to 10 years. */
export const DEFAULT_VAULT_LOCK: BackupVaultLockConfig = { mode: 'GOVERNANCE', minRetentionDays: 7, maxRetentionDays: 3650 };

const MAX_DAYS = 36500;

/**
 * Problems of a lock, and of the retentions that will be written into the vault (`where` names the rule): a recovery
 * point outside the lock's range makes its backup or copy job fail.
 */
export function vaultLockProblems(lock: BackupVaultLockConfig, retentions: readonly { readonly days: number; readonly where: string }[] = []): FieldProblem[] {
  const problems = new FieldProblems();
  if (lock.mode !== 'GOVERNANCE' && lock.mode !== 'COMPLIANCE') problems.add('mode', `"${String(lock.mode)}" must be GOVERNANCE or COMPLIANCE`);
  const min = lock.minRetentionDays ?? DEFAULT_VAULT_LOCK.minRetentionDays!;
  const max = lock.maxRetentionDays ?? DEFAULT_VAULT_LOCK.maxRetentionDays!;
  problems.check('minRetentionDays', integerBetween(min, 1, MAX_DAYS, 'days'));
  problems.check('maxRetentionDays', integerBetween(max, 1, MAX_DAYS, 'days'));
  if (min > max) problems.add('maxRetentionDays', `${max} is below minRetentionDays (${min})`);
  if (lock.mode === 'GOVERNANCE' && lock.changeableForDays !== undefined) {
    problems.add('changeableForDays', 'applies to COMPLIANCE mode only (a governance lock stays changeable)');
  }
  if (lock.mode === 'COMPLIANCE') problems.check('changeableForDays', integerBetween(lock.changeableForDays ?? 3, 3, MAX_DAYS, 'days'));
  for (const r of retentions) {
    if (r.days < min) problems.add('minRetentionDays', `${min} is above the ${r.days} days ${r.where} keeps recovery points: AWS Backup would fail those jobs`);
    if (r.days > max) problems.add('maxRetentionDays', `${max} is below the ${r.days} days ${r.where} keeps recovery points: AWS Backup would fail those jobs`);
  }
  return problems.list;
}

/** The vault policy statement letting other accounts of the organisation copy recovery points into the vault. */
export function copyIntoVaultStatement(sourceAccountIds: readonly string[]): PolicyStatement {
  return {
    Sid: 'CopyFromOrganisationAccounts',
    Effect: 'Allow',
    Principal: { AWS: sourceAccountIds.map((id) => `arn:aws:iam::${id}:root`) },
    Action: 'backup:CopyIntoBackupVault',
    Resource: '*',
  };
}

export interface BackupVaultProps {
  /** Vault name, unique per account and region: 2 to 50 letters, digits, hyphens, underscores. */
  readonly name: string;
  /** Customer managed key encrypting the recovery points AWS Backup encrypts itself (and every copy into the vault). */
  readonly kmsKeyArn: string;
  /** Vault Lock; `false` for none (refused in production by the layers and the policy pack). @default DEFAULT_VAULT_LOCK */
  readonly lock?: BackupVaultLockConfig | false;
  /** Accounts allowed to copy recovery points into this vault (a central backup vault). @default [] */
  readonly copySourceAccountIds?: readonly string[];
  /** Refuse `terraform destroy` of the vault (AWS refuses to delete a vault holding recovery points anyway). @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A backup vault encrypted with a customer managed key, with Vault Lock and, for a central vault, the access policy
 * that admits copies from the source accounts.
 */
export class BackupVault extends Construct {
  readonly vault: BackupVaultResource;
  readonly name: string;
  readonly arn: string;
  readonly lock?: BackupVaultLockConfiguration;

  constructor(scope: Construct, id: string, props: BackupVaultProps) {
    super(scope, id);
    const provider = props.provider;
    this.vault = new BackupVaultResource(this, 'vault', {
      provider,
      name: props.name,
      kmsKeyArn: props.kmsKeyArn,
      forceDestroy: false,
      lifecycle: { preventDestroy: props.protect ?? true },
    });
    this.name = this.vault.name;
    this.arn = this.vault.arn;
    const lock = props.lock ?? DEFAULT_VAULT_LOCK;
    if (lock) {
      this.lock = new BackupVaultLockConfiguration(this, 'lock', {
        provider,
        backupVaultName: this.vault.name,
        minRetentionDays: lock.minRetentionDays ?? DEFAULT_VAULT_LOCK.minRetentionDays,
        maxRetentionDays: lock.maxRetentionDays ?? DEFAULT_VAULT_LOCK.maxRetentionDays,
        // Setting changeable_for_days is what makes a lock a compliance lock.
        changeableForDays: lock.mode === 'COMPLIANCE' ? lock.changeableForDays ?? 3 : undefined,
      });
    }
    const sources = props.copySourceAccountIds ?? [];
    if (sources.length > 0) {
      new BackupVaultPolicy(this, 'policy', { provider, backupVaultName: this.vault.name, policy: policyDocument([copyIntoVaultStatement(sources)]) });
    }
  }
}
