/**
 * `make sso-config`: writes AWS CLI profiles (one per account and permission set) to SSO_CONFIG_OUT, by default
 * `.aws/config.<project>` in the repository (git-ignored); `-` prints them. It never writes ~/.aws/config.
 * usage: sso-config.ts [--project P] [--out FILE|-]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProjectFolder, resolveOrganisation } from '../lib/organisation';
import { ConfigError } from '../lib/problems';
import { parseCommandLine, projectNamed, runScript, UsageError } from '../lib/usage';
import { PROJECTS_DIR, REPO_ROOT } from './lib/paths';
import { operatorProfile, SsoConfigError, ssoConfigText, ssoProfiles } from './lib/sso-config';

const USAGE = 'usage: sso-config.ts [--project P] [--out FILE|-]   (env PROJECT, SSO_CONFIG_OUT; default .aws/config.<project>)';

function main(argv: readonly string[]): number {
  const { values } = parseCommandLine(argv, { options: { project: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const project = projectNamed((values.project as string | undefined) ?? (process.env.PROJECT || undefined), PROJECTS_DIR);
  const out = (values.out as string | undefined) ?? (process.env.SSO_CONFIG_OUT || undefined);
  const org = resolveOrganisation(readProjectFolder(path.join(PROJECTS_DIR, project)), { bootstrap: false, bootstrapStateDir: path.join(REPO_ROOT, '.bootstrap') });
  const text = ssoConfigText(org);
  if (out === '-') {
    process.stdout.write(text);
    return 0;
  }
  const file = path.resolve(REPO_ROOT, out ?? path.join('.aws', `config.${project}`));
  const home = path.join(os.homedir(), '.aws');
  if ([path.join(home, 'config'), path.join(home, 'credentials')].includes(file)) {
    throw new UsageError(`refusing to overwrite ${file}: write elsewhere and export AWS_CONFIG_FILE, or append the output of SSO_CONFIG_OUT=- yourself`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  const operator = operatorProfile(org);
  console.log(`${path.relative(process.cwd(), file) || file}: ${ssoProfiles(org).length} profiles`);
  console.log(`  export AWS_CONFIG_FILE=${file}`);
  if (operator) console.log(`  export AWS_PROFILE=${operator} && aws sso login --profile ${operator}`);
  return 0;
}

runScript('sso-config', USAGE, () => main(process.argv.slice(2)), (error) => {
  console.error(error instanceof ConfigError || error instanceof SsoConfigError ? error.message : `sso-config: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
