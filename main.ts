/**
 * The cdktf app: every layer of every account of every project under projects/. Run it with `node scripts/app.js`
 * (from the prebuilt bundle) or `node -r ./scripts/register.js main.ts` (from source): both write the same files.
 * Environment: SANDBOX=1 (offline sandbox endpoints), BOOTSTRAP=1 (backend layers with local state),
 * PROJECT=<name> (one project), STACKS=<id,id> (only these stacks), SYNTH_WORKERS=<n> (worker processes; by default
 * one per core from 150 stacks on: lib/parallel-synth.ts), CDKTF_TOKEN_STACK_TRACES=1 (cdktf's creation trace in every
 * token, for debugging a resolution error: lib/token-stack-traces.ts).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { modeFromEnv } from './lib/mode';
import { plannedStacks, readProjectFolder, resolveOrganisation } from './lib/organisation';
import { SynthWorkerError, synthInWorkers, synthWorkers } from './lib/parallel-synth';
import { ConfigError } from './lib/problems';
import { projectDirs, removeStaleStacks, synth, type SynthOptions } from './lib/synth';
import { setTokenStackTraces, tokenStackTracesFromEnv } from './lib/token-stack-traces';
import { parseCommandLine, UsageError, usageLine } from './lib/usage';

const USAGE = 'usage: main.ts (no arguments; the environment chooses: SANDBOX, BOOTSTRAP, PROJECT, STACKS, SYNTH_WORKERS)';

async function main(): Promise<void> {
  parseCommandLine(process.argv.slice(2), { options: {} });
  setTokenStackTraces(tokenStackTracesFromEnv());
  const only = process.env.STACKS ? new Set(process.env.STACKS.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  const options: SynthOptions = { projectsDir: path.join(__dirname, 'projects'), mode: modeFromEnv(), project: process.env.PROJECT || undefined, only };
  const organisations = projectDirs(options).map((dir) => resolveOrganisation(readProjectFolder(dir), options.mode));
  const stacks = organisations.flatMap((org) =>
    plannedStacks(org).filter((s) => !only || only.has(s.id)).map((s) => ({ id: s.id, account: `${org.project.name}/${s.account.name}` })));
  const workers = synthWorkers(stacks.length);
  if (workers === 1) {
    synth(options);
    return;
  }
  // Each worker is this app again, for its share of the stacks.
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  await synthInWorkers({
    outdir,
    stacks,
    workers,
    spawnWorker: (ids, outdir) => spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...process.env, STACKS: ids.join(','), CDKTF_OUTDIR: outdir, SYNTH_WORKERS: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  });
  // Workers clean their own staging folders; the merged output is cleaned here, as synth() does in one process.
  removeStaleStacks(outdir, {
    synthesized: new Set(stacks.map((s) => s.id)),
    organisations,
    everyProject: options.project === undefined,
    sandbox: options.mode.sandbox !== undefined,
  });
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${usageLine('main.ts', error, USAGE)}\n`);
    process.exit(2);
  }
  // Config and load errors are one line; DEBUG=1 (or an error that is not an Error) shows the stack.
  if (process.env.DEBUG === '1' || !(error instanceof Error)) throw error;
  const known = error instanceof ConfigError || error instanceof SynthWorkerError;
  process.stderr.write(`${known ? '' : 'synth failed: '}${error.message}${known ? '' : ' (DEBUG=1 for the stack trace)'}\n`);
  process.exit(1);
});
