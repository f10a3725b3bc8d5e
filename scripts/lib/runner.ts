/**
 * The scheduler behind `scripts/run.ts`: which layers a run selects, in which order, with how many at once,
 * and what happens when one fails. It neither runs Terraform nor reads its output: an `Executor` runs one layer and
 * reports its counts (scripts/lib/layer-executor.ts, which parses them with scripts/lib/terraform.ts), so tests drive
 * it with fake graphs and fake executors.
 */
import { topologicalOrder, type GraphNode } from '../../lib/graph';
import { UsageError } from '../../lib/problems';
import type { OutputImpact } from './impact';
import type { RetryRecord } from './retry';
import type { LayerDetails } from './saved-plans';

export const ACTIONS = ['plan', 'apply', 'destroy', 'drift'] as const;
export type Action = (typeof ACTIONS)[number];

/** Resource counts of a plan, apply or destroy (`Plan: 1 to add, 2 to change, 0 to destroy.`). */
export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

/** What an executor reports for one layer. */
export interface Outcome {
  readonly ok: boolean;
  /** drift only: the plan found changes (terraform exit code 2). */
  readonly drifted?: boolean;
  readonly counts?: ChangeCounts;
  /** A short error excerpt when !ok. */
  readonly error?: string;
  /** Where the full terraform output was written. */
  readonly log?: string;
  /** The layer was refused (a saved plan that may not be applied, a stateful replacement nobody allowed): `error` says why. */
  readonly refused?: boolean;
  /** plan: nothing its saved plan was made from changed, so terraform did not run (`counts` are the saved plan's). */
  readonly unchanged?: boolean;
  /** What the plan was made from and what it does (saved plans, replacements, changed outputs), for the report. */
  readonly details?: LayerDetails;
}

export type Executor = (node: GraphNode, action: Action, signal: AbortSignal) => Promise<Outcome>;

/**
 * Final result of a layer. `clean`/`drifted` are drift's `done`; `unchanged` is a plan's `done` without terraform (its
 * saved plan still stands); `refused` is a stateful layer a destroy keeps, or a plan an apply will not apply.
 */
export type LayerResult = 'done' | 'unchanged' | 'clean' | 'drifted' | 'failed' | 'skipped' | 'refused';
export type LayerState = 'queued' | 'running' | LayerResult;

export interface RunEvent {
  readonly id: string;
  readonly state: LayerState;
  /** Milliseconds since the run started. */
  readonly at: number;
  /** For finished layers: how long the layer ran. */
  readonly duration?: number;
  /** Why it was skipped or refused, or the error excerpt. */
  readonly reason?: string;
}

/** Why a layer joined the run after it started (INCLUDE_DEPENDENTS=auto): it reads these changed outputs of `stack`. */
export interface AddedBy {
  readonly stack: string;
  readonly outputs: readonly string[];
}

export interface LayerReport extends LayerDetails {
  readonly id: string;
  readonly project: string;
  readonly account: string;
  readonly layer: string;
  readonly action: Action;
  readonly result: LayerResult;
  readonly add: number | null;
  readonly change: number | null;
  readonly destroy: number | null;
  /** Milliseconds the layer ran (0 when it never started). */
  readonly durationMs: number;
  readonly startedAtMs: number | null;
  readonly reason?: string;
  readonly log?: string;
  /** INCLUDE_DEPENDENTS=auto: not selected, added because it reads an output another layer's plan changes. */
  readonly addedBy?: AddedBy;
  /** Terraform commands retried after a known transient error (scripts/lib/retry.ts; added by scripts/run.ts). */
  readonly retries?: readonly RetryRecord[];
  /** RESUME=1: finished in an earlier run and not run again; its figures are that run's (added by scripts/run.ts). */
  readonly carriedOver?: boolean;
}

/** drift's answer in one word: every layer clean, something drifted (and nothing failed), or the check failed. */
export type DriftVerdict = 'clean' | 'drifted' | 'failed';

export interface RunReport {
  readonly action: Action;
  /** drift only: the same as the exit code says (0 clean, 2 drifted, anything else failed), in words. */
  readonly verdict?: DriftVerdict;
  readonly parallelism: number;
  readonly failFast: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly exitCode: number;
  readonly layers: readonly LayerReport[];
  /** Per changed output of a layer in this run: which layers read it (scripts/lib/impact.ts; added by scripts/run.ts). */
  readonly impact?: readonly OutputImpact[];
}

