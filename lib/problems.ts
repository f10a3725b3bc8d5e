/** Configuration problems: collected while loading, reported together, each naming where it lives. */

export interface ConfigProblem {
  readonly project: string;
  readonly account?: string;
  readonly layer?: string;
  /** Dotted path of the offending field, e.g. `vpcCidr` or `subnets.private[1]`. */
  readonly field: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = [p.project, p.account, p.layer].filter((x) => x !== undefined).join('/');
  return `${where}: ${p.field}: ${p.message}`;
}

/** Thrown before anything is synthesized; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${formatProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * A command line, or a selection it makes, that names something unknown or not allowed here. Commands print it as one
 * line and exit 2, never with a stack trace (scripts/lib/usage.ts). `valid` lists the accepted choices when there is a
 * list; the message then ends with `; valid: a, b`.
 */
export class UsageError extends Error {
  readonly valid?: readonly string[];

  constructor(problem: string, valid?: readonly string[]) {
    super(valid ? `${problem}; valid: ${valid.join(', ')}` : problem);
    this.name = 'UsageError';
    this.valid = valid;
  }
}

/** Collects problems for one place (project, account, layer) so callers only name the field. */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];

  report(where: Omit<ConfigProblem, 'field' | 'message'>, field: string, message: string): void {
    this.problems.push({ ...where, field, message });
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
