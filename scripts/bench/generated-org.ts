/**
 * Synthesizes an organisation generated for the benchmark only: the example's accounts plus N workload accounts, each a copy of apps-prd's layers with a distinct id and
 * distinct VPC ranges. Usage: generated-org.ts <accounts> <outdir> (SYNTH_WORKERS, STACKS and CDKTF_TOKEN_STACK_TRACES as for main.ts).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { LayerDeclaration } from '../../lib/config';
import { modeFromEnv } from '../../lib/mode';
import { buildOrganisation, plannedStacks, readProjectFolder, resolveOrganisation, type ProjectSource } from '../../lib/organisation';
import { synthInWorkers, synthWorkers } from '../../lib/parallel-synth';
import { enforcePolicy } from '../../lib/policy';
import { resolveOnce } from '../../lib/resolve-once';
import { GRAPH_FILE } from '../../lib/synth';
import { setTokenStackTraces, tokenStackTracesFromEnv } from '../../lib/token-stack-traces';
import { parseCommandLine, runScript, UsageError } from '../../lib/usage';

function generatedOrganisation(workloads: number): ProjectSource {
  const example = readProjectFolder(path.resolve(__dirname, '../../projects/acme'));
  const template = example.accounts['apps-prd'];
  const accounts: Record<string, ProjectSource['accounts'][string]> = {};
  const clones = Array.from({ length: workloads }, (_, i) => `wl${String(i).padStart(3, '0')}`);
  for (const [name, account] of Object.entries(example.accounts)) {
    accounts[name] = { ...account, layers: Object.fromEntries(Object.entries(account.layers).map(([layer, d]) => [layer, withClones(d as LayerDeclaration, clones)])) };
  }
  for (let i = 0; i < workloads; i += 1) {
    const layers: Record<string, unknown> = {};
    for (const [layer, declaration] of Object.entries(template.layers) as [string, LayerDeclaration<Record<string, unknown>>][]) {
      const config = { ...(withOwnNames(declaration.config, clones[i]) as Record<string, unknown>) };
      // Distinct, non-overlapping /16s: primary networks from 10.60/16 up, DR networks from 10.120/16 up (then 100.64/10).
      if (typeof config.vpcCidr === 'string') config.vpcCidr = vpcCidr(declaration.region ? 1 : 0, i);
      layers[layer] = { ...declaration, config };
    }
    accounts[clones[i]] = {
      config: { ...template.config, id: String(900000000000 + i), email: `aws+wl${i}@bench.example.com` },
      layers,
    };
  }
  return { project: example.project, accounts };
}

/**
 * Where the organisation lists apps-prd, each clone gets the same entry: maps keyed by account name (account -> OU,
 * budgets) and the lists a new account must join (the private zones' `vpcs`, the hub's `attachments`). Delegations are
 * left alone: a clone's zone has apps-prd's name and one delegation per name is all DNS allows.
 */
function withClones(declaration: LayerDeclaration, clones: string[]): LayerDeclaration {
  return { ...declaration, config: cloneEntries(declaration.config, clones) as LayerDeclaration['config'] };
}

const CLONED_LISTS = new Set(['vpcs', 'attachments']);

function cloneEntries(config: unknown, clones: string[]): unknown {
  const isTemplate = (item: unknown) => isRecord(item) && item.account === 'apps-prd';
  return rewrite(config, (value, key) => {
    if (Array.isArray(value) && key !== undefined && CLONED_LISTS.has(key) && value.some(isTemplate)) {
      return value.flatMap((item) => (isTemplate(item) ? [item, ...clones.map((account) => ({ ...(item as object), account }))] : [item]));
    }
    if (isRecord(value) && 'apps-prd' in value) return { ...value, ...Object.fromEntries(clones.map((c) => [c, value['apps-prd']])) };
    return value;
  });
}

/** A clone's DNS names of its own: `subdomain` values and the CDN's names get the clone's name in their first label. */
function withOwnNames(config: unknown, clone: string): unknown {
  return rewrite(config, (value, key) => {
    if (typeof value !== 'string') return value;
    if (key === 'subdomain') return `${value}-${clone}`;
    if (key === 'domainNames') return value.replace(/^([^.]+)/, `$1-${clone}`);
    return value;
  });
}

/**
 * Rebuilds a config bottom-up through `edit(value, key)` (list items get their list's key), copying only what changed:
 * contracts and layer references inside a config keep their identity.
 */
function rewrite(value: unknown, edit: (value: unknown, key?: string) => unknown, key?: string): unknown {
  let next = value;
  if (Array.isArray(value)) {
    const items = value.map((item) => rewrite(item, edit, key));
    if (!unchanged(value, items)) next = items;
  } else if (isRecord(value)) {
    const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, edit, k)]));
    if (!unchanged(Object.values(value), Object.values(copy))) next = copy;
  }
  return edit(next, key);
}

function unchanged(before: readonly unknown[], after: readonly unknown[]): boolean {
  return before.length === after.length && before.every((v, i) => v === after[i]);
}

/** A plain object literal of a config file (class instances such as layer references are kept as they are). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function vpcCidr(kind: number, i: number): string {
  const n = kind * 60 + i;
  return n < 195 ? `10.${60 + n}.0.0/16` : `100.${64 + (n - 195)}.0.0/16`;
}

/** Synthesizes like main.ts: validated whole, resolved once per stack, policy-checked, in workers when large. */
const USAGE = 'usage: generated-org.ts <workload accounts> <outdir>';

function parseCommand(argv: readonly string[]): { workloads: number; outdir: string } {
  const { positionals } = parseCommandLine(argv, { options: {}, positionals: true });
  if (positionals.length !== 2) throw new UsageError(`expected two arguments, got ${positionals.length}`);
  const workloads = Number(positionals[0]);
  if (!Number.isInteger(workloads) || workloads < 0) throw new UsageError(`the number of workload accounts must be a whole number, not "${positionals[0]}"`);
  return { workloads, outdir: path.resolve(positionals[1]) };
}

async function main(): Promise<number> {
  const { workloads, outdir } = parseCommand(process.argv.slice(2));
  setTokenStackTraces(tokenStackTracesFromEnv());
  const org = resolveOrganisation(generatedOrganisation(workloads), modeFromEnv());
  const only = process.env.STACKS ? new Set(process.env.STACKS.split(',')) : undefined;
  const stacks = plannedStacks(org).filter((s) => !only || only.has(s.id)).map((s) => ({ id: s.id, account: s.account.name }));
  const workers = synthWorkers(stacks.length);
  if (workers > 1) {
    await synthInWorkers({
      outdir, stacks, workers,
      spawnWorker: (ids, dir) => spawn(process.execPath, [...process.execArgv, process.argv[1], String(workloads), dir], {
        env: { ...process.env, STACKS: ids.join(','), SYNTH_WORKERS: '1' }, stdio: ['ignore', 'ignore', 'inherit'],
      }),
    });
  } else {
    const app = new App({ outdir });
    const built = buildOrganisation(app, org, { only });
    for (const stack of built.stacks) resolveOnce(stack);
    enforcePolicy(built.stacks, () => undefined);
    app.synth();
    fs.writeFileSync(path.join(outdir, GRAPH_FILE), JSON.stringify({ stacks: built.graph }, null, 2) + '\n');
  }
  process.stdout.write(`${stacks.length}\n`);
  return 0;
}

// A script only (node scripts/app.js runs it from the bundle with APP_ENTRY, where it is not require.main).
runScript('generated-org', USAGE, main);
