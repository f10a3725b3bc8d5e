/**
 * A layer's inputs as one value: the SHA-256 of its synthesized `cdk.tf.json` (which holds its resources, its
 * backend, its providers and every remote-state read). RESUME=1 compares it with the hash the last report recorded
 * for the layer; the run report records it per layer as `configHash`.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stackDir } from './paths';

/** `sha256:<hex>` of `<outdir>/stacks/<id>/cdk.tf.json`; undefined when the stack was not synthesized. */
export function stackConfigHash(outdir: string, id: string): string | undefined {
  const file = path.join(stackDir(outdir, id), 'cdk.tf.json');
  if (!fs.existsSync(file)) return undefined;
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

/** The hashes of several stacks, by id (stacks not synthesized are left out). */
export function stackConfigHashes(outdir: string, ids: Iterable<string>): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const id of ids) {
    const hash = stackConfigHash(outdir, id);
    if (hash) hashes.set(id, hash);
  }
  return hashes;
}
