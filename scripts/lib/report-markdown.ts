/**
 * The run report as Markdown (`cdktf.out/run-report.md`, written next to run-report.json by every run, and the body
 * of CI's pull-request comment): a headline, the summary table (layer, result, add/change/destroy, replacements,
 * speculative, drift, duration), what needs a reader's attention (replacements, changed outputs, retries, failures)
 * and a Mermaid Gantt chart of when each layer ran, so a slow or serialised run shows at a glance.
 *
 * It reads the report as JSON gives it: the per-layer fields that only some runs have (`replacements`, `speculative`,
 * `changedOutputs`, `planFile`, `drift`, `addedBy`, `appliedPlan`, `retries`, `carriedOver`) and the run's `impact`
 * are rendered when present and left empty otherwise (docs/runner.md, "The run report").
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatDuration as runnerDuration, type LayerReport, type RunReport } from './runner';

/** A layer of the report as the Markdown reads it: LayerReport, whose optional fields are rendered when present. */
export type MarkdownLayer = LayerReport;

/** A run report as run.ts writes it; a run refused before any layer ran has only `action`, `exitCode` and `error`. */
export type MarkdownReport = Partial<Omit<RunReport, 'layers' | 'action' | 'exitCode'>> & Pick<RunReport, 'action' | 'exitCode'> & {
  readonly layers: readonly MarkdownLayer[];
  readonly mode?: string;
  /** Why the run stopped before running layers. */
  readonly error?: string;
};

export interface MarkdownOptions {
  /** A heading above everything (e.g. the account in CI). @default none */
  readonly title?: string;
  /** Layers in one Gantt chart before it shows one bar per account instead. @default 80 */
  readonly maxGanttTasks?: number;
}

