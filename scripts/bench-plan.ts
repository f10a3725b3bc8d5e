/**
 * npm run bench:plan: where a layer's first plan goes, and what the whole organisation's first plan costs, this
 * checkout against BENCH_BASELINE (default 6747cc3, before the record of unread layers was dropped and GOGC set) in the
 * same run. Writes the "First plans" section of docs/benchmarks.md (between its markers; `npm run bench` keeps it).
 *
 * 1. The whole organisation's first plan, as `make plan` runs it on a fresh clone: the preflight, then run.ts plan of
 *    every layer, each variant against a fresh private sandbox and a fresh output folder (so every layer runs
 *    `terraform init`), PARALLELISM=2. Wall time, and CPU time of the processes and every terraform and provider
 *    process they waited for (the sandbox's own servers run in this process and are not counted).
 * 2. Per layer (BENCH_PLAN_LAYERS of apps-prd, BENCH_PLAN_RUNS runs each) in a copy of the stack folder with a state key
 *    of its own (a first plan: no state yet; upstream states as the organisation plan left them): a fresh init;
 *    one `terraform plan` under TF_LOG=debug, split into phases by its log's timestamps; the CPU time of plan (Go's
 *    default GC and the runner's GOGC), of a separate `validate`, of the sandbox record (`apply -refresh-only`) and of
 *    `show -json` (what a saved plan's JSON costs); and the provider package check, as the difference of a validate
 *    with and without the lock file's hash.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './lib/paths';
import { seedUpstreams, type GraphStack } from './bench/seed-upstreams';
import { type SandboxEndpoints } from '../lib/mode';
import { startSandbox } from './lib/sandbox';
import { TERRAFORM_GOGC, terraformEnv } from './lib/terraform';

const baselineCommit = process.env.BENCH_BASELINE ?? '6747cc3';
const layerNames = (process.env.BENCH_PLAN_LAYERS ?? 'base-network,eks,databases,cdn,serverless').split(',');
const layerRuns = Number(process.env.BENCH_PLAN_RUNS ?? 3);
const orgRuns = Number(process.env.BENCH_ORG_RUNS ?? 1);
const out = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'docs', 'benchmarks.md');
export const START_MARKER = '<!-- bench-plan:start -->';
export const END_MARKER = '<!-- bench-plan:end -->';

interface Timed { readonly wall: number; readonly cpu: number; readonly code: number; readonly stdout: string; readonly stderr: string }

/**
 * Runs a command under /usr/bin/time: wall seconds, and CPU seconds (user + system) of it and its waited-for children.
 * Asynchronous: the sandbox's servers run in this process and must keep answering while the command runs.
 */
function timed(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'bench-time %e %U %S', command, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stderr.split('\n').reverse().find((l) => l.startsWith('bench-time '));
      if (!line) return reject(new Error(`${command} ${args.join(' ')}: no timing (${stderr.slice(-500)})`));
      const [wall, user, system] = line.split(' ').slice(1).map(Number);
      resolve({ wall, cpu: user + system, code: code ?? 1, stdout, stderr });
    });
  });
}

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (n: number, digits = 2): string => n.toFixed(digits);
const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

