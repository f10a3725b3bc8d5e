/**
 * docs/graph.mmd, docs/graph.dot, atlantis.yaml and .github/workflows/layers.yml are generated from the layer
 * graph in code and committed: these tests regenerate them in memory and fail when a committed copy is stale
 * (fix: `make graph ci-files`). They also check the generators themselves on small fake graphs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import type { GraphNode } from '../../lib/graph';
import {
  applyStages, ATLANTIS_FILE, atlantisConfig, atlantisYaml, changedStacks, ciInput, githubWorkflow, githubWorkflowYaml,
  DRIFT_WORKFLOW_FILE, driftWorkflow, layerClassFile, toYaml, WORKFLOW_FILE, type CiInput,
} from '../../scripts/lib/ci-files';
import { projectGraph, toDot, toMermaid } from '../../scripts/lib/graph-render';
import { Testing } from 'cdktf';
import { buildApp } from '../../lib/synth';
import { REAL, resources, tempDir } from '../helpers';


const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

jest.setTimeout(120_000);

function node(ref: string, deps: string[] = [], stateful = false): GraphNode {
  const [account, layer] = ref.split('/');
  return { id: `p-${account}-${layer}`, project: 'p', account, accountId: '123456789012', layer, kind: layer, region: 'us-east-1', stateful, dependsOn: deps.map((d) => `p-${d.replace('/', '-')}`) };
}
const ciAccount = (id: string) => ({ region: 'us-east-1', planRoleArn: `arn:aws:iam::${id}:role/GitHubActionsPlan`, applyRoleArn: `arn:aws:iam::${id}:role/GitHubActionsApply` });
const fake = (nodes: GraphNode[]): CiInput => ({
  project: 'p',
  accountOrder: ['net', 'apps'],
  mainBranch: 'main',
  accounts: { net: ciAccount('111111111111'), apps: ciAccount('222222222222') },
  stacks: nodes.map((n) => ({ node: n, sources: [`projects/p/${n.account}/${n.layer}.ts`] })),
});

describe('committed files are in sync with the example organisation', () => {
  let input: CiInput;
  beforeAll(() => { input = ciInput('acme'); });

  it('docs/graph.mmd and docs/graph.dot', () => {
    const graph = input.stacks.map((s) => s.node);
    expect(read('docs/graph.mmd')).toBe(toMermaid(graph));
    expect(read('docs/graph.dot')).toBe(toDot(graph));
  });

  it('the README mermaid block between the graph markers', () => {
    const readme = read('README.md');
    const match = /<!-- graph:start -->\n```mermaid\n([\s\S]*?)```\n<!-- graph:end -->/.exec(readme);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(toMermaid(input.stacks.map((s) => s.node)));
  });

  it(`${ATLANTIS_FILE} and ${WORKFLOW_FILE}`, () => {
    expect(read(ATLANTIS_FILE)).toBe(atlantisYaml(input));
    expect(read(WORKFLOW_FILE)).toBe(githubWorkflowYaml(input));
  });

  it('each committed YAML file parses back to the object it was generated from (YAML 1.2 and 1.1 readers)', () => {
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)); // the object without its undefined fields
    for (const version of ['1.2', '1.1'] as const) {
      expect(parseYaml(read(ATLANTIS_FILE), { version })).toEqual(plain(atlantisConfig(input)));
      expect(parseYaml(read(WORKFLOW_FILE), { version })).toEqual(plain(githubWorkflow(input)));
      expect(parseYaml(read(DRIFT_WORKFLOW_FILE), { version })).toEqual(plain(driftWorkflow(input)));
    }
  });

  it('has one Atlantis project per stack, with depends_on from the graph and its own layer sources', () => {
    const config = parseYaml(read(ATLANTIS_FILE)) as { projects: { name: string; dir: string; depends_on?: string[]; autoplan: { when_modified: string[] } }[] };
    expect(config.projects.map((p) => p.name).sort()).toEqual(input.stacks.map((s) => s.node.id).sort());
    for (const { node } of input.stacks) {
      const project = config.projects.find((p) => p.name === node.id)!;
      expect(project.dir).toBe(`cdktf.out/stacks/${node.id}`);
      expect(project.depends_on ?? []).toEqual([...node.dependsOn]);
      expect(project.autoplan.when_modified).toContain(`../../../projects/acme/${node.account}/${node.layer}.ts`);
      expect(project.autoplan.when_modified).toContain('../../../modules/**/*.ts');
      expect(project.autoplan.when_modified).toContain('../../../lib/**/*.ts');
    }
    const network = config.projects.find((p) => p.name === 'acme-apps-prd-base-network')!;
    expect(network.autoplan.when_modified).toContain('../../../layers/base-network.ts');
  });

  it('the workflow applies every stack exactly once, each job in its account environment, after what it reads', () => {
    const workflow = parseYaml(read(WORKFLOW_FILE)) as { jobs: Record<string, { environment?: string; needs?: string | string[]; steps: { run?: string }[] }> };
    const applied = new Map<string, string>();
    for (const [id, job] of Object.entries(workflow.jobs).filter(([j]) => j.startsWith('apply-'))) {
      // the stage's stacks: those it may apply, each only when the reviewed plan offers it (reviewed-config.ts stacks)
      const pick = job.steps.map((s) => s.run ?? '').find((r) => r.includes('scripts/reviewed-config.ts stacks'))!;
      expect(job.steps.some((s) => (s.run ?? '').includes('run.ts apply') && s.run!.includes('--stacks "$STACKS" --reviewed'))).toBe(true);
      const stacks = /reviewed-config\.ts stacks \S+ ([^\s)]+)\)/.exec(pick)![1].split(',');
      for (const stack of stacks) {
        expect(applied.has(stack)).toBe(false);
        applied.set(stack, id);
        expect(job.environment).toBe(input.stacks.find((s) => s.node.id === stack)!.node.account);
      }
    }
    expect([...applied.keys()].sort()).toEqual(input.stacks.map((s) => s.node.id).sort());
    // every read is satisfied by the same job or by a job this one (transitively) needs
    const needs = (job: string): Set<string> => {
      const direct = workflow.jobs[job].needs ?? [];
      const all = new Set<string>();
      for (const n of Array.isArray(direct) ? direct : [direct]) { all.add(n); for (const m of needs(n)) all.add(m); }
      return all;
    };
    for (const { node } of input.stacks) {
      for (const dep of node.dependsOn) {
        const [mine, theirs] = [applied.get(node.id)!, applied.get(dep)!];
        if (mine !== theirs) expect(needs(mine)).toContain(theirs);
      }
    }
    for (const account of new Set(input.stacks.map((s) => s.node.account))) {
      expect(workflow.jobs[`plan-${account}`].steps.map((s) => s.run ?? '').join('\n')).toContain(`run.ts plan --project acme --account ${account} --stacks`);
    }
  });

  it('the workflow assumes, per job, only the GitHub Actions role its account security layer creates: no repository variable, no hand-made role', () => {
    const text = read(WORKFLOW_FILE);
    expect(text).not.toMatch(/vars\.|secrets\./);
    const workflow = parseYaml(text) as { jobs: Record<string, { environment?: string; env?: Record<string, string>; if?: string; steps: { uses?: string; run?: string; with?: Record<string, string> }[] }> };
    const { stacks } = buildApp({ projectsDir: path.join(ROOT, 'projects'), mode: REAL, project: 'acme', outdir: tempDir('ci-roles-') });
    const created = new Map<string, string[]>(); // account id -> role names its security layer creates
    for (const stack of stacks.filter((s) => s.ctx.layer === 'security')) {
      created.set(stack.ctx.account.id, resources(Testing.synth(stack), 'aws_iam_role').map((r) => String(r.name)));
    }
    const accountIds = new Map(stacks.map((s) => [s.ctx.account.name, s.ctx.account.id]));
    let jobs = 0;
    // synth holds no AWS credentials; nor does the comment job, which only writes the pull request's comment.
    for (const [name, job] of Object.entries(workflow.jobs).filter(([j]) => j !== 'synth' && j !== 'comment')) {
      const login = job.steps.filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect(login).toHaveLength(1);
      const arn = /^arn:aws:iam::(\d{12}):role\/(GitHubActionsPlan|GitHubActionsApply)$/.exec(login[0].with!['role-to-assume']);
      expect(arn).not.toBeNull();
      const account = name.startsWith('plan-') ? name.slice('plan-'.length) : job.environment!;
      expect(arn![1]).toBe(accountIds.get(account));
      expect(created.get(arn![1])).toContain(arn![2]);
      // plan jobs synthesize for the plan role; apply jobs run in the account's protected environment, which the apply role trusts
      if (name.startsWith('plan-')) expect([arn![2], job.env?.ACCESS, job.environment]).toEqual(['GitHubActionsPlan', 'plan', 'plan']);
      else expect(arn![2]).toBe('GitHubActionsApply');
      jobs += 1;
    }
    expect(jobs).toBeGreaterThanOrEqual(14);
  });
});

