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

/** The hash of every synthesized stack under `outdir`, by id: what CI records for a reviewed plan. */
export function allStackConfigHashes(outdir: string): Record<string, string> {
  const stacks = path.join(outdir, 'stacks');
  const ids = fs.existsSync(stacks) ? fs.readdirSync(stacks).filter((id) => fs.existsSync(path.join(stacks, id, 'cdk.tf.json'))).sort() : [];
  return Object.fromEntries(stackConfigHashes(outdir, ids));
}

/**
 * Stacks whose configuration is not the reviewed one: changed, added or removed since `reviewed` was recorded,
 * each with a short reason. Empty when what is about to be applied is byte for byte what the pull request planned.
 */
export function unreviewedStacks(reviewed: Readonly<Record<string, string>>, current: Readonly<Record<string, string>>): string[] {
  const ids = [...new Set([...Object.keys(reviewed), ...Object.keys(current)])].sort();
  return ids.flatMap((id) => {
    if (!(id in reviewed)) return [`${id}: not in the reviewed plan (added since)`];
    if (!(id in current)) return [`${id}: in the reviewed plan but not synthesized now (removed since)`];
    return reviewed[id] === current[id] ? [] : [`${id}: its synthesized configuration changed since the reviewed plan`];
  });
}
