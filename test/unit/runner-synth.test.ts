/**
 * Stale output: a synth removes the stack folders a later validate, plan or CI run must not pick up (layers that
 * no longer exist, folders of the other mode), and nothing else: a subset synth keeps the other stacks of its mode,
 * folders of projects it did not read, and the `.terraform` of the stacks it wrote.
 */
import * as fs from 'fs';
import * as path from 'path';
import { synth } from '../../lib/synth';
import { REAL, SANDBOX, tempDir } from '../helpers';

jest.setTimeout(120_000);

const PROJECTS = path.resolve(__dirname, '../../projects');

/** A stack folder as an earlier synth left it: real mode, or sandbox mode (loopback endpoints, dummy keys). */
function leftover(outdir: string, id: string, project: string, mode: 'real' | 'sandbox'): void {
  const dir = path.join(outdir, 'stacks', id);
  fs.mkdirSync(path.join(dir, '.terraform'), { recursive: true });
  const s3 = mode === 'sandbox' ? { bucket: 'b', key: 'k', endpoints: { s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:4567' } } : { bucket: 'b', key: 'k' };
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({
    terraform: { backend: { s3 } },
    provider: { aws: [{ ...(mode === 'sandbox' ? { access_key: 'sandbox' } : {}), default_tags: [{ tags: { Project: project } }] }] },
  }));
}

const present = (outdir: string): string[] => fs.readdirSync(path.join(outdir, 'stacks')).sort();

it('removes stacks that no longer exist and stacks of the other mode, and keeps what a subset synth did not write', () => {
  const outdir = tempDir('stale-');
  const live = 'acme-apps-prd-base-network';
  leftover(outdir, 'acme-apps-prd-deleted-layer', 'acme', 'real'); // its layer file is gone
  leftover(outdir, 'acme-apps-prd-eks', 'acme', 'sandbox'); // exists, but a sandbox folder in a real-mode output
  leftover(outdir, 'acme-apps-prd-databases', 'acme', 'real'); // exists, same mode, not in this subset: kept
  leftover(outdir, 'ghost-work-app', 'ghost', 'real'); // a project this synth did not read (PROJECT=acme): kept
  leftover(outdir, live, 'acme', 'real'); // about to be rewritten: keeps its .terraform (init is skipped when unchanged)
  fs.writeFileSync(path.join(outdir, 'stacks', live, '.terraform', 'cdktf-init-fingerprint'), 'x');

  synth({ projectsDir: PROJECTS, mode: REAL, outdir, project: 'acme', only: new Set([live]) });
  expect(present(outdir)).toEqual(['acme-apps-prd-base-network', 'acme-apps-prd-databases', 'ghost-work-app']);
  expect(fs.readFileSync(path.join(outdir, 'stacks', live, '.terraform', 'cdktf-init-fingerprint'), 'utf8')).toBe('x');

  // Every project read: a folder of a project that does not exist belongs to nothing any more.
  synth({ projectsDir: PROJECTS, mode: REAL, outdir, only: new Set([live]) });
  expect(present(outdir)).toEqual(['acme-apps-prd-base-network', 'acme-apps-prd-databases']);

  // And the other way round: a sandbox synth drops the real-mode folders it did not rewrite.
  synth({ projectsDir: PROJECTS, mode: SANDBOX, outdir, project: 'acme', only: new Set([live]) });
  expect(present(outdir)).toEqual([live]);
  expect(fs.readFileSync(path.join(outdir, 'stacks', live, 'cdk.tf.json'), 'utf8')).toContain('127.0.0.1');
});
