/**
 * Secrets recognised by their VALUE, whatever the field or variable is called: credentials with a well-known shape
 * (AWS access key ids, GitHub, Slack, Stripe, Google and npm tokens, private keys, JSON Web Tokens) and URLs carrying a
 * password (`postgres://app:hunter2@db/app`). The loader refuses a config holding one before anything is synthesized,
 * so it never reaches cdk.tf.json, a plan or a state file; messages show the masked value only (`maskSecret`).
 * The policy pack uses the same patterns over synthesized environment variables (lib/policy/model.ts).
 */

export interface SecretPattern {
  /** What the value is, completing "looks like …". */
  readonly what: string;
  readonly pattern: RegExp;
}

/** A password inside a URL's user-info: `scheme://user:password@host`. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:/@]*):([^\s@/]+)@([^\s/?#]+)/i;

/** What a URL password may be without being one: an interpolation or a placeholder (`${DB_PASSWORD}`, `<password>`). */
const NOT_A_PASSWORD = /^(\$\{.*\}|\$[A-Z_][A-Z0-9_]*|\{\{.*\}\}|<[^>]*>|%[sd(].*|\*+|x+)$/i;

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { what: 'an AWS secret access key assignment', pattern: /aws_?secret_?access_?key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}\b/i },
  { what: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { what: 'a GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}/ },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+/ },
  { what: 'a Stripe live key', pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}/ },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

export interface FoundSecret {
  readonly what: string;
  /** The exact text to keep out of every output (the whole token, or the password of a URL). */
  readonly secret: string;
  /** The value as messages may show it. */
  readonly masked: string;
}

/** Masks a secret: its first characters (a public prefix such as `AKIA`) and its length, never the rest. */
export function maskSecret(secret: string): string {
  const shown = secret.length >= 16 ? secret.slice(0, 4) : '';
  return `${shown}…(${secret.length} characters)`;
}

/** The first secret in `text`, if any. */
export function findSecret(text: string): FoundSecret | undefined {
  const url = URL_PASSWORD.exec(text);
  if (url && !NOT_A_PASSWORD.test(url[3])) {
    return { what: 'a URL with a password', secret: url[3], masked: `${url[1]}://${url[2]}:****@${url[4]}` };
  }
  for (const { what, pattern } of SECRET_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { what, secret: match[0], masked: maskSecret(match[0]) };
  }
  return undefined;
}

/** Replaces every found secret in `text` by its mask (messages that quote a value, e.g. "… is not an ARN"). */
export function redactSecrets(text: string, secrets: readonly FoundSecret[]): string {
  return secrets.reduce((out, s) => out.split(s.secret).join(s.what === 'a URL with a password' ? '****' : maskSecret(s.secret)), text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Every secret in the strings (keys and values) of plain config data, with its dotted path. */
export function secretsIn(value: unknown, at = ''): (FoundSecret & { readonly field: string })[] {
  if (typeof value === 'string') {
    const found = findSecret(value);
    return found ? [{ ...found, field: at }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => secretsIn(v, `${at}[${i}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const field = at ? `${at}.${k}` : k;
    const inKey = findSecret(k);
    return [...(inKey ? [{ ...inKey, field }] : []), ...secretsIn(v, field)];
  });
}
