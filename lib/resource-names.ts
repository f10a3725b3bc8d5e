/**
 * Checks of the synthesized resources of the whole organisation, after every stack is constructed and before anything
 * is written, against what AWS accepts for names (lib/aws-names.ts): the length and characters of each name, tags, and
 * names two layers would both create where AWS keeps one per account, region or partition (a copied layer file, two
 * layers deriving the same `<project>-<account>-…` name). Each problem names project, account and layer, the config
 * field the name derives from when one does, the resource and the name.
 */
import { GLOBAL_NAMES, NAME_LIMITS, ONE_PER_ACCOUNT, UNIQUE_IN_ACCOUNT, type NameLimit } from './aws-names';
import type { LayerStack } from './layer-stack';
import type { ConfigProblem } from './problems';
import { MAX_TAGS, tagKey, tagValue } from './validators';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name written literally (not an interpolation Terraform resolves at apply). */
function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}

/** Values at a dotted attribute path (`export.name`), through nested blocks written as objects or lists of them. */
function valuesAt(config: JsonObject, path: string): unknown[] {
  let current: unknown[] = [config];
  for (const part of path.split('.')) {
    current = current.flatMap((c) => (Array.isArray(c) ? c : [c])).filter(isObject).map((o) => o[part]).filter((v) => v !== undefined);
  }
  return current;
}

interface Located {
  readonly stack: LayerStack;
  readonly type: string;
  readonly address: string;
  readonly config: JsonObject;
  readonly region: string;
}

function resourcesOf(stack: LayerStack, tf: JsonObject): Located[] {
  const regions = new Map<string, string>();
  const providers = isObject(tf.provider) ? tf.provider.aws : undefined;
  for (const p of (Array.isArray(providers) ? providers : [providers]).filter(isObject)) {
    regions.set(typeof p.alias === 'string' ? `aws.${p.alias}` : 'aws', typeof p.region === 'string' ? p.region : stack.ctx.region);
  }
  const found: Located[] = [];
  for (const [type, byName] of Object.entries(isObject(tf.resource) ? tf.resource : {})) {
    if (!isObject(byName)) continue;
    for (const [name, config] of Object.entries(byName)) {
      if (!isObject(config)) continue;
      const provider = typeof config.provider === 'string' ? config.provider : 'aws';
      found.push({ stack, type, address: `${type}.${name}`, config, region: regions.get(provider) ?? stack.ctx.region });
    }
  }
  return found;
}

