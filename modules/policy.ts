/**
 * IAM policy documents as typed data rendered with JSON.stringify. Tokens (ARNs of resources in the same
 * stack) survive as Terraform interpolations, and no data source is needed, so plans stay offline.
 */
import { BUCKET_ALL_ACTIONS, ROLE_ASSUME_ACTIONS } from './perms';

export type Principal = { readonly AWS: string | string[] } | { readonly Service: string | string[] } | { readonly Federated: string };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal | '*';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The service principal of an AWS service, e.g. `firehose.amazonaws.com` or `logs.us-east-1.amazonaws.com`. */
export type ServicePrincipal = `${string}.amazonaws.com`;

export interface ConfusedDeputyConditions {
  /**
   * Only requests the service makes for this account (`aws:SourceAccount`): another account's resource cannot make the
   * service act with this role. @default - no condition
   */
  readonly sourceAccount?: string;
  /** Only requests the service makes for these resources (`aws:SourceArn`, `ArnLike`). @default - no condition */
  readonly sourceArn?: string | readonly string[];
}

/**
 * Trust policy letting an AWS service assume a role, optionally pinned to the source account and resources: the
 * global condition keys AWS recommends against the cross-service confused deputy.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function serviceTrustPolicy(service: ServicePrincipal | string, sourceAccountId?: string, sourceArn?: string | readonly string[]): string {
  const condition: Record<string, Record<string, string | readonly string[]>> = {};
  if (sourceAccountId) condition.StringEquals = { 'aws:SourceAccount': sourceAccountId };
  if (sourceArn !== undefined) condition.ArnLike = { 'aws:SourceArn': sourceArn };
  return policyDocument([{
    Effect: 'Allow',
    Principal: { Service: service },
    Action: oneOrMany(ROLE_ASSUME_ACTIONS),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  }]);
}

/** The statement every bucket policy carries: refuse any request not made over TLS (FSBP S3.5). */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: oneOrMany(BUCKET_ALL_ACTIONS),
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * What resources grant access to: `bucket.grantRead(role)`, `key.grantEncryptDecrypt(role)`. The grants accumulate in
 * one identity policy: a role's inline policy, or a managed policy consumers attach (see modules/role.ts).
 */
export interface Grantable {
  /** Adds a statement to the identity policy; statements with the same Sid are merged. */
  addToPolicy(statement: PolicyStatement): void;
}

/**
 * The statements of one policy document, added over time (each grant adds its own) and rendered once at synth.
 *
 * Statements are kept in the order they were first added, so the document is stable. A statement whose Sid is already
 * present with the same effect, principal, actions and conditions is merged into it (its resources are added), which is
 * how one grant on three buckets reads as one statement over three ARNs; the same Sid with different actions or
 * conditions is a programming error and throws. A statement equal to one already present is dropped, and so is a
 * resource already granted by a broader statement (see `withoutCovered`).
 */
export class PolicyStatements {
  private readonly statements: PolicyStatement[] = [];

  get length(): number {
    return this.statements.length;
  }

  add(statement: PolicyStatement): void {
    const added = this.withoutCovered(statement);
    if (added === undefined) return;
    const same = added.Sid === undefined ? undefined : this.statements.findIndex((s) => s.Sid === added.Sid);
    if (same === undefined || same === -1) {
      if (!this.statements.some((s) => JSON.stringify(s) === JSON.stringify(added))) this.statements.push(added);
      return;
    }
    this.merge(same, added);
  }

  /**
   * Plain grants (Allow, no principal, no condition) overlap when one purpose includes another, e.g. a key granted for
   * decrypt and for encrypt-decrypt: the narrower statement loses the resources the broader one covers (and is dropped
   * when none are left), so each key or bucket appears once, under the broadest grant.
   */
  private withoutCovered(statement: PolicyStatement): PolicyStatement | undefined {
    if (!isPlainGrant(statement)) return statement;
    const acts = asList(statement.Action);
    let resources = asList(statement.Resource);
    for (const existing of this.statements) {
      if (!isPlainGrant(existing) || existing.Sid === statement.Sid) continue;
      const existingActs = asList(existing.Action);
      if (acts.every((a) => existingActs.includes(a))) {
        resources = resources.filter((r) => !asList(existing.Resource).includes(r));
      }
    }
    if (resources.length === 0) return undefined;
    for (const [i, existing] of this.statements.entries()) {
      if (!isPlainGrant(existing) || existing.Sid === statement.Sid) continue;
      const existingActs = asList(existing.Action);
      if (existingActs.every((a) => acts.includes(a))) {
        const left = asList(existing.Resource).filter((r) => !resources.includes(r));
        if (left.length < asList(existing.Resource).length) this.statements[i] = { ...existing, Resource: left.length === 1 ? left[0] : left };
      }
    }
    for (let i = this.statements.length - 1; i >= 0; i--) {
      if (asList(this.statements[i].Resource).length === 0) this.statements.splice(i, 1);
    }
    // Written as given unless a resource was dropped.
    if (resources.length === asList(statement.Resource).length) return statement;
    return { ...statement, Resource: resources.length === 1 ? resources[0] : resources };
  }

  private merge(same: number, statement: PolicyStatement): void {
    const existing = this.statements[same];
    if (shape(existing) !== shape(statement)) {
      throw new Error(`policy statement ${statement.Sid} is added twice with different effect, principal, actions or conditions`);
    }
    const resources = [...asList(existing.Resource), ...asList(statement.Resource).filter((r) => !asList(existing.Resource).includes(r))];
    this.statements[same] = { ...existing, ...(resources.length > 0 ? { Resource: resources.length === 1 ? resources[0] : resources } : {}) };
  }

  /** The statements as they are now. */
  toArray(): PolicyStatement[] {
    return [...this.statements];
  }

  /** The policy document JSON. */
  render(): string {
    return policyDocument(this.statements);
  }
}

function asList(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

function isPlainGrant(s: PolicyStatement): boolean {
  return s.Effect === 'Allow' && s.Principal === undefined && s.Condition === undefined && s.Resource !== undefined;
}

function shape(s: PolicyStatement): string {
  return JSON.stringify([s.Effect, s.Principal, s.Action, s.Condition]);
}

/**
 * A list written the way people write policies: a single action or resource as a string, several as an array. For
 * statements no grant method covers (resource policies, trust policies), with actions from modules/perms.ts.
 */
export function oneOrMany(list: readonly string[]): string | string[] {
  return list.length === 1 ? list[0] : [...list];
}

/**
 * A statement granting `actions` on `resources`, with a single action or resource written as a string the way people
 * write policies. Used by every grant method. `sid` undefined leaves the statement without one (policies written before
 * the grants had none); `condition` narrows the grant (e.g. `kms:ViaService`).
 */
export function allow(
  sid: string | undefined,
  actions: readonly string[],
  resources: string | readonly string[],
  condition?: PolicyStatement['Condition'],
): PolicyStatement {
  return {
    ...(sid === undefined ? {} : { Sid: sid }),
    Effect: 'Allow',
    Action: oneOrMany(actions),
    Resource: oneOrMany(asList(resources)),
    ...(condition ? { Condition: condition } : {}),
  };
}
