/**
 * Runs one day-zero step (scripts/lib/bootstrap.ts) with terraform: synthesizes the step's stacks for the right step
 * and state location, then init / apply / migrate / plan. In the sandbox nothing can be created, so an apply becomes
 * a plan plus a recorded state: the backend's local state file is real (terraform writes it; where no output is
 * known yet, terraform is given the contract's mock outputs through `terraform state push`) and is really migrated
 * into the sandbox bucket with `terraform init -migrate-state`.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { mockOutputs, type AnyContract } from '../../lib/contract';
import { bootstrapIdentity } from '../../lib/identity';
import type { Organisation, ResolvedAccount } from '../../lib/model';
import type { Mode } from '../../lib/mode';
import { backendBucketName, ssoProfileName, stateKey } from '../../lib/naming';
import { synth } from '../../lib/synth';
import type { BootstrapExecutor, BootstrapStep, StepOutcome } from './bootstrap';
import { dayZeroLayers } from './bootstrap';
import { errorExcerpt } from './layer-executor';
import { stackDir } from './paths';
import type { ChangeCounts } from './runner';
import { assertLoopback, mockStateDocument } from './sandbox';
import { parseChangeCounts, terraform, type TerraformResult } from './terraform';

export type TerraformRun = (args: readonly string[], cwd: string, options: { onOutput?: (chunk: string) => void }) => Promise<TerraformResult>;

export interface BootstrapExecutorOptions {
  readonly org: Organisation;
  readonly projectsDir: string;
  /** The base mode: sandbox endpoints (or real AWS) and where local state files go (`bootstrapStateDir`). */
  readonly mode: Mode;
  /** Where the step's stacks are synthesized. */
  readonly outdir: string;
  /** One log file per stack and step. */
  readonly logDir: string;
  /** @default '5m' */
  readonly lockTimeout?: string;
  /** Test seams. @default terraform, and (real mode) an S3 HeadObject of the backend state as the bootstrap identity */
  readonly terraform?: TerraformRun;
  readonly probe?: (account: ResolvedAccount) => Promise<boolean>;
}

const PLAN_FILE = 'bootstrap.tfplan';

interface StateContent {
  readonly serial?: number;
  readonly outputs?: Record<string, unknown>;
  readonly resources?: unknown[];
}

const content = (state: StateContent): string => JSON.stringify({ outputs: state.outputs ?? {}, resources: state.resources ?? [] });

