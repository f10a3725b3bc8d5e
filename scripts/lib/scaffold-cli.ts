/** Command-line plumbing shared by scripts/new-account.ts, new-layer.ts and generate.ts (scripts/lib/usage.ts). */
import { ConfigError } from '../../lib/problems';
import { parseCommandLine, UsageError, usageLine, type Options } from '../../lib/usage';
import { REPO_ROOT } from './paths';
import { SourceShapeError } from './scaffold-source';

export interface CliIo {
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export type Values = Record<string, string | boolean | undefined>;

/** Options every scaffolding command takes besides its own. */
export const COMMON_OPTIONS = {
  project: { type: 'string' },
  root: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/**
 * Parses `argv`, runs `body`, and turns what can go wrong into exit codes: a usage error is one line and exit 2
 * (unknown option, missing or bad value, nothing to do); a configuration the organisation refuses prints its
 * problems and exits 1, with nothing written. Anything else is a bug and keeps its stack trace.
 */
export function runCli(command: string, usage: string, options: Options, argv: readonly string[], io: CliIo,
  body: (values: Values, target: { root: string; project: string }, out: (line: string) => void) => void): number {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = io.env ?? process.env;
  try {
    const values = parseCommandLine(argv, { options: { ...COMMON_OPTIONS, ...options } }).values as Values;
    if (values.help) {
      out(usage);
      return 0;
    }
    const text = (name: string): string | undefined => (typeof values[name] === 'string' && values[name] !== '' ? values[name] as string : undefined);
    body(values, { root: text('root') ?? REPO_ROOT, project: text('project') ?? (env.PROJECT || 'acme') }, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(usageLine(command, error, usage));
      return 2;
    }
    if (error instanceof ConfigError || error instanceof SourceShapeError) {
      err(`${command}: ${error.message}`);
      err(`${command}: refused, nothing was written`);
      return 1;
    }
    throw error;
  }
}

/** The value of a required option, or a usage error naming its make variable. */
export function required(values: Values, option: string, variable: string, choices?: readonly string[]): string {
  const value = values[option];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${variable}= is required`, choices);
  return value;
}

export function optional(values: Values, option: string): string | undefined {
  const value = values[option];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
