/**
 * Reads a layer's state object the way terraform does, from the S3 settings synthesized into a stack's cdk.tf.json
 * (the backend of its own state, or a `terraform_remote_state` read of another layer's): bucket, key, region, and who
 * to be (the role terraform assumes, or the sandbox's static keys and endpoint). The runner records the version of every
 * state a plan read (serial and lineage, plus the object's ETag and version id) and the values of the outputs it read,
 * so a saved plan can be refused once what it was made from changed, and a plan whose inputs did not change can be
 * skipped (docs/runner.md, "Saved plans").
 *
 * s3rver has no versioning: serial + lineage (terraform's own counter) and the ETag are what both it and S3 give.
 */
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

// Every SDK client warns that SDK releases after January 2027 need Node 22; the pinned version runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Where a state object is and who reads it. */
export interface StateSource {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** S3 endpoint (the sandbox's). @default AWS */
  readonly endpoint?: string;
  readonly pathStyle?: boolean;
  /** Static keys (the sandbox's). @default the caller's credential chain */
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** Role to assume first, as terraform does for this backend or remote-state read. @default none */
  readonly roleArn?: string;
}

/** Which version of a state object: all undefined but `missing` when there is no object. */
export interface StateVersion {
  readonly missing?: true;
  readonly serial?: number;
  readonly lineage?: string;
  readonly etag?: string;
  /** S3 object version id (versioned buckets; s3rver has none). */
  readonly versionId?: string;
}

export interface StateSnapshot {
  readonly version: StateVersion;
  /** Output values by name (`{}` when the object is missing). */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export type StateReader = (source: StateSource) => Promise<StateSnapshot>;

/** The S3 settings of a backend (`terraform.backend.s3`) or a `terraform_remote_state` config, as synthesized. */
export function stateSourceOf(config: Readonly<Record<string, unknown>>): StateSource | undefined {
  const { bucket, key, region } = config;
  if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
  const endpoints = config.endpoints as { s3?: string } | undefined;
  const role = config.assume_role as { role_arn?: string } | undefined;
  return {
    bucket, key, region: typeof region === 'string' ? region : 'us-east-1',
    ...(endpoints?.s3 ? { endpoint: endpoints.s3 } : {}),
    ...(config.use_path_style === true ? { pathStyle: true } : {}),
    ...(typeof config.access_key === 'string' ? { accessKey: config.access_key, secretKey: String(config.secret_key ?? '') } : {}),
    ...(typeof role?.role_arn === 'string' ? { roleArn: role.role_arn } : {}),
  };
}

interface SynthesizedStack {
  readonly terraform?: { readonly backend?: { readonly s3?: Record<string, unknown> } };
  readonly data?: { readonly terraform_remote_state?: Readonly<Record<string, { backend?: string; config?: Record<string, unknown> }>> };
}

/** A stack's own state (its S3 backend), undefined for local state. */
export function ownStateSource(synthesized: SynthesizedStack): StateSource | undefined {
  const s3 = synthesized.terraform?.backend?.s3;
  return s3 ? stateSourceOf(s3) : undefined;
}

/** Every S3 `terraform_remote_state` read of a stack, by its block name. */
export function remoteStateSources(synthesized: SynthesizedStack): Map<string, StateSource> {
  const found = new Map<string, StateSource>();
  for (const [name, block] of Object.entries(synthesized.data?.terraform_remote_state ?? {})) {
    const source = block.backend === 's3' && block.config ? stateSourceOf(block.config) : undefined;
    if (source) found.set(name, source);
  }
  return found;
}

/** The credentials of a source: static keys, the caller's chain, or a role assumed from the caller's chain. */
export async function credentialsFor(source: StateSource): Promise<NonNullable<S3ClientConfig['credentials']>> {
  if (source.accessKey !== undefined) return { accessKeyId: source.accessKey, secretAccessKey: source.secretKey ?? '' };
  const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  if (!source.roleArn) return fromNodeProviderChain();
  return fromTemporaryCredentials({ params: { RoleArn: source.roleArn, RoleSessionName: 'cdktf-runner-state-version' }, masterCredentials: fromNodeProviderChain() });
}

/** Parses a state document: serial, lineage and output values. Throws on anything that is not a JSON object. */
export function parseStateDocument(text: string): { serial?: number; lineage?: string; outputs: Record<string, unknown> } {
  const doc = JSON.parse(text) as { serial?: unknown; lineage?: unknown; outputs?: Record<string, { value?: unknown }> };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  return {
    ...(typeof doc.serial === 'number' ? { serial: doc.serial } : {}),
    ...(typeof doc.lineage === 'string' ? { lineage: doc.lineage } : {}),
    outputs: Object.fromEntries(Object.entries(doc.outputs ?? {}).map(([name, o]) => [name, o?.value ?? null])),
  };
}

/**
 * Reads state objects through the AWS SDK with one client per (endpoint, region, identity). Real AWS: the caller's
 * credentials assume the role the synthesized settings name, as terraform does; the sandbox: its static keys.
 */
export function s3StateReader(): StateReader & { close(): void } {
  const clients = new Map<string, Promise<S3Client>>();
  const clientFor = (source: StateSource): Promise<S3Client> => {
    const id = JSON.stringify([source.endpoint, source.region, source.roleArn, source.accessKey]);
    let client = clients.get(id);
    if (!client) {
      client = credentialsFor(source).then((credentials) => new S3Client({
        region: source.region, credentials,
        ...(source.endpoint ? { endpoint: source.endpoint } : {}), ...(source.pathStyle ? { forcePathStyle: true } : {}),
      }));
      clients.set(id, client);
    }
    return client;
  };
  const read = async (source: StateSource): Promise<StateSnapshot> => {
    const s3 = await clientFor(source);
    let text: string | undefined;
    let etag: string | undefined;
    let versionId: string | undefined;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
      text = await object.Body?.transformToString();
      etag = object.ETag?.replace(/"/g, '');
      versionId = object.VersionId && object.VersionId !== 'null' ? object.VersionId : undefined;
    } catch (error) {
      if (['NoSuchKey', 'NotFound'].includes((error as { name?: string }).name ?? '')) return { version: { missing: true }, outputs: {} };
      throw new Error(`cannot read the state s3://${source.bucket}/${source.key}${source.roleArn ? ` as ${source.roleArn}` : ''}: ${(error as Error).message}`);
    }
    let parsed: ReturnType<typeof parseStateDocument>;
    try {
      parsed = parseStateDocument(text ?? '');
    } catch (error) {
      throw new Error(`the state s3://${source.bucket}/${source.key} is not a readable Terraform state (${(error as Error).message})`);
    }
    return { version: { serial: parsed.serial, lineage: parsed.lineage, etag, ...(versionId ? { versionId } : {}) }, outputs: parsed.outputs };
  };
  return Object.assign(read, {
    close(): void {
      for (const client of clients.values()) void client.then((c) => c.destroy(), () => undefined);
      clients.clear();
    },
  });
}

/** A reader that reads each object once per run until told it changed (the runner forgets what it writes or applies). */
export interface CachedStates {
  read(source: StateSource): Promise<StateSnapshot>;
  /** The object at bucket/key was (or may have been) written: the next read goes to S3 again. */
  forget(bucket: string, key: string): void;
}

export function cachedStates(reader: StateReader): CachedStates {
  const cache = new Map<string, Promise<StateSnapshot>>();
  const id = (bucket: string, key: string): string => `${bucket}/${key}`;
  return {
    read(source) {
      let pending = cache.get(id(source.bucket, source.key));
      if (!pending) {
        pending = reader(source);
        cache.set(id(source.bucket, source.key), pending);
        pending.catch(() => cache.delete(id(source.bucket, source.key)));
      }
      return pending;
    },
    forget(bucket, key) {
      cache.delete(id(bucket, key));
    },
  };
}

/**
 * Same object version: both missing, or the same lineage, serial and (where both know them) ETag and version id. A
 * version that says nothing (a state the runner cannot read, e.g. local state) is never the same as anything.
 */
export function sameVersion(a: StateVersion | undefined, b: StateVersion | undefined): boolean {
  if (!a || !b) return false;
  if (a.missing || b.missing) return a.missing === b.missing;
  if (a.lineage === undefined || a.serial === undefined) return false;
  if (a.lineage !== b.lineage || a.serial !== b.serial) return false;
  if (a.etag !== undefined && b.etag !== undefined && a.etag !== b.etag) return false;
  if (a.versionId !== undefined && b.versionId !== undefined && a.versionId !== b.versionId) return false;
  return true;
}

/** `serial 4 (lineage 3f2a…)`, `no state`: for messages. */
export function describeVersion(version: StateVersion | undefined): string {
  if (!version) return 'unknown';
  if (version.missing) return 'no state';
  return `serial ${version.serial ?? '?'}${version.lineage ? ` (lineage ${version.lineage.slice(0, 8)}…)` : ''}`;
}
