/**
 * The generated GitHub workflows as teams use them (scripts/lib/ci-files.ts): one summary comment per pull request,
 * edited on every push, by the only job allowed to write to pull requests; one drift issue, opened, updated and
 * closed by the only job allowed to write issues; a supported Node.js and the current major of every action; path
 * filters covering everything that changes a plan; the reviewed-plan hand-off on main. The github-script bodies are
 * run here against a fake GitHub API (the same `github`, `context` and `core` objects actions/github-script passes).
 * The committed files themselves are checked for staleness in generated-files.test.ts and runner-ci.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ACTION_VERSIONS, ciInput, DRIFT_ISSUE_MARKER, DRIFT_WORKFLOW_FILE, driftIssueScript, driftWorkflowYaml, githubWorkflowYaml, GITHUB_BODY_LIMIT, NODE_VERSION,
  PLAN_COMMENT_MARKER, planCommentScript, reviewedRunScript, SHARED_SOURCES, WORKFLOW_FILE, WORKFLOW_PATHS, type CiInput,
} from '../../scripts/lib/ci-files';
import { unreviewedStacks } from '../../scripts/lib/config-hash';
import { reviewedToApply, type PlanManifest, type PlanRecord } from '../../scripts/lib/saved-plans';
import { tempDir } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- js-yaml ships with eslint; used only to read the workflows back
const yaml = require('js-yaml') as { load(text: string): unknown };

jest.setTimeout(120_000);
const ROOT = path.resolve(__dirname, '../..');

interface Step { readonly name?: string; readonly id?: string; readonly if?: string; readonly uses?: string; readonly run?: string; readonly env?: Record<string, string>; readonly with?: Record<string, string | number | boolean> }
interface Job { readonly if?: string; readonly needs?: string | string[]; readonly permissions?: Record<string, string>; readonly steps: Step[]; readonly concurrency?: { group: string } }
interface Workflow { readonly on: Record<string, { paths?: string[] }>; readonly permissions: Record<string, string>; readonly jobs: Record<string, Job> }

let input: CiInput;
let layers: Workflow;
let drift: Workflow;
beforeAll(() => {
  input = ciInput('acme');
  layers = yaml.load(githubWorkflowYaml(input)) as Workflow;
  drift = yaml.load(driftWorkflowYaml(input)) as Workflow;
});
const accounts = (): string[] => [...new Set(input.stacks.map((s) => s.node.account))];

describe('permissions', () => {
  it('nothing by default; only the comment job writes to pull requests, and it holds no AWS token', () => {
    expect(layers.permissions).toEqual({});
    const writers = Object.entries(layers.jobs).filter(([, j]) => j.permissions?.['pull-requests'] === 'write').map(([name]) => name);
    expect(writers).toEqual(['comment']);
    expect(layers.jobs.comment.permissions).toEqual({ 'pull-requests': 'write' });
    // no other write permission anywhere, except the OIDC token of the jobs that assume an AWS role
    const writes = Object.entries(layers.jobs).flatMap(([name, job]) => Object.entries(job.permissions ?? {}).filter(([, level]) => level === 'write').map(([scope]) => `${name}:${scope}`));
    expect(writes.filter((w) => !w.endsWith(':id-token'))).toEqual(['comment:pull-requests']);
    for (const job of Object.values(layers.jobs).filter((j) => j.permissions?.['id-token'] === 'write')) {
      expect(job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))).toBe(true);
    }
  });

  it('drift: only the issue job writes issues, after every account, and holds no AWS token', () => {
    expect(drift.permissions).toEqual({});
    expect(drift.jobs.issue.permissions).toEqual({ issues: 'write' });
    expect(drift.jobs.issue.needs).toBe('drift');
    expect(drift.jobs.issue.if).toBe('always()');
    expect(drift.jobs.drift.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });
});

describe('versions', () => {
  // End of life of the Node.js release lines (github.com/nodejs/Release, checked 2026-11-30).
  const NODE_EOL: Record<string, string> = { 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30', 26: '2029-04-30' };

  it(`every job sets up Node.js ${NODE_VERSION}, a release line still supported for at least six months`, () => {
    const eol = Date.parse(NODE_EOL[NODE_VERSION]);
    expect(eol - Date.now()).toBeGreaterThan(182 * 86_400_000);
    for (const workflow of [layers, drift]) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/setup-node'))) expect(step.with!['node-version']).toBe(NODE_VERSION);
      }
    }
    // the project itself still runs on Node 20
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node).toBe('>=20.15');
  });

  it('uses each action at its current major version (all on the node24 runtime), and no other', () => {
    // Latest majors, checked 2026-11-30 against each action's releases and action.yml (`runs.using: node24`).
    expect(ACTION_VERSIONS).toEqual({
      checkout: 'actions/checkout@v7',
      setupNode: 'actions/setup-node@v7',
      setupTerraform: 'hashicorp/setup-terraform@v4',
      awsCredentials: 'aws-actions/configure-aws-credentials@v6',
      uploadArtifact: 'actions/upload-artifact@v7',
      downloadArtifact: 'actions/download-artifact@v8',
      githubScript: 'actions/github-script@v8',
    });
    const used = new Set<string>();
    for (const workflow of [layers, drift]) for (const job of Object.values(workflow.jobs)) for (const s of job.steps) if (s.uses) used.add(s.uses);
    expect([...used].sort()).toEqual(Object.values(ACTION_VERSIONS).sort());
  });
});

describe('triggers and synth', () => {
  it('plans on any change that can change a plan: the app launcher and its bundle, TypeScript and npm config, the runner', () => {
    for (const file of ['scripts/app.js', 'scripts/bundle.js', 'scripts/register.js', 'tsconfig.json', 'package.json', 'package-lock.json', 'cdktf.json', 'main.ts', 'assets/**', 'scripts/lib/**', 'scripts/run.ts']) {
      expect(WORKFLOW_PATHS).toContain(file);
    }
    expect(layers.on.pull_request.paths).toEqual([...WORKFLOW_PATHS, WORKFLOW_FILE]);
    expect(layers.on.push.paths).toEqual([...WORKFLOW_PATHS, WORKFLOW_FILE]);
    // every file the app launcher loads is covered
    for (const file of ['scripts/app.js', 'scripts/bundle.js']) expect(SHARED_SOURCES).toContain(file);
  });

  it('synthesizes with the app launcher cdktf.json names', () => {
    const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app: string }).app;
    expect(app).toBe('node scripts/app.js');
    expect(layers.jobs.synth.steps.find((s) => s.name === 'Synthesize every layer (real mode)')!.run).toBe(app);
  });
});

describe('the pull-request comment', () => {
  it('runs after every plan job, even failed ones, on pull requests from this repository, one at a time per pull request', () => {
    const job = layers.jobs.comment;
    expect(job.needs).toEqual(['synth', ...accounts().map((a) => `plan-${a}`)]);
    expect(job.if).toContain('always()');
    expect(job.if).toContain("github.event_name == 'pull_request'");
    expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(job.concurrency!.group).toBe('plan-comment-${{ github.event.pull_request.number }}');
    // it reads the plan jobs' artifacts and checks nothing out: no code of the pull request runs with its token
    expect(job.steps.map((s) => s.uses)).toEqual([ACTION_VERSIONS.downloadArtifact, ACTION_VERSIONS.githubScript]);
    expect(job.steps[1].with!.script).toBe(planCommentScript(accounts()));
    // each plan job uploads what the comment reads, also after a failure
    const upload = layers.jobs['plan-apps-prd'].steps.find((s) => s.uses === ACTION_VERSIONS.uploadArtifact)!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.name).toBe('plan-apps-prd');
    expect(String(upload.with!.path).split('\n')).toEqual(expect.arrayContaining(['cdktf.out/run-report.md', 'cdktf.out/run-report.json', 'cdktf.out/logs/', 'cdktf.out/plans/manifest.json']));
    // the manifest only: the plan files hold every value in clear and cannot be applied on main
    expect(String(upload.with!.path)).not.toMatch(/plan\.tfplan|plan\.json/);
  });

  /** A fake of what actions/github-script passes to a script. */
  function fakeGitHub(state: { comments?: { id: number; body: string; user: { type: string } }[]; issues?: { number: number; body: string; user: { type: string }; pull_request?: object }[]; head?: string }) {
    const calls: [string, Record<string, unknown>][] = [];
    const record = (name: string, data: Record<string, unknown> = {}) => async (params: Record<string, unknown>) => { calls.push([name, params]); return { data }; };
    const github = {
      rest: {
        pulls: { get: async () => ({ data: { head: { sha: state.head ?? 'abc1234567' } } }) },
        issues: {
          listComments: async () => ({ data: state.comments ?? [] }),
          listForRepo: async () => ({ data: state.issues ?? [] }),
          createComment: record('createComment', { id: 99 }),
          updateComment: record('updateComment'),
          create: record('create', { number: 7 }),
          update: record('update'),
        },
      },
      paginate: async (fn: () => Promise<{ data: unknown[] }>) => (await fn()).data,
    };
    const context = {
      repo: { owner: 'acme', repo: 'infra' }, runId: 4242, serverUrl: 'https://github.com', sha: 'abc1234567',
      payload: { pull_request: { number: 12, head: { sha: 'abc1234567' } } },
    };
    const core = { info: () => undefined, setFailed: (m: string) => calls.push(['setFailed', { m }]), setOutput: () => undefined };
    return { github, context, core, calls };
  }

  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  async function runScript(script: string, fake: ReturnType<typeof fakeGitHub>, env: Record<string, string>): Promise<void> {
    await new AsyncFunction('require', 'github', 'context', 'core', 'process', script)(require, fake.github, fake.context, fake.core, { env });
  }

  function reports(files: Record<string, string>): string {
    const dir = tempDir('plan-reports-');
    for (const [account, body] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, `plan-${account}`), { recursive: true });
      fs.writeFileSync(path.join(dir, `plan-${account}`, 'run-report.md'), body);
    }
    return dir;
  }

  const script = (): string => planCommentScript(['network', 'apps-devstg', 'apps-prd']);

  it('creates the comment the first time: the marker, every planned account\'s report in account order, the run', async () => {
    const fake = fakeGitHub({});
    const dir = reports({ 'apps-prd': '**plan** of 2 layers: 2 done\n', network: '**plan** of 1 layer: 1 done\n' });
    await runScript(script(), fake, { REPORTS_DIR: dir, PLANNED_ACCOUNTS: '["apps-prd","network"]' });
    expect(fake.calls.map(([name]) => name)).toEqual(['createComment']);
    const body = fake.calls[0][1].body as string;
    expect(fake.calls[0][1].issue_number).toBe(12);
    expect(body.startsWith(`${PLAN_COMMENT_MARKER}\n## Terraform plan of abc1234\n`)).toBe(true);
    expect(body.indexOf('### network')).toBeLessThan(body.indexOf('### apps-prd'));
    expect(body).toContain('**plan** of 2 layers: 2 done');
    expect(body).toContain('[run 4242](https://github.com/acme/infra/actions/runs/4242)');
  });

  it('updates its own comment on the next push instead of adding one; a person\'s comment quoting the marker is left alone', async () => {
    const fake = fakeGitHub({
      comments: [
        { id: 1, body: `look at ${PLAN_COMMENT_MARKER}`, user: { type: 'User' } },
        { id: 2, body: `${PLAN_COMMENT_MARKER}\nold plan`, user: { type: 'Bot' } },
      ],
    });
    await runScript(script(), fake, { REPORTS_DIR: reports({ network: 'new plan\n' }), PLANNED_ACCOUNTS: '["network"]' });
    expect(fake.calls.map(([name, p]) => [name, p.comment_id])).toEqual([['updateComment', 2]]);
    expect(fake.calls[0][1].body).toContain('new plan');
  });

  it('says so when nothing changed, and names a planned account whose job wrote no report', async () => {
    const fake = fakeGitHub({});
    await runScript(script(), fake, { REPORTS_DIR: reports({}), PLANNED_ACCOUNTS: '[]' });
    expect(fake.calls[0][1].body).toContain('nothing to plan');
    const failed = fakeGitHub({});
    await runScript(script(), failed, { REPORTS_DIR: reports({ network: 'ok\n' }), PLANNED_ACCOUNTS: '["network","apps-prd"]' });
    expect(failed.calls[0][1].body).toContain('**No report from apps-prd**');
  });

  it('leaves the comment to the newer run when the pull request moved on', async () => {
    const fake = fakeGitHub({ head: 'fff0000000' });
    await runScript(script(), fake, { REPORTS_DIR: reports({ network: 'x\n' }), PLANNED_ACCOUNTS: '["network"]' });
    expect(fake.calls).toEqual([]);
  });

  it('fits GitHub\'s limit: Gantt charts go first, then the tail is cut, with a pointer to the artifacts', async () => {
    const gantt = '```mermaid\ngantt\n' + '    x :done, 1, 2\n'.repeat(2500) + '```\n';
    const fake = fakeGitHub({});
    await runScript(script(), fake, { REPORTS_DIR: reports({ network: `table\n${gantt}`, 'apps-prd': `table\n${gantt}` }), PLANNED_ACCOUNTS: '["network","apps-prd"]' });
    const body = fake.calls[0][1].body as string;
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    expect(body).not.toContain('```mermaid');
    expect(body).toContain('Shortened to fit a GitHub comment');
    const huge = fakeGitHub({});
    await runScript(script(), huge, { REPORTS_DIR: reports({ network: '| row |\n'.repeat(20_000) }), PLANNED_ACCOUNTS: '["network"]' });
    expect((huge.calls[0][1].body as string).length).toBeLessThan(GITHUB_BODY_LIMIT);
  });

  describe('the drift issue', () => {
    function driftReports(byAccount: Record<string, object | undefined>): string {
      const dir = tempDir('drift-reports-');
      for (const [account, report] of Object.entries(byAccount)) {
        if (!report) continue;
        fs.mkdirSync(path.join(dir, `drift-report-${account}`), { recursive: true });
        fs.writeFileSync(path.join(dir, `drift-report-${account}`, 'run-report.json'), JSON.stringify(report));
      }
      return dir;
    }
    const clean = { verdict: 'clean', layers: [{ layer: 'base-network', result: 'clean' }] };
    const drifted = { verdict: 'drifted', layers: [{ layer: 'eks', result: 'drifted', add: 0, change: 2, destroy: 0 }, { layer: 'dns', result: 'clean' }] };
    const broken = { verdict: 'failed', layers: [{ layer: 'databases', result: 'failed', reason: 'Error: AccessDenied\nmore' }] };
    const issueScript = (): string => driftIssueScript(['network', 'apps-prd']);

    it('opens one issue listing the drifted layers per account', async () => {
      const fake = fakeGitHub({});
      await runScript(issueScript(), fake, { REPORTS_DIR: driftReports({ network: clean, 'apps-prd': drifted }) });
      expect(fake.calls.map(([n]) => n)).toEqual(['create']);
      expect(fake.calls[0][1].title).toBe('Drift: 1 layer changed outside Terraform');
      expect(fake.calls[0][1].body).toContain(DRIFT_ISSUE_MARKER);
      expect(fake.calls[0][1].body).toContain('| apps-prd | eks | 0 / 2 / 0 |');
    });

    it('updates the open issue while drift lasts, never opening a second', async () => {
      const fake = fakeGitHub({ issues: [{ number: 3, body: `${DRIFT_ISSUE_MARKER}\nold`, user: { type: 'Bot' } }, { number: 4, body: DRIFT_ISSUE_MARKER, user: { type: 'Bot' }, pull_request: {} }] });
      await runScript(issueScript(), fake, { REPORTS_DIR: driftReports({ network: drifted, 'apps-prd': broken }) });
      expect(fake.calls.map(([n, p]) => [n, p.issue_number])).toEqual([['update', 3]]);
      expect(fake.calls[0][1].body).toContain('Not checked (the check failed, this is not drift): apps-prd (databases: Error: AccessDenied)');
    });

    it('closes it, with a comment, the first night every account is clean', async () => {
      const fake = fakeGitHub({ issues: [{ number: 3, body: DRIFT_ISSUE_MARKER, user: { type: 'Bot' } }] });
      await runScript(issueScript(), fake, { REPORTS_DIR: driftReports({ network: clean, 'apps-prd': clean }) });
      expect(fake.calls.map(([n, p]) => [n, p.issue_number, p.state])).toEqual([['createComment', 3, undefined], ['update', 3, 'closed']]);
    });

    it('does not close it when an account could not be checked, and opens nothing when there is no drift', async () => {
      const open = fakeGitHub({ issues: [{ number: 3, body: DRIFT_ISSUE_MARKER, user: { type: 'Bot' } }] });
      await runScript(issueScript(), open, { REPORTS_DIR: driftReports({ network: clean, 'apps-prd': undefined }) });
      expect(open.calls.map(([n]) => n)).toEqual(['createComment']);
      expect(open.calls[0][1].body).toContain('apps-prd (no report');
      const none = fakeGitHub({});
      await runScript(issueScript(), none, { REPORTS_DIR: driftReports({ network: clean, 'apps-prd': broken }) });
      expect(none.calls).toEqual([]);
    });

    it('is the script the generated issue job runs', () => {
      const step = drift.jobs.issue.steps.find((s) => s.uses === ACTION_VERSIONS.githubScript)!;
      expect(step.with!.script).toBe(driftIssueScript(accounts()));
      expect(step.env).toEqual({ REPORTS_DIR: 'drift-reports' });
      expect(fs.readFileSync(path.join(ROOT, DRIFT_WORKFLOW_FILE), 'utf8')).toBe(driftWorkflowYaml(input));
    });
  });
});

