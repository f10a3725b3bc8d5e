/**
 * make sandbox-up / sandbox-down / sandbox-status.
 * Ports: SANDBOX_S3_PORT (default 4569) and SANDBOX_DYNAMODB_PORT (default 4567), remembered in the server file so
 * later commands of this checkout use them. Data: .sandbox/ (git-ignored; SANDBOX_DIR to put it elsewhere).
 * A sandbox serves one checkout: `up` marks it with this checkout's owner id, and the runner refuses any other.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { modeFromEnv, readSandboxServer, SANDBOX_DEFAULT_PORTS, SANDBOX_SERVER_FILE, type SandboxServer } from '../lib/mode';
import { readProjectFolder, resolveOrganisation } from '../lib/organisation';
import { parseCommandLine, UsageError, usageLine } from '../lib/usage';
import { PROJECTS_DIR, REPO_ROOT, SANDBOX_DIR } from './lib/paths';
import { claimSandbox, createBackends, sandboxOwner, startSandbox } from './lib/sandbox';

const STATE_FILE = path.join(SANDBOX_DIR, SANDBOX_SERVER_FILE);

/** The running sandbox of this checkout, or undefined (a server file whose process is gone is removed). */
function readState(): SandboxServer | undefined {
  const state = readSandboxServer(SANDBOX_DIR);
  if (!state) return undefined;
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
  const port = (name: string, fallback: number): number => {
    const text = process.env[name] || String(fallback);
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number, not "${text}"`);
    return value;
  };
  return { s3Port: port('SANDBOX_S3_PORT', SANDBOX_DEFAULT_PORTS.s3), dynamodbPort: port('SANDBOX_DYNAMODB_PORT', SANDBOX_DEFAULT_PORTS.dynamodb) };
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
  const owner = sandboxOwner(SANDBOX_DIR, true)!;
  let state = readState();
  if (state) {
    console.log(`sandbox already running (pid ${state.pid}, s3 :${state.s3Port}, dynamodb :${state.dynamodbPort})`);
    const asked = [process.env.SANDBOX_S3_PORT && Number(process.env.SANDBOX_S3_PORT) !== state.s3Port, process.env.SANDBOX_DYNAMODB_PORT && Number(process.env.SANDBOX_DYNAMODB_PORT) !== state.dynamodbPort];
    if (asked.some(Boolean)) console.log('  (other ports were asked for: make sandbox-down first to move it; until then commands of this checkout use the ports above)');
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
  const endpoints = { s3: `http://127.0.0.1:${state.s3Port}`, dynamodb: `http://127.0.0.1:${state.dynamodbPort}` };
  await claimSandbox(endpoints, owner);
  const accounts = allAccounts();
  await createBackends(endpoints, accounts);
  console.log(`state buckets and lock tables ready for ${accounts.length} accounts`);
}

async function serve(): Promise<void> {
  const ports = requestedPorts();
  const sandbox = await startSandbox({ dir: SANDBOX_DIR, ...ports });
  const server: SandboxServer = {
    pid: process.pid, s3Port: sandbox.s3Port, dynamodbPort: sandbox.dynamodbPort, root: REPO_ROOT, dir: SANDBOX_DIR, id: sandboxOwner(SANDBOX_DIR, true)!.id,
  };
  fs.writeFileSync(STATE_FILE, JSON.stringify(server));
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
  console.log(`sandbox stopped (data kept in ${path.relative(REPO_ROOT, SANDBOX_DIR) || SANDBOX_DIR}/)`);
}

function status(): void {
  const state = readState();
  console.log(state ? `running: pid ${state.pid}, s3 http://127.0.0.1:${state.s3Port}, dynamodb http://127.0.0.1:${state.dynamodbPort}, data in ${state.dir ?? SANDBOX_DIR}` : 'not running');
}

const USAGE = 'usage: sandbox.ts up|down|status';
const commands: Record<string, () => Promise<void> | void> = { up, down, status, serve };

/** The one command of the command line (`serve` is what `up` starts in the background, not listed). */
function commandOf(argv: readonly string[]): string {
  const { positionals } = parseCommandLine(argv, { options: {}, positionals: true });
  const [command, ...extra] = positionals;
  if (command === undefined || !Object.hasOwn(commands, command)) throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`, ['up', 'down', 'status']);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return command;
}

let command: string;
try {
  command = commandOf(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(usageLine('sandbox', error, USAGE));
  process.exit(2);
}
// Not runScript: `serve` resolves once the servers listen, and the process must stay up to serve.
Promise.resolve(commands[command]()).catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
