/**
 * `make policy`: builds every stack of the selected project(s) in memory (nothing is written), runs the policy pack,
 * prints the rules, the findings per stack and every suppression with its reason; exits 1 on any error finding.
 *   --write-doc   regenerate docs/policy.md from the rule metadata
 *   --check-doc   exit 1 when docs/policy.md is stale
 * Environment: PROJECT=<name> (one project), SANDBOX=1 (sandbox provider/backend settings; same rules).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkStack } from '../lib/policy';
import { formatRun, policyMarkdown, rulesTable, summarise } from '../lib/policy/report';
import { modeFromEnv } from '../lib/mode';
import { ConfigError } from '../lib/problems';
import { buildApp } from '../lib/synth';
import { parseCommandLine, runScript } from '../lib/usage';

const ROOT = path.resolve(__dirname, '..');
export const POLICY_DOC = path.join(ROOT, 'docs', 'policy.md');

const USAGE = 'usage: policy.ts [--write-doc | --check-doc]   (env PROJECT, SANDBOX)';

function main(argv: string[]): number {
  const { values } = parseCommandLine(argv, { options: { 'write-doc': { type: 'boolean' }, 'check-doc': { type: 'boolean' } } });
  if (values['write-doc']) {
    fs.mkdirSync(path.dirname(POLICY_DOC), { recursive: true });
    fs.writeFileSync(POLICY_DOC, policyMarkdown() + '\n');
    process.stdout.write(`wrote ${path.relative(ROOT, POLICY_DOC)}\n`);
    return 0;
  }
  if (values['check-doc']) {
    const current = fs.existsSync(POLICY_DOC) ? fs.readFileSync(POLICY_DOC, 'utf8') : '';
    if (current === policyMarkdown() + '\n') return 0;
    process.stderr.write('docs/policy.md is stale: run node -r ./scripts/register.js scripts/policy.ts --write-doc\n');
    return 1;
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-'));
  try {
    const { stacks } = buildApp({ projectsDir: path.join(ROOT, 'projects'), mode: modeFromEnv(), outdir, project: process.env.PROJECT || undefined, policy: false });
    const reports = stacks.map((s) => checkStack(s));
    process.stdout.write(`== Rules\n${rulesTable(undefined, reports)}\n\n${formatRun(reports)}\n`);
    return summarise(reports).errors > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) runScript('policy', USAGE, () => main(process.argv.slice(2)));
