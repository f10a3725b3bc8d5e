/** Running the terraform binary with the project's own CLI config (local provider mirror when present). */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './paths';
import type { ChangeCounts } from './runner';

export const PROVIDER_MIRROR = '/opt/tf-plugins';

/**
 * Writes `.tfrc/terraform.rc`: the filesystem mirror when `mirror` exists (terraform then symlinks the
 * provider instead of copying it), otherwise the public registry with a shared plugin cache.
 */
export function ensureCliConfig(root: string = REPO_ROOT, mirror: string = PROVIDER_MIRROR): string {
  const file = path.join(root, '.tfrc', 'terraform.rc');
  const content = fs.existsSync(mirror)
    ? `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`
    : `plugin_cache_dir = "${path.join(os.homedir(), '.terraform.d', 'plugin-cache')}"\n`;
  if (!fs.existsSync(mirror)) fs.mkdirSync(path.join(os.homedir(), '.terraform.d', 'plugin-cache'), { recursive: true });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content) fs.writeFileSync(file, content);
  return file;
}

/**
 * Go's garbage-collector target for terraform and the provider plugins it starts (they inherit the environment),
 * unless GOGC is set already. Most of a plan's CPU is the AWS provider building its schema, a burst of short-lived
 * allocations: collecting at 200% heap growth instead of Go's 100% takes about a tenth off each terraform command's
 * CPU time for about a tenth more peak memory (docs/benchmarks.md, "First plans").
 */
export const TERRAFORM_GOGC = '200';

/** Environment for terraform: our CLI config, no checkpoint calls, no prompts. */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: ensureCliConfig(),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    GOGC: process.env.GOGC || TERRAFORM_GOGC,
    ...extra,
  };
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TerraformRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output as it arrives. */
  readonly onOutput?: (chunk: string) => void;
  /**
   * Aborting sends terraform ONE SIGINT, its graceful stop (it cancels and releases the state lock), then
   * SIGKILL after `graceMs`. With a signal the child gets its own process group, so a Ctrl-C in the terminal
   * reaches only the caller, which forwards it once (a second SIGINT makes terraform exit without unlocking).
   */
  readonly signal?: AbortSignal;
  /** @default 120000 */
  readonly graceMs?: number;
}

export interface TerraformResultExtra {
  /** True when the child had to be SIGKILLed after an abort: its lock may still be held. */
  readonly killed?: boolean;
  /** The signal that ended terraform, when one did (SIGKILL from the out-of-memory killer, a `kill`, ...). */
  readonly signal?: NodeJS.Signals;
}

export function terraform(args: readonly string[], cwd: string, options: TerraformRunOptions = {}): Promise<TerraformResult & TerraformResultExtra> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ code: 130, stdout: '', stderr: 'not started: interrupted' });
      return;
    }
    const child = spawn('terraform', args, {
      cwd, env: terraformEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: options.signal !== undefined,
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let escalate: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGINT');
      escalate = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, options.graceMs ?? 120_000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); options.onOutput?.(d.toString()); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); options.onOutput?.(d.toString()); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (escalate) clearTimeout(escalate);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code: code ?? 1, stdout, stderr, killed, ...(signal ? { signal } : {}) });
    });
  });
}

/**
 * `terraform init` unless the stack's providers and backend are unchanged since the last successful init
 * (a hash of cdk.tf.json's `terraform` block is kept next to `.terraform`).
 */
export async function initIfNeeded(
  cwd: string,
  options: TerraformRunOptions & { backend?: boolean; run?: typeof terraform } = {},
): Promise<TerraformResult | undefined> {
  const backend = options.backend ?? true;
  const synthesized = JSON.parse(fs.readFileSync(path.join(cwd, 'cdk.tf.json'), 'utf8')) as { terraform?: unknown };
  const fingerprint = JSON.stringify({ backend, terraform: synthesized.terraform });
  const marker = path.join(cwd, '.terraform', 'cdktf-init-fingerprint');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === fingerprint) return undefined;
  const result = await (options.run ?? terraform)(['init', '-input=false', '-no-color', '-reconfigure', ...(backend ? [] : ['-backend=false'])], cwd, options);
  if (result.code === 0) {
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, fingerprint);
  }
  return result;
}

/** What a plan's text (`terraform plan -no-color`) says beyond its counts. */
export interface PlanText {
  /** The outputs under "Changes to Outputs:", sorted. */
  readonly changedOutputs: readonly string[];
  /** Of those, the ones whose new value shows `(known after apply)` anywhere, sorted (a sensitive one shows neither). */
  readonly unknownOutputs: readonly string[];
  /** Terraform printed "Objects have changed outside of Terraform" (drift that bears on this plan). */
  readonly driftShown: boolean;
}

/**
 * Reads the output changes from a plan's text, so that a plan needs no second terraform process (`show -json` starts
 * the provider again: about 2 s of CPU) for what the summary and the chaining of consumers need. Terraform prints one
 * entry per changed output, two spaces in: `  + name = value`, `  ~ name = old -> new`, `  - name = old -> null`;
 * a multi-line value is indented deeper. The runner compares this with the plan JSON whenever it has both.
 */
export function readPlanText(output: string): PlanText {
  const changed: string[] = [];
  const unknown: string[] = [];
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === 'Changes to Outputs:');
  if (start !== -1) {
    let current: { name: string; action: string } | undefined;
    for (const line of lines.slice(start + 1)) {
      const entry = /^ {2}([+~-]) ([^\s=]+)\s*=(.*)$/.exec(line);
      if (entry) {
        current = { name: entry[2], action: entry[1] };
        changed.push(current.name);
      } else if (!line.startsWith('    ')) break; // the section ends where the indentation does
      if (current && current.action !== '-' && /(^|[^"])\(known after apply\)/.test(entry ? entry[3] : line) && !unknown.includes(current.name)) unknown.push(current.name);
    }
  }
  return { changedOutputs: changed.sort(), unknownOutputs: unknown.sort(), driftShown: /Objects have changed outside of Terraform/.test(output) };
}

/** Counts from terraform's plan, apply or destroy output; undefined when it printed none. */
export function parseChangeCounts(output: string): ChangeCounts | undefined {
  const plan = /Plan: (?:\d+ to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(output);
  if (plan) return { add: Number(plan[1]), change: Number(plan[2]), destroy: Number(plan[3]) };
  const applied = /(?:Apply|Destroy) complete! Resources: (?:\d+ imported, )?(?:(\d+) added, (\d+) changed, )?(\d+) destroyed/.exec(output);
  if (applied) return { add: Number(applied[1] ?? 0), change: Number(applied[2] ?? 0), destroy: Number(applied[3]) };
  if (/No changes\.|Your infrastructure matches the configuration|You can apply this plan to save these new output values/.test(output)) {
    return { add: 0, change: 0, destroy: 0 };
  }
  return undefined;
}
