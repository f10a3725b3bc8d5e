/** Command line and environment of `scripts/run.ts` (flags win over the Makefile's environment variables). */
import * as os from 'os';
import { parseSwitch } from '../../lib/mode';
import { parseCommandLine, UsageError, type Options } from '../../lib/usage';
import { parseDuration } from './locks';
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
  /** destroy: go ahead although layers outside the selection still read the selected ones. */
  readonly forceOrphans: boolean;
  /** destroy: the name that would otherwise be typed at the prompt. */
  readonly confirm?: string;
  readonly lockTimeout: string;
  readonly report?: string;
  /** Run only what the last report of the same action did not finish, and what changed since (runner.ts resumeSelection). */
  readonly resume: boolean;
}

/** How a run uses saved plans (docs/runner.md, "Saved plans"): parsed by parsePlanOptions. */
export interface PlanOptions {
  /** INCLUDE_DEPENDENTS=auto: add the layers that read an output a plan changes, as the plans come in. */
  readonly autoDependents: boolean;
  /** apply: apply the saved plan files of this checkout, exactly (PLANNED=1). */
  readonly planned: boolean;
  /** apply: plan again and apply only what equals the reviewed plans in this folder (CI). */
  readonly reviewed?: string;
  /** apply: `<stack>:<resource address>` of stateful resources that may be deleted or replaced (ALLOW_REPLACE). */
  readonly allowReplace: readonly string[];
  /** plan: run terraform even for layers unchanged since their saved plan (REFRESH=1). */
  readonly refresh: boolean;
  /** plan: write every plan's JSON and digest, as the reviewed apply needs (PLAN_JSON=1; CI's plan job). */
  readonly planJson: boolean;
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
                           (destroy: also what reads them, so nothing is left reading a destroyed layer)
  --include-dependents=auto  plan, apply: also every layer that reads an output whose value a plan of the
                           run changes, added as the plans come in          env INCLUDE_DEPENDENTS=auto

Plans (saved in <outdir>/plans: each layer's plan.tfplan, plan.json and what it was made from)
  --refresh                plan: run terraform even for a layer whose configuration, state and upstream
                           outputs did not change since its saved plan (reported "unchanged") env REFRESH=1
  --plan-json              plan: write every plan's plan.json and digest (what --reviewed compares; CI's
                           plan job); without it, only where a consumer or the replacement guard needs
                           it                                                env PLAN_JSON=1
  --planned                apply: apply exactly the saved plan files; refuse a layer whose configuration or
                           upstream outputs changed since, or whose plan is speculative     env PLANNED=1
  --reviewed DIR           apply (CI): plan again and apply only plans equal to the reviewed ones in
                           DIR/manifest.json (the pull request's plan job)   env REVIEWED
  --allow-replace A[,B]    apply: let these stateful resources (<stack>:<address>) be deleted or replaced
                           (make: ALLOW_REPLACE=A,B); without it such an apply is refused

Running
  --parallelism N          layers at once (default: CPU count, here ${os.cpus().length})   env PARALLELISM
  --fail-fast              stop launching layers after the first failure    env FAIL_FAST=1
  --lock-timeout D         wait this long for a state lock (default 5m)     env LOCK_TIMEOUT
  --report FILE            JSON report (default <outdir>/run-report.json)   env REPORT
                           (and its Markdown, the same name with .md: table, replacements, Gantt chart)
  --resume                 only the layers the last run of this action did not finish, those whose
                           synthesized config changed since, and what reads them   env RESUME=1

Safety (make: AUTO_APPROVE=1, CONFIRM=<name>, FORCE_STATEFUL=1, FORCE_ORPHANS=1)
  --auto-approve           apply without asking                             env AUTO_APPROVE=1
  --confirm NAME           destroy without the prompt: NAME must be the account (or project) name
  --force-stateful         destroy also stateful layers (backend, databases, logs, keys)
  --force-orphans          destroy although layers outside the selection still read it (they are left
                           reading a state that is gone); without it such a destroy is refused

Switches take 1 or 0 (--fail-fast=0, FAIL_FAST=1); anything else is refused.
drift runs \`plan -detailed-exitcode\` per layer and ends with \`drift: verdict=clean|drifted|failed\`.
Exit codes: 0 ok, 1 a layer failed, was skipped or refused, or the command was wrong (drift included), 2 drift
found and nothing failed (drift), or a usage error (other actions), 130 interrupted. SANDBOX=1 plans offline
against the sandbox, seeding mock outputs for upstream layers that have none. Full terraform output:
<outdir>/logs/<stack>.<action>.log.`;

export { UsageError };

/** The first line of USAGE: what a usage error prints when it has no list of choices. */
export const SYNOPSIS = USAGE.split('\n')[0];

/** The options of run.ts (parseArgs); the switches among them also stand bare (`--fail-fast` is `--fail-fast=1`). */
export const RUN_OPTIONS = {
  project: { type: 'string' }, account: { type: 'string' }, layer: { type: 'string' }, layers: { type: 'string' }, stacks: { type: 'string' },
  'include-dependents': { type: 'string' },
  refresh: { type: 'string' }, 'plan-json': { type: 'string' }, planned: { type: 'string' }, reviewed: { type: 'string' }, 'allow-replace': { type: 'string' },
  parallelism: { type: 'string' }, 'fail-fast': { type: 'string' }, 'lock-timeout': { type: 'string' }, report: { type: 'string' },
  'auto-approve': { type: 'string' }, confirm: { type: 'string' }, 'force-stateful': { type: 'string' }, 'force-orphans': { type: 'string' },
  resume: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const RUN_SWITCHES = ['include-dependents', 'refresh', 'plan-json', 'planned', 'fail-fast', 'auto-approve', 'force-stateful', 'force-orphans', 'resume'] as const;

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Parses argv (without node and script) and the environment; throws UsageError. Returns 'help' for --help. */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): (RunCommand & PlanOptions) | 'help' {
  const { values, positionals } = parseCommandLine(argv, { options: RUN_OPTIONS, switches: RUN_SWITCHES, positionals: true });
  if (values.help) return 'help';
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError('no action given', ACTIONS);
  if (!ACTIONS.includes(action as Action)) throw new UsageError(`unknown action "${action}"`, ACTIONS);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (one action per run)`);
  const flags = new Map(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const pick = (flag: string, envName: string): string | undefined => flags.get(flag) ?? (env[envName] || undefined);
  /**
   * A switch: the flag (bare = 1), else (when `fromEnv`) the environment variable of the same name, which is also
   * what make passes on. 1 or 0; anything else is a usage error naming both spellings.
   */
  const on = (flag: string, fromEnv = true): boolean => {
    const variable = flag.toUpperCase().replace(/-/g, '_');
    try {
      return parseSwitch(`${variable} (--${flag})`, fromEnv ? pick(flag, variable) : flags.get(flag)) ?? false;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const plans = parsePlanOptions(action as Action, flags, env);
  const parallelismText = pick('parallelism', 'PARALLELISM');
  const parallelism = parallelismText === undefined ? os.cpus().length : Number(parallelismText);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`parallelism must be a positive integer, not "${parallelismText}"`);
  const lockTimeout = pick('lock-timeout', 'LOCK_TIMEOUT') ?? '5m';
  try {
    parseDuration(lockTimeout);
  } catch (error) {
    throw new UsageError(`lock timeout: ${(error as Error).message}`);
  }
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
    includeDependents: plans.autoDependents ? false : on('include-dependents'),
    parallelism,
    failFast: on('fail-fast'),
    autoApprove: on('auto-approve'),
    // Never from the environment: an exported FORCE_* must not carry over into an unrelated destroy (make passes them as flags).
    forceStateful: on('force-stateful', false),
    forceOrphans: on('force-orphans', false),
    confirm: flags.get('confirm'),
    lockTimeout,
    report: pick('report', 'REPORT'),
    resume: on('resume'),
    ...plans,
  };
}

/**
 * The saved-plan options. Flags are refused with an action they mean nothing to; the environment variables
 * (PLANNED, REVIEWED, REFRESH, PLAN_JSON) are read only for the action they belong to, so an exported one cannot change another
 * command. ALLOW_REPLACE only comes as a flag (make passes it), never from an exported variable, like FORCE_*.
 */
export function parsePlanOptions(action: Action, flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): PlanOptions {
  const only = (flag: string, actions: readonly Action[]): void => {
    if (flags.has(flag) && !actions.includes(action)) throw new UsageError(`--${flag} is for ${actions.join(' and ')}, not ${action}`);
  };
  only('planned', ['apply']);
  only('reviewed', ['apply']);
  only('allow-replace', ['apply']);
  only('refresh', ['plan']);
  only('plan-json', ['plan']);
  const switchOf = (flag: string, variable: string, actions: readonly Action[]): boolean => {
    const value = flags.get(flag) ?? (actions.includes(action) ? env[variable] || undefined : undefined);
    try {
      return parseSwitch(`${variable} (--${flag})`, value) ?? false;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const dependents = flags.get('include-dependents') ?? (env.INCLUDE_DEPENDENTS || undefined);
  const autoDependents = dependents === 'auto';
  if (autoDependents && !['plan', 'apply'].includes(action)) throw new UsageError(`INCLUDE_DEPENDENTS=auto (--include-dependents=auto) is for plan and apply, not ${action}`);
  const planned = switchOf('planned', 'PLANNED', ['apply']);
  const reviewed = flags.get('reviewed') ?? (action === 'apply' ? env.REVIEWED || undefined : undefined);
  if (planned && reviewed) throw new UsageError('--planned applies this checkout\'s saved plans, --reviewed plans again against reviewed ones: choose one');
  if (autoDependents && (planned || reviewed)) {
    throw new UsageError('INCLUDE_DEPENDENTS=auto picks layers by their new plans; with saved or reviewed plans select the layers that were planned');
  }
  const allowReplace = list(flags.get('allow-replace'));
  const malformed = allowReplace.filter((a) => !/^[^:\s]+:\S+$/.test(a));
  if (malformed.length > 0) throw new UsageError(`--allow-replace takes <stack>:<resource address>, e.g. acme-apps-prd-databases:aws_rds_cluster.aurora; not ${malformed.join(', ')}`);
  return { autoDependents, planned, ...(reviewed ? { reviewed } : {}), allowReplace, refresh: switchOf('refresh', 'REFRESH', ['plan']), planJson: switchOf('plan-json', 'PLAN_JSON', ['plan']) };
}
