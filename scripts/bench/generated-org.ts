/**
 * Synthesizes an organisation generated for the benchmark only: the example's accounts plus N workload accounts, each a copy of apps-prd's layers with a distinct id and
 * distinct VPC ranges. Usage: generated-org.ts <accounts> <outdir>
 */
import * as path from 'path';
import type { LayerDeclaration } from '../../lib/config';
import { modeFromEnv } from '../../lib/mode';
import { buildOrganisation, readProjectFolder, resolveOrganisation, type ProjectSource } from '../../lib/organisation';
import { App } from 'cdktf';

export function generatedOrganisation(workloads: number): ProjectSource {
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
      const config = { ...declaration.config };
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

/** Config maps keyed by account name (e.g. account -> OU) give each clone the entry apps-prd has. */
function withClones(declaration: LayerDeclaration, clones: string[]): LayerDeclaration {
  const config = { ...(declaration.config as Record<string, unknown>) };
  for (const [field, value] of Object.entries(config)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !('apps-prd' in value)) continue;
    const template = (value as Record<string, unknown>)['apps-prd'];
    config[field] = { ...value, ...Object.fromEntries(clones.map((c) => [c, template])) };
  }
  return { ...declaration, config };
}

function vpcCidr(kind: number, i: number): string {
  const n = kind * 60 + i;
  return n < 195 ? `10.${60 + n}.0.0/16` : `100.${64 + (n - 195)}.0.0/16`;
}

if (require.main === module) {
  const workloads = Number(process.argv[2]);
  const app = new App({ outdir: process.argv[3] });
  const built = buildOrganisation(app, resolveOrganisation(generatedOrganisation(workloads), modeFromEnv()));
  app.synth();
  process.stdout.write(`${built.stacks.length}\n`);
}
