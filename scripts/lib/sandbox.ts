/**
 * The offline sandbox: s3rver (S3) and dynalite (DynamoDB) on loopback, enough for Terraform's S3 backend
 * with a DynamoDB lock. Neither implements versioning or PITR, so state buckets and lock tables are created
 * here with the AWS SDK instead of by the base-tf-backend layer.
 */
import {
  CreateTableCommand, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { SANDBOX_CREDENTIALS, type SandboxEndpoints } from '../../lib/mode';
import { backendBucketName, lockTableName } from '../../lib/naming';
import { describeHolder, type LockInfo } from './locks';

// Every SDK client warns that SDK releases after January 2027 need Node 22; the pinned version runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface SandboxOptions {
  /** Folder for persistent data (`s3/` and `dynamodb/` inside). */
  readonly dir: string;
  /** 0 picks a free port. */
  readonly s3Port: number;
  readonly dynamodbPort: number;
}

export interface RunningSandbox {
  readonly endpoints: SandboxEndpoints;
  readonly s3Port: number;
  readonly dynamodbPort: number;
  stop(): Promise<void>;
}

interface Closable {
  close(callback: (err?: Error) => void): void;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  /* eslint-disable @typescript-eslint/no-require-imports -- neither package ships types */
  const S3rver = require('s3rver') as new (o: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };
  const dynalite = require('dynalite') as (o: object) => Closable & { listen(port: number, host: string, cb: () => void): void; address(): AddressInfo; on(e: string, cb: (err: Error) => void): void };
  /* eslint-enable @typescript-eslint/no-require-imports */
  fs.mkdirSync(path.join(options.dir, 's3'), { recursive: true });
  fs.mkdirSync(path.join(options.dir, 'dynamodb'), { recursive: true });
  const s3 = new S3rver({ port: options.s3Port, address: '127.0.0.1', directory: path.join(options.dir, 's3'), silent: true });
  const s3Address = await s3.run();
  const dynamo = dynalite({ path: path.join(options.dir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      dynamo.on('error', reject);
      dynamo.listen(options.dynamodbPort, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await s3.close();
    throw error;
  }
  const dynamodbPort = dynamo.address().port;
  return {
    s3Port: s3Address.port,
    dynamodbPort,
    endpoints: { s3: `http://127.0.0.1:${s3Address.port}`, dynamodb: `http://127.0.0.1:${dynamodbPort}` },
    async stop() {
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

function clients(endpoints: SandboxEndpoints) {
  const common = { region: 'us-east-1', credentials: { accessKeyId: SANDBOX_CREDENTIALS.accessKey, secretAccessKey: SANDBOX_CREDENTIALS.secretKey } };
  return {
    s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
  };
}

/** The sandbox cannot or must not be used; the message says why and what to do, in one line. */
export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** The sandbox does not answer (stopped, or never started): the one thing to do is start it. */
export class SandboxUnreachableError extends SandboxError {
  constructor(readonly address: string, reason: string) {
    super(`the sandbox does not answer at ${address} (${reason}): start it with make sandbox-up`);
    this.name = 'SandboxUnreachableError';
  }
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** Runs `work` with fresh clients, always destroys them, and turns a refused connection into SandboxUnreachableError. */
async function withClients<T>(endpoints: SandboxEndpoints, work: (c: ReturnType<typeof clients>) => Promise<T>): Promise<T> {
  const c = clients(endpoints);
  try {
    return await work(c);
  } catch (error) {
    // The SDK may hand back the socket error itself or a wrapper around it (its message keeps `connect ECONNREFUSED <address>`).
    const e = error as { code?: string; address?: string; port?: number; message?: string };
    const code = e.code ?? /\b(E[A-Z]+) /.exec(e.message ?? '')?.[1];
    if (code && CONNECTION_ERRORS.has(code)) {
      const address = e.address ? `${e.address}:${e.port}` : /E[A-Z]+ (\S+:\d+)/.exec(e.message ?? '')?.[1] ?? `${endpoints.s3} / ${endpoints.dynamodb}`;
      throw new SandboxUnreachableError(address, code === 'ECONNREFUSED' ? 'connection refused' : code);
    }
    throw error;
  } finally {
    c.s3.destroy();
    c.dynamodb.destroy();
  }
}

const isMissing = (error: unknown): boolean => ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes((error as { name?: string }).name ?? '');

/** Creates the state bucket and lock table of each account if missing; a second call changes nothing. */
export async function createBackends(endpoints: SandboxEndpoints, accounts: readonly { project: string; account: string; accountId: string }[]): Promise<void> {
  await withClients(endpoints, async ({ s3, dynamodb }) => {
    for (const { project, account, accountId } of accounts) {
      const bucket = backendBucketName(project, account, accountId);
      const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(() => true, (error: unknown) => {
        if (isMissing(error)) return false;
        throw error;
      });
      if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const table = lockTableName(project, account);
      const hasTable = await dynamodb.send(new DescribeTableCommand({ TableName: table })).then(() => true, (error: unknown) => {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
        throw error;
      });
      if (hasTable) continue;
      await dynamodb.send(new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
      })).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
      });
    }
  });
}

/** A state object, or undefined when the key does not exist: how tests prove the state landed. */
export async function readStateObject(endpoints: SandboxEndpoints, bucket: string, key: string): Promise<string | undefined> {
  return withClients(endpoints, async ({ s3 }) => {
    try {
      const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await result.Body?.transformToString();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  });
}

// ---------------------------------------------------------------- which checkout a sandbox serves

/** Who a sandbox belongs to: the sandbox folder of one checkout, with a random id kept in that folder. */
export interface SandboxOwner {
  readonly id: string;
  /** The sandbox folder (`<checkout>/.sandbox`). */
  readonly dir: string;
}

const OWNER_ID_FILE = 'owner-id';
/** Where a sandbox keeps the name of the checkout it serves (inside the sandbox, so whoever talks to it can ask). */
export const OWNER_MARKER = { bucket: 'cdktf-sandbox-owner', key: 'owner.json' } as const;

/** The owner identity of a sandbox folder; `create` makes one the first time (make sandbox-up). */
export function sandboxOwner(dir: string, create = false): SandboxOwner | undefined {
  const file = path.join(dir, OWNER_ID_FILE);
  if (!fs.existsSync(file)) {
    if (!create) return undefined;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, `${randomUUID()}\n`);
  }
  return { id: fs.readFileSync(file, 'utf8').trim(), dir };
}

/** The owner marker a sandbox holds, or undefined when it holds none. */
export async function readOwnerMarker(endpoints: SandboxEndpoints): Promise<SandboxOwner | undefined> {
  const text = await readStateObject(endpoints, OWNER_MARKER.bucket, OWNER_MARKER.key);
  return text === undefined ? undefined : (JSON.parse(text) as SandboxOwner);
}

function notOurs(endpoints: SandboxEndpoints, marker: SandboxOwner, dir: string): Error {
  return new SandboxError(`refusing to use the sandbox at ${endpoints.s3}: it serves another checkout (its data is in ${marker.dir}), ` +
    `not this one (${dir}). Start this checkout's own with make sandbox-up (SANDBOX_S3_PORT=<port> SANDBOX_DYNAMODB_PORT=<port> ` +
    'if the default ports are taken; later commands find those ports in its server file)');
}

/** make sandbox-up: marks a sandbox as this checkout's, or refuses when it already serves another one. */
export async function claimSandbox(endpoints: SandboxEndpoints, owner: SandboxOwner): Promise<void> {
  const marker = await readOwnerMarker(endpoints);
  if (marker?.id === owner.id) return;
  if (marker) throw notOurs(endpoints, marker, owner.dir);
  await withClients(endpoints, async ({ s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket: OWNER_MARKER.bucket })).catch((error: unknown) => {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as { name?: string }).name ?? '')) throw error;
    });
    await s3.send(new PutObjectCommand({ Bucket: OWNER_MARKER.bucket, Key: OWNER_MARKER.key, Body: JSON.stringify(owner), ContentType: 'application/json' }));
  });
}

