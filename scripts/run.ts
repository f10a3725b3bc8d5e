/**
 * Runs terraform over the synthesized layers of an account or of the whole organisation, in dependency order,
 * several at once. `run.ts --help` for the options; the Makefile's plan/apply/destroy/drift call it.
 * SANDBOX=1 targets the offline sandbox (make sandbox-up first); there, upstream layers without outputs are
 * seeded with their contract's mock outputs so any layer can be planned before anything is applied.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AnyContract } from '../lib/contract';
import { modeFromEnv } from '../lib/mode';
import { ConfigError } from '../lib/problems';
import { synth } from '../lib/synth';
import { parseCommand, USAGE, UsageError } from './lib/cli';
import { confirmApply, confirmDestroy, terminalPrompt } from './lib/confirm';
import { credentialsReady } from './lib/credentials';
import { layerExecutor } from './lib/layer-executor';
import { DEFAULT_OUTDIR, PROJECTS_DIR } from './lib/paths';
import { formatEvent, formatSummary, runLayers, selectLayers } from './lib/runner';
import { assertLoopback, createBackends } from './lib/sandbox';

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const mode = modeFromEnv();
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? DEFAULT_OUTDIR);
  const synthStart = Date.now();
  const result = synth({ projectsDir: PROJECTS_DIR, mode, outdir, project: command.project });
  const nodes = selectLayers(result.graph, { accounts: command.accounts, layers: command.layers, stacks: command.stacks, includeDependents: command.includeDependents });
  if (nodes.length === 0) throw new UsageError('no enabled layer matches the selection');
  console.log(`synthesized ${result.graph.length} stacks in ${((Date.now() - synthStart) / 1000).toFixed(1)}s (${mode.sandbox ? `sandbox ${mode.sandbox.s3}` : 'real AWS'}); ` +
    `${command.action} of ${nodes.length} layer(s), parallelism ${command.parallelism}`);
  // Real AWS: every selected account's role can be assumed, for longer than the last run of these layers took.
  const reportFile = path.resolve(command.report ?? path.join(outdir, 'run-report.json'));
  if (!mode.sandbox && !(await credentialsReady({ stacks: result.stacks, nodes, reportFile, parallelism: command.parallelism }))) return 1;

  const print = (line: string): void => console.log(line);
  if (command.action === 'apply') {
    const decision = await confirmApply(nodes, command.autoApprove, terminalPrompt(), print);
    console.log(decision.message);
    if (!decision.proceed) return 1;
  }
  if (command.action === 'destroy') {
    const decision = await confirmDestroy(nodes, command, terminalPrompt(), print);
    console.log(decision.message);
    if (!decision.proceed) return 1;
  }
  if (mode.sandbox) {
    assertLoopback(mode.sandbox);
    await createBackends(mode.sandbox, [...new Map(result.graph.map((n) => [`${n.project}/${n.account}`, { project: n.project, account: n.account, accountId: n.accountId }])).values()]);
  }

  const contracts = new Map<string, AnyContract | undefined>(result.stacks.map((s) => [s.node.id, s.ctx.account.layers.get(s.ctx.layer)?.kind.contract]));
  const projects = new Set(nodes.map((n) => n.project));
  const labels = new Map(nodes.map((n) => [n.id, `${projects.size > 1 ? `${n.project}/` : ''}${n.account}/${n.layer}`]));
  const width = Math.max(...[...labels.values()].map((l) => l.length));
  const label = (id: string): string => labels.get(id) ?? id;

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
      outdir, mode, graph: result.graph, contracts, lockTimeout: command.lockTimeout,
      onNote: (id, message) => console.log(`${' '.repeat(10)}${label(id).padEnd(width)} ${message}`),
    }),
    onEvent: (event) => console.log(formatEvent(event, label, width)),
  });

  console.log(`\n${formatSummary(report, (l) => label(l.id))}`);
  const file = path.resolve(command.report ?? path.join(outdir, 'run-report.json'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ mode: mode.sandbox ? 'sandbox' : 'real', ...report }, null, 2) + '\n');
  console.log(`report: ${path.relative(process.cwd(), file) || file}`);
  return report.exitCode;
}

main().then((code) => process.exit(code), (error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