/** The Markdown of a run: what CI posts on a pull request, and `<report>.md` next to every JSON report. */
export function reportMarkdown(report: MarkdownReport, options: MarkdownOptions = {}): string {
  const layers = report.layers;
  const projects = new Set(layers.map((l) => l.project));
  const label = (l: MarkdownLayer): string => `${projects.size > 1 ? `${l.project}/` : ''}${l.account}/${l.layer}`;
  const sum = (key: 'add' | 'change' | 'destroy'): number => layers.reduce((t, l) => t + (l[key] ?? 0), 0);
  const tally = new Map<string, number>();
  for (const l of layers) tally.set(l.result, (tally.get(l.result) ?? 0) + 1);
  const replacements = layers.flatMap((l) => (l.replacements ?? []).map((r) => ({ layer: l, r })));
  const speculative = layers.filter((l) => l.speculative);
  const retried = layers.filter((l) => (l.retries?.length ?? 0) > 0);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const byId = new Map(layers.map((l) => [l.id, l]));
  const idLabel = (id: string): string => (byId.has(id) ? label(byId.get(id)!) : id);

  const lines: string[] = [];
  if (options.title) lines.push(`### ${escapeText(options.title)}`, '');
  lines.push(`**${report.action}** of ${plural(layers.length, 'layer')}: ${[...tally].map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing selected'}` +
    `${report.verdict ? ` · verdict **${report.verdict}**` : ''}${report.interrupted ? ' · **interrupted**' : ''}`);
  lines.push('', [
    `${sum('add')} to add, ${sum('change')} to change, ${sum('destroy')} to destroy`,
    ...(replacements.length > 0 ? [`**${plural(replacements.length, 'replacement')} of stateful resources**`] : []),
    ...(speculative.length > 0 ? [`${speculative.length} speculative (never applied)`] : []),
    ...(retried.length > 0 ? [plural(retried.reduce((t, l) => t + l.retries!.length, 0), 'retry')] : []),
    ...(report.durationMs !== undefined ? [`${formatDuration(report.durationMs)} at parallelism ${report.parallelism ?? 1}`] : []),
    ...(report.mode ? [report.mode === 'sandbox' ? 'sandbox' : 'real AWS'] : []),
    `exit code ${report.exitCode}`,
  ].join(' · '));

  if (report.error) lines.push('', `**Stopped before any layer ran**: ${escapeText(clip(firstLine(report.error)))}`);
  if (layers.length > 0) {
    const cell = (v: number | null): string => (v === null ? '-' : String(v));
    const drift = (l: MarkdownLayer): string => {
      if (l.result === 'drifted' || l.result === 'clean') return l.result;
      return l.drift ? `${l.drift} changed outside Terraform` : '';
    };
    lines.push('', '| layer | result | add | change | destroy | replacements | speculative | drift | duration |', '|---|---|--:|--:|--:|--:|---|---|--:|');
    for (const l of layers) {
      const result = `${l.result}${l.retries?.length ? ` (${plural(l.retries.length, 'retry')})` : ''}${l.carriedOver ? ' (earlier run)' : ''}`;
      lines.push(`| ${escapeText(label(l))} | ${escapeText(result)} | ${cell(l.add)} | ${cell(l.change)} | ${cell(l.destroy)} | ` +
        `${l.replacements?.length ? `**${l.replacements.length}**` : ''} | ${l.speculative ? 'yes' : ''} | ${escapeText(drift(l))} | ` +
        `${l.startedAtMs !== null ? formatDuration(l.durationMs) : '-'} |`);
    }
  }

  if (replacements.length > 0) {
    lines.push('', '**Stateful resources deleted or replaced** (every apply refuses each unless `ALLOW_REPLACE=<stack>:<address>,…` names it):', '');
    for (const { layer, r } of replacements) {
      lines.push(`- ${escapeText(label(layer))}: \`${r.address}\` (${escapeText(r.type)}: ${escapeText(r.action)}${r.reason ? `, ${escapeText(r.reason)}` : ''})`);
    }
  }
  if (speculative.length > 0) {
    lines.push('', '**Speculative plans** (planned against the planned outputs of an upstream in this run; never applied):', '');
    for (const l of speculative) {
      const from = (l.upstreams ?? []).filter((u) => u.source === 'planned');
      const mocked = from.flatMap((u) => u.mocked ?? []);
      lines.push(`- ${escapeText(label(l))} ← ${from.map((u) => escapeText(idLabel(u.stack))).join(', ') || 'an upstream'}${mocked.length ? ` (mocked: ${mocked.map((m) => `\`${m}\``).join(', ')})` : ''}`);
    }
  }
  // Impact by output: each changed output with the layers that read it (run.ts adds `impact`); outputs nobody reads
  // are listed per layer after it.
  const impact = [...(report.impact ?? [])].sort((a, b) => b.readers.length - a.readers.length);
  const withReaders = new Set(impact.map((i) => `${i.stack}\0${i.output}`));
  const unread = layers.map((l) => ({ l, outputs: (l.changedOutputs ?? []).filter((o) => !withReaders.has(`${l.id}\0${o}`)) })).filter((x) => x.outputs.length > 0);
  if (impact.length > 0 || unread.length > 0) {
    lines.push('', '**Changed outputs**:', '');
    for (const i of impact.slice(0, MAX_IMPACT_LINES)) {
      const outside = i.readers.length - i.inRun.length;
      lines.push(`- ${escapeText(idLabel(i.stack))}: \`${i.output}\` changed${i.speculative ? ' (speculative plan)' : ''} → ${plural(i.readers.length, 'layer')} in ` +
        `${plural(i.accounts.length, 'account')}${outside > 0 ? ` (${i.inRun.length} in this run; \`INCLUDE_DEPENDENTS=auto\` plans the other ${outside})` : ''}`);
    }
    if (impact.length > MAX_IMPACT_LINES) lines.push(`- … and ${impact.length - MAX_IMPACT_LINES} more (the JSON report's \`impact\` has them all)`);
    for (const { l, outputs } of unread) lines.push(`- ${escapeText(label(l))}: ${outputs.map((o) => `\`${o}\``).join(', ')} (read by no layer)`);
  }
  const added = layers.filter((l) => l.addedBy);
  if (added.length > 0) {
    lines.push('', '**Added by `INCLUDE_DEPENDENTS=auto`**:', '');
    for (const l of added) lines.push(`- ${escapeText(label(l))} reads ${l.addedBy!.outputs.map((o) => `\`${o}\``).join(', ')} of ${escapeText(idLabel(l.addedBy!.stack))}`);
  }
  if (retried.length > 0) {
    lines.push('', '**Retried** (known transient errors, scripts/lib/retry.ts):', '');
    for (const l of retried) {
      for (const r of l.retries!) lines.push(`- ${escapeText(label(l))}: terraform ${escapeText(r.command)}, ${escapeText(r.rule)} after ${formatDuration(r.delayMs)}: ${escapeText(clip(r.message))}`);
    }
  }
  const problems = layers.filter((l) => (l.result === 'failed' || l.result === 'skipped' || l.result === 'refused') && l.reason && !l.carriedOver);
  if (problems.length > 0) {
    lines.push('', '**Failed, skipped or refused**:', '');
    for (const l of problems) {
      lines.push(`- ${escapeText(label(l))} ${l.result}: ${escapeText(clip(firstLine(l.reason!)))}${l.result === 'failed' && l.log ? ` (log: \`${path.basename(l.log)}\`)` : ''}`);
    }
  }
  const planned = layers.filter((l) => l.planFile);
  if (planned.length > 0) {
    lines.push('', `<details><summary>Saved plans (${planned.length})</summary>`, '');
    for (const l of planned) lines.push(`- ${escapeText(label(l))}: \`${l.planFile}\`${l.result === 'unchanged' ? ' (unchanged: kept from an earlier plan)' : ''}${l.appliedPlan ? ` (applied: ${l.appliedPlan === 'saved' ? 'the saved plan' : 'a new plan equal to the reviewed one'})` : ''}`);
    lines.push('', '</details>');
  }
  const gantt = ganttChart(report, label, options.maxGanttTasks ?? 80);
  if (gantt) lines.push('', '```mermaid', gantt.trimEnd(), '```');
  return `${lines.join('\n')}\n`;
}

/** How many changed outputs the Markdown lists, widest impact first (the JSON report has all). */
export const MAX_IMPACT_LINES = 25;

/** `run-report.json` → `run-report.md`: where the Markdown of a JSON report goes. */
export function markdownFile(jsonFile: string): string {
  return `${jsonFile.replace(/\.json$/, '')}.md`;
}

/** Writes the Markdown next to the JSON report (`markdownFile`); returns its path. */
export function writeReportMarkdown(jsonFile: string, report: MarkdownReport, options: MarkdownOptions = {}): string {
  const file = markdownFile(jsonFile);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, reportMarkdown(report, options));
  return file;
}