/**
 * Before a run writes anything: the sandbox at `endpoints` must be this checkout's (`owner`, from its sandbox
 * folder). `allowUnmarked` accepts a sandbox without any marker, one a program started for itself and named
 * explicitly (SANDBOX_S3_ENDPOINT, e.g. the benchmark); a marker naming another checkout is always refused.
 */
export async function verifySandboxOwner(endpoints: SandboxEndpoints, owner: SandboxOwner | undefined, dir: string, allowUnmarked = false): Promise<void> {
  const marker = await readOwnerMarker(endpoints);
  if (marker && marker.id === owner?.id) return;
  if (marker) throw notOurs(endpoints, marker, dir);
  if (allowUnmarked) return;
  throw new SandboxError(`refusing to use the sandbox at ${endpoints.s3}: it does not say which checkout it serves, so it was not started ` +
    `by make sandbox-up of this checkout (${dir}); run make sandbox-up here`);
}

/** Refuses anything but loopback: mock state must never be written to a real backend. */
export function assertLoopback(endpoints: SandboxEndpoints): void {
  for (const url of [endpoints.s3, endpoints.dynamodb]) {
    const host = new URL(url).hostname;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
      throw new SandboxError(`refusing to write mock state through ${url}: only loopback sandbox endpoints are allowed`);
    }
  }
}

