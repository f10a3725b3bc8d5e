/**
 * What the runner writes into the sandbox, against a private sandbox (no terraform): mock seeding takes the state
 * lock like terraform and never writes into an applied state; a corrupt state, a stopped sandbox and another
 * checkout's sandbox are refused with a message that says what to do.
 */
import { PutItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as net from 'net';
import { SANDBOX_CREDENTIALS } from '../../lib/mode';
import { backendBucketName, lockTableName } from '../../lib/naming';
import {
  claimSandbox, CorruptStateError, createBackends, heldLocks, readStateObject, SandboxUnreachableError, sandboxOwner, sandboxState,
  seedMockState, startSandbox, StateLockedError, verifySandboxOwner, type RunningSandbox, type StateLocation,
} from '../../scripts/lib/sandbox';
import { tempDir } from '../helpers';

jest.setTimeout(120_000);

let sandbox: RunningSandbox;
const location: StateLocation = { bucket: backendBucketName('st', 'work', '111111111111'), key: 'work/up/terraform.tfstate', lockTable: lockTableName('st', 'work'), stack: 'st-work-up' };
const credentials = { accessKeyId: SANDBOX_CREDENTIALS.accessKey, secretAccessKey: SANDBOX_CREDENTIALS.secretKey };

beforeAll(async () => {
  sandbox = await startSandbox({ dir: tempDir('sandbox-state-'), s3Port: 0, dynamodbPort: 0 });
  await createBackends(sandbox.endpoints, [{ project: 'st', account: 'work', accountId: '111111111111' }]);
});
afterAll(async () => { await sandbox?.stop(); });

async function putObject(body: string): Promise<void> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: sandbox.endpoints.s3, forcePathStyle: true, credentials });
  await s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body }));
  s3.destroy();
}
async function deleteObject(): Promise<void> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: sandbox.endpoints.s3, forcePathStyle: true, credentials });
  await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
  s3.destroy();
}
/** A lock item exactly as terraform writes one. */
async function holdLock(id: string): Promise<void> {
  const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: sandbox.endpoints.dynamodb, credentials });
  const info = { ID: id, Operation: 'OperationTypeApply', Info: '', Who: 'alice@laptop', Version: '1.11.4', Created: '2026-11-30T09:15:00.5Z', Path: `${location.bucket}/${location.key}` };
  await dynamodb.send(new PutItemCommand({ TableName: location.lockTable, Item: { LockID: { S: info.Path }, Info: { S: JSON.stringify(info) } } }));
  dynamodb.destroy();
}
async function releaseLock(): Promise<void> {
  const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: sandbox.endpoints.dynamodb, credentials });
  await dynamodb.send(new DeleteItemCommand({ TableName: location.lockTable, Key: { LockID: { S: `${location.bucket}/${location.key}` } } }));
  dynamodb.destroy();
}