function baselineCheckout(): string {
  const dir = tmp('bench-plan-baseline-');
  const archive = spawnSync('git', ['archive', '--format=tar', baselineCommit], { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`git archive ${baselineCommit} failed: ${archive.stderr}`);
  execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

interface OrgResult {
  readonly label: string; readonly wall: number; readonly cpu: number; readonly done: number; readonly layers: number;
  readonly commands: Record<string, number>; readonly outdir: string;
  /** The run's sandbox, kept running for the per-layer measurements. */
  readonly endpoints: SandboxEndpoints;
  /** Stops the run's sandbox (kept running for the per-layer measurements). */
  readonly stop: () => Promise<void>;
}

/** `make plan` of the whole example organisation on a fresh clone, against a fresh sandbox: preflight, then run.ts. */
async function organisationPlan(label: string, root: string): Promise<OrgResult> {
  const sandbox = await startSandbox({ dir: tmp('bench-plan-sandbox-'), s3Port: 0, dynamodbPort: 0 });
  let stopped = false;
  try {
    // run.ts creates each account's state bucket and lock table in the sandbox itself, named as that checkout names them.
    const outdir = tmp('bench-plan-out-');
    const env: NodeJS.ProcessEnv = {
      ...process.env, SANDBOX: '1', SANDBOX_S3_ENDPOINT: sandbox.endpoints.s3, SANDBOX_DYNAMODB_ENDPOINT: sandbox.endpoints.dynamodb, PROJECT: 'acme',
      CDKTF_OUTDIR: outdir, PARALLELISM: '2', CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', TF_CLI_CONFIG_FILE: path.join(root, '.tfrc', 'terraform.rc'),
    };
    delete env.GOGC;
    const preflight = await timed(process.execPath, ['-r', './scripts/register.js', 'scripts/preflight.ts', '--project', 'acme', '--warn-only'], { cwd: root, env });
    if (preflight.code !== 0) throw new Error(`${label}: preflight failed:\n${preflight.stdout}${preflight.stderr}`);
    const run = await timed(process.execPath, ['-r', './scripts/register.js', 'scripts/run.ts', 'plan', '--project', 'acme', '--parallelism', '2'], { cwd: root, env });
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'run-report.json'), 'utf8')) as { layers: { result: string }[] };
    const commands: Record<string, number> = {};
    for (const log of fs.readdirSync(path.join(outdir, 'logs'))) {
      for (const m of fs.readFileSync(path.join(outdir, 'logs', log), 'utf8').matchAll(/^\$ terraform (\S+)(?: (-refresh-only))?/gm)) {
        const key = m[2] ? `${m[1]} ${m[2]}` : m[1];
        commands[key] = (commands[key] ?? 0) + 1;
      }
    }
    // init is not logged by the executor: every layer of a fresh output folder runs it once
    commands.init = report.layers.filter((l) => l.result !== 'skipped').length;
    stopped = true;
    return {
      label, wall: preflight.wall + run.wall, cpu: preflight.cpu + run.cpu,
      done: report.layers.filter((l) => l.result === 'done').length, layers: report.layers.length, commands, outdir, endpoints: sandbox.endpoints, stop: () => sandbox.stop(),
    };
  } finally {
    if (!stopped) await sandbox.stop();
  }
}

/** Milliseconds between marks of a `TF_LOG=debug` plan log. */
function phases(logText: string): Record<string, number> {
  const lines = logText.split('\n');
  const at = (pattern: RegExp, from = 0): number => {
    const line = lines.slice(from).find((l) => pattern.test(l));
    if (!line) throw new Error(`no ${pattern} in the debug log`);
    return Date.parse(line.slice(0, 24));
  };
  const start = Date.parse(lines[0].slice(0, 24));
  const checked = at(/checking for provisioner/);
  const schemaStart = at(/provider: starting plugin/);
  const schemaEnd = at(/provider: plugin exited/);
  const validate = at(/Starting graph walk: walkValidate/);
  const plan = at(/Starting graph walk: walkPlan/);
  const planned = at(/plan operation completed/);
  const end = Date.parse(lines.filter((l) => /^\d{4}-/.test(l)).pop()!.slice(0, 24));
  return {
    'core start, backend, provider check': checked - start,
    'provider start and schema': schemaEnd - schemaStart,
    'validate walk': plan - validate,
    'plan walk (refresh, plan)': planned - plan,
    'other (graphs, state, plan file)': end - start - (checked - start) - (schemaEnd - schemaStart) - (plan - validate) - (planned - plan),
    total: end - start,
  };
}

interface LayerResult { readonly layer: string; readonly phases: Record<string, number>; readonly cpu: Record<string, number> }

