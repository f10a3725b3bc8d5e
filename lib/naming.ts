/** Every derived name in one place, so a state key or bucket name is never typed by hand. */
import * as crypto from 'crypto';

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

/**
 * `name` when it has at most `max` characters, otherwise its first characters and a 6-hex-digit hash of the whole name:
 * stable across runs, distinct for distinct names, and still starting with the project prefix. For services whose names
 * are shorter than `<project>-<account>-<purpose>` can be (DAX allows 20 characters).
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = crypto.createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** ARN of an account's state bucket; its objects are `<arn>/*`. */
export function stateBucketArn(project: string, account: string): string {
  return `arn:aws:s3:::${backendBucketName(project, account)}`;
}

export function lockTableArn(project: string, account: string, region: string, accountId: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${lockTableName(project, account)}`;
}

/** Role every remote-state read assumes in the producer's account: it can read that account's state objects, nothing else. */
export const STATE_READER_ROLE_NAME = 'TerraformStateReader';

/** Roles GitHub Actions assumes through OIDC in each account: plan (read-only) and apply (enters the deploy role). */
export const CI_ROLE_NAMES = { plan: 'GitHubActionsPlan', apply: 'GitHubActionsApply' } as const;

/** GitHub's OIDC issuer host: the IAM provider URL is `https://<host>`, its ARN ends `oidc-provider/<host>`, its claims are `<host>:sub`. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export function oidcProviderArn(accountId: string, host: string = GITHUB_OIDC_HOST): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${host}`;
}

/**
 * ARN pattern (for `ArnLike` on `aws:PrincipalArn`) of the roles IAM Identity Center creates in `accountId` for
 * `permissionSet`: `role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<suffix>`. The region
 * segment exists only for instances created after 2020; only Identity Center can create roles under `aws-reserved`.
 */
export function ssoRoleArnPattern(accountId: string, permissionSet: string): string {
  return `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${permissionSet}_*`;
}

/** AWS CLI profile written by `make sso-config` for one account and permission set: `<project>-<account>-<set>`. */
export function ssoProfileName(project: string, account: string, permissionSet: string): string {
  return `${project}-${account}-${permissionSet}`;
}