export interface RunOptions {
  readonly action: Action;
  /** The selected layers; edges to layers outside the selection are taken as already satisfied. */
  readonly nodes: readonly GraphNode[];
  readonly execute: Executor;
  /** How many layers run at once. @default 1 */
  readonly parallelism?: number;
  /** Stop launching layers after the first failure (running ones finish). @default false */
  readonly failFast?: boolean;
  /** destroy only: also destroy stateful layers. @default false */
  readonly forceStateful?: boolean;
  /** Aborting stops launching layers and is passed on to running executors. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Tie-break between ready layers (lower first). @default position in `nodes` */
  readonly rank?: (node: GraphNode) => number;
  /**
   * After a layer succeeds: layers to add to the run (INCLUDE_DEPENDENTS=auto adds the readers of the outputs its plan
   * changes). Not for destroy. @default none
   */
  readonly expand?: (node: GraphNode, outcome: Outcome) => readonly Expansion[];
  /** @default Date.now */
  readonly now?: () => number;
}

/** A layer to add to a running run, and why. */
export interface Expansion {
  readonly node: GraphNode;
  readonly addedBy: AddedBy;
}

/** Exit codes: 0 all done, 1 anything failed, skipped or refused, 2 drift found (and nothing failed), 130 interrupted. */
export function exitCodeOf(layers: readonly LayerReport[], interrupted: boolean): number {
  if (interrupted) return 130;
  if (layers.some((l) => l.result === 'failed' || l.result === 'skipped' || l.result === 'refused')) return 1;
  if (layers.some((l) => l.result === 'drifted')) return 2;
  return 0;
}

export function driftVerdict(exitCode: number): DriftVerdict {
  return exitCode === 0 ? 'clean' : exitCode === 2 ? 'drifted' : 'failed';
}

/** The last line of a drift run, for people and CI reading make's output (make turns every failure into exit 2). */
export function verdictLine(verdict: DriftVerdict): string {
  return `drift: verdict=${verdict}`;
}

/**
 * The order an action visits layers in: dependencies first, or for destroy dependents first. Ties keep the
 * order of `nodes` (account order). Throws CycleError naming the cycle.
 */
export function executionOrder(action: Action, nodes: readonly GraphNode[]): GraphNode[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const order = topologicalOrder(nodes, (n) => index.get(n.id) ?? 0);
  return action === 'destroy' ? order.reverse() : order;
}

/**
 * For each selected layer, the selected layers that must finish before it starts: its upstreams, or for
 * destroy its downstreams (a layer is destroyed only once nothing reads it any more).
 */
export function prerequisites(action: Action, nodes: readonly GraphNode[]): Map<string, Set<string>> {
  const ids = new Set(nodes.map((n) => n.id));
  const result = new Map(nodes.map((n) => [n.id, new Set<string>()]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (!ids.has(dep) || dep === node.id) continue;
      if (action === 'destroy') result.get(dep)!.add(node.id);
      else result.get(node.id)!.add(dep);
    }
  }
  return result;
}