/** Tick spacings Mermaid's `tickInterval` accepts, smallest first: the first giving at most ~12 ticks is used. */
const TICKS: readonly [string, number][] = [
  ['5second', 5_000], ['10second', 10_000], ['30second', 30_000], ['1minute', 60_000], ['2minute', 120_000], ['5minute', 300_000],
  ['10minute', 600_000], ['15minute', 900_000], ['30minute', 1_800_000], ['1hour', 3_600_000], ['2hour', 7_200_000], ['6hour', 21_600_000],
];

/**
 * Mermaid Gantt chart: one bar per layer from its start to its end, a section per account. Times are absolute
 * (`dateFormat x`, milliseconds since the epoch) so the axis shows each reader's local clock time, whatever their
 * time zone; the axis drops seconds for runs over ten minutes and spaces ticks so there are about a dozen. Layers that
 * never started (skipped, refused) and layers carried over from an earlier run have no bar. With more than
 * `maxTasks` bars it shows one bar per account (its first start to its last end) instead. Undefined when nothing ran.
 */
export function ganttChart(report: MarkdownReport, label: (l: MarkdownLayer) => string, maxTasks = 80): string | undefined {
  const base = Date.parse(report.startedAt ?? '');
  const ran = report.layers.filter((l) => l.startedAtMs !== null && !l.carriedOver);
  if (ran.length === 0 || Number.isNaN(base)) return undefined;
  const start = (l: MarkdownLayer): number => base + l.startedAtMs!;
  // Mermaid draws a zero-length bar as nothing: every bar lasts at least a millisecond.
  const end = (l: MarkdownLayer): number => start(l) + Math.max(1, l.durationMs);
  const span = Math.max(...ran.map(end)) - base;
  const [tick] = TICKS.find(([, ms]) => span / ms <= 12) ?? TICKS[TICKS.length - 1];
  const sections = new Map<string, MarkdownLayer[]>();
  for (const l of ran) {
    const section = label(l).split('/').slice(0, -1).join('/');
    sections.set(section, [...(sections.get(section) ?? []), l]);
  }
  const perAccount = ran.length > maxTasks;
  const lines = [
    'gantt',
    `  title ${report.action}, ${ran.length} layer${ran.length === 1 ? '' : 's'} at parallelism ${report.parallelism ?? 1}${perAccount ? ', one bar per account' : ''} (local time)`,
    '  dateFormat x',
    `  axisFormat ${span > 600_000 ? '%H:%M' : '%H:%M:%S'}`,
    `  tickInterval ${tick}`,
    '  todayMarker off',
  ];
  for (const [section, members] of sections) {
    lines.push(`  section ${ganttText(section)}`);
    if (perAccount) {
      const from = Math.min(...members.map(start));
      const to = Math.max(...members.map(end));
      const failed = members.some((l) => l.result === 'failed');
      lines.push(`    ${members.length} layers ${formatDuration(to - from)} :${failed ? 'crit' : 'done'}, ${from}, ${to}`);
      continue;
    }
    for (const l of members) {
      const tag = l.result === 'failed' ? 'crit' : l.result === 'drifted' || l.speculative ? 'active' : 'done';
      lines.push(`    ${ganttText(l.layer)} ${formatDuration(l.durationMs)} :${tag}, ${start(l)}, ${end(l)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid gantt text ends at `:` (task data), `#` (a comment, in some versions) or `;` (a statement separator). */
function ganttText(text: string): string {
  return text.replace(/[:#;]/g, ' ').trim();
}

/** `12.7s`, `4m05s`, and from an hour on `1h58m`. */
function formatDuration(ms: number): string {
  if (ms < 3_600_000) return runnerDuration(ms);
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text that GitHub renders as written: HTML and Markdown punctuation escaped, one line. */
export function escapeText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]|#])/g, '\\$1');
}