describe('the reviewed-plan hand-off on main', () => {
  it('the synth job refuses, before any apply, a configuration that is not the one a merged pull request planned', () => {
    const steps = layers.jobs.synth.steps.filter((s) => s.if === "github.event_name == 'push'");
    expect(steps.map((s) => s.uses ?? s.run)).toEqual([
      ACTION_VERSIONS.githubScript, ACTION_VERSIONS.downloadArtifact, 'node -r ./scripts/register.js scripts/reviewed-config.ts check reviewed/reviewed-config.json cdktf.out',
    ]);
    expect(steps[1].with).toMatchObject({ name: 'reviewed-config', 'run-id': '${{ steps.reviewed.outputs.run-id }}' });
    // every apply job waits for it, downloads its account's reviewed manifest from that run, and applies with
    // --reviewed exactly the layers of its stage that the manifest offers
    for (const [name, job] of Object.entries(layers.jobs).filter(([j]) => j.startsWith('apply-'))) {
      const account = name.replace(/^apply-/, '').replace(/-\d+$/, '');
      expect(job.needs).toContain('synth');
      const handOff = job.steps.find((s) => s.name?.startsWith('Reviewed plan hand-off'))!;
      expect(handOff.with).toMatchObject({ 'run-id': '${{ needs.synth.outputs.reviewed-run }}', pattern: `plan-${account}`, path: `reviewed/${account}` });
      const pick = job.steps.find((s) => s.id === 'reviewed')!;
      expect(pick.run).toContain(`scripts/reviewed-config.ts stacks reviewed/${account}/plans/manifest.json acme-${account}-`);
      const apply = job.steps.find((s) => s.run?.includes('scripts/run.ts apply'))!;
      expect(apply.if).toBe("steps.reviewed.outputs.stacks != ''");
      expect(apply.env).toEqual({ STACKS: '${{ steps.reviewed.outputs.stacks }}', ALLOW_REPLACE_LIST: '${{ needs.synth.outputs.allow-replace }}' });
      expect(apply.run).toContain(`--stacks "$STACKS" --reviewed reviewed/${account}/plans --auto-approve`);
      expect(apply.run).toContain('${ALLOW_REPLACE_LIST:+--allow-replace "$ALLOW_REPLACE_LIST"}');
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', actions: 'read' });
    }
  });

  it('offers to --reviewed only the layers of the job planned against real states with something to apply', () => {
    const record = (stack: string, extra: Partial<PlanRecord> = {}): PlanRecord => ({
      stack, plannedAt: '2026-11-30T10:00:00.000Z', mode: 'real', configHash: 'sha256:c', state: { missing: true }, upstreams: [], speculative: false,
      counts: { add: 1, change: 0, destroy: 0 }, noChanges: false, applyable: true, changedOutputs: [], unknownOutputs: [], replacements: [], planDigest: 'sha256:d', ...extra,
    });
    const manifest: PlanManifest = { version: 1, layers: { a: record('a'), b: record('b', { speculative: true }), c: record('c', { noChanges: true, applyable: false }), d: record('d'), e: record('e') } };
    expect(reviewedToApply(manifest, ['e', 'a', 'b', 'c', 'x'])).toEqual({ apply: ['e', 'a'], speculative: ['b'] });
    expect(reviewedToApply({ version: 1, layers: {} }, ['a'])).toEqual({ apply: [], speculative: [] });
  });

  it('reads ALLOW_REPLACE from the merged pull request\'s description, and stops when no pull request planned the commit', async () => {
    const outputs: Record<string, string> = {};
    const failed: string[] = [];
    const fake = (pulls: unknown[], runs: unknown[]) => ({
      github: { rest: {
        repos: { listPullRequestsAssociatedWithCommit: async () => ({ data: pulls }) },
        actions: { listWorkflowRuns: async () => ({ data: { workflow_runs: runs } }) },
      } },
      context: { repo: { owner: 'acme', repo: 'infra' }, sha: 'abc1234567' },
      core: { info: () => undefined, setOutput: (k: string, v: string) => { outputs[k] = v; }, setFailed: (m: string) => failed.push(m) },
    });
    const AsyncFn = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const run = async (f: ReturnType<typeof fake>) => new AsyncFn('github', 'context', 'core', reviewedRunScript(WORKFLOW_FILE))(f.github, f.context, f.core);
    const pr = { number: 12, merged_at: '2026-11-30T11:00:00Z', head: { sha: 'def7654321' }, body: 'Moves the database.\r\nALLOW_REPLACE=acme-apps-prd-databases:aws_rds_cluster.aurora\r\n' };
    await run(fake([pr], [{ id: 77, html_url: 'https://x' }]));
    expect(outputs).toEqual({ 'run-id': '77', pr: '12', 'allow-replace': 'acme-apps-prd-databases:aws_rds_cluster.aurora' });
    await run(fake([{ ...pr, body: 'no replacement' }], [{ id: 78, html_url: 'https://x' }]));
    expect(outputs['allow-replace']).toBe('');
    await run(fake([], []));
    expect(failed).toEqual(['abc1234567 was not merged from a pull request: CI applies only what a pull request planned']);
  });

  it('names every stack changed, added or removed since the reviewed configuration', () => {
    expect(unreviewedStacks({ a: 'h1', b: 'h2' }, { a: 'h1', b: 'h2' })).toEqual([]);
    expect(unreviewedStacks({ a: 'h1', b: 'h2', c: 'h3' }, { a: 'h1', b: 'x', d: 'h4' })).toEqual([
      'b: its synthesized configuration changed since the reviewed plan',
      'c: in the reviewed plan but not synthesized now (removed since)',
      'd: not in the reviewed plan (added since)',
    ]);
  });
});
