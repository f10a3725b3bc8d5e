/**
 * The command line of every script: `node:util` parseArgs, strict (only the declared options, each with its type),
 * and one way to answer a usage error: one line on stderr, `<script>: <what is wrong>; valid: <choices>` (or, when
 * there is no list of choices, the script's usage line), exit 2, no stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, type ParseArgsConfig } from 'util';
import { UsageError } from './problems';

export { UsageError };

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandLineSpec {
  readonly options: Options;
  /**
   * String options that may also stand bare: `--fail-fast` is read as `--fail-fast=1`, so a switch takes 1 or 0 (or
   * a word such as `auto`) after `=` and nothing after a space. parseArgs has no optional values; this is the one
   * rewrite before it runs.
   */
  readonly switches?: readonly string[];
  /** Whether arguments that are not options are allowed. @default false */
  readonly positionals?: boolean;
}

export interface CommandLine {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `argv` (without node and the script); throws UsageError naming the argument at fault. */
export function parseCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLine {
  const switches = new Set(spec.switches ?? []);
  for (const name of switches) {
    if (spec.options[name]?.type !== 'string') throw new Error(`switch --${name} must be declared as a string option`);
  }
  const end = argv.indexOf('--');
  const args = argv.map((arg, i) => ((end === -1 || i < end) && arg.startsWith('--') && switches.has(arg.slice(2)) ? `${arg}=1` : arg));
  try {
    const { values, positionals } = parseArgs({ args, options: spec.options, strict: true, allowPositionals: spec.positionals ?? false });
    return { values: values as CommandLine['values'], positionals };
  } catch (error) {
    throw usageErrorOf(error, args, spec.options);
  }
}

/** What parseArgs refused, said with the argument at fault (its own messages name the option but not the choices). */
function usageErrorOf(error: unknown, args: string[], options: Options): Error {
  const code = (error as { code?: string }).code;
  if (!code?.startsWith('ERR_PARSE_ARGS_')) return error as Error;
  const tokens = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true }).tokens ?? [];
  const names = Object.keys(options).map((name) => `--${name}`);
  for (const token of tokens) {
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && token.kind === 'option' && !(token.name in options)) {
      return new UsageError(`unknown option ${token.rawName}`, names.length > 0 ? names : undefined);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && token.kind === 'option') {
      const type = options[token.name]?.type;
      // A string option followed by another option took that option as its value: parseArgs calls it ambiguous.
      if (type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) return new UsageError(`${token.rawName} needs a value`);
      if (type === 'boolean' && token.value !== undefined) return new UsageError(`${token.rawName} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && token.kind === 'positional') return new UsageError(`unexpected argument "${token.value}"`);
  }
  return new UsageError((error as Error).message.split('\n')[0]);
}

/** The one line a usage error prints: the choices when it has them, else the first line of `usage`. */
export function usageLine(script: string, error: UsageError, usage?: string): string {
  const synopsis = usage?.split('\n')[0];
  return `${script}: ${error.message.split('\n')[0]}${error.valid || !synopsis ? '' : `. ${synopsis}`}`;
}

/**
 * Runs a script's main and exits with its code. A UsageError is one line on stderr and exit 2; any other error goes
 * to `onError` (which prints what it knows and returns the exit code), by default printed with its stack trace
 * (a bug, to be read with the .ts lines: see scripts/register.js), exit 1.
 */
export function runScript(script: string, usage: string, main: () => number | Promise<number>, onError?: (error: unknown) => number): void {
  const fail = (error: unknown): number => {
    if (error instanceof UsageError) {
      process.stderr.write(`${usageLine(script, error, usage)}\n`);
      return 2;
    }
    if (onError) return onError(error);
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return 1;
  };
  let result: number | Promise<number>;
  try {
    result = main();
  } catch (error) {
    process.exit(fail(error));
  }
  Promise.resolve(result).then((code) => process.exit(code), (error: unknown) => process.exit(fail(error)));
}

/** The project a command names (flag or PROJECT), else the only one under `projectsDir`; a usage error lists them. */
export function projectNamed(requested: string | undefined, projectsDir: string): string {
  const all = fs.existsSync(projectsDir) ? fs.readdirSync(projectsDir).filter((p) => fs.existsSync(path.join(projectsDir, p, 'project.ts'))).sort() : [];
  if (requested === undefined) {
    if (all.length !== 1) throw new UsageError(`${all.length === 0 ? 'no' : 'several'} projects under ${projectsDir}: name one with --project or PROJECT=`, all.length > 0 ? all : undefined);
    return all[0];
  }
  if (!all.includes(requested)) throw new UsageError(`no project "${requested}" under ${projectsDir}`, all);
  return requested;
}
