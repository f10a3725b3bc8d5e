/**
 * Runs the preflight rules over the whole organisation model. A rule that throws on an unexpected shape reports an
 * error finding (fail closed) instead of passing silently.
 */
import type { Family, OrgModel, Severity } from './model';

/** What a rule reports for one offending resource. */
export interface Hit {
  /** Stack id holding the resource to fix. */
  readonly stack: string;
  /** Terraform address (`aws_kms_key.data-key_5D719C34`, `provider.aws`, `terraform.backend.s3`). */
  readonly address: string;
  /** What is wrong, naming the other side (role, key, record, layer) when there is one. */
  readonly message: string;
  /** What to change. */
  readonly fix: string;
}

export interface PreflightRule {
  /** Stable id, `PF-<AREA>-<NNN>`; never reused for another meaning. */
  readonly id: string;
  readonly family: Family;
  /** One line: what must hold. */
  readonly title: string;
  /** The AWS documentation page the rule comes from. */
  readonly docs: string;
  readonly severity: Severity;
  check(org: OrgModel): readonly Hit[];
}

export interface PreflightFinding extends Hit {
  readonly ruleId: string;
  readonly family: Family;
  readonly severity: Severity;
  readonly docs: string;
}

export interface PreflightReport {
  readonly rules: readonly PreflightRule[];
  readonly stacks: number;
  /** Sorted by run order of the stack, then rule id, then address. */
  readonly findings: readonly PreflightFinding[];
  /** Time spent in the rules, milliseconds. */
  readonly checkMs: number;
}

export function runPreflight(org: OrgModel, rules: readonly PreflightRule[]): PreflightReport {
  const started = process.hrtime.bigint();
  const findings: PreflightFinding[] = [];
  for (const rule of rules) {
    let hits: readonly Hit[];
    try {
      hits = rule.check(org);
    } catch (error) {
      hits = [{
        stack: '(organisation)',
        address: '-',
        message: `rule could not evaluate the organisation (${error instanceof Error ? error.message : String(error)})`,
        fix: 'fix lib/preflight/rules for this configuration shape',
      }];
    }
    const seen = new Set<string>();
    for (const hit of hits) {
      const key = `${hit.stack}\u0000${hit.address}\u0000${hit.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ ...hit, ruleId: rule.id, family: rule.family, severity: rule.severity, docs: rule.docs });
    }
  }
  const order = new Map(org.stacks.map((s) => [s.id, s.order]));
  findings.sort((a, b) => (order.get(a.stack) ?? -1) - (order.get(b.stack) ?? -1) || a.ruleId.localeCompare(b.ruleId) || a.address.localeCompare(b.address));
  const checkMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { rules, stacks: org.stacks.length, findings, checkMs };
}
