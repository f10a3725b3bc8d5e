/**
 * Before a real run (SANDBOX=0): can the current credentials assume, in every selected account, the role the run's
 * stacks assume (lib/identity.ts), and will they last until the run is likely to end? Fails fast with the exact
 * `aws sso login --profile …` to run, instead of failing layer after layer halfway through.
 *
 * AWS is reached through a `CredentialSeam` (STS and the credential chain), so tests drive it with fakes; the AWS SDK
 * is only loaded by `awsCredentialSeam`, in real mode.
 */
import * as fs from 'fs';
import type { GraphNode } from '../../lib/graph';
import { layerIdentity } from '../../lib/identity';
import type { LayerStack } from '../../lib/layer-stack';
import type { Organisation } from '../../lib/model';
import type { Access } from '../../lib/mode';
import { formatDuration, type RunReport } from './runner';
import { operatorProfile } from './sso-config';

export interface CallerInfo {
  /** ARN of the caller (an assumed-role ARN for SSO and CI sessions). */
  readonly arn: string;
  /** When the credentials stop working: the SSO session for an SSO profile, else the credentials' own expiry. @default never (static keys) */
  readonly expiration?: Date;
}

export interface CredentialSeam {
  /** Who the current credentials are; rejects when there are none, or they are invalid or expired. */
  caller(): Promise<CallerInfo>;
  /** Resolves when the current credentials may assume `roleArn`; rejects with AWS's error otherwise. */
  assume(roleArn: string): Promise<void>;
}

