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

/** A TCP or UDP port: a whole number from 1 to 65535 (listeners, targets, security group rules). */
export function port(value: number): Check {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : `${value} is not a TCP port (a whole number from 1 to 65535)`;
}

/** A percentage above 0 and at most 100 (a scaling target, a share). */
export function percentage(value: number): Check {
  return typeof value === 'number' && value > 0 && value <= 100 ? undefined : `${value} must be a percentage above 0 and at most 100`;
}

/** Field names of the three sizes of a scaling group, as the config spells them (`web.minSize`, `services[0].minCount`). */
export interface CapacityFields {
  readonly min: string;
  readonly desired: string;
  readonly max: string;
}

export interface CapacityOptions {
  /** The group may be sized to nothing (a pilot light, a night schedule). @default false: max is at least 1 */
  readonly allowZeroMax?: boolean;
  /** The largest max the service accepts. @default - no upper limit */
  readonly maxLimit?: number;
}

const lastSegment = (field: string): string => field.slice(field.lastIndexOf('.') + 1);

/**
 * The sizes of a scaling group (an Auto Scaling group, an ECS service's target tracking, an EKS node group): whole
 * numbers, `0 <= min <= desired <= max`, and `max >= 1` unless the group may be empty. AWS refuses the rest at apply
 * (Auto Scaling `ValidationError`, EKS `InvalidParameterException`), or silently scales otherwise than written.
 */
export function capacityProblems(sizes: { readonly min: number; readonly desired: number; readonly max: number }, fields: CapacityFields, options: CapacityOptions = {}): FieldProblem[] {
  const problems = new FieldProblems();
  for (const key of ['min', 'desired', 'max'] as const) problems.check(fields[key], integerAtLeast(sizes[key], 0));
  if (problems.list.length > 0) return problems.list;
  const { min, desired, max } = sizes;
  const [minName, maxName] = [lastSegment(fields.min), lastSegment(fields.max)];
  if (!options.allowZeroMax && max < 1) problems.add(fields.max, `${max} must be at least 1`);
  if (options.maxLimit !== undefined && max > options.maxLimit) problems.add(fields.max, `${max} is more than the ${options.maxLimit} AWS allows`);
  if (min > max) problems.add(fields.min, `${min} is greater than ${maxName} ${max}`);
  else if (desired < min || desired > max) problems.add(fields.desired, `${desired} must be between ${minName} ${min} and ${maxName} ${max}`);
  return problems.list;
}

/** Lambda memory: 128 to 10240 MB in 1 MB steps (CreateFunction `MemorySize`). */
export function lambdaMemoryMb(value: number): Check {
  return integerBetween(value, 128, 10240, 'MB');
}

/** Lambda timeout: 1 to 900 seconds (CreateFunction `Timeout`). */
export function lambdaTimeoutSeconds(value: number): Check {
  return integerBetween(value, 1, 900, 'seconds');
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

/** An EC2 instance type as AWS spells it: family, generation and options, a dot, the size (`m7g.large`, `t3.medium`). */
export function ec2InstanceType(value: string): Check {
  return typeof value === 'string' && /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value) ? undefined : `"${String(value)}" is not an EC2 instance type`;
}

/**
 * A subnet of a VPC: AWS accepts IPv4 subnets from /16 to /28 (CreateSubnet), and keeps five addresses of each.
 * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
export function subnetCidr(text: string): Check {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') return parsed;
  if (parsed.prefix > 28) return `${text} is smaller than the /28 AWS allows for a subnet (16 addresses, 11 usable)`;
  if (parsed.prefix < 16) return `${text} is larger than the /16 AWS allows for a subnet`;
  return undefined;
}

/** Characters AWS accepts in tag keys and values of every service (IAM and S3 are the strictest). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * A tag key: 1 to 128 characters of letters, digits, spaces and `_ . : / = + - @`, not starting with the reserved
 * `aws:` prefix. https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html
 */
export function tagKey(key: string): Check {
  if (key.length < 1 || key.length > 128) return `tag key "${key}" must be 1 to 128 characters`;
  if (/^aws:/i.test(key)) return `tag key "${key}" uses the prefix aws:, which AWS reserves for its own tags`;
  if (!TAG_TEXT.test(key)) return `tag key "${key}" may hold only letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

/** A tag value: at most 256 characters of letters, digits, spaces and `_ . : / = + - @`. */
export function tagValue(value: string): Check {
  if (typeof value !== 'string') return `${String(value)} must be a string`;
  if (value.length > 256) return `"${value.slice(0, 40)}…" is longer than the 256 characters of a tag value`;
  if (!TAG_TEXT.test(value)) return `"${value}" may hold only letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

/** Tags AWS accepts on one resource, its own and the provider's default tags together. */
export const MAX_TAGS = 50;

/** Problems of a tag map, each under `<field>.<key>`. */
export function tagProblems(tags: Readonly<Record<string, string>>): FieldProblem[] {
  const problems = new FieldProblems();
  for (const [key, value] of Object.entries(tags)) {
    problems.check(key, tagKey(key));
    problems.check(key, tagValue(value));
  }
  return problems.list;
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

/** The root e-mail of an account: an address of 6 to 64 characters (Organizations `CreateAccount` `Email`). */
export function accountEmail(text: string): Check {
  const bad = emailAddress(text);
  if (bad) return bad;
  return text.length >= 6 && text.length <= 64 ? undefined : `"${text}" must be 6 to 64 characters (AWS Organizations refuses longer root e-mails)`;
}

/** An IAM role name: 1 to 64 of letters, digits and `+=,.@_-`. */
export const IAM_ROLE_NAME: NameRule = { maxLength: 64, pattern: /^[\w+=,.@-]+$/, described: 'letters, digits and +=,.@_- (an IAM role name)' };

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
