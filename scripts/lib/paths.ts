import * as path from 'path';
import { sandboxDir } from '../../lib/mode';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PROJECTS_DIR = path.join(REPO_ROOT, 'projects');
/** This checkout's sandbox data and server file: `.sandbox/`, or `SANDBOX_DIR` (tests run private sandboxes). */
export const SANDBOX_DIR = sandboxDir(process.env, REPO_ROOT);
export const DEFAULT_OUTDIR = path.join(REPO_ROOT, 'cdktf.out');

export function stackDir(outdir: string, id: string): string {
  return path.join(outdir, 'stacks', id);
}
