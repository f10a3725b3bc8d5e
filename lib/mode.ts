/**
 * How a synth targets the world: real AWS (the default) or the offline sandbox (s3rver + dynalite on loopback).
 * Read once from the environment by the app entry point and passed down; layers never read process.env.
 */

export interface SandboxEndpoints {
  readonly s3: string;
  readonly dynamodb: string;
}

export interface Mode {
  /** Set in sandbox mode: backend and remote state use these endpoints, the provider uses dummy keys. */
  readonly sandbox?: SandboxEndpoints;
  /** Bootstrap: base-tf-backend keeps local state and the bootstrap role is assumed. */
  readonly bootstrap: boolean;
  /** Folder where bootstrap state files are kept (outside cdktf.out so a re-synth never deletes them). */
  readonly bootstrapStateDir: string;
  /** Day that support windows (lib/versions.ts) are checked against; tests pin it. @default the real date */
  readonly today?: Date;
}

/** s3rver only accepts these credentials; they are not secrets. */
export const SANDBOX_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;
export const SANDBOX_DEFAULT_PORTS = { s3: 4569, dynamodb: 4567 } as const;

export function modeFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Mode {
  const bootstrap = isTrue(env.BOOTSTRAP);
  const bootstrapStateDir = env.BOOTSTRAP_STATE_DIR ?? `${cwd}/.bootstrap`;
  if (!isTrue(env.SANDBOX)) return { bootstrap, bootstrapStateDir };
  const s3Port = env.SANDBOX_S3_PORT ?? String(SANDBOX_DEFAULT_PORTS.s3);
  const dynamodbPort = env.SANDBOX_DYNAMODB_PORT ?? String(SANDBOX_DEFAULT_PORTS.dynamodb);
  return {
    bootstrap,
    bootstrapStateDir,
    sandbox: {
      s3: env.SANDBOX_S3_ENDPOINT ?? `http://127.0.0.1:${s3Port}`,
      dynamodb: env.SANDBOX_DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${dynamodbPort}`,
    },
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}
