/**
 * The cdktf app: every layer of every account of every project under projects/.
 * Environment: SANDBOX=1 (offline sandbox endpoints), BOOTSTRAP=1 (backend layers with local state),
 * PROJECT=<name> (one project), STACKS=<id,id> (only these stacks).
 */
import * as path from 'path';
import { modeFromEnv } from './lib/mode';
import { ConfigError } from './lib/problems';
import { synth } from './lib/synth';

try {
  const only = process.env.STACKS ? new Set(process.env.STACKS.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  synth({ projectsDir: path.join(__dirname, 'projects'), mode: modeFromEnv(), project: process.env.PROJECT || undefined, only });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