async function layerBreakdown(outdir: string, layer: string): Promise<LayerResult> {
  const id = `acme-apps-prd-${layer}`;
  const source = path.join(outdir, 'stacks', id);
  const env = terraformEnv();
  const phaseRuns: Record<string, number>[] = [];
  const cpu: Record<string, number[]> = {};
  const add = (key: string, value: number): void => { (cpu[key] ??= []).push(value); };
  for (let i = 0; i < layerRuns; i += 1) {
    const dir = tmp('bench-plan-layer-');
    for (const entry of fs.readdirSync(source)) {
      if (entry !== '.terraform' && !entry.startsWith('plan.') && entry !== '.terraform.lock.hcl') fs.cpSync(path.join(source, entry), path.join(dir, entry), { recursive: true });
    }
    // Its own state key: a first plan (no state of its own yet), and the record below never overwrites the state that
    // the layers measured after it read.
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { terraform: { backend: { s3: { key: string } } } };
    config.terraform.backend.s3.key = `bench-plan/${i}/${config.terraform.backend.s3.key}`;
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
    const tf = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Timed> => {
      const r = await timed('terraform', args, { cwd: dir, env: { ...env, ...extra } });
      if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} in ${dir} failed:\n${r.stdout}${r.stderr}`);
      return r;
    };
    add('init (fresh folder)', (await tf(['init', '-input=false', '-no-color', '-reconfigure'])).cpu);
    const log = path.join(dir, 'debug.log');
    await tf(['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.tfplan'], { TF_LOG: 'debug', TF_LOG_PATH: log });
    phaseRuns.push(phases(fs.readFileSync(log, 'utf8')));
    add('plan, Go\'s default GC (GOGC=100)', (await tf(['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.tfplan'], { GOGC: '100' })).cpu);
    add(`plan, GOGC=${TERRAFORM_GOGC} (the runner's)`, (await tf(['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.tfplan'], { GOGC: TERRAFORM_GOGC })).cpu);
    add('separate validate', (await tf(['validate', '-no-color'], { GOGC: '100' })).cpu);
    // "non-applyable" (exit 1) when no output is known yet: the run costs the same either way
    add('sandbox record (apply -refresh-only)', (await timed('terraform', ['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color', '-lock=false'], { cwd: dir, env: { ...env, GOGC: '100' } })).cpu);
    add('show -json of the saved plan', (await tf(['show', '-json', 'plan.tfplan'], { GOGC: '100' })).cpu);
    // The provider package check: the same validate without the lock file's hashes (terraform then skips the check).
    const lock = path.join(dir, '.terraform.lock.hcl');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace(/\n\s*hashes = \[[^\]]*\]/, ''));
    add('validate without the provider package check', (await tf(['validate', '-no-color'], { GOGC: '100' })).cpu);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const keys = Object.keys(phaseRuns[0]);
  return {
    layer,
    phases: Object.fromEntries(keys.map((k) => [k, median(phaseRuns.map((p) => p[k])) / 1000])),
    cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)])),
  };
}

