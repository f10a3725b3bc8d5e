/**
 * `make bootstrap-org` (every account) and `make bootstrap ACCOUNT=<a>` (one account added later): the day-zero
 * sequence of scripts/lib/bootstrap.ts, printed step by step, resumable from its checkpoint. SANDBOX=1 runs it
 * offline against the sandbox; SANDBOX=0 against AWS, with the management account's own credentials.
 */
import * as path from 'path';
import { modeFromEnv, type Mode } from '../lib/mode';
import { readProjectFolder, resolveOrganisation } from '../lib/organisation';
import { ConfigError } from '../lib/problems';
import { parseCommandLine, projectNamed, runScript } from '../lib/usage';
import { bootstrapPlan, fileCheckpoint, runBootstrap } from './lib/bootstrap';
import { bootstrapExecutor } from './lib/bootstrap-executor';
import { terminalPrompt } from './lib/confirm';
import { PROJECTS_DIR, REPO_ROOT, SANDBOX_DIR } from './lib/paths';
import { assertLoopback, createBackends } from './lib/sandbox';

const USAGE = `usage: bootstrap-org.ts [--project P] [--account A[,B]] [--force] [--dry-run]

Day zero: the management account's backend, organizations, identities and security layers, then every member
account's backend and security layer, then a handover plan of each through its deploy role (docs/day-zero.md).
  --project P     the project under projects/ (env PROJECT; default: the only one)
  --account A     only these accounts, e.g. one added later (env ACCOUNT)
  --force         also accounts that are already bootstrapped (env FORCE=1)
  --dry-run       print the steps and stop
Environment: SANDBOX=1 (offline) or 0 (AWS); AUTO_APPROVE=1 (no question on AWS); BOOTSTRAP_DIR (default
.bootstrap, in the sandbox .sandbox/bootstrap): local states, progress.json, logs.`;

interface Args { project?: string; accounts?: string[]; force: boolean; dryRun: boolean }

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Args | 'help' {
  const { values } = parseCommandLine(argv, {
    options: { project: { type: 'string' }, account: { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  const accounts = (values.account as string | undefined) ?? (env.ACCOUNT || undefined);
  return {
    project: (values.project as string | undefined) ?? (env.PROJECT || undefined),
    ...(accounts === undefined ? {} : { accounts: accounts.split(',').map((a) => a.trim()).filter(Boolean) }),
    force: values.force === true || ['1', 'true', 'yes'].includes((env.FORCE ?? '').toLowerCase()),
    dryRun: values['dry-run'] === true,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), process.env);
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const envMode = modeFromEnv();
  const target = envMode.sandbox ? 'sandbox' : 'real';
  const dir = path.resolve(process.env.BOOTSTRAP_DIR ?? (envMode.sandbox ? path.join(SANDBOX_DIR, 'bootstrap') : path.join(REPO_ROOT, '.bootstrap')));
  const mode: Mode = { ...envMode, bootstrap: false, bootstrapStateDir: dir };
  const project = projectNamed(args.project, PROJECTS_DIR);
  const projectDir = path.join(PROJECTS_DIR, project);
  const org = resolveOrganisation(readProjectFolder(projectDir), mode);
  const single = args.accounts?.length === 1 ? args.accounts[0] : undefined;
  const command = `${single ? `make bootstrap ACCOUNT=${single}` : 'make bootstrap-org'}${target === 'real' ? ' SANDBOX=0' : ''}`;

  if (args.dryRun) {
    for (const [i, step] of bootstrapPlan(org, { accounts: args.accounts }).entries()) console.log(`${i + 1}. ${step.title}`);
    return 0;
  }
  if (mode.sandbox) {
    assertLoopback(mode.sandbox);
    await createBackends(mode.sandbox, [...org.accounts.values()].map((account) => ({ project, account: account.name, accountId: account.id })));
  } else if (!['1', 'true', 'yes'].includes((process.env.AUTO_APPROVE ?? '').toLowerCase())) {
    const steps = bootstrapPlan(org, { accounts: args.accounts });
    console.log(`Real AWS: ${steps.length} steps, starting with:\n${steps.slice(0, 8).map((s) => `  - ${s.title}`).join('\n')}\n  ...`);
    const answer = await terminalPrompt().ask(`Type the project name (${project}) to run them with your current credentials: `);
    if (answer !== project) {
      console.log(answer === undefined ? 'no terminal to ask: set AUTO_APPROVE=1 to run without the question' : 'not confirmed: nothing done');
      return 1;
    }
  }
  const result = await runBootstrap({
    org,
    target,
    accounts: args.accounts,
    force: args.force,
    command,
    store: fileCheckpoint(path.join(dir, 'progress.json')),
    executor: bootstrapExecutor({ org, projectsDir: PROJECTS_DIR, mode, outdir: path.join(dir, 'cdktf.out'), logDir: path.join(dir, 'logs') }),
  });
  return result.exitCode;
}

runScript('bootstrap', USAGE, main, (error) => {
  console.error(error instanceof ConfigError ? error.message : `bootstrap: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
