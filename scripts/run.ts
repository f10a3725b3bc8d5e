/**
 * Runs terraform over the synthesized layers of an account or of the whole organisation, in dependency order,
 * several at once. `run.ts --help` for the options; the Makefile's plan/apply/destroy/drift call it.
 * SANDBOX=1 targets the offline sandbox (make sandbox-up first); there, upstream layers without outputs are
 * seeded with their contract's mock outputs so any layer can be planned before anything is applied.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AnyContract } from '../lib/contract';
import { CycleError } from '../lib/graph';
import { modeFromEnv } from '../lib/mode';
import { ConfigError } from '../lib/problems';
import { synth } from '../lib/synth';
import { setTokenStackTraces, tokenStackTracesFromEnv } from '../lib/token-stack-traces';
import { usageLine } from '../lib/usage';
import { parseCommand, SYNOPSIS, USAGE, UsageError } from './lib/cli';
import { confirmApply, confirmDestroy, savedPlanLines, strandedReaders, terminalPrompt } from './lib/confirm';
import { stackConfigHash, stackConfigHashes } from './lib/config-hash';
import { credentialsReady } from './lib/credentials';
import { autoDependents, outputImpact } from './lib/impact';
import { layerExecutor, type ApplyFrom } from './lib/layer-executor';
import { DEFAULT_OUTDIR, PROJECTS_DIR, REPO_ROOT, SANDBOX_DIR } from './lib/paths';
import { markdownFile, writeReportMarkdown } from './lib/report-markdown';
import { withRetries } from './lib/retry';
import {
  ACTIONS, driftVerdict, exitCodeOf, formatEvent, formatSummary, resumeSelection, runLayers, selectLayers, verdictLine, withKeptLayers,
  type Action, type LayerReport, type PreviousReport,
} from './lib/runner';
import { assertLoopback, createBackends, SandboxError, sandboxOwner, verifySandboxOwner } from './lib/sandbox';
import { PlanStore, plansDir } from './lib/saved-plans';
import { terraform } from './lib/terraform';

/** Where this run's report goes, once known: written even when the run fails before any layer ran. */
let reportFile: string | undefined;

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command === 'help') {
    console.log(USAGE);
    return 0;
  }
  // As the app does (main.ts): cdktf's stack trace per token is only ever read in a resolution error.
  setTokenStackTraces(tokenStackTracesFromEnv());
  const mode = modeFromEnv(process.env, REPO_ROOT);
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? DEFAULT_OUTDIR);
  reportFile = path.resolve(command.report ?? path.join(outdir, 'run-report.json'));
  // An older report must never be read as this run's (CI reads the verdict from it); it is kept aside as the
  // previous run's, whose durations predict how long this one takes (the credentials check).
  // A report of a run that stopped before running any layer does not replace one that ran layers (RESUME reads it).
  const previousReport = `${reportFile}.previous`;
  if (fs.existsSync(reportFile)) {
    if (ranLayers(reportFile) || !fs.existsSync(previousReport)) fs.renameSync(reportFile, previousReport);
    else fs.rmSync(reportFile);
  }
  fs.rmSync(markdownFile(reportFile), { force: true });
  if (mode.sandbox) {
    // Before anything is written: the sandbox must be this checkout's (a sandbox someone started for itself and
    // named explicitly by endpoint, like the benchmark's, carries no owner and is accepted).
    assertLoopback(mode.sandbox);
    const named = Boolean(process.env.SANDBOX_S3_ENDPOINT || process.env.SANDBOX_DYNAMODB_ENDPOINT);
    await verifySandboxOwner(mode.sandbox, sandboxOwner(SANDBOX_DIR), SANDBOX_DIR, named);
  }
  const synthStart = Date.now();
  const result = synth({ projectsDir: PROJECTS_DIR, mode, outdir, project: command.project });
  const selected = selectLayers(result.graph, { accounts: command.accounts, layers: command.layers, stacks: command.stacks, includeDependents: command.includeDependents });
  if (selected.length === 0) throw new UsageError('no enabled layer matches the selection');
  // Each layer's config hash as the saved plans compute it (cdk.tf.json, its assets, its provider lock file).
  const hashes = stackConfigHashes(outdir, selected.map((n) => n.id));
  const resumed = command.resume ? resumeSelection(selected, readReport(previousReport), hashes, command.action, mode.sandbox ? 'sandbox' : 'real') : undefined;
  const nodes = resumed ? resumed.run : selected;
  if (resumed) {
    console.log(`RESUME=1: ${resumed.kept.length} of ${selected.length} layers finished in the last ${command.action} and are unchanged; running ${nodes.length}` +
      `${nodes.length ? `: ${nodes.map((n) => `${n.account}/${n.layer} (${resumed.reasons.get(n.id)})`).join(', ')}` : ''}`);
  }
  console.log(`synthesized ${result.graph.length} stacks in ${((Date.now() - synthStart) / 1000).toFixed(1)}s (${mode.sandbox ? `sandbox ${mode.sandbox.s3}` : 'real AWS'}); ` +
    `${command.action} of ${nodes.length} layer(s), parallelism ${command.parallelism}`);
  const print = (line: string): void => console.log(line);
  // A destroy that would leave layers reading what it destroys is refused from the graph alone, so before the
  // credentials check too (confirmDestroy refuses it without asking anything).
  if (command.action === 'destroy' && !command.forceOrphans && strandedReaders(result.graph, nodes).length > 0) {
    const decision = await confirmDestroy(nodes, { ...command, graph: result.graph }, terminalPrompt(), print);
    console.log(decision.message);
    writeReport({ action: command.action, exitCode: 1, error: decision.message, layers: [] });
    return 1;
  }
  // Real AWS: every selected account's role can be assumed, for longer than the last run of these layers took.
  if (!mode.sandbox && nodes.length > 0 && !(await credentialsReady({ stacks: result.stacks, nodes, reportFile: previousReport, parallelism: command.parallelism }))) return 1;

  const plans = new PlanStore(plansDir(outdir));
  const allowReplace = new Set(command.allowReplace);
  if (command.action === 'apply' && nodes.length > 0) {
    const saved = command.planned ? savedPlanLines(nodes, (id) => plans.get(id), allowReplace) : undefined;
    if (saved && command.autoApprove) saved.forEach(print);
    const decision = await confirmApply(nodes, command.autoApprove, terminalPrompt(), print, saved);
    console.log(decision.message);
    if (!decision.proceed) return 1;
  }
  if (command.action === 'destroy' && nodes.length > 0) {
    const decision = await confirmDestroy(nodes, { ...command, graph: result.graph }, terminalPrompt(), print);
    console.log(decision.message);
    if (!decision.proceed) {
      writeReport({ action: command.action, exitCode: 1, error: decision.message, layers: [] });
      return 1;
    }
  }
  if (mode.sandbox) {
    await createBackends(mode.sandbox, [...new Map(result.graph.map((n) => [`${n.project}/${n.account}`, { project: n.project, account: n.account, accountId: n.accountId }])).values()]);
  }

  const contracts = new Map<string, AnyContract | undefined>(result.stacks.map((s) => [s.node.id, s.ctx.account.layers.get(s.ctx.layer)?.kind.contract]));
  const projects = new Set(selected.map((n) => n.project));
  // Every layer of the graph has a label: INCLUDE_DEPENDENTS=auto may add any of them during the run.
  const labels = new Map(result.graph.map((n) => [n.id, `${projects.size > 1 ? `${n.project}/` : ''}${n.account}/${n.layer}`]));
  const width = Math.max(0, ...selected.map((n) => labels.get(n.id)!.length));
  const label = (id: string): string => labels.get(id) ?? id;
  const note = (id: string, message: string): void => console.log(`${' '.repeat(10)}${label(id).padEnd(width)} ${message}`);
  // Known transient AWS errors (throttling, IAM and KMS propagation) are retried with backoff: scripts/lib/retry.ts.
  // Never the apply of a plan file (every apply applies one) nor a lock error; a plain apply whose plan file failed with
  // one is planned and applied again as a whole by the executor (retryApply).
  const retrying = withRetries(terraform, {
    onRetry: (cwd, r) => note(path.basename(cwd), `${r.rule}: terraform ${r.command} again in ${(r.delayMs / 1000).toFixed(0)}s (attempt ${r.attempt + 1} of ${r.maxAttempts})`),
  });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: string) => () => {
    interrupts += 1;
    if (interrupts === 1) {
      console.log(`\n${name}: no new layers start; running terraform processes get one SIGINT and are waited for, so they release their locks`);
      controller.abort();
    } else {
      console.log(`${name} again: still waiting for terraform to stop cleanly (killing it now could leave a state lock)`);
    }
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));

  const report = await runLayers({
    action: command.action,
    nodes,
    parallelism: command.parallelism,
    failFast: command.failFast,
    forceStateful: command.forceStateful,
    signal: controller.signal,
    execute: layerExecutor({
      outdir, mode, graph: result.graph, contracts, lockTimeout: command.lockTimeout, onNote: note, terraform: retrying, retryApply: retrying.retryApply,
      plans, applyFrom: applyFromOf(command), allowReplace, refresh: command.refresh, planJson: command.planJson,
      replanHint: (n) => `make plan ACCOUNT=${n.account} LAYER=${n.layer}${mode.sandbox ? '' : ' SANDBOX=0'}`,
    }),
    onEvent: (event) => console.log(formatEvent(event, label, width)),
    ...(command.autoDependents ? { expand: autoDependents(result.graph) } : {}),
  });
  // Each layer with its config hash (RESUME compares it) and its retries; with RESUME, the layers it kept (unless
  // INCLUDE_DEPENDENTS=auto ran one again), in graph order.
  const ran = report.layers.map((l): LayerReport => {
    const retries = retrying.retriesIn(l.id);
    const hash = l.configHash ?? stackConfigHash(outdir, l.id);
    return { ...l, ...(hash ? { configHash: hash } : {}), ...(retries.length > 0 ? { retries } : {}) };
  });
  const layers = withKeptLayers(ran, resumed?.kept ?? [], new Map(result.graph.map((n, i) => [n.id, i])));
  // A layer drift kept from the last run is still drift.
  const exitCode = exitCodeOf(layers, report.interrupted);
  const full = { ...report, exitCode, layers, impact: outputImpact(layers, result.graph) };
  console.log(`\n${formatSummary(full, (l) => `${label(l.id)}${l.carriedOver ? ' (earlier run)' : ''}`)}`);
  writeReport({ mode: mode.sandbox ? 'sandbox' : 'real', plansDir: path.relative(process.cwd(), plans.dir) || plans.dir, ...full });
  console.log(`report: ${path.relative(process.cwd(), reportFile) || reportFile}`);
  if (command.action === 'drift') console.log(verdictLine(driftVerdict(exitCode)));
  return exitCode;
}

