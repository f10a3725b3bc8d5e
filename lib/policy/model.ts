/**
 * The rule model of the built-in policy pack. Rules read the synthesized Terraform JSON of one stack, resolved
 * (snake_case keys, tokens rendered as `${type.name.attr}` interpolations), so they see exactly what Terraform sees.
 */

import { isProduction as isProductionAccount } from '../environment';
import { findSecret } from '../secret-values';

export type Severity = 'error' | 'warning';

/** A Terraform JSON value as synthesized: strings, numbers, booleans, objects, lists. */
export type Json = unknown;
export type JsonObject = Record<string, unknown>;

/**
 * One checked thing: a resource (`aws_s3_bucket.logs_AB12`), or a stack-level pseudo resource:
 * `terraform.backend` (type) for the backend block, `provider.aws` (type) for each AWS provider block.
 */
export interface ResourceView {
  /** Terraform type, e.g. `aws_s3_bucket`, or `terraform.backend` / `provider.aws`. */
  readonly type: string;
  /** Logical name (`friendlyUniqueId`); the backend type (`s3`, `local`); or the provider alias (`default`). */
  readonly name: string;
  /** `type.name` as Terraform prints it in plans. */
  readonly address: string;
  /** The resolved Terraform configuration of the block (without cdktf's `//` metadata). */
  readonly config: JsonObject;
  /** Construct path, when the block comes from a construct. */
  readonly path?: string;
}

export interface StackView {
  /** The stack id, e.g. `acme-apps-prd-databases`. */
  readonly id: string;
  /** Account environment (`prd`, `devstg`, ...): from the layer context, else the provider's Environment default tag. */
  readonly environment?: string;
  /** The stack may keep local state (the backend layer while it bootstraps). */
  readonly localStateAllowed: boolean;
  /** `owner/name` of the project's CI repository (project `ci.githubRepository`), when configured. */
  readonly githubRepository?: string;
  /** Every resource and pseudo resource of the stack. */
  readonly resources: readonly ResourceView[];
  /** Data sources (`data.<type>.<name>` addresses), for following references such as policy documents. */
  readonly dataSources: readonly ResourceView[];
  ofType(...types: string[]): ResourceView[];
  /** Resource or data source by address (`aws_s3_bucket.x` or `data.aws_iam_policy_document.y`). */
  byAddress(address: string): ResourceView | undefined;
}

/** What a failed check returns: one message, several, or nothing when the resource complies. */
export type CheckResult = string | readonly string[] | undefined | void;

export interface Rule {
  /** Stable id, `POL-<SERVICE>-<NNN>`; never reused for another meaning. */
  readonly id: string;
  /** One line: what must hold. */
  readonly title: string;
  /** Why it matters and how to comply; printed in docs/policy.md. */
  readonly description: string;
  readonly severity: Severity;
  /** Matching checkov ids. @default [] */
  readonly checkov?: readonly string[];
  /** Matching AWS Foundational Security Best Practices (FSBP) and CIS AWS Foundations (v1.4 numbering) controls. @default [] */
  readonly controls?: readonly string[];
  /** Resource types the rule inspects (or `terraform.backend` / `provider.aws`). */
  readonly resourceTypes: readonly string[];
  /** Returns the violation(s) of one resource; may look at the rest of the stack for cross-resource checks. */
  check(resource: ResourceView, stack: StackView): CheckResult;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly stack: string;
  /** Terraform address of the offending block. */
  readonly address: string;
  readonly path?: string;
  readonly message: string;
}

export interface SuppressedFinding extends Finding {
  readonly reason: string;
  /** Construct path where the suppression was declared. */
  readonly suppressedAt: string;
}

