/**
 * The run report as Markdown (scripts/lib/report-markdown.ts): the PR comment's body and cdktf.out/run-report.md.
 * A fake report renders the summary table, the optional fields of the other parts of the runner when present (and
 * nothing for them when absent), and a Mermaid gantt block that follows Mermaid's gantt grammar: the chart is read
 * back by `parseGantt` below, which applies the rules Mermaid's gantt parser and task database apply to this form
 * (`dateFormat x`: task data `[tags,] start, end` in epoch milliseconds; text before `:` free of `:`, `#` and `;`;
 * tickInterval from Mermaid's accepted pattern).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ganttChart, markdownFile, reportMarkdown, writeReportMarkdown, type MarkdownLayer, type MarkdownReport } from '../../scripts/lib/report-markdown';
import type { LayerReport } from '../../scripts/lib/runner';
import { tempDir } from '../helpers';

const START = '2026-11-30T09:15:00.000Z';
const T0 = Date.parse(START);

function layer(ref: string, startedAtMs: number | null, durationMs: number, extra: Partial<MarkdownLayer> = {}): MarkdownLayer {
  const [account, name] = ref.split('/');
  const base: LayerReport = {
    id: `acme-${account}-${name}`, project: 'acme', account, layer: name, action: 'plan', result: 'done',
    add: 1, change: 0, destroy: 0, durationMs: startedAtMs === null ? 0 : durationMs, startedAtMs,
  };
  return { ...base, ...extra };
}

function report(layers: MarkdownLayer[], extra: Partial<MarkdownReport> = {}): MarkdownReport {
  const end = Math.max(0, ...layers.map((l) => (l.startedAtMs ?? 0) + l.durationMs));
  return { action: 'plan', parallelism: 2, failFast: false, startedAt: START, durationMs: end, interrupted: false, exitCode: 0, layers, mode: 'sandbox', ...extra };
}

interface GanttTask { readonly section: string; readonly name: string; readonly tags: string[]; readonly start: number; readonly end: number }
interface Gantt { readonly directives: Map<string, string>; readonly tasks: GanttTask[] }

/** The mermaid blocks of a Markdown text. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/**
 * Reads a gantt block the way Mermaid does for the statements it uses, and throws on anything Mermaid would reject
 * or misread: the `gantt` keyword first; known directives only; `dateFormat x`; a tickInterval matching Mermaid's
 * /^([1-9][0-9]*)(millisecond|second|minute|hour|day|week|month)$/; every task inside a section, its text free of
 * `:`, `#` and `;`, its data `[tags,] start, end` with tags from done/active/crit/milestone and start/end integer
 * epoch milliseconds with end after start.
 */
