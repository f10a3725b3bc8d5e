/**
 * make sandbox-up / sandbox-down / sandbox-status.
 * Ports: SANDBOX_S3_PORT (default 4569) and SANDBOX_DYNAMODB_PORT (default 4567). Data: .sandbox/ (git-ignored).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { SANDBOX_DEFAULT_PORTS } from '../lib/mode';
import { readProjectFolder, resolveOrganisation } from '../lib/organisation';
import { modeFromEnv } from '../lib/mode';
import { PROJECTS_DIR, REPO_ROOT, SANDBOX_DIR } from './lib/paths';
import { createBackends, startSandbox } from './lib/sandbox';

const STATE_FILE = path.join(SANDBOX_DIR, 'server.json');

interface ServerState {
  readonly pid: number;
  readonly s3Port: number;
  readonly dynamodbPort: number;
}

function readState(): ServerState | undefined {
  if (!fs.existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState;
  try {
    process.kill(state.pid, 0);
    return state;
  } catch {
    fs.rmSync(STATE_FILE, { force: true });
    return undefined;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

function requestedPorts(): { s3Port: number; dynamodbPort: number } {
  return {
    s3Port: Number(process.env.SANDBOX_S3_PORT ?? SANDBOX_DEFAULT_PORTS.s3),
    dynamodbPort: Number(process.env.SANDBOX_DYNAMODB_PORT ?? SANDBOX_DEFAULT_PORTS.dynamodb),
  };
}

/** Every account of every project: each gets a state bucket and a lock table. */
function allAccounts(): { project: string; account: string; accountId: string }[] {
  const result: { project: string; account: string; accountId: string }[] = [];
  for (const name of fs.readdirSync(PROJECTS_DIR).sort()) {
    if (!fs.existsSync(path.join(PROJECTS_DIR, name, 'project.ts'))) continue;
    const org = resolveOrganisation(readProjectFolder(path.join(PROJECTS_DIR, name)), modeFromEnv({}));
    for (const account of org.accounts.values()) result.push({ project: org.project.name, account: account.name, accountId: account.id });
  }
  return result;
}

async function up(): Promise<void> {
  const ports = requestedPorts();
  let state = readState();
  if (state) {
    console.log(`sandbox already running (pid ${state.pid}, s3 :${state.s3Port}, dynamodb :${state.dynamodbPort})`);
  } else {
    for (const port of [ports.s3Port, ports.dynamodbPort]) {
      if (await portOpen(port)) throw new Error(`port ${port} is in use; set SANDBOX_S3_PORT / SANDBOX_DYNAMODB_PORT`);
    }
    fs.mkdirSync(SANDBOX_DIR, { recursive: true });
    const log = fs.openSync(path.join(SANDBOX_DIR, 'server.log'), 'a');
    const child = spawn(process.execPath, ['-r', path.join(__dirname, 'register.js'), __filename, 'serve'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, SANDBOX_S3_PORT: String(ports.s3Port), SANDBOX_DYNAMODB_PORT: String(ports.dynamodbPort) },
    });
    child.unref();
    const deadline = Date.now() + 30_000;
    while (!(state = readState())) {
      if (Date.now() > deadline) throw new Error(`sandbox did not start; see ${path.join(SANDBOX_DIR, 'server.log')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`sandbox started (pid ${state.pid}, s3 :${state.s3Port}, dynamodb :${state.dynamodbPort}, data in .sandbox/)`);
  }
  const accounts = allAccounts();
  await createBackends({ s3: `http://127.0.0.1:${state.s3Port}`, dynamodb: `http://127.0.0.1:${state.dynamodbPort}` }, accounts);
  console.log(`state buckets and lock tables ready for ${accounts.length} accounts`);
}

async function serve(): Promise<void> {
  const ports = requestedPorts();
  const sandbox = await startSandbox({ dir: SANDBOX_DIR, ...ports });
  fs.writeFileSync(STATE_FILE, JSON.stringify({ pid: process.pid, s3Port: sandbox.s3Port, dynamodbPort: sandbox.dynamodbPort }));
  const stop = () => void sandbox.stop().finally(() => { fs.rmSync(STATE_FILE, { force: true }); process.exit(0); });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) return console.log('sandbox is not running');
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (readState() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  console.log('sandbox stopped (data kept in .sandbox/)');
}

function status(): void {
  const state = readState();
  console.log(state ? `running: pid ${state.pid}, s3 http://127.0.0.1:${state.s3Port}, dynamodb http://127.0.0.1:${state.dynamodbPort}` : 'not running');
}

const command = process.argv[2];
const commands: Record<string, () => Promise<void> | void> = { up, down, status, serve };
if (!command || !commands[command]) {
  console.error('usage: sandbox.ts up|down|status');
  process.exit(2);
}
Promise.resolve(commands[command]()).catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