async function main(): Promise<void> {
  const load = os.loadavg()[0];
  const baseline = baselineCheckout();
  const results: OrgResult[] = [];
  for (let i = 0; i < orgRuns; i += 1) {
    for (const [label, root] of [[`before (${baselineCommit})`, baseline], ['after (this checkout)', REPO_ROOT]]) {
      const result = await organisationPlan(label, root);
      results.push(result);
      console.log(`${label}: ${result.done}/${result.layers} done, ${f(result.wall, 1)} s wall, ${f(result.cpu, 1)} s CPU`);
      if (i < orgRuns - 1 || label.startsWith('before')) await result.stop();
    }
  }
  const last = results[results.length - 1];
  let layers: LayerResult[];
  try {
    // The organisation plan chains its layers and records no state for one whose outputs are unknown until apply: each
    // layer measured on its own reads its upstreams' mock outputs instead, as the runner seeds them.
    const graph = (JSON.parse(fs.readFileSync(path.join(last.outdir, 'layers.json'), 'utf8')) as { stacks: GraphStack[] }).stacks;
    await seedUpstreams(last.endpoints, graph, graph.filter((n) => n.account === 'apps-prd' && layerNames.includes(n.layer)));
    layers = [];
    for (const l of layerNames) layers.push(await layerBreakdown(last.outdir, l));
  } finally {
    await last.stop();
  }
  const data: BenchPlanData = {
    date: new Date().toISOString().slice(0, 10),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim(),
    baseline: baselineCommit, cores: os.cpus().length, node: process.version, loadStart: load, loadEnd: os.loadavg()[0], layerRuns,
    results: results.map(({ label, wall, cpu, done, layers: count, commands }) => ({ label, wall, cpu, done, layers: count, commands })),
    layers,
  };
  fs.writeFileSync(path.join(os.tmpdir(), 'bench-plan.json'), JSON.stringify(data, null, 2));
  const section = planSection(data);
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '# Benchmarks\n';
  const marked = new RegExp(`${START_MARKER}[\\s\\S]*?${END_MARKER}`);
  fs.writeFileSync(out, marked.test(current) ? current.replace(marked, () => section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log(section);
  console.log(`\nwritten to ${path.relative(REPO_ROOT, out)} (raw figures: ${path.join(os.tmpdir(), 'bench-plan.json')})`);
}

/** What a run measured: enough to write the section again (planSection). */
export interface BenchPlanData {
  readonly date: string;
  readonly commit: string;
  readonly baseline: string;
  readonly cores: number;
  readonly node: string;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly layerRuns: number;
  readonly results: readonly Omit<OrgResult, 'outdir' | 'stop' | 'endpoints'>[];
  readonly layers: readonly LayerResult[];
}

/** The target: the whole organisation's first plan at least this much cheaper (CPU) than the previous approach. */
export const TARGET_REDUCTION = 0.25;

/** The "First plans" section of docs/benchmarks.md, tables and findings, from a run's figures. */
export function planSection(data: BenchPlanData): string {
  const { results, layers } = data;
  const before = results.filter((r) => r.label.startsWith('before'));
  const after = results.filter((r) => r.label.startsWith('after'));
  const cpuBefore = median(before.map((r) => r.cpu));
  const cpuAfter = median(after.map((r) => r.cpu));
  // The two commits plan their own example organisations, which need not have the same layers: compared per layer.
  const perLayerBefore = median(before.map((r) => r.cpu / r.layers));
  const perLayerAfter = median(after.map((r) => r.cpu / r.layers));
  const layersBefore = before[0]?.layers ?? 0;
  const shows = median(after.map((r) => r.commands.show ?? 0));
  const records = (r: readonly Omit<OrgResult, 'outdir' | 'stop' | 'endpoints'>[]): number => median(r.map((x) => x.commands['apply -refresh-only'] ?? 0));
  const layerCount = after[0]?.layers ?? 0;
  const phaseKeys = Object.keys(layers[0].phases);
  const cpuKeys = Object.keys(layers[0].cpu);
  const col = (key: string): number => median(layers.map((l) => l.cpu[key]));
  const phase = (key: string): string => `${f(Math.min(...layers.map((l) => l.phases[key])), 1)}–${f(Math.max(...layers.map((l) => l.phases[key])), 1)} s`;
  const plan100 = col('plan, Go\'s default GC (GOGC=100)');
  const plan200 = col(`plan, GOGC=${TERRAFORM_GOGC} (the runner's)`);
  const record = col('sandbox record (apply -refresh-only)');
  const check = col('separate validate') - col('validate without the provider package check');
  const target = perLayerBefore * (1 - TARGET_REDUCTION);
  const removed = (records(before) / layersBefore - records(after) / layerCount) * record;
  const expected = 1 - (1 - removed / perLayerBefore) * (plan200 / plan100);
  const met = perLayerAfter <= target;
  const less = 1 - perLayerAfter / perLayerBefore;
  const busy = Math.max(data.loadStart, data.loadEnd) > data.cores;
  return [
    START_MARKER,
    '## First plans (issue 16, item 4)',
    '',
    `Generated by \`npm run bench:plan\` on ${data.date} at commit \`${data.commit}\`, against \`${data.baseline}\` in the same run. ` +
      `Machine: ${data.cores} cores, Node ${data.node}; load average ${f(data.loadStart, 1)} when the run started, ${f(data.loadEnd, 1)} when it ended` +
      `${busy ? ' (other work competed for the cores: wall times are longer than on a quiet machine; CPU times are the comparable figures)' : ''}.`,
    '',
    '### The whole organisation\'s first plan',
    '',
    'The preflight and then `run.ts plan` of every layer (what `make plan` runs after installing), PARALLELISM=2, each variant against a fresh sandbox ' +
      'and a fresh output folder, so every layer runs `terraform init` too. CPU: user + system seconds of those processes and every terraform and provider process they started.',
    '',
    '| variant | layers done | wall (s) | CPU (s) | terraform commands |',
    '|---|---|--:|--:|---|',
    ...results.map((r) => `| ${r.label} | ${r.done} of ${r.layers} | ${f(r.wall, 1)} | ${f(r.cpu, 1)} | ${Object.entries(r.commands).sort().map(([k, v]) => `${v} ${k}`).join(', ')} |`),
    '',
    `CPU: ${f(cpuBefore, 1)} s before for ${layersBefore} layers, ${f(cpuAfter, 1)} s after for ${layerCount}: ${f(perLayerBefore)} s and ${f(perLayerAfter)} s per layer (${f(100 * less, 0)}% less). ` +
      `On two idle cores the runner keeps both busy, so the wall time there is about half the CPU time: ${f(cpuBefore / 2, 0)} s before, ${f(cpuAfter / 2, 0)} s after.`,
    '',
    '### Where one layer\'s plan goes',
    '',
    `apps-prd layers, median of ${data.layerRuns} run${data.layerRuns === 1 ? '' : 's'} each, in a copy of the stack folder with a state key of its own (a first plan), ` +
      'after the organisation plan above (upstream states in place). Wall seconds of one `terraform plan` split at the marks of its `TF_LOG=debug` log: ' +
      'terraform starts the AWS provider three times per plan (to read its schema, for the validate walk, for the plan walk), after checking the ' +
      '707 MB provider package against the lock file.',
    '',
    `| layer | ${phaseKeys.join(' | ')} |`, `|---|${phaseKeys.map(() => '--:').join('|')}|`,
    ...layers.map((l) => `| ${l.layer} | ${phaseKeys.map((k) => f(l.phases[k])).join(' | ')} |`),
    '',
    'CPU seconds of each command (GOGC=100, Go\'s default, unless named):',
    '',
    `| layer | ${cpuKeys.join(' | ')} |`, `|---|${cpuKeys.map(() => '--:').join('|')}|`,
    ...layers.map((l) => `| ${l.layer} | ${cpuKeys.map((k) => f(l.cpu[k])).join(' | ')} |`),
    '',
    `Medians over these layers: a plan ${f(plan100)} s of CPU, of which the provider package check ${f(check)} s; with GOGC=${TERRAFORM_GOGC} ${f(plan200)} s; ` +
      `the sandbox record ${f(record)} s; a separate validate ${f(col('separate validate'))} s; \`show -json\` ${f(col('show -json of the saved plan'))} s; ` +
      `a fresh init ${f(col('init (fresh folder)'))} s.`,
    '',
    '### What the figures say',
    '',
    `**Target: the whole organisation's first plan (\`make plan\` on a fresh clone and sandbox) at least ${f(100 * TARGET_REDUCTION, 0)}% cheaper than ` +
      `before per layer: ≤ ${f(target)} s of CPU per layer here, ${f(target * layerCount, 0)} s for the ${layerCount} layers of this organisation, about ${f(target * layerCount / 2, 0)} s on two idle cores. ` +
      `${met ? 'Met' : 'MISSED'}** (${f(perLayerAfter)} s of CPU per layer against ${f(perLayerBefore)} s in the same run, ${f(100 * less, 0)}% less; ` +
      `${f(cpuAfter, 1)} s for ${layerCount} layers against ${f(cpuBefore, 1)} s for the ${layersBefore} layers of the earlier commit's organisation; ` +
      `${after.every((r) => r.done === r.layers) ? 'every layer done' : 'NOT every layer done'}). Per layer, because each commit plans its own example organisation. Why this target: the work that must stay is one ` +
      '`terraform init` and one `terraform plan` per layer, plus a record of each layer another layer reads; what was repeated is ' +
      `the record of the layers nobody reads (${f(layerCount - records(after), 0)} of ${layerCount} here; a whole second terraform run each, ${f(record)} s of CPU) and part of every ` +
      `command's garbage collection. Dropping those records takes ${f(100 * removed / perLayerBefore, 0)}% off, and the lighter collection at most another ` +
      `${f(100 * (1 - plan200 / plan100), 0)}% of the rest (if all of it were terraform), so the two give at most about ${f(100 * expected, 0)}%; ` +
      `${f(100 * TARGET_REDUCTION, 0)}% keeps a margin for the run-to-run spread and for the parts the collector does not touch (init, the synth, the preflight). CPU is the measure: wall time ` +
      `on this shared machine moves with other work (${f(median(after.map((r) => r.wall)), 0)} s wall under load here).`,
    '',
    `**Where a plan's time goes.** Starting the AWS provider and loading its schema is the largest part of most layers' plans (${phase('provider start and schema')} ` +
      `wall), then the validate and plan walks, each in a provider process of its own; the plan walk (its provider start, refresh and diff) takes ${phase('plan walk (refresh, plan)')} ` +
      `(the most for ${[...layers].sort((x, y) => y.phases['plan walk (refresh, plan)'] - x.phases['plan walk (refresh, plan)'])[0].layer}). Checking the provider package against the lock ` +
      `file costs ${f(check)} s of CPU on every command. None of this can be shared between terraform processes.`,
    '',
    '**What was repeated, and what was done about it.** (1) A separate `validate`: the runner never ran one — `terraform plan` validates in ' +
      `the same process (its validate walk); a separate one would cost ${f(col('separate validate'))} s of CPU per layer. (2) \`terraform init\`: once per ` +
      'stack folder, skipped when the backend and providers are unchanged (already so: section 4). (3) The sandbox record, a refresh-only apply after ' +
      `every plan — a second terraform run, with its own provider starts, schema and refresh (${f(record)} s of CPU): now only for a layer another layer reads ` +
      `(${f(records(after), 0)} of ${layerCount}); the state of a layer nobody reads was never used. (4) Garbage collection: most of a command's CPU is the ` +
      `provider building its schema, short-lived allocations; terraform and its providers now run with GOGC=${TERRAFORM_GOGC} (unless GOGC is set), ` +
      `${f(100 * (1 - plan200 / plan100), 0)}% less CPU per plan (${f(plan100)} → ${f(plan200)} s) for about a tenth more peak memory (measured separately on ` +
      'base-network, 6 runs each: provider peak RSS 392–422 MB with GOGC=100, 417–453 MB with 200). (5) The saved plan\'s JSON (`show -json`, added by ' +
      `issue 13 for the replacement guard, the PR's digest and chained plans) ran after every plan with changes, ${f(col('show -json of the saved plan'))} s of CPU each, ` +
      'a provider start and schema load of its own: now a plan is read from its own text when that settles its record (counts, changed and unknown outputs; ' +
      `nothing destroyed, no drift), and the JSON is written only where it is needed: ${f(shows, 0)} of ${layerCount} here, the upstreams whose planned values ` +
      'a chained consumer read (docs/runner.md, "When the plan JSON is written"). CI\'s plan job writes every one (`--plan-json`): the reviewed apply compares digests.',
    '',
    `**What is left, and what would go further.** One init and one plan per layer, ${f(records(after), 0)} records and ${f(shows, 0)} \`show -json\`: exactly the commands in the table. ` +
      `The records (about ${f(records(after) * record * plan200 / plan100, 0)} s of CPU here) exist because the sandbox cannot apply: they give the layers that read another layer ` +
      `a state to read. The ${f(shows, 0)} \`show -json\` left give chained consumers their upstreams' planned values: about ${f(shows * col('show -json of the saved plan'), 0)} s here, ` +
      `${f(100 * shows * col('show -json of the saved plan') / cpuAfter, 0)}% of the whole. Reading planned values needs the JSON; \`plan -json\`'s stream has no values, and ` +
      'switching the plan itself to `-json` would take terraform\'s readable diff out of the layer logs.',
    '',
    END_MARKER,
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
