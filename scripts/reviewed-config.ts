/**
 * reviewed-config.ts write <cdktf.out> <file> | check <file> <cdktf.out>
 *
 * CI's proof that main applies what a pull request planned: the pull request's synth job records the hash of every
 * stack's synthesized cdk.tf.json (`write`); on main, before any apply job starts, the synth job compares its own
 * synth with that record (`check`) and stops, naming the stacks, when any differs (main moved on since the plan, or
 * the pull request was merged without being up to date with main). Exit codes: 0 same, 1 different, 2 usage.
 */
import * as fs from 'fs';
import { allStackConfigHashes, unreviewedStacks } from './lib/config-hash';

const [command, a, b] = process.argv.slice(2);
if (command === 'write' && a && b) {
  const hashes = allStackConfigHashes(a);
  fs.writeFileSync(b, `${JSON.stringify(hashes, null, 2)}\n`);
  console.log(`${Object.keys(hashes).length} stacks recorded in ${b}`);
} else if (command === 'check' && a && b) {
  if (!fs.existsSync(a)) {
    console.error(`no reviewed configuration at ${a}: apply only what a pull request planned`);
    process.exit(1);
  }
  const problems = unreviewedStacks(JSON.parse(fs.readFileSync(a, 'utf8')) as Record<string, string>, allStackConfigHashes(b));
  if (problems.length > 0) {
    console.error(`refusing to apply a configuration nobody reviewed (${problems.length} stack(s)); plan the pull request again, up to date with main:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('every stack is synthesized exactly as in the reviewed plan');
} else {
  console.error('usage: reviewed-config.ts write <cdktf.out> <file> | check <file> <cdktf.out>');
  process.exit(2);
}
