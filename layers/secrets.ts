import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem, type LayerKind } from '../lib/layer-stack';
import { isProduction } from '../lib/environment';
import { declaredLayer, declaresLayer } from '../lib/layer-presence';
import { refProblems, resolveRef, type RemoteReader, type ValueRef } from '../lib/layer-ref';
import type { LayerContext } from '../lib/model';
import { FieldProblems, oneOf, renamedField } from '../lib/validators';
import { KmsKey } from '../modules/kms-key';
import type { SecretKeyRef } from '../modules/fargate-service';
import { ManagedSecret, managedSecretPropProblems } from '../modules/managed-secret';
import { securityContract } from './security';

export interface SecretRotationConfig {
  /** Rotation function in this account and region (literal ARN or `fromLayer(...)`). */
  readonly functionArn: ValueRef;
  /** Execution role of that function: it reads and writes the value, so the resource policy admits it. */
  readonly functionRoleArn: ValueRef;
  /** `rate(30 days)` or `cron(...)` (UTC). @default 'rate(30 days)' */
  readonly schedule?: string;
}

export interface SecretConfig {
  /**
   * Name below the account prefix: the secret is `<project>/<account>/<name>`, e.g. `api/database`. Letters,
   * digits and `/_+=.@-`; not ending in a hyphen and six characters (that reads as the random ARN suffix).
   */
  readonly name: string;
  /** What the value is and who sets it, e.g. `Connection URL of the api service; set by the DBA`. */
  readonly description: string;
  /**
   * Further IAM role ARNs that may read the value (an `*` after `role/` matches a prefix), e.g. a break-glass role.
   * The layers that reference the secret with `fromSecrets(...)` are readers already. @default []
   */
  readonly readers?: readonly string[];
  /**
   * Rotation by a Lambda function on a schedule. For the master password of an Aurora cluster use the RDS-managed
   * secret of the databases layer instead (RDS rotates it). @default - none: the value's owner puts new versions
   */
  readonly rotation?: SecretRotationConfig;
}

export interface SecretsConfig {
  /** The secrets of the account; only their containers are created, never their values. */
  readonly secrets: readonly SecretConfig[];
  /**
   * `security-layer`: the account's secrets key from the security layer; `own`: a key created in this layer.
   * @default 'security-layer' when the account declares a security layer, otherwise 'own'
   */
  readonly kmsKeySource?: 'security-layer' | 'own';
  /** Days a deleted secret can be restored (7 to 30). @default 30 in production, 7 elsewhere */
  readonly recoveryWindowDays?: number;
  /** Refuse `terraform destroy` of the secrets and of the layer's own key (their values would be lost). @default true */
  readonly protect?: boolean;
}