export function bootstrapExecutor(options: BootstrapExecutorOptions): BootstrapExecutor {
  const { org, mode } = options;
  const project = org.project.name;
  const sandbox = mode.sandbox;
  const run = options.terraform ?? (terraform as TerraformRun);
  const lock = `-lock-timeout=${options.lockTimeout ?? '5m'}`;
  if (sandbox) assertLoopback(sandbox);

  const synthFor = (stacks: readonly string[], step: 'local' | 's3' | 'steady'): void => {
    const stepMode: Mode = step === 'steady'
      ? { ...mode, bootstrap: false, localBackendState: undefined, access: 'deploy' }
      : { ...mode, bootstrap: true, localBackendState: step === 'local', access: 'deploy' };
    synth({ projectsDir: options.projectsDir, project, mode: stepMode, outdir: options.outdir, only: new Set(stacks) });
  };
  const localStateFile = (stack: string): string => path.join(mode.bootstrapStateDir, `${stack}.tfstate`);
  const contractOf = (step: BootstrapStep, layer: string): AnyContract | undefined => org.accounts.get(step.account)?.layers.get(layer)?.kind.contract;

  /** Runs terraform commands for one stack, appending everything to its log; the first failure stops. */
  const session = (step: BootstrapStep, stack: string) => {
    fs.mkdirSync(options.logDir, { recursive: true });
    const log = path.join(options.logDir, `${stack}.${step.kind}.log`);
    fs.writeFileSync(log, '');
    const dir = stackDir(options.outdir, stack);
    return {
      log,
      dir,
      tf: async (args: readonly string[]): Promise<TerraformResult> => {
        fs.appendFileSync(log, `\n$ terraform ${args.join(' ')}\n`);
        return run(args, dir, { onOutput: (chunk) => fs.appendFileSync(log, chunk) });
      },
    };
  };
  const failed = (result: TerraformResult, log: string, account: string): StepOutcome => {
    const output = `${result.stderr}\n${result.stdout}`;
    return { ok: false, message: errorExcerpt(result.stderr || result.stdout), hint: hintFor(output, account), log };
  };
  const hintFor = (output: string, account: string): string | undefined => {
    const target = org.accounts.get(account)!;
    if (/AssumeRole|assume role|cannot be assumed|not authorized to perform: sts:/i.test(output)) {
      const who = bootstrapIdentity(org, target);
      return who.kind === 'role'
        ? `The role could not be assumed. Is ${account} created (management/organizations applied) with id ${target.id} in projects/${project}/${account}/account.ts? A new account's ${who.name} can take a few minutes to appear; an invited account needs it created by hand (docs/day-zero.md).`
        : `Sign in with a session allowed to assume the deploy roles: make sso-config, then aws sso login --profile ${ssoProfileName(project, org.project.managementAccount, org.project.permissionSets.deploy[0])} and export AWS_PROFILE to it.`;
    }
    if (/No valid credential sources|NoCredentialProviders|ExpiredToken|security token included in the request is expired|SSO session .* expired/i.test(output)) {
      return `No valid AWS credentials: sign in to the management account (docs/day-zero.md, "Credentials") and run again.`;
    }
    if (/ssoins-|identitystore|sso-admin|SsoAdmin|IdentityStore/i.test(output) && /not ?found|ValidationException|AccessDenied|does not exist/i.test(output)) {
      return `Enable IAM Identity Center once in the console of ${org.project.managementAccount} (organization instance, region ${org.project.identityCenter?.region ?? org.project.primaryRegion}), put its instance ARN and identity store id into the identities layer file, and run again.`;
    }
    if (/BucketAlreadyExists/.test(output)) return 'Bucket names are global: another AWS account owns this one. Change the project name (it prefixes every bucket).';
    return undefined;
  };
  const counts = (c: ChangeCounts | undefined): string => (c ? `${c.add} to add, ${c.change} to change, ${c.destroy} to destroy` : 'no change counts printed');

  /** Sandbox stand-in for an apply: plan, then record what terraform can (a refresh-only apply of known outputs). */
  const planAndRecord = async (s: ReturnType<typeof session>, step: BootstrapStep): Promise<StepOutcome & { recorded: boolean }> => {
    fs.rmSync(path.join(s.dir, PLAN_FILE), { force: true });
    const plan = await s.tf(['plan', '-input=false', '-no-color', lock, `-out=${PLAN_FILE}`]);
    if (plan.code !== 0) return { ...failed(plan, s.log, step.account), recorded: false };
    const record = await s.tf(['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color', lock]);
    const nonApplyable = /Cannot apply non-applyable plan/.test(record.stderr);
    if (record.code !== 0 && !nonApplyable) return { ...failed(record, s.log, step.account), recorded: false };
    return { ok: true, message: `planned: ${counts(parseChangeCounts(plan.stdout))} (sandbox: nothing is created)`, log: s.log, recorded: !nonApplyable };
  };

  const steps: Record<BootstrapStep['kind'], (step: BootstrapStep) => Promise<StepOutcome>> = {
    async 'backend-local'(step) {
      const [stack] = step.stacks;
      synthFor(step.stacks, 'local');
      const s = session(step, stack);
      const init = await s.tf(['init', '-input=false', '-no-color', '-reconfigure']);
      if (init.code !== 0) return failed(init, s.log, step.account);
      const file = localStateFile(stack);
      if (!sandbox) {
        const apply = await s.tf(['apply', '-input=false', '-no-color', '-auto-approve', lock]);
        if (apply.code !== 0) return failed(apply, s.log, step.account);
        return { ok: fs.existsSync(file), message: `created: ${counts(parseChangeCounts(apply.stdout))}; local state ${file}`, log: s.log };
      }
      const planned = await planAndRecord(s, step);
      if (!planned.ok) return planned;
      if (!planned.recorded) {
        // No output is known before anything exists: give terraform the contract's mock outputs as the layer's state.
        const contract = contractOf(step, step.layers[0]);
        const doc = path.join(s.dir, 'bootstrap-mock.tfstate');
        fs.writeFileSync(doc, mockStateDocument(contract ? mockOutputs(contract) : {}, randomUUID()));
        const push = await s.tf(['state', 'push', doc]);
        fs.rmSync(doc, { force: true });
        if (push.code !== 0) return failed(push, s.log, step.account);
      }
      if (!fs.existsSync(file)) return { ok: false, message: `terraform wrote no local state at ${file}`, log: s.log };
      return { ok: true, message: `${planned.message}; local state ${file}${planned.recorded ? '' : ' (contract mock outputs)'}`, log: s.log };
    },

    async 'backend-migrate'(step) {
      const [stack] = step.stacks;
      const file = localStateFile(stack);
      const s = session(step, stack);
      const where = `s3://${backendBucketName(project, step.account, org.accounts.get(step.account)!.id)}/${stateKey(step.account, step.layers[0])}`;
      if (!fs.existsSync(file)) {
        return { ok: false, message: `no local state at ${file}`, hint: `If it was migrated already, check ${where} and mark the step done by deleting the account's run from the progress file; otherwise run the backend-local step again.`, log: s.log };
      }
      const local = JSON.parse(fs.readFileSync(file, 'utf8')) as StateContent;
      // Start from the local backend whatever this folder saw before, so a resumed run on another machine migrates too.
      synthFor(step.stacks, 'local');
      const before = await s.tf(['init', '-input=false', '-no-color', '-reconfigure']);
      if (before.code !== 0) return failed(before, s.log, step.account);
      synthFor(step.stacks, 's3');
      const migrate = await s.tf(['init', '-input=false', '-no-color', '-migrate-state', '-force-copy']);
      if (migrate.code !== 0) return failed(migrate, s.log, step.account);
      const pulled = await s.tf(['state', 'pull']);
      if (pulled.code !== 0) return failed(pulled, s.log, step.account);
      // The S3 backend gives a migrated state a new lineage: compare what it holds.
      const remote = JSON.parse(pulled.stdout || '{}') as StateContent;
      if (content(remote) !== content(local)) {
        return { ok: false, message: `the state at ${where} does not hold what ${file} holds`, hint: `Nothing was lost: ${file} is kept. Compare both (terraform state pull) before running again.`, log: s.log };
      }
      const resources = (local.resources ?? []).length;
      return { ok: true, message: `state now at ${where} (${resources} resources, serial ${remote.serial}); keep ${file} until you have checked it, then delete it`, log: s.log };
    },

    async apply(step) {
      const [stack] = step.stacks;
      synthFor(step.stacks, 's3');
      const s = session(step, stack);
      const init = await s.tf(['init', '-input=false', '-no-color', '-reconfigure']);
      if (init.code !== 0) return failed(init, s.log, step.account);
      if (sandbox) return planAndRecord(s, step);
      const apply = await s.tf(['apply', '-input=false', '-no-color', '-auto-approve', lock]);
      if (apply.code !== 0) return failed(apply, s.log, step.account);
      return { ok: true, message: `applied: ${counts(parseChangeCounts(apply.stdout))}`, log: s.log };
    },

    async 'check-account-ids'(step) {
      if (sandbox) return { ok: true, message: 'sandbox: no account was created; the ids in config stand' };
      const [stack] = step.stacks;
      synthFor(step.stacks, 's3');
      const s = session(step, stack);
      const init = await s.tf(['init', '-input=false', '-no-color', '-reconfigure']);
      if (init.code !== 0) return failed(init, s.log, step.account);
      const output = await s.tf(['output', '-json']);
      if (output.code !== 0) return failed(output, s.log, step.account);
      const values = JSON.parse(output.stdout) as Record<string, { value: unknown }>;
      const names = (values.account_names?.value ?? []) as string[];
      const ids = (values.account_ids?.value ?? []) as string[];
      const wrong = names.map((name, i) => ({ name, id: ids[i], config: org.accounts.get(name)?.id })).filter((a) => a.id !== a.config);
      if (wrong.length === 0) return { ok: true, message: `${names.length} member account ids match config`, log: s.log };
      return {
        ok: false,
        message: wrong.map((a) => `${a.name}: AWS gave it ${a.id}, projects/${project}/${a.name}/account.ts says ${a.config}`).join('\n'),
        hint: 'Write each id into its account.ts (AWS assigns ids when it creates an account) and run again: the sequence continues here.',
        log: s.log,
      };
    },

    async handover(step) {
      synthFor(step.stacks, 'steady');
      const lines: string[] = [];
      for (const stack of step.stacks) {
        const s = session(step, stack);
        const init = await s.tf(['init', '-input=false', '-no-color', '-reconfigure']);
        if (init.code !== 0) return failed(init, s.log, step.account);
        const plan = await s.tf(['plan', '-input=false', '-no-color', lock, '-detailed-exitcode']);
        if (plan.code !== 0 && plan.code !== 2) return failed(plan, s.log, step.account);
        const c = parseChangeCounts(plan.stdout);
        const layer = stack.slice(`${project}-${step.account}-`.length);
        lines.push(sandbox || plan.code === 0
          ? `${layer}: planned through the deploy role: ${counts(c)}${sandbox ? ' (sandbox)' : ''}`
          : `${layer}: planned through the deploy role, and it differs from what day zero applied (${counts(c)}): review it with make plan ACCOUNT=${step.account} LAYER=${layer} SANDBOX=0`);
      }
      return { ok: true, message: lines.join('\n') };
    },
  };

  return {
    async backendInBucket(account) {
      const backend = dayZeroLayers(account).find((l) => l.kind.bootstrapsBackend);
      if (!backend) return false;
      // The sandbox buckets hold mock states seeded by sandbox plans, indistinguishable from a migrated one: there the
      // checkpoint alone says what was bootstrapped.
      if (sandbox) return false;
      return (options.probe ?? ((a: ResolvedAccount) => probeBackendState(org, a, backend.layer)))(account);
    },
    run: (step) => steps[step.kind](step),
  };
}

/**
 * Real AWS: whether the backend layer's state object exists in the account's bucket, looked up as the account's
 * bootstrap identity. A member account that cannot be entered yet (not created) is not bootstrapped.
 */
export async function probeBackendState(org: Organisation, account: ResolvedAccount, layer: string): Promise<boolean> {
  const { S3Client, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  const identity = bootstrapIdentity(org, account);
  const credentials = identity.kind === 'role'
    ? fromTemporaryCredentials({ params: { RoleArn: identity.arn, RoleSessionName: `${org.project.name}-bootstrap-probe`, DurationSeconds: 900 } })
    : fromNodeProviderChain();
  const s3 = new S3Client({ region: account.region, credentials });
  try {
    await s3.send(new HeadObjectCommand({ Bucket: backendBucketName(org.project.name, account.name, account.id), Key: stateKey(account.name, layer) }));
    return true;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (identity.kind === 'caller' && /CredentialsProviderError|ExpiredToken|InvalidClientTokenId/.test(e.name ?? '')) {
      throw new Error(`no usable AWS credentials for the management account (${e.name}): sign in first (docs/day-zero.md)`);
    }
    return false;
  } finally {
    s3.destroy();
  }
}
