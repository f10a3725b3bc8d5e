/** Every derived name in one place, so a state key or bucket name is never typed by hand. */
import * as crypto from 'crypto';

export const MANAGED_BY = 'cdktf';

/** `<project>-<account>-<layer>`: the id passed to `cdktf plan <stack>` and the folder under cdktf.out/stacks. */
export function stackId(project: string, account: string, layer: string): string {
  return `${project}-${account}-${layer}`;
}

/**
 * Namespaces shared with every AWS customer. A name there is taken by whoever creates it first, so a project code such
 * as `acme` is not enough: every name carries the owning account's 12-digit id, the one token of config no other
 * AWS customer can hold (globalResourceName).
 */
export type GlobalNamespace = 's3-bucket' | 'cognito-domain';

export interface GlobalNamespaceRules {
  /** What shares the namespace, for messages. */
  readonly description: string;
  readonly min: number;
  readonly max: number;
  /** The page the limits come from. */
  readonly docs: string;
}

export const GLOBAL_NAMESPACES: Readonly<Record<GlobalNamespace, GlobalNamespaceRules>> = {
  's3-bucket': {
    description: 'S3 bucket names (every AWS account of the partition)',
    min: 3,
    max: 63,
    docs: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
  },
  'cognito-domain': {
    description: 'Cognito hosted UI domain prefixes (every AWS account of the region)',
    min: 1,
    max: 63,
    docs: 'https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html',
  },
};

/**
 * A name in a namespace shared with every AWS customer (S3 buckets, Cognito domain prefixes):
 * `<project>-<account>-<parts...>-<accountId>`. Leverage's readable prefix stays in front; the account id at the end
 * makes the name the organisation's own (no other AWS customer can own that account). Check the result with
 * globalNameProblem (LayerStack.globalName does both and reports a problem naming the layer).
 */
export function globalResourceName(project: string, account: string, accountId: string, ...parts: string[]): string {
  return [project, account, ...parts, accountId].filter((p) => p.length > 0).join('-');
}

/** Why `name` cannot be used in `namespace` (length, characters, reserved prefixes and words), or undefined. */
export function globalNameProblem(namespace: GlobalNamespace, name: string): string | undefined {
  const rules = GLOBAL_NAMESPACES[namespace];
  if (name.length < rules.min || name.length > rules.max) {
    return `${name} is ${name.length} characters; ${rules.description} take ${rules.min} to ${rules.max}: shorten the project, account or layer name`;
  }
  if (namespace === 's3-bucket') {
    // Dots are allowed by S3 but break virtual-hosted TLS; names derived here never contain them.
    if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(name)) return `${name} must be lowercase letters, digits and hyphens, starting and ending with a letter or digit`;
    const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
    if (prefix) return `${name} starts with ${prefix}, which S3 reserves`;
    const suffix = ['-s3alias', '--ol-s3', '--x-s3'].find((x) => name.endsWith(x));
    if (suffix) return `${name} ends with ${suffix}, which S3 reserves`;
    return undefined;
  }
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(name)) return `${name} must be lowercase letters, digits and hyphens, starting and ending with a letter or digit`;
  const reserved = ['aws', 'amazon', 'cognito'].find((w) => name.includes(w));
  return reserved ? `${name} contains "${reserved}", which Cognito does not accept in a domain prefix` : undefined;
}

/**
 * An account's state bucket, `<project>-<account>-terraform-backend-<accountId>`: Leverage's name with the account id,
 * because bucket names are global (lib/naming.ts globalResourceName).
 */
export function backendBucketName(project: string, account: string, accountId: string): string {
  return globalResourceName(project, account, accountId, 'terraform-backend');
}

/** The bucket receiving the state bucket's server access logs. */
export function backendLogBucketName(project: string, account: string, accountId: string): string {
  return globalResourceName(project, account, accountId, 'terraform-backend-logs');
}

/** Leverage's lock table `<project>-<account>-terraform-backend`: DynamoDB table names are per account and region, not global. */
export function lockTableName(project: string, account: string): string {
  return `${project}-${account}-terraform-backend`;
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
export function stateBucketArn(project: string, account: string, accountId: string): string {
  return `arn:aws:s3:::${backendBucketName(project, account, accountId)}`;
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
