/** make validate: terraform validate of every stack in cdktf.out against the provider schema. */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_OUTDIR } from './lib/paths';
import { validateStacks } from './lib/validate';

const outdir = process.env.CDKTF_OUTDIR ?? DEFAULT_OUTDIR;
const ids = fs.readdirSync(path.join(outdir, 'stacks')).sort();
validateStacks(outdir, ids).then((results) => {
  for (const r of results) console.log(`${r.valid ? 'valid  ' : 'INVALID'} ${r.id}${r.valid ? '' : `\n${r.diagnostics}`}`);
  const invalid = results.filter((r) => !r.valid).length;
  console.log(`${results.length - invalid} valid, ${invalid} invalid`);
  process.exit(invalid === 0 ? 0 : 1);
}, (error: unknown) => {
  console.error(error);
  process.exit(1);
});