/** A suppression that matched nothing (stale): printed as a warning so it gets cleaned up. */
export interface UnusedSuppression {
  readonly stack: string;
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

export interface StackReport {
  readonly stack: string;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly unused: readonly UnusedSuppression[];
  /** How many resources each rule inspected in this stack (coverage). */
  readonly inspected: Readonly<Record<string, number>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers over Terraform JSON used by the rules.

export function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `true` or the string `"true"` (a block attribute set through an override or a variable). */
export function truthy(value: Json): boolean {
  return value === true || value === 'true';
}

/** Explicitly false (`false` or `"false"`). */
export function falsy(value: Json): boolean {
  return value === false || value === 'false';
}

/** Nested blocks: cdktf renders a single block as an object and repeated blocks as a list. */
export function blocks(value: Json): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

export function block(value: Json): JsonObject | undefined {
  return blocks(value)[0];
}

/** A string or a list of strings as a list (anything else is dropped). */
export function strings(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** `@@assign` (or the other value-setting operators) of an AWS Organizations policy element. */
export function assigned(element: unknown): unknown {
  return isObject(element as Json) ? (element as JsonObject)['@@assign'] ?? (element as JsonObject)['@@append'] ?? (element as JsonObject)['@@prepend'] : undefined;
}

/**
 * The `plans` of an AWS Organizations backup policy document (a JSON string or an object), by name; empty when the
 * content is not such a document. https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html
 */
export function backupPolicyPlans(content: unknown): [string, JsonObject][] {
  let doc: unknown;
  try {
    doc = typeof content === 'string' ? JSON.parse(content) : content;
  } catch {
    return [];
  }
  if (!isObject(doc as Json) || !isObject((doc as JsonObject).plans)) return [];
  return Object.entries((doc as JsonObject).plans as JsonObject).filter((entry): entry is [string, JsonObject] => isObject(entry[1]));
}

/** A non-empty value that is not an interpolation: something written literally in the code. */
export function isLiteral(value: Json): boolean {
  return typeof value === 'string' ? value.length > 0 && !value.includes('${') : value !== undefined && value !== null;
}

/** Set to something non-empty (literal or reference). */
export function isSet(value: Json): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether any string inside `value` interpolates the resource at `address` (`${aws_s3_bucket.x.id}`, `aws_s3_bucket.x[0]`). */
export function refersTo(value: Json, address: string): boolean {
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRegExp(address)}(?=[.\\[}\\s,)]|$)`);
  const visit = (v: Json): boolean => {
    if (typeof v === 'string') return v.includes('${') && pattern.test(v);
    if (Array.isArray(v)) return v.some(visit);
    if (isObject(v)) return Object.values(v).some(visit);
    return false;
  };
  return visit(value);
}

/** The `type.name` addresses a string interpolates (resources only, not data sources, variables or locals). */
export function referencedAddresses(value: Json): string[] {
  const found = new Set<string>();
  for (const text of strings(value)) {
    if (!text.includes('${')) continue;
    for (const match of text.matchAll(/(?:^|[^A-Za-z0-9_.-])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) found.add(match[1]);
  }
  return [...found];
}

/**
 * Resources of `type` whose `attribute` points at `target`: by interpolation, or by literal equality with one of
 * the target's literal identifiers (`bucket`, `name`) when both sides are written literally.
 */
export function resourcesPointingAt(stack: StackView, type: string | readonly string[], attribute: (config: JsonObject) => Json, target: ResourceView, literalKeys: readonly string[] = ['bucket', 'name']): ResourceView[] {
  const types = typeof type === 'string' ? [type] : type;
  const literals = literalKeys.map((k) => target.config[k]).filter((v): v is string => typeof v === 'string' && isLiteral(v));
  return stack.ofType(...types).filter((r) => {
    const value = attribute(r.config);
    if (refersTo(value, target.address)) return true;
    return strings(value).some((s) => literals.includes(s));
  });
}

/** A stack of a production account, by the same definition the layers use (lib/environment.ts). */
export function isProduction(stack: StackView): boolean {
  return stack.environment !== undefined && isProductionAccount({ environment: stack.environment });
}

// ---------------------------------------------------------------------------------------------------------------
// IAM policy documents.

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly NotAction: string[];
  readonly Resource: string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * The statements of a policy attribute: a JSON string (modules/policy.ts), or a reference to a local
 * `aws_iam_policy_document` data source. `undefined` when the document cannot be read statically
 * (e.g. `${jsonencode(...)}` or a value from remote state): rules then skip it rather than guess.
 */
export function policyStatements(value: Json, stack: StackView): Statement[] | undefined {
  if (isObject(value)) return normalise(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const docRef = /^\$\{(data\.aws_iam_policy_document\.[A-Za-z0-9_-]+)\.json\}$/.exec(text);
  if (docRef) {
    const doc = stack.byAddress(docRef[1]);
    return doc ? fromPolicyDocument(doc.config) : undefined;
  }
  if (text.startsWith('${')) return undefined;
  try {
    return normalise(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function normalise(doc: Json): Statement[] | undefined {
  if (!isObject(doc)) return undefined;
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : [];
  return list.filter(isObject).map((s) => ({
    Sid: typeof s.Sid === 'string' ? s.Sid : undefined,
    Effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
    Action: strings(s.Action),
    NotAction: strings(s.NotAction),
    Resource: strings(s.Resource),
    Principal: s.Principal,
    Condition: isObject(s.Condition) ? (s.Condition as Record<string, Record<string, unknown>>) : undefined,
  }));
}

function fromPolicyDocument(config: JsonObject): Statement[] {
  return blocks(config.statement).map((s) => {
    const principals = blocks(s.principals);
    const principal: Record<string, string[]> = {};
    for (const p of principals) principal[String(p.type)] = [...(principal[String(p.type)] ?? []), ...strings(p.identifiers)];
    const condition: Record<string, Record<string, unknown>> = {};
    for (const c of blocks(s.condition)) condition[String(c.test)] = { ...(condition[String(c.test)] ?? {}), [String(c.variable)]: strings(c.values) };
    return {
      Sid: typeof s.sid === 'string' ? s.sid : undefined,
      Effect: typeof s.effect === 'string' ? s.effect : 'Allow',
      Action: strings(s.actions),
      NotAction: strings(s.not_actions),
      Resource: strings(s.resources),
      Principal: principals.length === 0 ? undefined : principal['*'] ? '*' : principal,
      Condition: Object.keys(condition).length === 0 ? undefined : condition,
    };
  });
}

/** `*` or `{ AWS: '*' }` / `{ AWS: ['*'] }`: anyone. */
export function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  return strings(principal.AWS).includes('*') || strings(principal['*']).includes('*');
}

/** Condition keys (lowercased) used in a statement, with their values flattened to strings. */
export function conditionKeys(statement: Statement): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const operator of Object.values(statement.Condition ?? {})) {
    if (!isObject(operator)) continue;
    for (const [key, value] of Object.entries(operator)) {
      const values = Array.isArray(value) ? value.map(String) : [String(value)];
      keys.set(key.toLowerCase(), [...(keys.get(key.toLowerCase()) ?? []), ...values]);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets in environment variables (Lambda, ECS).

const SECRET_NAME = /(^|[_-])(PASSWORD|PASSWD|PASSPHRASE|PWD|SECRET|SECRETS|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?|AUTH)([_-]|$)/i;
const POINTER_NAME = /[_-](ARN|NAME|ID|PATH|PARAM|PARAMETER|FILE|REF|URL|ENDPOINT|TTL|HEADER)$/i;
const POINTER_VALUE = /^(arn:|\$\{|\/|resolve:|ssm:|secretsmanager:|\{\{resolve:)/;

/**
 * Whether an environment variable looks like it carries a secret: a secret-looking name (PASSWORD, TOKEN,
 * API_KEY...) with a literal value that is not a pointer (ARN, SSM path, reference), or a value shaped like a
 * known credential (lib/secret-values.ts: access keys, private keys, tokens, URLs with a password) whatever its name.
 */
export function looksLikeSecret(name: string, value: Json): boolean {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  if (findSecret(text) !== undefined) return true;
  // A reference to a secret's value copies the secret into plain configuration.
  if (/secret_string|aws_ssm_parameter\.[A-Za-z0-9_-]+\.(insecure_)?value/.test(text)) return true;
  if (!SECRET_NAME.test(name) || POINTER_NAME.test(name)) return false;
  if (text.trim() === '' || POINTER_VALUE.test(text.trim())) return false;
  return !['true', 'false', 'enabled', 'disabled'].includes(text.toLowerCase());
}