describe('mock seeding', () => {
  beforeEach(async () => { await deleteObject(); });

  it('takes the state lock: a lock someone holds is waited for, then refused naming the holder, and nothing is written', async () => {
    await holdLock('held-by-alice');
    const waited: string[] = [];
    const seeding = seedMockState(sandbox.endpoints, location, { id: 'mock-1' }, { lockTimeoutMs: 1500, onWait: (h) => waited.push(h.ID) });
    await expect(seeding).rejects.toThrow(StateLockedError);
    await expect(seeding).rejects.toThrow('the state of st-work-up is locked by alice@laptop since 2026-11-30 09:15:00 UTC (apply, held-by-alice)');
    expect(waited).toEqual(['held-by-alice']);
    expect(await readStateObject(sandbox.endpoints, location.bucket, location.key)).toBeUndefined();
    // released while the seeder waits: it goes on, and leaves no lock of its own behind
    setTimeout(() => void releaseLock(), 300);
    await holdLock('released-soon');
    expect(await seedMockState(sandbox.endpoints, location, { id: 'mock-1' }, { lockTimeoutMs: 10_000 })).toBe(true);
    expect(await heldLocks(sandbox.endpoints, location.lockTable)).toEqual([]);
    expect(JSON.parse((await readStateObject(sandbox.endpoints, location.bucket, location.key))!).outputs.id.value).toBe('mock-1');
  });

  it('never writes into a state an apply wrote, even one without resources; fills its own seeded state', async () => {
    const applied = JSON.stringify({ version: 4, serial: 1, lineage: 'L', outputs: { id: { value: 'real-1', type: 'string' } }, resources: [] });
    await putObject(applied);
    expect((await sandboxState(sandbox.endpoints, location)).origin).toBe('applied');
    expect(await seedMockState(sandbox.endpoints, location, { id: 'mock-1', extra: 'mock-2' })).toBe(false);
    expect(await readStateObject(sandbox.endpoints, location.bucket, location.key)).toBe(applied);

    await deleteObject();
    expect(await seedMockState(sandbox.endpoints, location, { id: 'mock-1' })).toBe(true);
    expect((await sandboxState(sandbox.endpoints, location)).origin).toBe('sandbox');
    expect(await seedMockState(sandbox.endpoints, location, { id: 'mock-1', extra: 'mock-2' })).toBe(true);
    const state = JSON.parse((await readStateObject(sandbox.endpoints, location.bucket, location.key))!);
    expect([state.outputs.id.value, state.outputs.extra.value, state.serial]).toEqual(['mock-1', 'mock-2', 2]);
  });

  it('a corrupt state names the layer and the object instead of a JSON parser error', async () => {
    await putObject('{"version": 4, "outputs": {');
    const seeding = seedMockState(sandbox.endpoints, location, { id: 'mock-1' });
    await expect(seeding).rejects.toThrow(CorruptStateError);
    await expect(seeding).rejects.toThrow(/^the state of st-work-up \(s3:\/\/st-work-terraform-backend-111111111111\/work\/up\/terraform\.tfstate\) is not a readable Terraform state \(.+\): restore it/);
    expect(await heldLocks(sandbox.endpoints, location.lockTable)).toEqual([]);
  });
});

describe('a sandbox that is not there, or not this checkout’s', () => {
  it('a stopped sandbox says to run make sandbox-up', async () => {
    const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
    const closed = { s3: `http://127.0.0.1:${port}`, dynamodb: `http://127.0.0.1:${port}` };
    await expect(seedMockState(closed, location, { id: 'x' })).rejects.toThrow(`the sandbox does not answer at 127.0.0.1:${port} (connection refused): start it with make sandbox-up`);
    await expect(createBackends(closed, [{ project: 'st', account: 'work', accountId: '111111111111' }])).rejects.toThrow(SandboxUnreachableError);
    await expect(readStateObject(closed, 'b', 'k')).rejects.toThrow(SandboxUnreachableError); // not "no state"
  });

  it('serves only the checkout that claimed it', async () => {
    const mine = sandboxOwner(tempDir('checkout-a-'), true)!;
    const theirs = sandboxOwner(tempDir('checkout-b-'), true)!;
    await expect(verifySandboxOwner(sandbox.endpoints, mine, mine.dir)).rejects.toThrow(/does not say which checkout it serves/);
    await expect(verifySandboxOwner(sandbox.endpoints, undefined, mine.dir, true)).resolves.toBeUndefined(); // named by endpoint, unmarked
    await claimSandbox(sandbox.endpoints, mine);
    await claimSandbox(sandbox.endpoints, mine); // a second make sandbox-up
    await expect(verifySandboxOwner(sandbox.endpoints, mine, mine.dir)).resolves.toBeUndefined();
    await expect(verifySandboxOwner(sandbox.endpoints, theirs, theirs.dir, true)).rejects.toThrow(`it serves another checkout (its data is in ${mine.dir}), not this one (${theirs.dir})`);
    await expect(claimSandbox(sandbox.endpoints, theirs)).rejects.toThrow(/serves another checkout/);
  });
});
