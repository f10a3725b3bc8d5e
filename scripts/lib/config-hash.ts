/**
 * A layer's configuration as one value, per stack of a synth output folder: the saved plans' `configHash` (the
 * SHA-256 of its synthesized `cdk.tf.json` — resources, backend, providers, every remote-state read — with the
 * assets it references and its provider lock file). The run report records it per layer; RESUME=1 compares it with
 * the last report's, and CI compares every stack's with the pull request's (scripts/reviewed-config.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { stackDir } from './paths';
import { configHash } from './saved-plans';

/** `configHash` of `<outdir>/stacks/<id>`; undefined when the stack was not synthesized. */
export function stackConfigHash(outdir: string, id: string): string | undefined {
  const dir = stackDir(outdir, id);
  return fs.existsSync(path.join(dir, 'cdk.tf.json')) ? configHash(dir) : undefined;
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