function parseGantt(block: string): Gantt {
  const lines = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('%%'));
  if (lines[0]?.trim() !== 'gantt') throw new Error(`first line must be "gantt": ${lines[0]}`);
  const directives = new Map<string, string>();
  const tasks: GanttTask[] = [];
  let section: string | undefined;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    // Mermaid's lexer takes a line starting with a keyword as that statement, its value up to `#`, `;` or the end.
    const directive = /^(title|dateFormat|axisFormat|tickInterval|todayMarker|section|excludes|inclusiveEndDates|topAxis|weekday)\s+(.*)$/.exec(line);
    if (directive) {
      if (directive[1] !== 'title' && /[#;]/.test(directive[2])) throw new Error(`# or ; in ${line}`);
      if (directive[1] === 'section') {
        if (directive[2].includes(':')) throw new Error(`: in a section name: ${line}`);
        section = directive[2];
      } else directives.set(directive[1], directive[2]);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a task or directive: ${line}`);
    if (!section) throw new Error(`task outside a section: ${line}`);
    const name = line.slice(0, colon).trim();
    if (/[#;]/.test(name)) throw new Error(`task text with # or ;: ${name}`);
    const data = line.slice(colon + 1).split(',').map((d) => d.trim());
    if (data.some((d) => d.includes(':'))) throw new Error(`a second ':' in ${line}`);
    const tags: string[] = [];
    while (data.length > 0 && ['done', 'active', 'crit', 'milestone'].includes(data[0])) tags.push(data.shift()!);
    if (data.length !== 2 || !data.every((d) => /^\d+$/.test(d))) throw new Error(`task data must be "start, end" in epoch ms: ${line}`);
    const [start, end] = data.map(Number);
    if (end <= start) throw new Error(`task ends before it starts: ${line}`);
    tasks.push({ section, name, tags, start, end });
  }
  if (directives.get('dateFormat') !== 'x') throw new Error(`dateFormat must be x, not ${directives.get('dateFormat')}`);
  const tick = directives.get('tickInterval');
  if (tick !== undefined && !/^([1-9][0-9]*)(millisecond|second|minute|hour|day|week|month)$/.test(tick)) throw new Error(`bad tickInterval ${tick}`);
  return { directives, tasks };
}

describe('the Markdown run report', () => {
  const layers = [
    layer('network/base-network', 0, 12_700, { add: 51 }),
    layer('apps-prd/base-network', 0, 18_600, { add: 40, change: 2 }),
    layer('apps-prd/eks', 18_600, 20_000, {
      result: 'failed', add: null, change: null, destroy: null, reason: 'Error: creating EKS Cluster: AccessDenied | with <html>\nsecond line', log: '/x/cdktf.out/logs/acme-apps-prd-eks.plan.log',
    }),
    layer('apps-prd/databases', null, 0, { result: 'skipped', add: null, change: null, destroy: null, reason: 'acme-apps-prd-eks failed' }),
  ];

  it('renders the headline and one table row per layer, with counts, result and duration', () => {
    const md = reportMarkdown(report(layers, { exitCode: 1 }));
    expect(md).toContain('**plan** of 4 layers: 2 done, 1 failed, 1 skipped');
    expect(md).toContain('91 to add, 2 to change, 0 to destroy');
    expect(md).toContain('| layer | result | add | change | destroy | replacements | speculative | drift | duration |');
    const rows = md.split('\n').filter((l) => /^\| (network|apps-prd)\//.test(l));
    expect(rows).toEqual([
      '| network/base-network | done | 51 | 0 | 0 |  |  |  | 12.7s |',
      '| apps-prd/base-network | done | 40 | 2 | 0 |  |  |  | 18.6s |',
      '| apps-prd/eks | failed | - | - | - |  |  |  | 20.0s |',
      '| apps-prd/databases | skipped | - | - | - |  |  |  | - |',
    ]);
    // a reason is one line, escaped (no table or HTML breaking), with the log's file name
    expect(md).toContain('- apps-prd/eks failed: Error: creating EKS Cluster: AccessDenied \\| with &lt;html&gt; (log: `acme-apps-prd-eks.plan.log`)');
    expect(md).toContain('- apps-prd/databases skipped: acme-apps-prd-eks failed');
  });

  it('leaves the optional columns and sections empty when the report has none of those fields', () => {
    const md = reportMarkdown(report([layer('network/base-network', 0, 1000)]));
    for (const absent of ['Stateful resources', 'Speculative plans', 'Changed outputs', 'Retried', 'Saved plans', 'Failed, skipped']) expect(md).not.toContain(absent);
  });

  it('renders replacements, speculative plans, changed outputs with their impact, saved plans, drift, retries and auto-added layers when present', () => {
    const md = reportMarkdown(report([
      layer('apps-prd/databases', 0, 5000, {
        replacements: [
          { address: 'acme-apps-prd-databases:aws_rds_cluster.main', type: 'aws_rds_cluster', action: 'replace', reason: 'replace_because_cannot_update' },
          { address: 'acme-apps-prd-databases:aws_kms_key.data', type: 'aws_kms_key', action: 'delete' },
        ],
        planFile: 'cdktf.out/plans/acme-apps-prd-databases/plan.tfplan', changedOutputs: ['cluster_endpoint', 'cluster_port'], drift: 2,
      }),
      layer('apps-prd/eks', 5000, 4000, {
        speculative: true,
        upstreams: [{ stack: 'acme-apps-prd-databases', source: 'planned', outputs: ['cluster_endpoint'], digest: 'sha256:x', mocked: ['cluster_endpoint'] }],
        retries: [{ command: 'plan', rule: 'throttling', message: 'Error: reading EKS Cluster: ThrottlingException: Rate exceeded', delayMs: 12_000, attempt: 1, maxAttempts: 4 }],
      }),
      layer('apps-prd/api', 9000, 1000, { result: 'unchanged', planFile: 'cdktf.out/plans/acme-apps-prd-api/plan.tfplan', addedBy: { stack: 'acme-apps-prd-databases', outputs: ['cluster_endpoint'] } }),
    ], {
      impact: [{ stack: 'acme-apps-prd-databases', output: 'cluster_endpoint', readers: ['acme-apps-prd-eks', 'acme-apps-prd-api', 'acme-apps-devstg-x'], accounts: ['apps-prd', 'apps-devstg'], inRun: ['acme-apps-prd-eks', 'acme-apps-prd-api'] }],
    }));
    expect(md).toContain('| apps-prd/databases | done | 1 | 0 | 0 | **2** |  | 2 changed outside Terraform | 5.0s |');
    expect(md).toContain('| apps-prd/eks | done (1 retry) | 1 | 0 | 0 |  | yes |  | 4.0s |');
    expect(md).toContain('| apps-prd/api | unchanged | 1 | 0 | 0 |  |  |  | 1.0s |');
    expect(md).toContain('- apps-prd/databases: `acme-apps-prd-databases:aws_rds_cluster.main` (aws\\_rds\\_cluster: replace, replace\\_because\\_cannot\\_update)');
    expect(md).toContain('- apps-prd/databases: `acme-apps-prd-databases:aws_kms_key.data` (aws\\_kms\\_key: delete)');
    expect(md).toContain('- apps-prd/eks ← apps-prd/databases (mocked: `cluster_endpoint`)');
    expect(md).toContain('- apps-prd/databases: `cluster_endpoint` changed → 3 layers in 2 accounts (2 in this run; `INCLUDE_DEPENDENTS=auto` plans the other 1)');
    expect(md).toContain('- apps-prd/databases: `cluster_port` (read by no layer)');
    expect(md).toContain('- apps-prd/api reads `cluster_endpoint` of apps-prd/databases');
    expect(md).toContain('- apps-prd/eks: terraform plan, throttling after 12.0s: Error: reading EKS Cluster: ThrottlingException: Rate exceeded');
    expect(md).toContain('- apps-prd/databases: `cdktf.out/plans/acme-apps-prd-databases/plan.tfplan`');
    expect(md).toContain('- apps-prd/api: `cdktf.out/plans/acme-apps-prd-api/plan.tfplan` (unchanged: kept from an earlier plan)');
    expect(md).toContain('**2 replacements of stateful resources**');
    expect(md).toContain('1 unchanged');
  });

  it('says drift per layer for a drift run, with the verdict', () => {
    const md = reportMarkdown(report([
      layer('apps-prd/eks', 0, 1000, { action: 'drift', result: 'drifted' }),
      layer('apps-prd/dns', 0, 1000, { action: 'drift', result: 'clean', add: 0 }),
    ], { action: 'drift', verdict: 'drifted', exitCode: 2 }));
    expect(md).toContain('verdict **drifted**');
    expect(md).toContain('| apps-prd/eks | drifted | 1 | 0 | 0 |  |  | drifted | 1.0s |');
    expect(md).toContain('| apps-prd/dns | clean | 0 | 0 | 0 |  |  | clean | 1.0s |');
  });

  it('draws a valid Mermaid gantt chart: a bar per layer that ran, at its real start and end, a section per account', () => {
    const md = reportMarkdown(report(layers));
    const blocks = mermaidBlocks(md);
    expect(blocks).toHaveLength(1);
    const gantt = parseGantt(blocks[0]);
    expect(gantt.directives.get('axisFormat')).toBe('%H:%M:%S');
    expect(gantt.tasks).toEqual([
      { section: 'network', name: 'base-network 12.7s', tags: ['done'], start: T0, end: T0 + 12_700 },
      { section: 'apps-prd', name: 'base-network 18.6s', tags: ['done'], start: T0, end: T0 + 18_600 },
      { section: 'apps-prd', name: 'eks 20.0s', tags: ['crit'], start: T0 + 18_600, end: T0 + 38_600 },
    ]);
  });

  it('the checker refuses what Mermaid would (so the test above can fail)', () => {
    const bad = [
      'graph TD\n  a --> b',
      'gantt\n  dateFormat x\n  task before section :done, 1, 2',
      'gantt\n  dateFormat x\n  section a\n  x :done, 5, 3',
      'gantt\n  dateFormat x\n  section a\n  x: y :done, 1, 2',
      'gantt\n  dateFormat YYYY-MM-DD\n  section a\n  x :done, 1, 2',
      'gantt\n  dateFormat x\n  tickInterval 90sec\n  section a\n  x :done, 1, 2',
    ];
    for (const block of bad) expect(() => parseGantt(block)).toThrow();
  });

  it('keeps a long run readable: minutes on the axis, about a dozen ticks, and one bar per account past the limit', () => {
    // 150 layers over two hours in three accounts
    const many = Array.from({ length: 150 }, (_, i) => layer(`acct${i % 3}/layer-${i}`, i * 48_000, 60_000));
    const md = reportMarkdown(report(many));
    const gantt = parseGantt(mermaidBlocks(md)[0]);
    expect(gantt.directives.get('axisFormat')).toBe('%H:%M');
    expect(gantt.directives.get('tickInterval')).toBe('15minute');
    expect(gantt.tasks.map((t) => [t.section, t.name])).toEqual([['acct0', '50 layers 1h59m'], ['acct1', '50 layers 1h59m'], ['acct2', '50 layers 1h59m']]);
    expect(gantt.tasks[0].start).toBe(T0);
    expect(gantt.tasks[2].end).toBe(T0 + 149 * 48_000 + 60_000);
    expect(gantt.directives.get('title')).toContain('one bar per account');
    // under the limit every layer has its own bar
    expect(parseGantt(ganttChart(report(many.slice(0, 60)), (l) => `${l.account}/${l.layer}`)!).tasks).toHaveLength(60);
  });

  it('draws no chart when nothing ran, and no bar for layers carried over from an earlier run', () => {
    expect(mermaidBlocks(reportMarkdown(report([layer('a/b', null, 0, { result: 'skipped' })])))).toEqual([]);
    const md = reportMarkdown(report([layer('a/kept', 0, 1000, { carriedOver: true }), layer('a/ran', 0, 2000)]));
    expect(md).toContain('| a/kept | done (earlier run) |');
    expect(parseGantt(mermaidBlocks(md)[0]).tasks.map((t) => t.name)).toEqual(['ran 2.0s']);
  });

  it('a run stopped before any layer ran says why', () => {
    const md = reportMarkdown({ action: 'apply', exitCode: 1, layers: [], error: 'refusing to use the sandbox at http://127.0.0.1:4569: it serves another checkout' });
    expect(md).toContain('**Stopped before any layer ran**: refusing to use the sandbox at http://127.0.0.1:4569: it serves another checkout');
    expect(mermaidBlocks(md)).toEqual([]);
  });

  it('is written next to the JSON report', () => {
    const dir = tempDir('report-md-');
    const json = path.join(dir, 'run-report.json');
    expect(writeReportMarkdown(json, report(layers))).toBe(path.join(dir, 'run-report.md'));
    expect(markdownFile(json)).toBe(path.join(dir, 'run-report.md'));
    expect(fs.readFileSync(path.join(dir, 'run-report.md'), 'utf8')).toContain('```mermaid\ngantt\n');
  });
});
