import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PROJECTS_DIR = path.join(REPO_ROOT, 'projects');
export const SANDBOX_DIR = path.join(REPO_ROOT, '.sandbox');
export const DEFAULT_OUTDIR = path.join(REPO_ROOT, 'cdktf.out');

export function stackDir(outdir: string, id: string): string {
  return path.join(outdir, 'stacks', id);
}
