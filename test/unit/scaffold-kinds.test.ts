/**
 * scripts/lib/scaffold-kinds.ts: every layer kind of layers/ has a template, and each template gives a config that
 * validates, synthesizes and passes the policy pack where the example organisation declares that kind (that
 * declaration and the layers reading from it taken out first, as when the layer is new). A value only the user has
 * is a placeholder the organisation check refuses, and the file written reads back as the same declaration.
 */
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer, type LayerDeclaration } from '../../lib/config';
import type { LayerKind } from '../../lib/layer-stack';
import type { Organisation } from '../../lib/model';
import { buildOrganisation, readProjectFolder, resolveOrganisation, type ProjectSource } from '../../lib/organisation';
import { enforcePolicy } from '../../lib/policy';
import { ConfigError } from '../../lib/problems';
import { stackId } from '../../lib/naming';
import { buildApp } from '../../lib/synth';
import { KIND_TEMPLATES, layerKinds, type Place } from '../../scripts/lib/scaffold-kinds';
import { evaluate, inputFields } from '../../scripts/lib/scaffold-source';
import { renderLayer } from '../../scripts/lib/scaffold';
import { REAL, SANDBOX, tempDir } from '../helpers';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const PROJECT = 'acme';
const kinds = layerKinds();

type Source = ProjectSource['accounts'][string];

/** The example's source with `drop` (account/layer refs) removed. */
function without(source: ProjectSource, drop: ReadonlySet<string>): ProjectSource {
  return {
    project: source.project,
    accounts: Object.fromEntries(Object.entries(source.accounts).map(([name, a]): [string, Source] => [name, {
      config: a.config,
      layers: Object.fromEntries(Object.entries(a.layers).filter(([layer]) => !drop.has(`${name}/${layer}`))),
    }])),
  };
}

function withLayer(source: ProjectSource, account: string, layer: string, declaration: LayerDeclaration): ProjectSource {
  const accounts = { ...source.accounts, [account]: { ...source.accounts[account], layers: { ...source.accounts[account].layers, [layer]: declaration } } };
  return { project: source.project, accounts };
}

describe('scaffold templates', () => {
  let example: ProjectSource;
  /** account/layer -> the account/layer refs that read it, directly or not. */
  let readers: (ref: string) => Set<string>;

  beforeAll(() => {
    example = readProjectFolder(path.join(ROOT, 'projects', PROJECT));
    const { graph } = buildApp({ projectsDir: path.join(ROOT, 'projects'), mode: REAL, outdir: tempDir('scaffold-kinds-'), project: PROJECT, policy: false });
    const refOf = new Map(graph.map((n) => [n.id, `${n.account}/${n.layer}`]));
    readers = (ref) => {
      const found = new Set<string>();
      const visit = (r: string): void => {
        for (const node of graph) {
          const me = refOf.get(node.id)!;
          if (!found.has(me) && node.dependsOn.some((d) => refOf.get(d) === r)) {
            found.add(me);
            visit(me);
          }
        }
      };
      visit(ref);
      return found;
    };
  });

  /**
   * The example without `ref`, the layers that read it, and whatever that leaves invalid (e.g. a secrets layer whose
   * only readers were removed), so the template is tried in an organisation that is otherwise valid.
   */
  const withoutLayer = (ref: string): { base: ProjectSource; org: Organisation } => {
    const drop = new Set([ref, ...readers(ref)]);
    for (;;) {
      const base = without(example, drop);
      try {
        return { base, org: resolveOrganisation(base, SANDBOX) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        const broken = error.problems.filter((p) => p.account && p.layer).map((p) => `${p.account}/${p.layer}`).filter((r) => !drop.has(r));
        if (broken.length === 0) throw error;
        for (const r of broken) drop.add(r);
      }
    }
  };

  it('has one template per layer kind of layers/, and none for a kind that does not exist', () => {
    expect(Object.keys(KIND_TEMPLATES).sort()).toEqual([...kinds.keys()].sort());
  });

  describe.each([...kinds.keys()])('%s', (name) => {
    const kind = kinds.get(name)!.kind as LayerKind<unknown>;
    /** Where the example declares this kind, the organisation without it, and the template's config there. */
    const setup = (): { account: string; layer: string; base: ProjectSource; org: Organisation; config: Record<string, unknown>; region?: string } => {
      const [account, layer] = Object.entries(example.accounts).flatMap(([a, { layers }]) =>
        Object.entries(layers).filter(([, d]) => (d as LayerDeclaration).kind === kind && (d as LayerDeclaration).enabled).map(([l]) => [a, l]))[0] ?? [];
      if (!account) throw new Error(`the example organisation declares no ${name} layer to test the template in`);
      const { base, org } = withoutLayer(`${account}/${layer}`);
      const place: Place = { org, idAccounts: Object.keys(base.accounts), account: org.accounts.get(account)!, layer, region: org.accounts.get(account)!.region };
      const region = KIND_TEMPLATES[name].region?.(place);
      return { account, layer, base, org, config: KIND_TEMPLATES[name].config({ ...place, region: region ?? place.region }), region };
    };

    it('validates, synthesizes and passes the policy pack where the example declares the kind', () => {
      const { account, layer, base, config, region } = setup();
      const source = withLayer(base, account, layer, defineLayer(kind, evaluate(config, 'example'), { region }));
      const org = resolveOrganisation(source, REAL);
      const { stacks } = buildOrganisation(Testing.app(), org, { only: new Set([stackId(PROJECT, account, layer)]) });
      expect(stacks).toHaveLength(1);
      expect(enforcePolicy(stacks, () => undefined)[0].findings.filter((f) => f.severity === 'error')).toEqual([]);
    });

    it('leaves only placeholders the organisation check refuses, one problem per field', () => {
      const { account, layer, base, config, region } = setup();
      const fields = inputFields(config);
      const source = withLayer(base, account, layer, defineLayer(kind, evaluate(config, 'placeholder'), { region }));
      if (fields.length === 0) {
        expect(() => resolveOrganisation(source, REAL)).not.toThrow();
        return;
      }
      let problems: { account?: string; layer?: string; field: string; message: string }[] = [];
      try {
        resolveOrganisation(source, REAL);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        problems = [...(error as ConfigError).problems];
      }
      const placeholders = problems.filter((p) => p.message.includes('placeholder'));
      expect(placeholders.map((p) => [p.account, p.layer, p.field])).toEqual(fields.map((f) => [account, layer, f]));
    });

    it('writes a file that reads back as the same declaration', () => {
      const { account, layer, org, config, region } = setup();
      const place: Place = { org, idAccounts: [...org.accounts.keys()], account: org.accounts.get(account)!, layer, region: region ?? org.accounts.get(account)!.region };
      const { content, inputs } = renderLayer(name, place);
      // The project folder sits where the imports in the file expect it: three folders below a root linking layers/, lib/, ...
      const root = tempDir('scaffold-render-');
      for (const entry of ['lib', 'layers', 'modules', 'assets', 'node_modules']) fs.symlinkSync(path.join(ROOT, entry), path.join(root, entry));
      const file = path.join(root, 'projects', PROJECT, account, `${layer}.ts`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const declaration = (require(file) as { default: LayerDeclaration }).default;
      expect(declaration.kind).toBe(kind);
      expect(declaration.enabled).toBe(inputs.length === 0);
      expect(declaration.region).toBe(region !== undefined && region !== place.account.region ? region : undefined);
      const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'contract' ? (v as { name: string }).name : v)));
      expect(plain(declaration.config)).toEqual(plain(evaluate(config, 'placeholder')));
    });
  });
});