function outputType(value: unknown): unknown {
  if (Array.isArray(value)) return ['list', 'string'];
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'string';
}

/** A Terraform v4 state holding only outputs: what a downstream plan reads through terraform_remote_state. */
export function mockStateDocument(outputs: Readonly<Record<string, unknown>>, lineage: string): string {
  return JSON.stringify({
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage,
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value, type: outputType(value) }])),
    resources: [],
    check_results: null,
  }, null, 2);
}

/** True when a state has at least one output with a value (an applied layer, or one already seeded). */
export function hasOutputValues(state: string | undefined): boolean {
  if (!state) return false;
  const outputs = (JSON.parse(state) as { outputs?: Record<string, { value?: unknown }> }).outputs ?? {};
  return Object.values(outputs).some((o) => o.value !== null && o.value !== undefined);
}

interface StateDocument {
  lineage?: string;
  serial?: number;
  outputs?: Record<string, { value?: unknown; type?: unknown }>;
  resources?: { mode?: string }[];
}

/** Where a layer's state lives in the sandbox; `stack` names it in messages. */
export interface StateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly lockTable: string;
  /** The stack id whose state this is. @default the key */
  readonly stack?: string;
}

/** A state object that is not a Terraform state: names the layer and the object, says what to do. */
export class CorruptStateError extends SandboxError {
  constructor(location: StateLocation, reason: string) {
    super(`the state of ${location.stack ?? location.key} (s3://${location.bucket}/${location.key}) is not a readable Terraform state ` +
      `(${reason}): restore it from a backup, or delete that object so it is recreated`);
    this.name = 'CorruptStateError';
  }
}

function parseState(text: string, location: StateLocation): StateDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(location, error instanceof Error ? error.message : String(error));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CorruptStateError(location, 'not a JSON object');
  return doc as StateDocument;
}

/**
 * The state to write so every output in `outputs` can be read, or undefined when nothing must be written:
 * the state already has every output, or it holds resources (an applied layer is never touched). Outputs the
 * state already has keep their values; the others get the mock. A sandbox plan's refresh-only apply records
 * outputs with known values (e.g. a literal AZ list) but not those of unbuilt resources, hence the merge.
 */
export function mockStateUpdate(current: string | undefined, outputs: Readonly<Record<string, unknown>>, lineage: string): string | undefined {
  const state: StateDocument = current ? (JSON.parse(current) as StateDocument) : {};
  // Data sources (e.g. remote-state reads recorded by a sandbox plan's refresh-only apply) do not make a layer applied.
  if ((state.resources ?? []).some((r) => r.mode !== 'data')) return undefined;
  const have = state.outputs ?? {};
  const missing = Object.keys(outputs).filter((name) => !known(have[name]?.value));
  if (missing.length === 0) return undefined;
  const merged: Record<string, unknown> = { ...outputs };
  for (const [name, o] of Object.entries(have)) if (known(o.value)) merged[name] = o.value;
  const doc = JSON.parse(mockStateDocument(merged, state.lineage ?? lineage)) as StateDocument;
  doc.serial = (state.serial ?? 0) + 1;
  return JSON.stringify(doc, null, 2);
}

/** A usable output value: a failed sandbox apply leaves outputs like [null, null], as unusable as a missing one. */
function known(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.some((v) => v === null || v === undefined));
}

