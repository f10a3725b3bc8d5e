/**
 * How a synth targets the world: real AWS (the default) or the offline sandbox (s3rver + dynalite on loopback).
 * Read once from the environment by the app entry point and passed down; layers never read process.env.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from './problems';

export interface SandboxEndpoints {
  readonly s3: string;
  readonly dynamodb: string;
}

/**
 * `bootstrap`: the day-zero sequence, before an account's deploy role exists (only the kinds that run then are
 * synthesized, acting as the bootstrap identity). `steady`: every later run, through the deploy role.
 */
export type Step = 'bootstrap' | 'steady';

/** `deploy`: plan and apply through the deploy role (people, CI apply). `plan`: CI's read-only plan role. */
export type Access = 'deploy' | 'plan';

export interface Mode {
  /** Set in sandbox mode: backend and remote state use these endpoints, the provider uses dummy keys. */
  readonly sandbox?: SandboxEndpoints;
  /** Bootstrap step: only the day-zero kinds are built, acting as the bootstrap identity (lib/identity.ts). */
  readonly bootstrap: boolean;
  /**
   * Bootstrap only: whether backend layers keep local state (their bucket does not exist yet), or already use the
   * bucket they created (the migration and every later bootstrap run). @default true
   */
  readonly localBackendState?: boolean;
  /** Folder where bootstrap state files are kept (outside cdktf.out so a re-synth never deletes them). */
  readonly bootstrapStateDir: string;
  /** Day that support windows (lib/versions.ts) are checked against; tests pin it. @default the real date */
  readonly today?: Date;
  /** Which roles a steady-state synth assumes. @default 'deploy' */
  readonly access?: Access;
}

/** s3rver only accepts these credentials; they are not secrets. */
export const SANDBOX_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;
export const SANDBOX_DEFAULT_PORTS = { s3: 4569, dynamodb: 4567 } as const;

/** An environment switch set to anything but its documented values. A ConfigError, so entry points print it as one line. */
export class ModeError extends ConfigError {
  constructor(variable: string, message: string) {
    super([{ project: 'environment', field: variable, message }]);
    this.name = 'ModeError';
    this.message = `${variable} ${message}`;
  }
}

/**
 * The one reading of an on/off environment variable everywhere (app, scripts, Makefile): exactly `1` or `0`.
 * Unset is undefined; anything else, the empty string included, is refused rather than guessed: `SANDBOX=on`
 * or `SANDBOX=` must not quietly mean real AWS, nor `SANDBOX=TRUE` the sandbox for the app but not for make.
 */
export function parseSwitch(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === '1') return true;
  if (value === '0') return false;
  throw new ModeError(name, `must be 1 or 0, not "${value}"${name === 'SANDBOX' ? ' (1: the offline sandbox, 0: real AWS)' : ''}`);
}

/** The sandbox's data folder: `SANDBOX_DIR`, or `.sandbox/` in the checkout. */
export function sandboxDir(env: NodeJS.ProcessEnv, root: string): string {
  return path.resolve(root, env.SANDBOX_DIR || '.sandbox');
}

/** What `make sandbox-up` records about the running sandbox of a checkout (`<sandbox dir>/server.json`). */
export interface SandboxServer {
  readonly pid: number;
  readonly s3Port: number;
  readonly dynamodbPort: number;
  /** The checkout (repository root) and its sandbox folder: a sandbox serves exactly one. */
  readonly root?: string;
  readonly dir?: string;
  /** Random id of the sandbox folder, also stored inside the sandbox as its owner marker. */
  readonly id?: string;
}

export const SANDBOX_SERVER_FILE = 'server.json';

/** The server file of the sandbox folder, or undefined when there is none (or it is unreadable). */
export function readSandboxServer(dir: string): SandboxServer | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, SANDBOX_SERVER_FILE), 'utf8')) as SandboxServer;
  } catch {
    return undefined;
  }
}

/**
 * Environment: SANDBOX=1|0, BOOTSTRAP=1|0 (bootstrap step; BOOTSTRAP_STATE=s3 once the backend bucket exists),
 * BOOTSTRAP_STATE_DIR, ACCESS=plan (CI's read-only plan roles). Unknown values are refused.
 * `SANDBOX=1`: endpoints from SANDBOX_S3_ENDPOINT / SANDBOX_DYNAMODB_ENDPOINT, else SANDBOX_S3_PORT /
 * SANDBOX_DYNAMODB_PORT, else the ports of this checkout's running sandbox (its server file, so a sandbox started
 * on other ports is the one later commands use), else the default ports. `root` is the checkout.
 */
export function modeFromEnv(env: NodeJS.ProcessEnv = process.env, root: string = process.cwd()): Mode {
  const bootstrap = parseSwitch('BOOTSTRAP', env.BOOTSTRAP) ?? false;
  const bootstrapStateDir = env.BOOTSTRAP_STATE_DIR ?? `${root}/.bootstrap`;
  const state = env.BOOTSTRAP_STATE || 'local';
  const access = env.ACCESS || 'deploy';
  if (state !== 'local' && state !== 's3') throw new ModeError('BOOTSTRAP_STATE', `must be local or s3, not "${state}"`);
  if (access !== 'deploy' && access !== 'plan') throw new ModeError('ACCESS', `must be deploy or plan, not "${access}"`);
  const common: Mode = {
    bootstrap,
    bootstrapStateDir,
    ...(bootstrap ? { localBackendState: state === 'local' } : {}),
    ...(access === 'plan' ? { access } : {}),
  };
  if (!parseSwitch('SANDBOX', env.SANDBOX)) return common;
  const explicit = [env.SANDBOX_S3_PORT, env.SANDBOX_DYNAMODB_PORT, env.SANDBOX_S3_ENDPOINT, env.SANDBOX_DYNAMODB_ENDPOINT].some(Boolean);
  const server = explicit ? undefined : readSandboxServer(sandboxDir(env, root));
  const s3Port = env.SANDBOX_S3_PORT || String(server?.s3Port ?? SANDBOX_DEFAULT_PORTS.s3);
  const dynamodbPort = env.SANDBOX_DYNAMODB_PORT || String(server?.dynamodbPort ?? SANDBOX_DEFAULT_PORTS.dynamodb);
  return {
    ...common,
    sandbox: {
      s3: env.SANDBOX_S3_ENDPOINT || `http://127.0.0.1:${s3Port}`,
      dynamodb: env.SANDBOX_DYNAMODB_ENDPOINT || `http://127.0.0.1:${dynamodbPort}`,
    },
  };
}
