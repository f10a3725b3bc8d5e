/**
 * `make new-layer ACCOUNT=<account> KIND=<kind> [LAYER=<name>]`: writes projects/<project>/<account>/<layer>.ts with
 * the kind's defaults (scripts/lib/scaffold-kinds.ts) and regenerates every generated file; validated as a whole
 * organisation before anything is written. A kind that needs values only you have is written switched off.
 */
import { kindNames, newLayer } from './lib/scaffold';
import { KIND_TEMPLATES } from './lib/scaffold-kinds';
import { optional, required, runCli, type CliIo } from './lib/scaffold-cli';

export const USAGE = `usage: new-layer.ts --account <account> --kind <kind> [--layer <name>] [--project <p>]

  --account   account folder under projects/<project>/          make ACCOUNT=
  --kind      layer kind (a file of layers/)                    make KIND=
  --layer     layer file name (default: the kind)               make LAYER=

Kinds:
${kindNames().map((k) => `  ${k.padEnd(20)} ${KIND_TEMPLATES[k].summary}`).join('\n')}`;

export function main(argv: readonly string[], io: CliIo = {}): number {
  return runCli('new-layer', USAGE, { account: { type: 'string' }, kind: { type: 'string' }, layer: { type: 'string' } }, argv, io, (values, target, out) => {
    const kind = required(values, 'kind', 'KIND', kindNames());
    const { written, notes } = newLayer(target, {
      account: required(values, 'account', 'ACCOUNT'),
      kind,
      layer: optional(values, 'layer'),
    });
    for (const file of written) out(`wrote ${file}`);
    for (const note of notes) out(note);
  });
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
