/** Text renderings of a preflight run: findings grouped by stack, the one-line summary, the rule table. */
import type { PreflightFinding, PreflightReport, PreflightRule } from './engine';
import { FAMILIES } from './model';

export function errorsOf(findings: readonly PreflightFinding[]): PreflightFinding[] {
  return findings.filter((f) => f.severity === 'error');
}

/** `preflight: N rules over M stacks, K findings in X ms` (errors and warnings counted apart when there are any). */
export function summaryLine(report: PreflightReport, extra = ''): string {
  const errors = errorsOf(report.findings).length;
  const warnings = report.findings.length - errors;
  const found = report.findings.length === 0 ? '0 findings' : `${errors} error(s), ${warnings} warning(s)`;
  return `preflight: ${report.rules.length} rules over ${report.stacks} stacks, ${found} in ${report.checkMs.toFixed(0)} ms${extra}`;
}

/** Findings grouped by stack (run order), each with rule id, address, message, fix and docs link. */
export function formatFindings(findings: readonly PreflightFinding[]): string {
  const lines: string[] = [];
  const byStack = new Map<string, PreflightFinding[]>();
  for (const f of findings) byStack.set(f.stack, [...(byStack.get(f.stack) ?? []), f]);
  for (const [stack, list] of byStack) {
    const errors = errorsOf(list).length;
    lines.push(`${stack}: ${errors} error(s), ${list.length - errors} warning(s)`);
    for (const f of list) {
      lines.push(`  ${f.severity === 'error' ? 'ERROR' : 'WARN '} ${f.ruleId} ${f.address}`);
      lines.push(`        ${f.message}`);
      lines.push(`        fix: ${f.fix}`);
      lines.push(`        docs: ${f.docs}`);
    }
  }
  return lines.join('\n');
}

/** Rule id -> count, for the closing tally. */
export function countsByRule(findings: readonly PreflightFinding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The rules as a Markdown table per family (docs/real-aws.md embeds it between markers). */
export function rulesMarkdown(rules: readonly PreflightRule[]): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const list = rules.filter((r) => r.family === family);
    if (list.length === 0) continue;
    lines.push(`### ${family}`, '', '| Id | Severity | Rule | AWS documentation |', '|---|---|---|---|');
    for (const r of list) lines.push(`| ${r.id} | ${r.severity} | ${cell(r.title)} | [${new URL(r.docs).pathname.split('/').filter(Boolean).pop()}](${r.docs}) |`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
