/** Command line and environment of `scripts/run.ts` (flags win over the Makefile's environment variables). */
import * as os from 'os';
import { ACTIONS, type Action } from './runner';

export interface RunCommand {
  readonly action: Action;
  readonly project?: string;
  readonly accounts: readonly string[];
  readonly layers: readonly string[];
  readonly stacks: readonly string[];
  readonly includeDependents: boolean;
  readonly parallelism: number;
  readonly failFast: boolean;
  readonly autoApprove: boolean;
  readonly forceStateful: boolean;
  /** destroy: the name that would otherwise be typed at the prompt. */
  readonly confirm?: string;
  readonly lockTimeout: string;
  readonly report?: string;
}

export const USAGE = `usage: run.ts <plan|apply|destroy|drift> [options]

Synthesizes once, then runs terraform over the selected layers in dependency order (destroy: dependents first),
several at once: a layer starts as soon as the layers it reads from are finished.

Selection (default: every layer of every account, accounts in the project's accountOrder)
  --project P              only project P                                   env PROJECT
  --account A[,B]          only these accounts                              env ACCOUNT
  --layer L, --layers a,b  only these layers (file names in the account)    env LAYER, LAYERS
  --stacks id,id           only these stack ids (<project>-<account>-<layer>)
  --include-dependents     also every layer that reads from the selection   env INCLUDE_DEPENDENTS=1

Running
  --parallelism N          layers at once (default: CPU count, here ${os.cpus().length})   env PARALLELISM
  --fail-fast              stop launching layers after the first failure    env FAIL_FAST=1
  --lock-timeout D         wait this long for a state lock (default 5m)     env LOCK_TIMEOUT
  --report FILE            JSON report (default <outdir>/run-report.json)   env REPORT

Safety
  --auto-approve           apply without asking                             env AUTO_APPROVE=1
  --confirm NAME           destroy without the prompt: NAME must be the account (or project) name
  --force-stateful         destroy also stateful layers (backend, databases, logs, keys)

drift runs \`plan -detailed-exitcode\` per layer. Exit codes: 0 ok, 1 a layer failed, was skipped or refused,
2 drift found (drift only), 130 interrupted. SANDBOX=1 plans offline against the sandbox, seeding mock
outputs for upstream layers that have none. Full terraform output: <outdir>/logs/<stack>.<action>.log.`;

export class UsageError extends Error {}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const truthy = (value: string | undefined): boolean => value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());

/** Parses argv (without node and script) and the environment; throws UsageError. Returns 'help' for --help. */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RunCommand | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [action, ...rest] = argv;
  if (!ACTIONS.includes(action as Action)) throw new UsageError(`unknown action "${action ?? ''}": expected ${ACTIONS.join(', ')}`);
  const flags = new Map<string, string>();
  const booleans = new Set(['include-dependents', 'fail-fast', 'auto-approve', 'force-stateful']);
  const valued = new Set(['project', 'account', 'layer', 'layers', 'stacks', 'parallelism', 'report', 'confirm', 'lock-timeout']);
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (name && booleans.has(name)) flags.set(name, inline ?? '1');
    else if (name && valued.has(name)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  const pick = (flag: string, envName: string): string | undefined => flags.get(flag) ?? (env[envName] || undefined);
  const parallelismText = pick('parallelism', 'PARALLELISM');
  const parallelism = parallelismText === undefined ? os.cpus().length : Number(parallelismText);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`parallelism must be a positive integer, not "${parallelismText}"`);
  // --layer/--layers on the command line replace LAYER/LAYERS from the environment (never merge with them).
  const layers = flags.has('layer') || flags.has('layers')
    ? [...list(flags.get('layer')), ...list(flags.get('layers'))]
    : [...list(env.LAYER), ...list(env.LAYERS)];
  return {
    action: action as Action,
    project: pick('project', 'PROJECT'),
    accounts: list(pick('account', 'ACCOUNT')),
    layers: [...new Set(layers)],
    stacks: list(flags.get('stacks')),
    includeDependents: truthy(pick('include-dependents', 'INCLUDE_DEPENDENTS')),
    parallelism,
    failFast: truthy(pick('fail-fast', 'FAIL_FAST')),
    autoApprove: truthy(pick('auto-approve', 'AUTO_APPROVE')),
    forceStateful: truthy(flags.get('force-stateful')),
    confirm: flags.get('confirm'),
    lockTimeout: pick('lock-timeout', 'LOCK_TIMEOUT') ?? '5m',
    report: pick('report', 'REPORT'),
  };
}
