/**
 * Checks of config values shared by every layer kind and module, so one kind of field gets one rule and one message
 * wherever it appears (a log retention is AWS's list of retentions in every layer, an account name is a known account
 * of the organisation). Each check returns a message, or `undefined` when the value is good; the caller names the
 * field, and the loader adds project, account and layer (`acme/security/audit: logGroupRetentionDays: 90 is ...`):
 *
 *   const problems = new FieldProblems();
 *   problems.check('logGroupRetentionDays', logRetentionDays(config.logGroupRetentionDays ?? 365, { atLeast: 365 }));
 *   problems.nest('cache', cacheClusterPropProblems(props));
 *   return problems.list;
 *
 * Why no schema library (zod, valibot): configs are TypeScript modules typed by each layer's config interface, so
 * shapes and types are already checked by the compiler, with the `@default` documentation next to each field. What is
 * left are domain rules: AWS limits, lists AWS accepts, relations between fields and references to other accounts and
 * layers of the organisation. As schema refinements they would read no better than these named functions, would need a
 * second declaration of every config type (or types inferred from schemas, losing the interfaces users read), and their
 * error paths would still have to be mapped to FieldProblem.
 */
import { parseCidr } from './cidr';
import type { FieldProblem } from './layer-stack';
import type { Organisation } from './model';

/** A check's verdict: the problem, or undefined when the value is acceptable. */
export type Check = string | undefined;

/** Collects the problems of one config (or one module's props), each under its field name. */
export class FieldProblems {
  private readonly problems: FieldProblem[] = [];

  /** Every problem recorded so far, in order. */
  get list(): FieldProblem[] {
    return [...this.problems];
  }

  /** Records `message` under `field` when there is one; checks return undefined for good values. */
  check(field: string, message: Check): this {
    if (message !== undefined) this.problems.push({ field, message });
    return this;
  }

  /** Records a problem that needs no check function (a relation between fields, a rule of this layer only). */
  add(field: string, message: string): this {
    this.problems.push({ field, message });
    return this;
  }

  /** Records the problems of a nested object (a module's props, a list entry) under `prefix.`. */
  nest(prefix: string, problems: readonly FieldProblem[]): this {
    for (const p of problems) this.problems.push({ field: p.field ? `${prefix}.${p.field}` : prefix, message: p.message });
    return this;
  }
}

