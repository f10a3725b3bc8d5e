/**
 * reviewed-config.ts write <cdktf.out> <file> | check <file> <cdktf.out> | stacks <manifest.json> <id,id,…>
 *
 * CI's proof that main applies what a pull request planned (docs/runner.md, "Carrying the reviewed plan"):
 * - `write`: the pull request's synth job records the config hash of every synthesized stack;
 * - `check`: on main, before any apply job starts, the synth job compares its own synth with that record and stops,
 *   naming the stacks, when any differs (main moved on since the plan, or the pull request was merged without being
 *   up to date with main);
 * - `stacks`: an apply job prints, comma-separated, which of its stacks the reviewed plans (the plan job's
 *   `plans/manifest.json`) offer to `run.ts apply --reviewed`: not speculative, something to apply. Nothing when the
 *   pull request planned none of them (no manifest).
 * Exit codes: 0 same (or listed), 1 different, 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { allStackConfigHashes, unreviewedStacks } from './lib/config-hash';
import { PlanStore, reviewedToApply } from './lib/saved-plans';

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
} else if (command === 'stacks' && a && b) {
  if (!fs.existsSync(a)) {
    console.error(`no reviewed plans at ${a}: the pull request planned none of these layers, nothing to apply`);
  } else {
    const { apply, speculative } = reviewedToApply(new PlanStore(path.dirname(a)).read(), b.split(',').filter(Boolean));
    if (speculative.length > 0) console.error(`not applied (speculative plans, planned against upstream outputs not applied yet; plan them again afterwards): ${speculative.join(', ')}`);
    console.error(apply.length > 0 ? `reviewed plans to apply: ${apply.join(', ')}` : 'no reviewed plan with changes among these layers: nothing to apply');
    console.log(apply.join(','));
  }
} else {
  console.error('usage: reviewed-config.ts write <cdktf.out> <file> | check <file> <cdktf.out> | stacks <manifest.json> <id,id,…>');
  process.exit(2);
}
