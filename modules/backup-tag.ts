/**
 * The one tag AWS Backup selects resources by, shared by the modules that hold data (AuroraCluster, DynamoTable,
 * SecureBucket) and by the backup plans (the organisation backup policy of the organizations layer, or the plans of a
 * backup layer). A resource tagged `BackupPlan=<plan>` is backed up by the rules of plan `<plan>`; untagged resources
 * are not backed up by AWS Backup. One key with the plan name as value (rather than one tag per frequency) keeps a
 * resource in exactly one plan, so no resource is backed up twice by overlapping selections.
 */

/** Tag key of the backup selections. */
export const BACKUP_PLAN_TAG = 'BackupPlan';

/** Plan the data modules tag with unless told otherwise; every plan set (organisation policy or layer) must define it. */
export const DEFAULT_BACKUP_PLAN = 'standard';

/**
 * Which plan backs a resource up: a plan name, or `false` for data that is not backed up by AWS Backup (caches,
 * re-creatable data, replicas). Modules default it to DEFAULT_BACKUP_PLAN (databases, tables) or to `false` (buckets,
 * most of which hold logs or copies).
 */
export type BackupPlanChoice = string | false;

/** AWS Backup plan names and tag values: 1 to 50 letters, digits, `-`, `_`, `.` (BackupPlanName pattern). */
export const BACKUP_PLAN_NAME = /^[A-Za-z0-9_.-]{1,50}$/;

/** The tags selecting a resource for `plan` (none for `false`). */
export function backupPlanTags(plan: BackupPlanChoice): Record<string, string> {
  return plan === false ? {} : { [BACKUP_PLAN_TAG]: plan };
}

/** Problem with a plan choice, or undefined. */
export function backupPlanChoiceProblem(plan: BackupPlanChoice | undefined): string | undefined {
  if (plan === undefined || plan === false) return undefined;
  return BACKUP_PLAN_NAME.test(plan) ? undefined : `"${plan}" must be 1 to 50 letters, digits, hyphens, underscores or dots (an AWS Backup plan name)`;
}
