/**
 * The offline sandbox: s3rver (S3) and dynalite (DynamoDB) on loopback, enough for Terraform's S3 backend
 * with a DynamoDB lock. Neither implements versioning or PITR, so state buckets and lock tables are created
 * here with the AWS SDK instead of by the base-tf-backend layer.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import * as fs from 'fs';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { SANDBOX_CREDENTIALS, type SandboxEndpoints } from '../../lib/mode';
import { backendBucketName, lockTableName } from '../../lib/naming';

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

/** Creates the state bucket and lock table of each account if missing; a second call changes nothing. */
export async function createBackends(endpoints: SandboxEndpoints, accounts: readonly { project: string; account: string; accountId: string }[]): Promise<void> {
  const { s3, dynamodb } = clients(endpoints);
  try {
    for (const { project, account, accountId } of accounts) {
      const bucket = backendBucketName(project, account, accountId);
      const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(() => true, () => false);
      if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const table = lockTableName(project, account);
      const hasTable = await dynamodb.send(new DescribeTableCommand({ TableName: table })).then(() => true, () => false);
      if (hasTable) continue;
      await dynamodb.send(new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
      })).catch((error: unknown) => {
        if (!(error instanceof ResourceInUseException)) throw error;
      });
    }
  } finally {
    s3.destroy();
    dynamodb.destroy();
  }
}

/** A state object, or undefined when the key does not exist: how tests prove the state landed. */
export async function readStateObject(endpoints: SandboxEndpoints, bucket: string, key: string): Promise<string | undefined> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { s3, dynamodb } = clients(endpoints);
  try {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await result.Body?.transformToString();
  } catch {
    return undefined;
  } finally {
    s3.destroy();
    dynamodb.destroy();
  }
}

/** Refuses anything but loopback: mock state must never be written to a real backend. */
export function assertLoopback(endpoints: SandboxEndpoints): void {
  for (const url of [endpoints.s3, endpoints.dynamodb]) {
    const host = new URL(url).hostname;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
      throw new Error(`refusing to write mock state through ${url}: only loopback sandbox endpoints are allowed`);
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
  // A failed sandbox apply leaves outputs like [null, null]: those are as unusable as a missing output.
  const known = (value: unknown): boolean =>
    value !== undefined && value !== null && !(Array.isArray(value) && value.some((v) => v === null || v === undefined));
  const missing = Object.keys(outputs).filter((name) => !known(have[name]?.value));
  if (missing.length === 0) return undefined;
  const merged: Record<string, unknown> = { ...outputs };
  for (const [name, o] of Object.entries(have)) if (known(o.value)) merged[name] = o.value;
  const doc = JSON.parse(mockStateDocument(merged, state.lineage ?? lineage)) as StateDocument;
  doc.serial = (state.serial ?? 0) + 1;
  return JSON.stringify(doc, null, 2);
}

/**
 * Writes `outputs` (mock values) into the state of a layer that lacks some of them, so its consumers can be
 * planned before it is applied. Sandbox only: refuses any endpoint that is not loopback. Returns false when
 * nothing was written (every output already there, or the state holds resources).
 */
export async function seedMockState(
  endpoints: SandboxEndpoints,
  location: { readonly bucket: string; readonly key: string; readonly lockTable: string },
  outputs: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  assertLoopback(endpoints);
  const { bucket, key } = location;
  const { createHash, randomUUID } = await import('crypto');
  const body = mockStateUpdate(await readStateObject(endpoints, bucket, key), outputs, randomUUID());
  if (body === undefined) return false;
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { s3, dynamodb } = clients(endpoints);
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    // The S3 backend checks the object against this digest; a stale one would make the layer's own plan fail.
    await dynamodb.send(new PutItemCommand({
      TableName: location.lockTable,
      Item: { LockID: { S: `${bucket}/${key}-md5` }, Digest: { S: createHash('md5').update(body).digest('hex') } },
    }));
  } finally {
    s3.destroy();
    dynamodb.destroy();
  }
  return true;
}

/** Lock entries currently held in a lock table (the `-md5` digest items are not locks). */
export async function heldLocks(endpoints: SandboxEndpoints, lockTable: string): Promise<string[]> {
  const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const { s3, dynamodb } = clients(endpoints);
  try {
    const result = await dynamodb.send(new ScanCommand({ TableName: lockTable }));
    return (result.Items ?? []).map((i) => i.LockID?.S ?? '').filter((id) => id && !id.endsWith('-md5'));
  } finally {
    s3.destroy();
    dynamodb.destroy();
  }
}
