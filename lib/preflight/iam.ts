/**
 * Reading IAM-style policy documents of the synthesized JSON (key, bucket, topic, queue, trust policies) and asking
 * them a narrow question: does this document let this principal do these actions in this context? Conditions on
 * keys the caller knows (aws:SourceAccount, aws:SourceArn, kms:EncryptionContext:...) are evaluated; any other
 * condition is assumed satisfiable, so the answer is "not refused by the document", never a false alarm.
 */
import { isObject, policyStatements, strings, type Statement } from '../policy/model';
import { principalArn, type StackModel } from './model';

export type { Statement };

/** Statements of a policy attribute (JSON string or local policy document); [] when not readable statically. */
const parsed = new WeakMap<StackModel, Map<string, Statement[]>>();

export function statementsOf(stack: StackModel, value: unknown): Statement[] {
  if (typeof value !== 'string') return policyStatements(value, stack.view) ?? [];
  let cache = parsed.get(stack);
  if (!cache) parsed.set(stack, (cache = new Map()));
  let statements = cache.get(value);
  if (!statements) cache.set(value, (statements = withResolvedPrincipals(stack, policyStatements(value, stack.view) ?? [])));
  return statements;
}

/** Principal.AWS entries that reference a role (`${aws_iam_service_linked_role.x.arn}`, a remote output) become ARNs. */
function withResolvedPrincipals(stack: StackModel, statements: Statement[]): Statement[] {
  return statements.map((statement) => {
    const p = statement.Principal;
    if (!isObject(p) || !strings(p.AWS).some((a) => a.includes('${'))) return statement;
    const aws = strings(p.AWS).map((a) => (a.includes('${') ? principalArn(stack, a) ?? a : a));
    return { ...statement, Principal: { ...p, AWS: aws } };
  });
}

/** `*` and `?` wildcards, case-insensitive (IAM action and ARN matching). */
const globs = new Map<string, RegExp>();
export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === value.toLowerCase();
  let regex = globs.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    globs.set(pattern, regex);
  }
  return regex.test(value);
}

export function actionAllowedBy(statement: Statement, action: string): boolean {
  if (statement.Action.length > 0) return statement.Action.some((a) => globMatch(a, action));
  if (statement.NotAction.length > 0) return !statement.NotAction.some((a) => globMatch(a, action));
  return false;
}

/** Principal ARNs/ids of the AWS kind, `*` included. */
export function awsPrincipals(statement: Statement): string[] {
  const p = statement.Principal;
  if (p === '*') return ['*'];
  return isObject(p) ? strings(p.AWS) : [];
}

export function servicePrincipals(statement: Statement): string[] {
  const p = statement.Principal;
  return isObject(p) ? strings(p.Service) : [];
}

/** Who asks. */
export type Asker =
  | { readonly service: string }
  /** An IAM role or user; `viaRoot` lets an account-root grant count (IAM policies of that account decide). */
  | { readonly arn: string; readonly accountId: string; readonly viaRoot: boolean }
  /** Any principal of an account (a cross-account grant to the account root is enough). */
  | { readonly accountId: string };

function principalMatches(statement: Statement, asker: Asker): boolean {
  if ('service' in asker) {
    return servicePrincipals(statement).some((s) => s === asker.service) || awsPrincipals(statement).includes('*');
  }
  const aws = awsPrincipals(statement);
  if (aws.includes('*')) return true;
  const root = [`arn:aws:iam::${asker.accountId}:root`, asker.accountId];
  if ('arn' in asker) {
    if (aws.some((p) => p === asker.arn || (p.includes('*') && globMatch(p, asker.arn)))) return true;
    return asker.viaRoot && aws.some((p) => root.includes(p));
  }
  return aws.some((p) => root.includes(p) || p.startsWith(`arn:aws:iam::${asker.accountId}:`));
}

const OPERATORS_EQ = ['stringequals', 'arnequals', 'stringequalsignorecase', 'bool', 'numericequals'];
const OPERATORS_LIKE = ['stringlike', 'arnlike'];

/** False only when a condition on a key in `context` cannot hold for that value. */
function conditionsHold(statement: Statement, context: Readonly<Record<string, string>>): boolean {
  const known = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [rawOperator, entries] of Object.entries(statement.Condition ?? {})) {
    if (!isObject(entries)) continue;
    const operator = rawOperator.toLowerCase().replace(/^for(any|all)value:/, '').replace(/ifexists$/, '');
    for (const [rawKey, rawValues] of Object.entries(entries)) {
      const value = known.get(rawKey.toLowerCase());
      if (value === undefined) continue;
      const values = (Array.isArray(rawValues) ? rawValues : [rawValues]).map(String);
      // A value computed at apply time (`${...}`) may well match: do not guess.
      if (values.some((v) => v.includes('${'))) continue;
      if (OPERATORS_EQ.includes(operator) && !values.some((v) => v.toLowerCase() === value.toLowerCase())) return false;
      if (OPERATORS_LIKE.includes(operator) && !values.some((v) => globMatch(v, value))) return false;
      if ((operator === 'stringnotequals' || operator === 'arnnotequals') && values.some((v) => v.toLowerCase() === value.toLowerCase())) return false;
      if ((operator === 'stringnotlike' || operator === 'arnnotlike') && values.some((v) => globMatch(v, value))) return false;
    }
  }
  return true;
}

/** The actions of `actions` that no Allow statement grants to `asker` in `context` (Deny statements are ignored). */
export function missingActions(
  statements: readonly Statement[],
  asker: Asker,
  actions: readonly string[],
  context: Readonly<Record<string, string>> = {},
  resource?: string,
): string[] {
  const granting = statements.filter((s) => s.Effect === 'Allow' && principalMatches(s, asker) && conditionsHold(s, context) &&
    (resource === undefined || resourceMatches(s, resource)));
  return actions.filter((action) => !granting.some((s) => actionAllowedBy(s, action)));
}

/** Whether a statement's Resource covers `arn` (an interpolated part matches anything; no Resource means any). */
export function resourceMatches(statement: Statement, arn: string): boolean {
  if (statement.Resource.length === 0) return true;
  return statement.Resource.some((r) => globMatch(r.replace(/\$\{[^}]*\}/g, '*'), arn));
}

/** Every literal IAM principal ARN named in Principal.AWS of the statements (no `*`, no bare account ids). */
export function namedPrincipalArns(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => awsPrincipals(s)).filter((p) => p.startsWith('arn:')))];
}