describe('generators', () => {
  it('draws accounts as subgraphs, stateful layers as cylinders and reads as edges', () => {
    const graph = [node('net/vpc'), node('apps/db', ['net/vpc'], true)];
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain('subgraph p_net["net"]');
    expect(mermaid).toContain('p_apps_db[("db")]');
    expect(mermaid).toContain('p_net_vpc --> p_apps_db');
    const dot = toDot(graph);
    expect(dot).toContain('subgraph "cluster_p_net"');
    expect(dot).toContain('"p-apps-db" [label="db", shape=cylinder];');
    expect(dot).toContain('"p-net-vpc" -> "p-apps-db";');
  });

  it('splits accounts that read each other both ways into ordered jobs without a cycle', () => {
    // net/hub reads apps/vpc; apps/attach reads net/hub: one job per account could not be ordered.
    const stages = applyStages(fake([node('net/vpc'), node('apps/vpc'), node('net/hub', ['apps/vpc']), node('apps/attach', ['net/hub'])]));
    expect(stages.map((s) => [s.job, s.stacks, s.needs])).toEqual([
      ['apply-net-1', ['p-net-vpc'], []],
      ['apply-apps-1', ['p-apps-vpc'], []],
      ['apply-net-2', ['p-net-hub'], ['apply-apps-1']],
      ['apply-apps-2', ['p-apps-attach'], ['apply-net-2']],
    ]);
  });

  it('keeps one job per account when nothing forces a split', () => {
    const stages = applyStages(fake([node('net/vpc'), node('apps/vpc', ['net/vpc']), node('apps/eks', ['apps/vpc'])]));
    expect(stages.map((s) => [s.job, s.needs])).toEqual([['apply-net', []], ['apply-apps', ['apply-net']]]);
    const workflow = githubWorkflow(fake([node('net/vpc'), node('apps/vpc', ['net/vpc'])])) as { jobs: Record<string, { needs: string[] }> };
    expect(workflow.jobs['apply-apps'].needs).toEqual(['synth', 'apply-net']);
  });

  it('writes YAML that YAML 1.2 and 1.1 readers parse back to the same data', () => {
    const data = {
      a: 'plain', b: 'needs: quoting', c: ['x', { d: 1, e: true, f: 'on', g: 'yes', h: 'off', y: 'y' }], g: 'line1\nline2\n', k: 'no final\nnewline',
      h: '${{ x }}', i: [], j: '0', l: '*not-an-alias', m: '# not a comment', n: '1.10', o: 'null', p: '-lock-timeout=10m', q: ' padded ', on: 'key',
    };
    for (const version of ['1.2', '1.1'] as const) expect([version, parseYaml(toYaml(data), { version })]).toEqual([version, data]);
    const config = atlantisConfig(fake([node('net/vpc'), node('apps/vpc', ['net/vpc'])]));
    expect(parseYaml(toYaml(config))).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it('keeps a long line whole and writes a list used twice as two lists, not an anchor and an alias', () => {
    const long = `node -r ./scripts/register.js scripts/run.ts plan ${'--account some-account '.repeat(10)}`.trim();
    expect(toYaml({ run: long })).toBe(`run: ${long}\n`);
    const paths = ['lib/**', 'main.ts'];
    const text = toYaml({ pull_request: { paths }, push: { paths } });
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.match(/- main\.ts/g)).toHaveLength(2);
  });

  it('finds the file of a layer class', () => {
    expect(layerClassFile('BaseNetwork')).toBe('layers/base-network.ts');
    expect(layerClassFile('NoSuchLayer')).toBeUndefined();
  });

  it('lists the stacks whose synthesized JSON changed, including new ones', () => {
    const base = tempDir('base-');
    const head = tempDir('head-');
    const put = (dir: string, id: string, body: string): void => {
      fs.mkdirSync(path.join(dir, 'stacks', id), { recursive: true });
      fs.writeFileSync(path.join(dir, 'stacks', id, 'cdk.tf.json'), body);
    };
    put(base, 'a', '1'); put(head, 'a', '1');
    put(base, 'b', '1'); put(head, 'b', '2');
    put(head, 'c', 'new');
    expect(changedStacks(base, head)).toEqual(['b', 'c']);
  });

  it('the example graph is the one the runner uses (same ids as a synth)', () => {
    expect(projectGraph('acme').map((n) => n.id).sort()).toEqual(ciInput('acme').stacks.map((s) => s.node.id).sort());
  });
});