/** How an apply uses plans: --planned (this checkout's saved plans), --reviewed <dir> (CI), or a new plan per layer. */
function applyFromOf(command: { readonly planned: boolean; readonly reviewed?: string }): ApplyFrom {
  if (command.planned) return { kind: 'saved' };
  if (command.reviewed) {
    const store = new PlanStore(path.resolve(command.reviewed));
    if (!fs.existsSync(store.manifestFile)) throw new UsageError(`--reviewed ${command.reviewed}: no ${path.basename(store.manifestFile)} there (the plan job's cdktf.out/plans)`);
    return { kind: 'reviewed', store };
  }
  return { kind: 'fresh' };
}

function writeReport(report: { readonly action: Action; readonly exitCode: number } & Record<string, unknown>): void {
  if (!reportFile) return;
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  const verdict = report.action === 'drift' ? { verdict: driftVerdict(report.exitCode) } : {};
  fs.writeFileSync(reportFile, JSON.stringify({ ...report, ...verdict }, null, 2) + '\n');
  writeReportMarkdown(reportFile, { layers: [], ...report, ...verdict });
}

/** The report at `file`, if it is one. */
function readReport(file: string): PreviousReport | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PreviousReport;
  } catch {
    return undefined;
  }
}

function ranLayers(file: string): boolean {
  return (readReport(file)?.layers?.length ?? 0) > 0;
}

