/**
 * How a synth targets the world: real AWS (the default) or the offline sandbox (s3rver + dynalite on loopback).
 * Read once from the environment by the app entry point and passed down; layers never read process.env.
 */
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

/**
 * Environment: SANDBOX=1, BOOTSTRAP=1 (bootstrap step; BOOTSTRAP_STATE=s3 once the backend bucket exists),
 * BOOTSTRAP_STATE_DIR, ACCESS=plan (CI's read-only plan roles). Unknown values are refused.
 */
export function modeFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Mode {
  const bootstrap = isTrue(env.BOOTSTRAP);
  const bootstrapStateDir = env.BOOTSTRAP_STATE_DIR ?? `${cwd}/.bootstrap`;
  const state = env.BOOTSTRAP_STATE || 'local';
  const access = env.ACCESS || 'deploy';
  const problems = [
    ...(state === 'local' || state === 's3' ? [] : [{ project: 'environment', field: 'BOOTSTRAP_STATE', message: `must be local or s3, not "${state}"` }]),
    ...(access === 'deploy' || access === 'plan' ? [] : [{ project: 'environment', field: 'ACCESS', message: `must be deploy or plan, not "${access}"` }]),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  const common: Mode = {
    bootstrap,
    bootstrapStateDir,
    ...(bootstrap ? { localBackendState: state === 'local' } : {}),
    ...(access === 'plan' ? { access } : {}),
  };
  if (!isTrue(env.SANDBOX)) return common;
  const s3Port = env.SANDBOX_S3_PORT ?? String(SANDBOX_DEFAULT_PORTS.s3);
  const dynamodbPort = env.SANDBOX_DYNAMODB_PORT ?? String(SANDBOX_DEFAULT_PORTS.dynamodb);
  return {
    ...common,
    sandbox: {
      s3: env.SANDBOX_S3_ENDPOINT ?? `http://127.0.0.1:${s3Port}`,
      dynamodb: env.SANDBOX_DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${dynamodbPort}`,
    },
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}