export const secretsContract = defineContract('secrets', {
  secret_names: { description: 'Full names of the secrets, in config order', mock: ['acme/mock/api/database'] },
  secret_arns: { description: 'ARNs of the secrets, in config order (consumers use fromSecrets(name))', mock: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:acme/mock/api/database-AbCdEf'] },
  kms_key_arn: { description: 'KMS key encrypting the secret values (readers need kms:Decrypt through Secrets Manager)', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000ec7e' },
});

/** Declared name of the secrets layer a reference points at unless it says otherwise. */
export const DEFAULT_SECRETS_LAYER = 'secrets';

/** A secret of this account's secrets layer, named in another layer's config: `fromSecrets('api/database')`. */
export interface SecretRef {
  readonly secretsLayerSecret: string;
  /** One key of a JSON value (ECS injects only that key). @default - the whole value */
  readonly jsonKey?: string;
  /** Name of the secrets layer in the account. @default 'secrets' */
  readonly layer?: string;
}

/** A typed reference to a secret of the account's secrets layer; the layer using it becomes one of its readers. */
export function fromSecrets(name: string, options: { readonly jsonKey?: string; readonly layer?: string } = {}): SecretRef {
  return { secretsLayerSecret: name, ...options };
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as SecretRef).secretsLayerSecret === 'string';
}

/** A principal that reads a secret, as declared by the layer reading it (typed facts, no AWS). */
export interface SecretReader {
  readonly ref: SecretRef;
  /** IAM role ARN that calls GetSecretValue, e.g. an ECS task execution role. */
  readonly principalArn: string;
  /** Where the reference is, for messages. */
  readonly field: string;
}

/** The static side of a layer kind whose config references secrets of the account's secrets layer. */
export interface SecretReadingKind<C> {
  secretReaders(config: C, ctx: LayerContext): SecretReader[];
}

/** Full name of a secret of an account: `<project>/<account>/<name>`. */
export function secretFullName(ctx: LayerContext, name: string): string {
  return `${ctx.org.project.name}/${ctx.account.name}/${name}`;
}

/** The config of the account's secrets layer `layer`, typed by its kind (undefined when it is not an enabled secrets layer). */
function secretsDeclaration(ctx: LayerContext, layer: string): SecretsConfig | undefined {
  const declaration = declaredLayer(ctx.org, ctx.account.name, layer, Secrets);
  return typeof declaration === 'string' ? undefined : declaration.config;
}

/** Problems of a reference at `field`: the secrets layer and the secret must be declared in the account. */
export function secretRefProblems(ctx: LayerContext, field: string, ref: SecretRef): FieldProblem[] {
  const layer = ref.layer ?? DEFAULT_SECRETS_LAYER;
  const config = secretsDeclaration(ctx, layer);
  if (!config) return [{ field, message: `account ${ctx.account.name} has no enabled secrets layer "${layer}" declaring secret "${ref.secretsLayerSecret}"` }];
  if (!(config.secrets ?? []).some((s) => s.name === ref.secretsLayerSecret)) {
    return [{ field, message: `secrets layer ${ctx.account.name}/${layer} declares no secret "${ref.secretsLayerSecret}" (declared: ${(config.secrets ?? []).map((s) => s.name).join(', ') || 'none'})` }];
  }
  if (ref.jsonKey !== undefined && !/^[A-Za-z0-9_.-]+$/.test(ref.jsonKey)) {
    return [{ field, message: `jsonKey "${ref.jsonKey}" must be letters, digits, _ . -` }];
  }
  return [];
}

/** How a consumer reads its references: the secret's ARN (an element of the producer's list) and the key. */
export interface ResolvedSecret {
  readonly secretArn: string;
  readonly jsonKey?: string;
  readonly kmsKeyArn: string;
}

/** Resolves a reference through a typed remote-state read of the secrets layer (checked by secretRefProblems). */
export function resolveSecretRef(ctx: LayerContext, ref: SecretRef, read: RemoteReader): ResolvedSecret {
  const layer = ref.layer ?? DEFAULT_SECRETS_LAYER;
  const config = secretsDeclaration(ctx, layer)!;
  const index = config.secrets.findIndex((s) => s.name === ref.secretsLayerSecret);
  const outputs = read(secretsContract as never, { layer });
  return {
    secretArn: Fn.element(outputs.get('secret_arns') as string[], index) as string,
    jsonKey: ref.jsonKey,
    kmsKeyArn: outputs.get('kms_key_arn') as string,
  };
}

/** The container secrets of an ECS task with the secrets-layer references resolved, and the keys they are encrypted with. */
export interface ContainerSecrets {
  /** Name to a secret ARN (or ARN with `:json-key::`), or to one JSON key of a secret. */
  readonly secrets: Record<string, string | SecretKeyRef>;
  /** The keys of the referenced secrets, in reference order without repeats: the execution role decrypts with them. */
  readonly kmsKeyArns: string[];
}

/**
 * Resolves the `fromSecrets(...)` references among a task's container secrets: each becomes the secret's ARN read from
 * the secrets layer's state (`{ secretArn, jsonKey }` for one key of a JSON value, so that IAM is granted the secret's
 * own ARN and ECS reads the key), and its layer's key is collected. Literal ARNs pass unchanged.
 */
export function resolveContainerSecrets(
  ctx: LayerContext,
  secrets: Readonly<Record<string, string | SecretKeyRef | SecretRef>>,
  read: RemoteReader,
): ContainerSecrets {
  const resolvedSecrets: Record<string, string | SecretKeyRef> = {};
  const keys = new Set<string>();
  for (const [name, value] of Object.entries(secrets)) {
    if (!isSecretRef(value)) {
      resolvedSecrets[name] = value;
      continue;
    }
    const resolved = resolveSecretRef(ctx, value, read);
    keys.add(resolved.kmsKeyArn);
    resolvedSecrets[name] = resolved.jsonKey ? { secretArn: resolved.secretArn, jsonKey: resolved.jsonKey } : resolved.secretArn;
  }
  return { secrets: resolvedSecrets, kmsKeyArns: [...keys] };
}

function readingKind(kind: LayerKind<unknown>): SecretReadingKind<unknown> | undefined {
  const candidate = kind as unknown as Partial<SecretReadingKind<unknown>>;
  return typeof candidate.secretReaders === 'function' ? (candidate as SecretReadingKind<unknown>) : undefined;
}

/** Every reader of each secret of the secrets layer `ctx` describes, from the configs of the account's other layers. */
export function readersOf(ctx: LayerContext): Map<string, SecretReader[]> {
  const readers = new Map<string, SecretReader[]>();
  for (const [layer, declaration] of ctx.account.layers) {
    if (!declaration.enabled || layer === ctx.layer) continue;
    const kind = readingKind(declaration.kind as LayerKind<unknown>);
    if (!kind) continue;
    let found: SecretReader[];
    try {
      found = kind.secretReaders(declaration.config, { ...ctx, layer });
    } catch {
      continue; // that layer's own validate reports its broken config
    }
    for (const reader of found) {
      if ((reader.ref.layer ?? DEFAULT_SECRETS_LAYER) !== ctx.layer) continue;
      readers.set(reader.ref.secretsLayerSecret, [...(readers.get(reader.ref.secretsLayerSecret) ?? []), reader]);
    }
  }
  return readers;
}

/**
 * The secrets of a workload account (issue 14, Leverage secrets-manager): each a Secrets Manager secret encrypted with
 * the account's secrets key (or a key of its own), with a resource policy letting only its readers see the value,
 * and a rotation schedule where a rotation function is configured. Values are never in code, config or state: only
 * the containers are created here, and their owners put the values out of band (docs/workloads.md "secrets").
 * Readers are the layers that reference a secret with `fromSecrets(...)` (their roles are derived from their config)
 * plus `readers` from config.
 */
export class Secrets extends LayerStack {
  static readonly contract = secretsContract;
  /** Holds values that a destroy would lose. */
  static readonly stateful = true;

  static validate(config: SecretsConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    if (!Array.isArray(config.secrets) || config.secrets.length === 0) problems.add('secrets', 'declares no secret');
    const readers = readersOf(ctx);
    const seen = new Set<string>();
    (config.secrets ?? []).forEach((secret, i) => {
      const field = `secrets[${i}]`;
      if (typeof secret.name !== 'string') problems.add(`${field}.name`, 'is missing');
      else if (secret.name.startsWith('/') || secret.name.endsWith('/')) problems.add(`${field}.name`, `"${secret.name}" must not start or end with /`);
      if (seen.has(secret.name)) problems.add(`${field}.name`, `"${secret.name}" is declared twice`);
      seen.add(secret.name);
      if (typeof secret.description !== 'string' || secret.description.trim() === '') {
        problems.add(`${field}.description`, 'must say what the value is and who sets it');
      }
      const derived = (readers.get(secret.name) ?? []).map((r) => r.principalArn);
      if ((secret.readers ?? []).length === 0 && derived.length === 0 && !secret.rotation) {
        problems.add(`${field}.readers`, `no layer of ${ctx.account.name} reads "${secret.name}" with fromSecrets(...) and no reader is listed: nobody could read it`);
      }
      // The secret's own rules (name, description length, readers, schedule), under this config's field names: the config's readers come
      // first so that their indexes match; nobody reading it is reported above, with what to do about it.
      const all = [...(secret.readers ?? []), ...derived];
      problems.nest(field, managedSecretPropProblems({
        name: typeof secret.name === 'string' ? secretFullName(ctx, secret.name) : undefined,
        description: typeof secret.description === 'string' ? secret.description : undefined,
        readers: all.length > 0 ? all : undefined,
        rotation: secret.rotation ? { schedule: secret.rotation.schedule } : undefined,
      }));
      if (secret.rotation) {
        problems.nest(`${field}.rotation.functionArn`, refProblems('', secret.rotation.functionArn));
        problems.nest(`${field}.rotation.functionRoleArn`, refProblems('', secret.rotation.functionRoleArn));
      }
    });
    for (const p of managedSecretPropProblems({ recoveryWindowDays: config.recoveryWindowDays })) problems.add(p.field, p.message);
    if (config.kmsKeySource !== undefined) problems.check('kmsKeySource', oneOf(config.kmsKeySource, ['own', 'security-layer']));
    problems.check('preventDestroy', renamedField(config, 'preventDestroy', 'protect'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: SecretsConfig) {
    super(scope, ctx);
    const protect = config.protect ?? true;
    const read: RemoteReader = (contract, options) => this.remote(contract, options);
    const source = config.kmsKeySource ?? (declaresLayer(ctx, securityContract) ? 'security-layer' : 'own');
    const keyArn = source === 'security-layer'
      ? this.remote(securityContract).get('secrets_kms_key_arn')
      : new KmsKey(this, 'key', {
          alias: this.resourceName('secrets'),
          description: `Encrypts the Secrets Manager secrets of ${ctx.account.name}`,
          accountId: ctx.account.id,
          protect,
        }).arn;
    const readers = readersOf(ctx);
    const secrets = config.secrets.map((s, i) => new ManagedSecret(this, `secret-${i}`, {
      name: secretFullName(ctx, s.name),
      description: s.description,
      kmsKeyArn: keyArn,
      readers: [...new Set([...(readers.get(s.name) ?? []).map((r) => r.principalArn), ...(s.readers ?? [])])],
      recoveryWindowDays: config.recoveryWindowDays ?? (isProduction(ctx.account) ? 30 : 7),
      protect,
      rotation: s.rotation
        ? { functionArn: resolveRef(s.rotation.functionArn, read), functionRoleArn: resolveRef(s.rotation.functionRoleArn, read), schedule: s.rotation.schedule }
        : undefined,
    }));

    this.publish(secretsContract, {
      secret_names: secrets.map((s) => s.name),
      secret_arns: secrets.map((s) => s.arn),
      kms_key_arn: keyArn,
    });
  }
}