/** Formats choices as `a, b or c`. */
export function choiceList(choices: readonly (string | number)[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

// --- numbers --------------------------------------------------------------------------------------------------------

/**
 * The retentions CloudWatch Logs accepts for a log group (`PutRetentionPolicy` `retentionInDays`); any other number is
 * refused by the API at apply time. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export interface LogRetentionOptions {
  /** Lowest acceptable retention for this log group (e.g. 365 for audit trails). @default - any retention AWS accepts */
  readonly atLeast?: number;
  /** Why the lower bound, completing "… is below the N days …". @default 'this log group needs' */
  readonly reason?: string;
}

/** A CloudWatch Logs retention: one of AWS's values, and at least `atLeast` when given. */
export function logRetentionDays(days: number, options: LogRetentionOptions = {}): Check {
  if (!LOG_RETENTION_DAYS.includes(days)) return `${days} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(', ')})`;
  if (options.atLeast !== undefined && days < options.atLeast) {
    return `${days} is below the ${options.atLeast} days ${options.reason ?? 'this log group needs'}`;
  }
  return undefined;
}

/** A whole number from `min` to `max` inclusive; `unit` (e.g. `seconds`) completes the message. */
export function integerBetween(value: number, min: number, max: number, unit?: string): Check {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `${value} must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}`;
}

/** A whole number of at least `min` (a count, a size, a number of days). */
export function integerAtLeast(value: number, min: number, unit?: string): Check {
  if (Number.isInteger(value) && value >= min) return undefined;
  return `${value} must be a whole number of at least ${min}${unit ? ` ${unit}` : ''}`;
}

/** A whole number above zero. */
export function positiveInteger(value: number): Check {
  return Number.isInteger(value) && value > 0 ? undefined : `${value} must be a positive whole number`;
}

// --- strings --------------------------------------------------------------------------------------------------------

/** One of a fixed set of values (an enum the TypeScript type already names, checked again for plain-JS configs). */
export function oneOf<T extends string | number>(value: T, choices: readonly T[]): Check {
  return choices.includes(value) ? undefined : `"${String(value)}" must be ${choiceList(choices)}`;
}

export interface NameRule {
  /** Longest name the service accepts. */
  readonly maxLength: number;
  /** Characters and shape the service accepts. @default - any characters */
  readonly pattern?: RegExp;
  /** The pattern in words, completing `"x" must be …`. @default 'a valid name' */
  readonly described?: string;
}

/** A name with the length and character limits of the AWS service that will hold it. */
export function awsName(name: string, rule: NameRule): Check {
  if (name.length === 0) return 'must not be empty';
  if (name.length > rule.maxLength) return `"${name}" is longer than the ${rule.maxLength} characters AWS allows`;
  if (rule.pattern && !rule.pattern.test(name)) return `"${name}" must be ${rule.described ?? 'a valid name'}`;
  return undefined;
}

/** An IPv4 CIDR block (network address, no host bits). */
export function cidrBlock(text: string): Check {
  const parsed = parseCidr(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An e-mail address (account root e-mails, alarm and budget subscriptions). */
export function emailAddress(text: string): Check {
  return EMAIL.test(text) ? undefined : `"${text}" is not an e-mail address`;
}

export interface ArnRule {
  /** Service part of the ARN, e.g. `iam`, `organizations`, `kms`. */
  readonly service: string;
  /** What follows `arn:<partition>:<service>:<region>:<account>:`. @default - any resource */
  readonly resource?: RegExp;
  /** Region part. @default - any region, or none (global services) */
  readonly region?: RegExp;
  /** Whether the ARN names an account (S3 bucket ARNs do not). @default true */
  readonly hasAccount?: boolean;
  /** The ARN in words, completing `"x" is not …`, e.g. `an IAM role or user ARN`. */
  readonly described: string;
}

/** An ARN of the given service (and resource type), in any AWS partition, with a 12-digit account when it has one. */
export function arnOf(text: string, rule: ArnRule): Check {
  const match = /^arn:aws(?:-[a-z]+)*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(text);
  const ok = match !== null && match[1] === rule.service && (rule.region === undefined || rule.region.test(match[2]))
    && (match[3] !== '') === (rule.hasAccount ?? true) && (rule.resource === undefined || rule.resource.test(match[4]));
  return ok ? undefined : `"${text}" is not ${rule.described}`;
}

/** IAM principals a trust or Lake Formation setting may name. */
export const IAM_ROLE_OR_USER: ArnRule = { service: 'iam', resource: /^(role|user)\/[\w+=,.@/-]+$/, described: 'an IAM role or user ARN' };
export const IAM_PRINCIPAL: ArnRule = {
  service: 'iam', resource: /^(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, described: 'an account root, role or user ARN',
};

/** A six-field `cron(...)` schedule expression (EventBridge, Glue). */
export function cronExpression(text: string): Check {
  return /^cron\(\S+( \S+){5}\)$/.test(text) ? undefined : `"${text}" must be a six-field cron() expression`;
}

/** The first value that appears twice, if any (names of zones, repositories, tables, accounts in a list). */
export function repeated<T>(values: readonly T[]): T | undefined {
  const seen = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

// --- the organisation -----------------------------------------------------------------------------------------------

/** An account of the organisation, by folder name. */
export function knownAccount(org: Organisation, name: string): Check {
  return org.accounts.has(name) ? undefined : `unknown account "${name}" (known: ${[...org.accounts.keys()].join(', ')})`;
}

// --- renamed fields -------------------------------------------------------------------------------------------------

/**
 * A config field that was renamed (e.g. every protection flag became `protect`). The old name is not read any more,
 * and a config loaded without type checks would otherwise lose it silently: refuse it, naming the new one.
 */
export function renamedField(config: object, from: string, to: string): Check {
  return from in config ? `was renamed to ${to}; rename it (${from} is no longer read)` : undefined;
}
