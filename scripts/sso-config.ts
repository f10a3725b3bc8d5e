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
import { PROJECTS_DIR, REPO_ROOT } from './lib/paths';
import { operatorProfile, SsoConfigError, ssoConfigText, ssoProfiles } from './lib/sso-config';

class UsageError extends Error {}

function main(argv: readonly string[]): number {
  let project = process.env.PROJECT || undefined;
  let out = process.env.SSO_CONFIG_OUT || undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (v.startsWith('--') && v !== '-')) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--project') project = value();
    else if (name === '--out') out = value();
    else if (name === '--help' || name === '-h') {
      console.log('usage: sso-config.ts [--project P] [--out FILE|-]   (env PROJECT, SSO_CONFIG_OUT; default .aws/config.<project>)');
      return 0;
    } else throw new UsageError(`unknown argument "${argv[i]}"`);
  }
  if (!project) {
    const all = fs.readdirSync(PROJECTS_DIR).filter((p) => fs.existsSync(path.join(PROJECTS_DIR, p, 'project.ts')));
    if (all.length !== 1) throw new UsageError(`several projects (${all.join(', ')}): name one with --project or PROJECT=`);
    project = all[0];
  }
  if (!fs.existsSync(path.join(PROJECTS_DIR, project, 'project.ts'))) throw new UsageError(`no project "${project}" under ${PROJECTS_DIR}`);
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

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`sso-config: ${error.message}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError || error instanceof SsoConfigError ? error.message : `sso-config: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