/**
 * One line for anything expected (a wrong command, selection, configuration or environment, a sandbox that is
 * down or not this checkout's). For other errors the message and the project file it comes from when it does (a
 * broken layer file); the stack trace only with DEBUG=1.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (process.env.DEBUG === '1') return error.stack ?? error.message;
  const expected = [UsageError, ConfigError, CycleError, SandboxError].some((c) => error instanceof c);
  if (expected) return error.message;
  const stack = error.stack ?? '';
  // A SyntaxError from loading a file puts `<file>:<line>` first; other errors have `at … (<file>:<line>:<col>)` frames.
  // The first frame in the project's own files (a layer file, a layer class, a module), not in the framework or a
  // package. The file only: without source maps its line is one of the transpiled code (DEBUG=1 maps the stack to .ts lines).
  const framework = [path.join(REPO_ROOT, 'lib'), path.join(REPO_ROOT, 'scripts'), `${path.sep}node_modules${path.sep}`];
  const file = [...stack.matchAll(/\((\/[^():]+):\d+:\d+\)/g)].map((m) => m[1]).find((f) => !framework.some((dir) => f.includes(dir)));
  const relative = file && path.relative(process.cwd(), file);
  const where = file && !error.message.includes(file) ? ` (in ${relative!.startsWith('..') ? file : relative})` : '';
  const message = error.message.split('\n').filter((l) => l.trim())[0] ?? error.name;
  return `${error.name === 'Error' ? '' : `${error.name}: `}${message}${where} (DEBUG=1 prints the stack trace)`;
}

const argv = process.argv.slice(2);
main(argv).then((code) => process.exit(code), (error: unknown) => {
  // A wrong command or selection (SelectionError is a UsageError) is one line with the choices, even with DEBUG=1.
  const usage = error instanceof UsageError;
  const line = usage ? usageLine('run', error, SYNOPSIS) : describeError(error);
  console.error(line);
  // drift keeps terraform's -detailed-exitcode meaning: 2 is drift and nothing else, so even a usage error is 1.
  const drift = argv[0] === 'drift';
  const code = usage && !drift ? 2 : 1;
  if (ACTIONS.includes(argv[0] as Action)) {
    writeReport({ action: argv[0] as Action, exitCode: code, error: line, layers: [] });
  }
  if (drift) console.log(verdictLine('failed'));
  process.exit(code);
});
