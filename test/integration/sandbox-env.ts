/** A private sandbox per test file: s3rver + dynalite on free loopback ports, buckets and tables for acme. */
import * as path from 'path';
import { synth, type SynthResult } from '../../lib/synth';
import type { Mode } from '../../lib/mode';
import { createBackends, startSandbox, type RunningSandbox } from '../../scripts/lib/sandbox';
import { tempDir } from '../helpers';

export const PROJECTS = path.resolve(__dirname, '../../projects');

export interface SandboxEnv {
  readonly sandbox: RunningSandbox;
  readonly mode: Mode;
  readonly outdir: string;
  readonly result: SynthResult;
}

export async function sandboxEnv(): Promise<SandboxEnv> {
  const sandbox = await startSandbox({ dir: tempDir('sandbox-'), s3Port: 0, dynamodbPort: 0 });
  const mode: Mode = { bootstrap: false, bootstrapStateDir: tempDir('bootstrap-'), sandbox: sandbox.endpoints };
  const outdir = tempDir('sandbox-out-');
  const result = synth({ projectsDir: PROJECTS, mode, outdir, project: 'acme' });
  const accounts = [...new Map(result.graph.map((n) => [n.account, { project: 'acme', account: n.account, accountId: n.accountId }])).values()];
  await createBackends(sandbox.endpoints, accounts);
  return { sandbox, mode, outdir, result };
}