export interface CredentialCheck {
  readonly org: Organisation;
  /** Accounts the run touches. */
  readonly accounts: readonly string[];
  /** @default 'deploy' */
  readonly access?: Access;
  readonly seam: CredentialSeam;
  /** How long the run will likely take; undefined when nothing predicts it. */
  readonly predictedRunMs?: number;
  /** The profile in use (AWS_PROFILE). */
  readonly profile?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface CredentialVerdict {
  readonly ok: boolean;
  /** What was checked, or what is wrong and what to run. */
  readonly lines: readonly string[];
}

/** Renew this long before the predicted end, for slow layers and clock skew. */
export const EXPIRY_MARGIN_MS = 10 * 60 * 1000;

function message(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(error)}`.split('\n')[0];
}

/** The command that fixes missing or expiring credentials. */
export function loginHint(org: Organisation, profile: string | undefined): string {
  const operator = operatorProfile(org);
  if (profile) return `aws sso login --profile ${profile}`;
  if (!operator) return 'sign in with a session allowed to assume the deploy roles (docs/day-zero.md)';
  return `export AWS_PROFILE=${operator} && aws sso login --profile ${operator}   (profiles: make sso-config, then export AWS_CONFIG_FILE=.aws/config.${org.project.name})`;
}

/** Checks once per selected account. Never throws: the verdict says what to do. */
export async function checkCredentials(check: CredentialCheck): Promise<CredentialVerdict> {
  const { org, seam } = check;
  const now = check.now ?? Date.now;
  const fix = loginHint(org, check.profile);
  let caller: CallerInfo;
  try {
    caller = await seam.caller();
  } catch (error) {
    return { ok: false, lines: [`no valid AWS credentials (${message(error)}).`, `Run: ${fix}`] };
  }
  const lines = [`credentials: ${caller.arn}`];
  if (caller.expiration) {
    const left = caller.expiration.getTime() - now();
    const needed = (check.predictedRunMs ?? 0) + EXPIRY_MARGIN_MS;
    if (left < needed) {
      const why = left <= 0 ? 'have expired' : `expire in ${formatDuration(left)} (${caller.expiration.toISOString()})`;
      const run = check.predictedRunMs === undefined ? '' : `, and the last run of these layers took about ${formatDuration(check.predictedRunMs)}`;
      return { ok: false, lines: [...lines, `they ${why}${run}: renew them first.`, `Run: ${fix}`] };
    }
    lines.push(`valid for ${formatDuration(left)}${check.predictedRunMs === undefined ? '' : `; the run should take about ${formatDuration(check.predictedRunMs)}`}`);
  }
  const problems: string[] = [];
  for (const name of [...new Set(check.accounts)]) {
    const account = org.accounts.get(name);
    if (!account) continue;
    const identity = layerIdentity(org, account, 'steady', check.access ?? 'deploy');
    if (identity.kind === 'caller') continue;
    try {
      await seam.assume(identity.arn);
    } catch (error) {
      problems.push(`${name}: cannot assume ${identity.arn} (${message(error)})`);
    }
  }
  if (problems.length === 0) return { ok: true, lines: [...lines, `may assume the ${check.access === 'plan' ? 'plan' : 'deploy'} role of ${[...new Set(check.accounts)].join(', ')}`] };
  const sets = org.project.permissionSets.deploy.join(' or ');
  return {
    ok: false,
    lines: [
      ...lines,
      ...problems,
      check.access === 'plan'
        ? 'The plan role trusts itself and GitHub OIDC only: run with ACCESS=plan from a CI plan job.'
        : `The deploy roles trust Identity Center sessions of ${sets} (the identities layer assigns them) and the CI apply role of their account. ` +
          `If your session is one of those, it may have expired: ${fix}`,
    ],
  };
}

/**
 * Predicted duration of a run of `nodes` from the last run report: the layers' last durations (the median for
 * layers it lacks), divided among the workers but never less than the longest layer. Undefined without a report.
 */
export function predictRunMs(reportFile: string, nodes: readonly GraphNode[], parallelism: number): number | undefined {
  if (!fs.existsSync(reportFile)) return undefined;
  let report: RunReport;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as RunReport;
  } catch {
    return undefined;
  }
  const known = new Map(report.layers.filter((l) => l.durationMs > 0).map((l) => [l.id, l.durationMs]));
  if (known.size === 0) return undefined;
  const sorted = [...known.values()].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const durations = nodes.map((n) => known.get(n.id) ?? median);
  const total = durations.reduce((a, b) => a + b, 0);
  return Math.max(Math.ceil(total / Math.max(1, parallelism)), ...durations);
}

/** The real seam: the AWS SDK's default credential chain (AWS_PROFILE, SSO, environment, instance roles) and STS. */
export async function awsCredentialSeam(region: string, env: NodeJS.ProcessEnv = process.env): Promise<CredentialSeam> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const { fromSso } = await import('@aws-sdk/token-providers');
  const credentials = fromNodeProviderChain();
  const sts = new STSClient({ region, credentials });
  return {
    async caller() {
      const resolved = await credentials();
      const id = await sts.send(new GetCallerIdentityCommand({}));
      let expiration = resolved.expiration;
      // With an SSO profile terraform fetches fresh role credentials while the SSO session lasts: that session is the limit.
      if (env.AWS_PROFILE) {
        try {
          const token = await fromSso({ profile: env.AWS_PROFILE })();
          if (token.expiration) expiration = token.expiration;
        } catch {
          // not an sso-session profile: the credentials' own expiry applies
        }
      }
      return { arn: id.Arn ?? 'unknown', expiration };
    },
    async assume(roleArn) {
      await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'credentials-check', DurationSeconds: 900 }));
    },
  };
}

/**
 * The runner's check before a real run (scripts/run.ts): prints what it found and returns false when the run should
 * not start. SKIP_CREDENTIALS_CHECK=1 skips it (a runner whose credentials come from elsewhere).
 */
export async function credentialsReady(options: {
  readonly stacks: readonly LayerStack[];
  readonly nodes: readonly GraphNode[];
  readonly reportFile: string;
  readonly parallelism: number;
  readonly print?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly seam?: (region: string) => Promise<CredentialSeam>;
}): Promise<boolean> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  if (['1', 'true', 'yes'].includes((env.SKIP_CREDENTIALS_CHECK ?? '').toLowerCase())) return true;
  const predictedRunMs = predictRunMs(options.reportFile, options.nodes, options.parallelism);
  let ok = true;
  for (const project of [...new Set(options.nodes.map((n) => n.project))]) {
    const org = options.stacks.find((s) => s.ctx.org.project.name === project)?.ctx.org;
    if (!org) continue;
    const seam = await (options.seam ?? awsCredentialSeam)(org.project.primaryRegion);
    const verdict = await checkCredentials({
      org, seam, predictedRunMs, profile: env.AWS_PROFILE || undefined, access: org.mode.access,
      accounts: options.nodes.filter((n) => n.project === project).map((n) => n.account),
    });
    if (!verdict.ok) print('credentials check failed (SANDBOX=0): nothing was run');
    for (const line of verdict.lines) print(`  ${line}`);
    ok &&= verdict.ok;
  }
  return ok;
}
