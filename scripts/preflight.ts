/**
 * `make preflight`: builds the whole organisation in memory in REAL mode (whatever SANDBOX says) and checks the AWS
 * rules no single state's plan can check (lib/preflight). Findings are printed grouped by stack with rule id, resource
 * address, fix and AWS documentation link; exit 1 on any error finding.
 *   --project <name>     one project (default: PROJECT, else every project)
 *   --account <name>     report only findings of this account's stacks (the checks still see the whole organisation)
 *   --layer <name>       report only findings of layers with this name
 *   --warn-only          print the tally only and exit 0 (make plan/apply in the sandbox: real AWS is not its target)
 *   --write-doc          regenerate the rule table of docs/real-aws.md
 *   --check-doc          exit 1 when that table is stale
 */
import * as fs from 'fs';
import * as path from 'path';
import { runPreflight } from '../lib/preflight/engine';
import { loadOrganisations } from '../lib/preflight/load';
import { countsByRule, errorsOf, formatFindings, rulesMarkdown, summaryLine } from '../lib/preflight/report';
import { PREFLIGHT_RULES } from '../lib/preflight/rules';
import { ConfigError } from '../lib/problems';
import { parseCommandLine, UsageError, usageLine, type Options } from '../lib/usage';

const ROOT = path.resolve(__dirname, '..');
export const REAL_AWS_DOC = path.join(ROOT, 'docs', 'real-aws.md');
const START = '<!-- preflight-rules:start -->';
const END = '<!-- preflight-rules:end -->';
const USAGE = 'usage: preflight.ts [--project <name>] [--account <name>] [--layer <name>] [--warn-only] [--write-doc | --check-doc]';

export interface CliOptions {
  readonly projectsDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  readonly docPath?: string;
}

interface Args {
  project?: string;
  account?: string;
  layer?: string;
  warnOnly: boolean;
  writeDoc: boolean;
  checkDoc: boolean;
}

const OPTIONS = {
  project: { type: 'string' }, account: { type: 'string' }, layer: { type: 'string' },
  'warn-only': { type: 'boolean' }, 'write-doc': { type: 'boolean' }, 'check-doc': { type: 'boolean' },
} as const satisfies Options;

function parse(argv: readonly string[]): Args {
  const { values } = parseCommandLine(argv, { options: OPTIONS });
  const text = (name: string): string | undefined => values[name] as string | undefined;
  return {
    project: text('project'), account: text('account'), layer: text('layer'),
    warnOnly: values['warn-only'] === true, writeDoc: values['write-doc'] === true, checkDoc: values['check-doc'] === true,
  };
}

/** --account and --layer must name what the loaded organisations have (enabled layers): a typo would report nothing. */
function checkSelection(args: Args, models: readonly { readonly stacks: readonly { readonly account: { readonly name: string }; readonly layer: string }[] }[]): void {
  const stacks = models.flatMap((org) => org.stacks);
  const accounts = [...new Set(stacks.map((s) => s.account.name))].sort();
  if (args.account && !accounts.includes(args.account)) throw new UsageError(`unknown account: ${args.account}`, accounts);
  const layers = [...new Set(stacks.filter((s) => !args.account || s.account.name === args.account).map((s) => s.layer))].sort();
  if (args.layer && !layers.includes(args.layer)) throw new UsageError(`unknown layer${args.account ? ` in ${args.account}` : ''}: ${args.layer}`, layers);
}

/** The doc with its generated rule table replaced. */
export function docWithRules(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`docs/real-aws.md has no ${START} ... ${END} markers`);
  return `${doc.slice(0, start + START.length)}\n${rulesMarkdown(PREFLIGHT_RULES)}\n${doc.slice(end)}`;
}

export function main(argv: readonly string[], options: CliOptions = {}): number {
  const out = options.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = options.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const env = options.env ?? process.env;
  let args: Args;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(usageLine('preflight', error, USAGE));
    return 2;
  }
  const docPath = options.docPath ?? REAL_AWS_DOC;
  if (args.writeDoc || args.checkDoc) {
    const current = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : '';
    const next = docWithRules(current);
    if (args.checkDoc) {
      if (next === current) return 0;
      err(`${path.relative(ROOT, docPath)} is stale: run node -r ./scripts/register.js scripts/preflight.ts --write-doc`);
      return 1;
    }
    fs.writeFileSync(docPath, next);
    out(`wrote ${path.relative(ROOT, docPath)}`);
    return 0;
  }

  let loaded;
  try {
    loaded = loadOrganisations({ projectsDir: options.projectsDir ?? path.join(ROOT, 'projects'), project: args.project ?? (env.PROJECT || undefined) });
    checkSelection(args, loaded.models);
  } catch (error) {
    if (error instanceof UsageError) {
      err(usageLine('preflight', error, USAGE));
      return 2;
    }
    if (!(error instanceof ConfigError)) throw error;
    err(error.message);
    return 1;
  }
  if (loaded.models.length === 0) {
    err('preflight: no project with enabled layers found');
    return 1;
  }
  let failed = false;
  for (const org of loaded.models) {
    const report = runPreflight(org, PREFLIGHT_RULES);
    const selected = report.findings.filter((f) => {
      const stack = org.stack(f.stack);
      if (!args.account && !args.layer) return true;
      return stack !== undefined && (!args.account || stack.account.name === args.account) && (!args.layer || stack.layer === args.layer);
    });
    const shown = { ...report, findings: selected };
    if (selected.length > 0) {
      if (!args.warnOnly) out(`${formatFindings(selected)}\n`);
      out(`by rule: ${[...countsByRule(selected)].sort(([a], [b]) => a.localeCompare(b)).map(([id, n]) => `${id} ${n}`).join(', ')}`);
    }
    const scope = args.account || args.layer ? ` (showing ${[args.account, args.layer].filter(Boolean).join('/')})` : '';
    out(`${summaryLine(shown, `; synth ${loaded.synthMs.toFixed(0)} ms (day-zero steps ${loaded.bootstrapSynthMs.toFixed(0)} ms)${scope}${loaded.models.length > 1 ? ` [${org.project.name}]` : ''}`)}`);
    if (errorsOf(selected).length > 0) failed = true;
  }
  if (failed && args.warnOnly) {
    out('preflight: these findings would stop a first apply on real AWS (details: make preflight); the sandbox run continues');
    return 0;
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
