/** Every derived name in one place, so a state key or bucket name is never typed by hand. */

export const MANAGED_BY = 'cdktf';

/** `<project>-<account>-<layer>`: the id passed to `cdktf plan <stack>` and the folder under cdktf.out/stacks. */
export function stackId(project: string, account: string, layer: string): string {
  return `${project}-${account}-${layer}`;
}

/** Leverage naming: one bucket and one lock table per account, both `<project>-<account>-terraform-backend`. */
export function backendBucketName(project: string, account: string): string {
  return `${project}-${account}-terraform-backend`;
}

export function lockTableName(project: string, account: string): string {
  return backendBucketName(project, account);
}

/** Leverage key layout: `<account>/<layer>/terraform.tfstate`. */
export function stateKey(account: string, layer: string): string {
  return `${account}/${layer}/terraform.tfstate`;
}

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** Resource name prefix `<project>-<account>` joined with the given parts. */
export function resourceName(project: string, account: string, ...parts: string[]): string {
  return [project, account, ...parts].filter((p) => p.length > 0).join('-');
}