/** Runs the selected layers with a bounded pool: a layer starts as soon as its prerequisites are done. */
export async function runLayers(options: RunOptions): Promise<RunReport> {
  const { action, execute } = options;
  const now = options.now ?? Date.now;
  const parallelism = Math.max(1, Math.floor(options.parallelism ?? 1));
  const order = executionOrder(action, options.nodes); // throws on a cycle before anything runs
  const position = new Map(order.map((n, i) => [n.id, i]));
  const rank = options.rank ?? ((n: GraphNode) => position.get(n.id) ?? 0);
  const waitingOn = prerequisites(action, options.nodes);
  const unblocks = new Map(order.map((n) => [n.id, [] as string[]]));
  for (const [id, deps] of waitingOn) for (const dep of deps) unblocks.get(dep)!.push(id);

  const start = now();
  const startedAt = new Date().toISOString();
  const reports = new Map<string, LayerReport>();
  const started = new Map<string, number>();
  const pending = new Set(order.map((n) => n.id));
  const addedBy = new Map<string, AddedBy>();
  const emit = (event: Omit<RunEvent, 'at'>): void => options.onEvent?.({ ...event, at: now() - start });
  const finish = (node: GraphNode, result: LayerResult, extra: { counts?: ChangeCounts; reason?: string; log?: string; details?: LayerDetails } = {}): void => {
    pending.delete(node.id);
    const begin = started.get(node.id);
    const durationMs = begin === undefined ? 0 : now() - begin;
    const added = addedBy.get(node.id);
    reports.set(node.id, {
      id: node.id, project: node.project, account: node.account, layer: node.layer, action, result,
      add: extra.counts?.add ?? null, change: extra.counts?.change ?? null, destroy: extra.counts?.destroy ?? null,
      durationMs, startedAtMs: begin === undefined ? null : begin - start, reason: extra.reason, log: extra.log,
      ...extra.details, ...(added ? { addedBy: added } : {}),
    });
    emit({ id: node.id, state: result, duration: begin === undefined ? undefined : durationMs, reason: extra.reason });
  };
  const byId = new Map(order.map((n) => [n.id, n]));
  /** Marks everything that waits (transitively) on `id` as skipped. */
  const skipDependents = (id: string, why: string): void => {
    for (const next of unblocks.get(id) ?? []) {
      if (!pending.has(next) || started.has(next)) continue;
      finish(byId.get(next)!, 'skipped', { reason: why });
      skipDependents(next, why);
    }
  };

  for (const node of order) emit({ id: node.id, state: 'queued' });
  if (action === 'destroy' && !options.forceStateful) {
    for (const node of order.filter((n) => n.stateful)) {
      if (!pending.has(node.id)) continue;
      finish(node, 'refused', { reason: 'stateful layer: kept unless FORCE_STATEFUL=1 (--force-stateful)' });
      skipDependents(node.id, `${node.id} is kept (stateful) and still reads it`);
    }
  }

  let stopLaunching = false;
  let interrupted = false;
  const running = new Map<string, Promise<void>>();
  const done = new Set<string>();
  const ready = (): GraphNode[] => order
    .filter((n) => pending.has(n.id) && !started.has(n.id) && [...waitingOn.get(n.id)!].every((d) => done.has(d)))
    .sort((a, b) => rank(a) - rank(b));

  /** Adds a layer to the running run (expand): it waits for the layers of the run it reads, and those not started that read it wait for it. */
  const join = ({ node, addedBy: why }: Expansion): void => {
    if (byId.has(node.id) || stopLaunching) return;
    order.push(node);
    byId.set(node.id, node);
    position.set(node.id, order.length - 1);
    pending.add(node.id);
    addedBy.set(node.id, why);
    const deps = new Set(node.dependsOn.filter((d) => d !== node.id && byId.has(d)));
    waitingOn.set(node.id, deps);
    unblocks.set(node.id, []);
    for (const dep of deps) unblocks.get(dep)!.push(node.id);
    for (const other of order) {
      if (other.id === node.id || !pending.has(other.id) || started.has(other.id) || !other.dependsOn.includes(node.id)) continue;
      waitingOn.get(other.id)!.add(node.id);
      unblocks.get(node.id)!.push(other.id);
    }
    emit({ id: node.id, state: 'queued' });
    const blocked = [...deps].find((d) => !pending.has(d) && !done.has(d));
    if (blocked) {
      finish(node, 'skipped', { reason: `${blocked} ${reports.get(blocked)?.result ?? 'failed'}` });
      skipDependents(node.id, `${blocked} ${reports.get(blocked)?.result ?? 'failed'}`);
    }
  };

  const launch = (node: GraphNode): void => {
    started.set(node.id, now());
    emit({ id: node.id, state: 'running' });
    const signal = options.signal ?? new AbortController().signal;
    const task = execute(node, action, signal).catch((error: unknown): Outcome => ({
      ok: false, error: error instanceof Error ? error.message : String(error),
    })).then((outcome) => {
      running.delete(node.id);
      const extra = { counts: outcome.counts, log: outcome.log, details: outcome.details };
      if (outcome.ok) {
        done.add(node.id);
        const result: LayerResult = action === 'drift' ? (outcome.drifted ? 'drifted' : 'clean') : outcome.unchanged ? 'unchanged' : 'done';
        finish(node, result, extra);
        if (action !== 'destroy') for (const expansion of options.expand?.(node, outcome) ?? []) join(expansion);
      } else {
        finish(node, outcome.refused ? 'refused' : 'failed', { ...extra, reason: outcome.error });
        skipDependents(node.id, `${node.id} ${outcome.refused ? 'was refused' : 'failed'}`);
        if (options.failFast) stopLaunching = true;
      }
    });
    running.set(node.id, task);
  };

  const onAbort = (): void => { interrupted = true; stopLaunching = true; };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    for (;;) {
      if (!stopLaunching) {
        for (const node of ready()) {
          if (running.size >= parallelism) break;
          launch(node);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const why = interrupted ? 'interrupted' : 'fail-fast: an earlier layer failed';
  for (const node of order) if (pending.has(node.id)) finish(node, 'skipped', { reason: why });

  const layers = order.map((n) => reports.get(n.id)!);
  const exitCode = exitCodeOf(layers, interrupted);
  return {
    action, ...(action === 'drift' ? { verdict: driftVerdict(exitCode) } : {}), parallelism, failFast: options.failFast ?? false,
    startedAt, durationMs: now() - start, interrupted, exitCode, layers,
  };
}

export interface Selection {
  /** Only these stack ids (`<project>-<account>-<layer>`). */
  readonly stacks?: readonly string[];
  readonly accounts?: readonly string[];
  /** Layer names (the file names under an account), in any selected account. */
  readonly layers?: readonly string[];
  /** Also every layer that reads (transitively) from a selected one, in any account. */
  readonly includeDependents?: boolean;
}

/** A selection naming an account, layer or stack that does not exist (or is disabled). */
export class SelectionError extends UsageError {
  constructor(problem: string, valid?: readonly string[]) {
    super(problem, valid);
    this.name = 'SelectionError';
  }
}

/** The layers a run covers, in the graph's order. Unknown names are refused with what exists (SelectionError). */
export function selectLayers(graph: readonly GraphNode[], selection: Selection): GraphNode[] {
  const known = (what: string, asked: readonly string[] | undefined, have: Iterable<string>): void => {
    const set = new Set(have);
    const unknown = (asked ?? []).filter((a) => !set.has(a));
    if (unknown.length > 0) throw new SelectionError(`unknown ${what}: ${unknown.join(', ')}`, [...set].sort());
  };
  known('stack', selection.stacks, graph.map((n) => n.id));
  known('account', selection.accounts, graph.map((n) => n.account));
  const inAccounts = graph.filter((n) => !selection.accounts?.length || selection.accounts.includes(n.account));
  known(`layer${selection.accounts?.length ? ` in ${selection.accounts.join(', ')}` : ''}`, selection.layers, inAccounts.map((n) => n.layer));
  const chosen = new Set(inAccounts
    .filter((n) => !selection.layers?.length || selection.layers.includes(n.layer))
    .filter((n) => !selection.stacks?.length || selection.stacks.includes(n.id))
    .map((n) => n.id));
  if (selection.includeDependents) {
    let grew = true;
    while (grew) {
      grew = false;
      for (const node of graph) {
        if (!chosen.has(node.id) && node.dependsOn.some((d) => chosen.has(d))) {
          chosen.add(node.id);
          grew = true;
        }
      }
    }
  }
  return graph.filter((n) => chosen.has(n.id));
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** One line per layer state change: `[  12.3s] apps-prd/base-network  done (4.1s)`. */
export function formatEvent(event: RunEvent, label: (id: string) => string = (id) => id, width = 40): string {
  const at = `[${formatDuration(event.at).padStart(7)}]`;
  const extra = [
    event.duration !== undefined ? `(${formatDuration(event.duration)})` : '',
    event.reason ? `- ${firstLine(event.reason)}` : '',
  ].filter(Boolean).join(' ');
  return `${at} ${label(event.id).padEnd(width)} ${event.state}${extra ? ` ${extra}` : ''}`;
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** What the NOTES column says about a layer: speculative, replacements, changed outputs, why it joined, which plan was applied. */
export function layerNotes(l: LayerReport): string {
  const notes: string[] = [];
  if (l.speculative) notes.push('speculative');
  if (l.replacements?.length) notes.push(`${l.replacements.length} stateful replacement${l.replacements.length === 1 ? '' : 's'}`);
  if (l.changedOutputs?.length) {
    const shown = l.changedOutputs.slice(0, 3).join(', ');
    notes.push(`outputs: ${shown}${l.changedOutputs.length > 3 ? ` +${l.changedOutputs.length - 3}` : ''}`);
  }
  if (l.addedBy) notes.push(`reads ${l.addedBy.outputs.join(', ')} of ${l.addedBy.stack}`);
  if (l.appliedPlan) notes.push(l.appliedPlan === 'saved' ? 'saved plan' : 'equals reviewed plan');
  return notes.join('; ');
}

/**
 * The end-of-run table: layer, action, result, add/change/destroy, duration (and NOTES when a layer has any), then
 * totals, stateful replacements, speculative plans, the impact of changed outputs, and why layers failed.
 */
export function formatSummary(report: RunReport, label: (l: LayerReport) => string = (l) => `${l.account}/${l.layer}`): string {
  const n = (v: number | null): string => (v === null ? '-' : String(v));
  const notes = report.layers.map(layerNotes);
  const withNotes = notes.some((t) => t.length > 0);
  const rows = report.layers.map((l, i) => [label(l), l.action, l.result, n(l.add), n(l.change), n(l.destroy), l.startedAtMs !== null ? formatDuration(l.durationMs) : '-', ...(withNotes ? [notes[i]] : [])]);
  const header = ['LAYER', 'ACTION', 'RESULT', 'ADD', 'CHANGE', 'DESTROY', 'DURATION', ...(withNotes ? ['NOTES'] : [])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const tally = new Map<string, number>();
  for (const l of report.layers) tally.set(l.result, (tally.get(l.result) ?? 0) + 1);
  const totals = [...tally].map(([k, v]) => `${v} ${k}`).join(', ');
  const sum = (k: 'add' | 'change' | 'destroy'): number => report.layers.reduce((t, l) => t + (l[k] ?? 0), 0);
  const problems = report.layers.filter((l) => (l.result === 'failed' || l.result === 'skipped' || l.result === 'refused') && l.reason)
    .map((l) => `  ${label(l)}: ${l.result}: ${firstLine(l.reason!)}${l.result === 'failed' && l.log ? ` (log: ${l.log})` : ''}`);
  const byId = new Map(report.layers.map((l) => [l.id, l]));
  const idLabel = (id: string): string => (byId.has(id) ? label(byId.get(id)!) : id);
  const replacements = report.layers.flatMap((l) => (l.replacements ?? []).map((r) => `  ${r.address} (${r.type}: ${r.action}${r.reason ? `, ${r.reason}` : ''})`));
  const speculative = report.layers.filter((l) => l.speculative).map((l) => {
    const from = (l.upstreams ?? []).filter((u) => u.source === 'planned');
    const mocked = from.flatMap((u) => u.mocked ?? []);
    return `  ${label(l)} <- ${from.map((u) => idLabel(u.stack)).join(', ')}${mocked.length ? ` (mocked: ${mocked.join(', ')})` : ''}`;
  });
  // The widest impact first; a first plan of a new organisation changes every output, so the list is cut (the report has all).
  const widest = [...(report.impact ?? [])].sort((a, b) => b.readers.length - a.readers.length || Number(a.speculative ?? false) - Number(b.speculative ?? false));
  const impact = widest.slice(0, IMPACT_LINES).map((i) => `  ${formatImpactLine(i, idLabel)}`);
  if (widest.length > IMPACT_LINES) impact.push(`  … and ${widest.length - IMPACT_LINES} more changed outputs (impact in the run report)`);
  return [
    line(header),
    ...rows.map(line),
    '',
    `${report.layers.length} layers: ${totals}; ${sum('add')} to add, ${sum('change')} to change, ${sum('destroy')} to destroy; ` +
      `${formatDuration(report.durationMs)} with parallelism ${report.parallelism}${report.interrupted ? ' (interrupted)' : ''}`,
    ...(report.action === 'drift' ? [`drifted: ${report.layers.filter((l) => l.result === 'drifted').map(label).join(', ') || 'none'}`] : []),
    ...(replacements.length > 0 ? ['', 'Stateful resources deleted or replaced (apply refuses each unless ALLOW_REPLACE=<address>,… names it):', ...replacements] : []),
    ...(speculative.length > 0 ? ['', 'Speculative plans (planned against the planned outputs of an upstream in this run; never applied):', ...speculative] : []),
    ...(impact.length > 0 ? ['', 'Changed outputs and the layers that read them:', ...impact] : []),
    ...(problems.length > 0 ? ['', ...problems] : []),
  ].join('\n');
}

/** How many changed outputs the summary lists, widest impact first. */
export const IMPACT_LINES = 12;

/** `apps-devstg/base-network: private_subnet_ids changed → 9 layers in 4 accounts (3 in this run)` */
function formatImpactLine(i: OutputImpact, label: (id: string) => string): string {
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  const who = `${plural(i.readers.length, 'layer')} in ${plural(i.accounts.length, 'account')}`;
  const outside = i.readers.length - i.inRun.length;
  const where = outside === 0 ? '' : ` (${i.inRun.length} in this run; INCLUDE_DEPENDENTS=auto plans the other ${outside})`;
  return `${label(i.stack)}: ${i.output} changed${i.speculative ? ' (speculative plan)' : ''} → ${who}${where}`;
}

// ---------------------------------------------------------------- RESUME=1

/** What RESUME needs of the previous run's report (run-report.json). */
export interface PreviousReport {
  readonly action: Action;
  readonly mode?: string;
  readonly startedAt?: string;
  readonly layers: readonly LayerReport[];
}

export interface ResumeSelection {
  /** The selected layers to run again, in graph order. */
  readonly run: GraphNode[];
  /** Layers the previous run finished whose config did not change: not run, carried into this run's report. */
  readonly kept: (LayerReport & { readonly carriedOver: true })[];
  /** Why each layer runs again: `failed`, `skipped`, `not in the last run`, `config changed`, `reads <id>`. */
  readonly reasons: ReadonlyMap<string, string>;
}

/** Results that count as finished: `unchanged` is a plan's done whose saved plan still stands. */
const FINISHED: readonly LayerResult[] = ['done', 'unchanged', 'clean', 'drifted'];

/**
 * RESUME=1: of the selected layers, those the previous run of the same action did not finish (failed, skipped,
 * refused, or not in it), those whose synthesized config changed since (`hashes`, per stack id, against the
 * report's `configHash`; a layer the report has no hash for counts as changed), and every selected layer that reads
 * one of these, transitively (what it reads may change). Refuses (SelectionError, one line) without a previous report,
 * or when it was another action or the other mode (sandbox vs real AWS).
 */
export function resumeSelection(nodes: readonly GraphNode[], previous: PreviousReport | undefined, hashes: ReadonlyMap<string, string>, action: Action, mode?: string): ResumeSelection {
  if (!previous) throw new SelectionError(`RESUME=1: there is no previous ${action} report to resume from (run it once without RESUME)`);
  if (previous.action !== action) throw new SelectionError(`RESUME=1: the last report is of ${previous.action}, not ${action}: run ${action} without RESUME`);
  if (mode && previous.mode && previous.mode !== mode) throw new SelectionError(`RESUME=1: the last ${action} ran in ${previous.mode} mode, this one in ${mode} mode: run it without RESUME`);
  const before = new Map(previous.layers.map((l) => [l.id, l]));
  const reasons = new Map<string, string>();
  for (const node of nodes) {
    const last = before.get(node.id);
    if (!last) reasons.set(node.id, 'not in the last run');
    else if (!FINISHED.includes(last.result)) reasons.set(node.id, last.result);
    else if (!last.configHash || last.configHash !== hashes.get(node.id)) reasons.set(node.id, 'config changed');
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of nodes) {
      const upstream = node.dependsOn.find((d) => reasons.has(d));
      if (!reasons.has(node.id) && upstream) {
        reasons.set(node.id, `reads ${upstream}`);
        grew = true;
      }
    }
  }
  return {
    run: nodes.filter((n) => reasons.has(n.id)),
    kept: nodes.filter((n) => !reasons.has(n.id)).map((n) => ({ ...before.get(n.id)!, carriedOver: true as const })),
    reasons,
  };
}

/**
 * This run's layers and the layers RESUME kept from the last one, as one report: a kept layer that ran again after all
 * (INCLUDE_DEPENDENTS=auto added it) is this run's, and the whole list is in graph order (`order`: stack id → position).
 */
export function withKeptLayers(ran: readonly LayerReport[], kept: readonly LayerReport[], order: ReadonlyMap<string, number>): LayerReport[] {
  const ids = new Set(ran.map((l) => l.id));
  return [...kept.filter((l) => !ids.has(l.id)), ...ran].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}
