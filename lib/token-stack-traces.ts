/**
 * cdktf records where every token and complex attribute reference was created: a full stack trace (no depth limit),
 * formatted into strings, for each of the ~6,600 it creates in a synth of the example organisation (most of them in the
 * constructors of the provider classes, one per nested block). The trace only ever appears in the text of a resolution
 * error ("Object creation stack: ..."); it never reaches the synthesized Terraform. cdktf 0.21 has no switch for it (the
 * App's `stackTraces: false` covers annotations only), so this replaces the one function all of them call.
 * Measured in docs/benchmarks.md.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import stackTrace = require('cdktf/lib/tokens/private/stack-trace');

const original = stackTrace.captureStackTrace;
const none = (): string[] => [];

/**
 * Turns the creation traces of tokens on or off for the rest of the process. @default on (cdktf's behaviour).
 * The app turns them off unless CDKTF_TOKEN_STACK_TRACES=1, which brings them back for debugging a resolution error.
 */
export function setTokenStackTraces(enabled: boolean): void {
  if (typeof original !== 'function') throw new Error('cdktf/lib/tokens/private/stack-trace no longer exports captureStackTrace: review lib/token-stack-traces.ts');
  (stackTrace as { captureStackTrace: typeof original }).captureStackTrace = enabled ? original : none;
}

/** What the environment asks for: off unless CDKTF_TOKEN_STACK_TRACES=1. */
export function tokenStackTracesFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CDKTF_TOKEN_STACK_TRACES === '1';
}
