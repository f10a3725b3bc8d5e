/**
 * `make generate`: rewrites every generated file from the code (scripts/lib/scaffold.ts generatedFiles: the layer
 * graph in docs/ and the README, atlantis.yaml, the GitHub workflow, docs/policy.md, the rule table of
 * docs/real-aws.md, and lib/generated/config-shapes.json, the config keys and types the loader checks). `--check`
 * writes nothing and exits 1 when one is stale.
 */
import { staleGeneratedFiles, writeAll } from './lib/scaffold';
import { runCli, type CliIo } from './lib/scaffold-cli';

export const USAGE = 'usage: generate.ts [--check] [--project <p>]';

export function main(argv: readonly string[], io: CliIo = {}): number {
  let stale = false;
  const code = runCli('generate', USAGE, { check: { type: 'boolean' } }, argv, io, (values, target, out) => {
    const files = staleGeneratedFiles(target);
    if (values.check) {
      for (const file of files.keys()) out(`stale: ${file}`);
      stale = files.size > 0;
      if (!stale) out('every generated file is current');
      return;
    }
    writeAll(target.root, files);
    for (const file of files.keys()) out(`wrote ${file}`);
    if (files.size === 0) out('every generated file is current');
  });
  return code === 0 && stale ? 1 : code;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
