/**
 * `make new-account ACCOUNT=<name> EMAIL=<email> ENVIRONMENT=<env> [OU=<ou>] [ID=<id>] [VPC=auto|none|<cidr>]`:
 * writes projects/<project>/<account>/ (account.ts, the baseline layers, base-network on a free /16), places the
 * account in an OU of the organizations layer, regenerates every generated file; validated as a whole before anything
 * is written. Without ID the account id is 'pending' until AWS Organizations creates it (README, "Add an account").
 */
import { newAccount } from './lib/scaffold';
import { optional, required, runCli, type CliIo } from './lib/scaffold-cli';

export const USAGE = `usage: new-account.ts --account <name> --email <email> --environment <env> [--ou <ou>] [--id <12 digits>] [--vpc auto|none|<cidr>] [--project <p>]

  --account       folder name of the account (lowercase, digits, dashes)          make ACCOUNT=
  --email         root e-mail of the account, unique in AWS                       make EMAIL=
  --environment   prd, devstg, ...: tags and sizing                               make ENVIRONMENT=
  --ou            OU of the organizations layer (default: the OU named after the environment)   make OU=
  --id            id of an account that already exists (default: 'pending', created by the organizations layer)   make ID=
  --vpc           base-network range: auto (first free /16), none, or a CIDR      make VPC=
  --project       project under projects/ (default: PROJECT, else acme)`;

export function main(argv: readonly string[], io: CliIo = {}): number {
  return runCli('new-account', USAGE, {
    account: { type: 'string' }, email: { type: 'string' }, environment: { type: 'string' },
    ou: { type: 'string' }, id: { type: 'string' }, vpc: { type: 'string' },
  }, argv, io, (values, target, out) => {
    const { written, notes } = newAccount(target, {
      account: required(values, 'account', 'ACCOUNT'),
      email: required(values, 'email', 'EMAIL'),
      environment: required(values, 'environment', 'ENVIRONMENT'),
      ou: optional(values, 'ou'),
      id: optional(values, 'id'),
      vpc: optional(values, 'vpc'),
    });
    for (const file of written) out(`wrote ${file}`);
    for (const note of notes) out(note);
  });
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