/**
 * Who wrote a state, as far as a sandbox plan may touch it:
 * - `missing`: no object yet;
 * - `sandbox`: written by the sandbox runner (mock seeding or a plan's refresh-only record) and unchanged since;
 * - `empty`: no managed resources and no output with a value (e.g. a destroyed layer): nothing there to lose;
 * - `applied`: anything else: an apply wrote it. A plan never changes it, neither by seeding nor by recording.
 */
export type StateOrigin = 'missing' | 'sandbox' | 'empty' | 'applied';

export function stateOrigin(current: string | undefined, location: StateLocation, sandboxDigest?: string): StateOrigin {
  if (current === undefined) return 'missing';
  const state = parseState(current, location);
  if ((state.resources ?? []).some((r) => r.mode !== 'data')) return 'applied';
  if (sandboxDigest !== undefined && sandboxDigest === md5(current)) return 'sandbox';
  return Object.values(state.outputs ?? {}).some((o) => known(o.value)) ? 'applied' : 'empty';
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
/** Lock-table item naming the digest of the last state the sandbox runner wrote or recorded at a key. */
const sandboxRecordId = (location: StateLocation): string => `${location.bucket}/${location.key}-sandbox`;

/** The state object at `location` and its origin (the runner's record of what it last wrote there decides `sandbox`). */
export async function sandboxState(endpoints: SandboxEndpoints, location: StateLocation): Promise<{ readonly state?: string; readonly origin: StateOrigin }> {
  assertLoopback(endpoints);
  const state = await readStateObject(endpoints, location.bucket, location.key);
  const record = await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new GetItemCommand({
    TableName: location.lockTable, Key: { LockID: { S: sandboxRecordId(location) } }, ConsistentRead: true,
  })));
  return { state, origin: stateOrigin(state, location, record.Item?.Digest?.S) };
}

/** After a sandbox plan's refresh-only apply: the state now at `location` is the runner's record, not an apply. */
export async function markSandboxState(endpoints: SandboxEndpoints, location: StateLocation): Promise<void> {
  assertLoopback(endpoints);
  const current = await readStateObject(endpoints, location.bucket, location.key);
  if (current === undefined) return;
  await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new PutItemCommand({
    TableName: location.lockTable, Item: { LockID: { S: sandboxRecordId(location) }, Digest: { S: md5(current) } },
  })));
}

/** After an apply or destroy through the runner: whatever is at `location` now is applied, not the runner's record. */
export async function forgetSandboxState(endpoints: SandboxEndpoints, location: StateLocation): Promise<void> {
  assertLoopback(endpoints);
  await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new DeleteItemCommand({
    TableName: location.lockTable, Key: { LockID: { S: sandboxRecordId(location) } },
  })));
}

// ---------------------------------------------------------------- state locks, taken like terraform takes them

/** A state lock someone else holds; the message says who and since when. */
export class StateLockedError extends SandboxError {
  constructor(location: StateLocation, readonly holder: LockInfo) {
    super(`the state of ${location.stack ?? location.key} is locked by ${describeHolder(holder)}`);
    this.name = 'StateLockedError';
  }
}

/** The seeder could not release a lock it took (the sandbox went away meanwhile): the lock is left behind. */
export class LockNotReleasedError extends SandboxError {
  constructor(location: StateLocation, readonly lockId: string, reason: string) {
    super(`could not release the state lock ${lockId} of ${location.stack ?? location.key} (${reason})`);
    this.name = 'LockNotReleasedError';
  }
}

const lockPath = (location: StateLocation): string => `${location.bucket}/${location.key}`;

/** The lock held on a state, or undefined when it is free. */
export async function readLock(endpoints: SandboxEndpoints, location: StateLocation): Promise<LockInfo | undefined> {
  const result = await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new GetItemCommand({
    TableName: location.lockTable, Key: { LockID: { S: lockPath(location) } }, ConsistentRead: true,
  })));
  const info = result.Item?.Info?.S;
  return info ? (JSON.parse(info) as LockInfo) : undefined;
}

/**
 * Takes the state lock the way terraform does (a conditional PutItem of LockID `<bucket>/<key>` with its lock
 * info), so terraform and the seeder exclude each other. Waits up to `timeoutMs` for a held lock, calling
 * `onWait` once per holder; then throws StateLockedError.
 */
