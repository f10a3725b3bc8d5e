/** Every stack of every account of the example organisation against the real AWS provider schema. */
import { synth } from '../../lib/synth';
import { validateStacks } from '../../scripts/lib/validate';
import { REAL, tempDir } from '../helpers';
import { PROJECTS } from './sandbox-env';

jest.setTimeout(15 * 60 * 1000);

it('terraform validate passes for every synthesized stack', async () => {
  const outdir = tempDir('validate-');
  const { graph } = synth({ projectsDir: PROJECTS, mode: REAL, outdir });
  expect(graph.length).toBeGreaterThanOrEqual(13);
  const results = await validateStacks(outdir, graph.map((n) => n.id));
  const invalid = results.filter((r) => !r.valid).map((r) => `${r.id}:\n${r.diagnostics}`);
  expect(invalid).toEqual([]);
  expect(results).toHaveLength(graph.length);
});
