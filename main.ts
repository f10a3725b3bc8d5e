/**
 * The cdktf app: every layer of every account of every project under projects/. Run it with `node scripts/app.js`
 * (from the prebuilt bundle) or `node -r ./scripts/register.js main.ts` (from source): both write the same files.
 * Environment: SANDBOX=1 (offline sandbox endpoints), BOOTSTRAP=1 (backend layers with local state),
 * PROJECT=<name> (one project), STACKS=<id,id> (only these stacks), CDKTF_TOKEN_STACK_TRACES=1 (cdktf's creation
 * trace in every token, for debugging a resolution error; lib/token-stack-traces.ts).
 */
import * as path from 'path';
import { modeFromEnv } from './lib/mode';
import { ConfigError } from './lib/problems';
import { synth } from './lib/synth';
import { setTokenStackTraces, tokenStackTracesFromEnv } from './lib/token-stack-traces';

setTokenStackTraces(tokenStackTracesFromEnv());
try {
  const only = process.env.STACKS ? new Set(process.env.STACKS.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  synth({ projectsDir: path.join(__dirname, 'projects'), mode: modeFromEnv(), project: process.env.PROJECT || undefined, only });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