export async function acquireStateLock(
  endpoints: SandboxEndpoints, location: StateLocation, operation: string,
  options: { readonly timeoutMs?: number; readonly onWait?: (holder: LockInfo) => void; readonly pollMs?: number } = {},
): Promise<LockInfo> {
  const info: LockInfo = {
    ID: randomUUID(), Operation: operation, Info: 'cdktf runner (sandbox)', Who: `${process.env.USER ?? process.env.USERNAME ?? 'runner'}@${os.hostname()}`,
    Version: '', Created: new Date().toISOString(), Path: lockPath(location),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 0);
  let reported: string | undefined;
  for (;;) {
    try {
      await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new PutItemCommand({
        TableName: location.lockTable,
        Item: { LockID: { S: lockPath(location) }, Info: { S: JSON.stringify(info) } },
        ConditionExpression: 'attribute_not_exists(LockID)',
      })));
      return info;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
    const holder = await readLock(endpoints, location);
    if (!holder) continue; // released in between
    if (Date.now() >= deadline) throw new StateLockedError(location, holder);
    if (reported !== holder.ID) options.onWait?.(holder);
    reported = holder.ID;
    await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now()))));
  }
}

/** Releases a lock taken by acquireStateLock, only if it is still that lock. */
export async function releaseStateLock(endpoints: SandboxEndpoints, location: StateLocation, lock: LockInfo): Promise<void> {
  await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new DeleteItemCommand({
    TableName: location.lockTable,
    Key: { LockID: { S: lockPath(location) } },
    ConditionExpression: 'Info = :info',
    ExpressionAttributeValues: { ':info': { S: JSON.stringify(lock) } },
  })));
}

export interface SeedOptions {
  /** How long to wait for a state lock someone else holds. @default 0 */
  readonly lockTimeoutMs?: number;
  readonly onWait?: (holder: LockInfo) => void;
}

/**
 * Writes `outputs` (mock values) into the state of a layer that lacks some of them, so its consumers can be
 * planned before it is applied. Sandbox only: refuses any endpoint that is not loopback. Holds the state lock while
 * it reads and writes, and writes only into a state that is missing, empty or the runner's own (never into an
 * applied one). Returns false when nothing was written.
 */
export async function seedMockState(
  endpoints: SandboxEndpoints,
  location: StateLocation,
  outputs: Readonly<Record<string, unknown>>,
  options: SeedOptions = {},
): Promise<boolean> {
  assertLoopback(endpoints);
  const { bucket, key } = location;
  const lock = await acquireStateLock(endpoints, location, 'OperationTypeSeedMocks', { timeoutMs: options.lockTimeoutMs, onWait: options.onWait });
  try {
    const { state, origin } = await sandboxState(endpoints, location);
    if (origin === 'applied') return false;
    const body = mockStateUpdate(state, outputs, randomUUID());
    if (body === undefined) return false;
    await withClients(endpoints, async ({ s3, dynamodb }) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
      // The S3 backend checks the object against this digest; a stale one would make the layer's own plan fail.
      await dynamodb.send(new PutItemCommand({ TableName: location.lockTable, Item: { LockID: { S: `${bucket}/${key}-md5` }, Digest: { S: md5(body) } } }));
      await dynamodb.send(new PutItemCommand({ TableName: location.lockTable, Item: { LockID: { S: sandboxRecordId(location) }, Digest: { S: md5(body) } } }));
    });
    return true;
  } finally {
    await releaseStateLock(endpoints, location, lock).catch((error: unknown) => {
      throw new LockNotReleasedError(location, lock.ID, error instanceof Error ? error.message : String(error));
    });
  }
}

/** Lock entries currently held in a lock table (items with lock info; digests and records are not locks). */
export async function heldLocks(endpoints: SandboxEndpoints, lockTable: string): Promise<string[]> {
  const result = await withClients(endpoints, ({ dynamodb }) => dynamodb.send(new ScanCommand({ TableName: lockTable })));
  return (result.Items ?? []).filter((i) => i.Info?.S).map((i) => i.LockID?.S ?? '').filter(Boolean).sort();
}