/** Dotted paths of the strings of plain config data. */
function configStrings(value: unknown, at = ''): { field: string; text: string }[] {
  if (typeof value === 'string') return [{ field: at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => configStrings(v, `${at}[${i}]`));
  if (!isObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return [];
  return Object.entries(value).flatMap(([k, v]) => configStrings(v, at ? `${at}.${k}` : k));
}

/** Config keys that name things: a string under one of them that a resource name contains is where the name came from. */
const NAMING_KEY = /(name|label|prefix)$/i;

/**
 * Where a derived name comes from: the project and account names it starts with, and the longest string of a naming
 * field of the layer's config (`name`, `tables[0].name`, `s3Replication[0].label`) in the rest of it: the field a user
 * would shorten.
 */
function derivation(stack: LayerStack, name: string): { field?: string; text: string } {
  const { org, account, layer } = stack.ctx;
  const prefix = `${org.project.name}-${account.name}`;
  const rest = name.includes(prefix) ? name.slice(name.indexOf(prefix) + prefix.length) : name;
  const config = account.layers.get(layer)?.config;
  const source = configStrings(config)
    .filter((s) => s.text.length >= 2 && NAMING_KEY.test(s.field.replace(/\[\d+\]$/, '')) && rest.includes(s.text))
    .sort((a, b) => b.text.length - a.text.length)[0];
  const parts = [
    ...(name.includes(org.project.name) ? [`the project name "${org.project.name}" (${org.project.name.length} characters)`] : []),
    ...(name.includes(account.name) ? [`the account name "${account.name}" (${account.name.length} characters)`] : []),
    ...(source ? [`${source.field} ("${source.text}")`] : []),
  ];
  return { field: source?.field, text: parts.length > 0 ? `derived from ${parts.join(', ')}` : 'written by the layer' };
}

function where(stack: LayerStack): Omit<ConfigProblem, 'field' | 'message'> {
  return { project: stack.ctx.org.project.name, account: stack.ctx.account.name, layer: stack.ctx.layer };
}

function limitProblem(r: Located, limit: NameLimit, name: string): ConfigProblem | undefined {
  let broken: string | undefined;
  if (name.length < limit.min || name.length > limit.max) {
    broken = `is ${name.length} characters; AWS accepts ${limit.min === limit.max ? limit.max : `${limit.min} to ${limit.max}`}`;
  } else if (limit.pattern && !limit.pattern.test(name)) {
    broken = `is refused by AWS: it must be ${limit.patternText ?? 'a valid name'}`;
  }
  if (!broken) return undefined;
  const from = derivation(r.stack, name);
  return {
    ...where(r.stack),
    field: from.field ?? r.address,
    message: `${from.field ? `${r.address} ` : ''}${limit.attribute} "${name}" ${broken} (${limit.docs}); ${from.text}: shorten it`,
  };
}

/** Tags of one resource: AWS's key and value rules, and at most 50 together with the provider's default tags. */
function tagProblems(r: Located, defaultTags: ReadonlySet<string>): ConfigProblem[] {
  const tags = isObject(r.config.tags) ? r.config.tags : undefined;
  if (!tags) return [];
  const problems: ConfigProblem[] = [];
  // Lengths and the aws: prefix hold everywhere; the character set only where the service restricts it (IAM, S3).
  const strict = /^aws_(iam|s3)_/.test(r.type);
  for (const [key, value] of Object.entries(tags)) {
    if (key.includes('${')) continue;
    const text = literal(value);
    const bad = [tagKey(key), text === undefined ? undefined : tagValue(text)]
      .find((m) => m !== undefined && (strict || !m.includes('may hold only')));
    if (bad) problems.push({ ...where(r.stack), field: r.address, message: `tags: ${bad}` });
  }
  const total = new Set([...defaultTags, ...Object.keys(tags)]).size;
  if (total > MAX_TAGS) {
    problems.push({ ...where(r.stack), field: r.address, message: `carries ${total} tags with the default tags of the project, account and layer; AWS accepts ${MAX_TAGS}` });
  }
  return problems;
}

interface Claim {
  readonly r: Located;
  readonly name: string;
}

const SCOPE_WORDS = { account: 'in the same account', region: 'in the same account and region', vpc: 'in the same VPC', partition: 'in every AWS account', 'partition-region': 'in every AWS account of the region' };

/**
 * Every name problem of the synthesized stacks of one organisation. `terraformOf` gives a stack's resolved JSON (pass
 * the JSON already resolved for another check: resolving is the costly part). @default stack.toTerraform()
 */
export function resourceNameProblems(stacks: readonly LayerStack[], terraformOf: (stack: LayerStack) => JsonObject = (s) => s.toTerraform() as JsonObject): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const claims = new Map<string, { what: string; scope: keyof typeof SCOPE_WORDS; list: Claim[] }>();
  const claim = (key: string, what: string, scope: keyof typeof SCOPE_WORDS, c: Claim): void => {
    const entry = claims.get(key) ?? { what, scope, list: [] };
    entry.list.push(c);
    claims.set(key, entry);
  };

  for (const stack of stacks) {
    const tf = terraformOf(stack);
    const accountId = stack.ctx.account.id;
    const defaultTags = new Set(Object.keys(stack.tags));
    for (const r of resourcesOf(stack, tf)) {
      for (const limit of NAME_LIMITS.filter((l) => l.type === r.type)) {
        for (const value of valuesAt(r.config, limit.attribute)) {
          const name = literal(value);
          const problem = name === undefined ? undefined : limitProblem(r, limit, name);
          if (problem) problems.push(problem);
        }
      }
      problems.push(...tagProblems(r, defaultTags));
      for (const g of GLOBAL_NAMES.filter((x) => x.type === r.type)) {
        const name = literal(r.config[g.attribute]);
        if (name === undefined) continue;
        const scope = r.type === 'aws_s3_bucket' ? 'partition' : 'partition-region';
        claim(`${scope}/${scope === 'partition' ? '' : r.region}/${r.type}/${name}`, `${r.type} ${g.attribute}`, scope, { r, name });
      }
      for (const u of UNIQUE_IN_ACCOUNT.filter((x) => x.type === r.type)) {
        const name = literal(r.config[u.attribute]);
        if (name === undefined || GLOBAL_NAMES.some((g) => g.type === r.type)) continue;
        // Security group names are unique per VPC; stacks read the same VPC through the same remote-state expression.
        const vpc = r.type === 'aws_security_group' ? String(r.config.vpc_id ?? '') : undefined;
        const scope = vpc !== undefined ? 'vpc' : u.scope;
        const key = `${accountId}/${scope === 'account' ? '' : r.region}/${vpc ?? ''}/${r.type}/${name.toLowerCase()}`;
        claim(key, `${r.type} ${u.attribute}`, scope, { r, name });
      }
      for (const o of ONE_PER_ACCOUNT.filter((x) => x.type === r.type)) {
        claim(`${accountId}/${o.scope === 'account' ? '' : r.region}/${r.type}`, `the ${o.what}`, o.scope, { r, name: '' });
      }
    }
  }

  for (const { what, scope, list } of claims.values()) {
    if (list.length < 2) continue;
    const [first] = list;
    for (const c of list.slice(1)) {
      const other = first.r.stack === c.r.stack ? 'this layer' : `${first.r.stack.ctx.org.project.name}/${first.r.stack.ctx.account.name}/${first.r.stack.ctx.layer}`;
      const subject = c.name ? `${what} "${c.name}"` : what;
      const field = c.name ? derivation(c.r.stack, c.name).field : undefined;
      problems.push({
        ...where(c.r.stack),
        field: field ?? c.r.address,
        message: `${field ? `${c.r.address}: ` : ''}${subject} is also created by ${other} (${first.r.address}) ${SCOPE_WORDS[scope]}` +
          `${scope === 'region' || scope === 'partition-region' || scope === 'vpc' ? ` (${c.r.region})` : ''}: AWS keeps one${c.name ? ' per name' : ''} there, ` +
          `so the second create fails or one layer overwrites the other (a copied layer file? give each layer its own names)`,
      });
    }
  }
  return problems;
}
