/**
 * `terraform validate` of many synthesized stacks against the real provider schema, offline and without a
 * backend. Providers are installed once into a shared folder that each stack links to, so validating
 * seventy stacks costs seventy validations, not seventy inits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stackDir } from './paths';
import { terraform, type TerraformResult } from './terraform';

export interface ValidationResult {
  readonly id: string;
  readonly valid: boolean;
  readonly diagnostics: string;
}

async function sharedProviders(outdir: string, sampleId: string): Promise<string> {
  const shared = path.join(outdir, '.validate-providers');
  if (fs.existsSync(path.join(shared, '.terraform', 'providers')) && fs.existsSync(path.join(shared, '.terraform.lock.hcl'))) return shared;
  fs.mkdirSync(shared, { recursive: true });
  const sample = JSON.parse(fs.readFileSync(path.join(stackDir(outdir, sampleId), 'cdk.tf.json'), 'utf8')) as { terraform: { required_providers: unknown } };
  fs.writeFileSync(path.join(shared, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: sample.terraform.required_providers } }));
  const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], shared);
  if (init.code !== 0) throw new Error(`terraform init for validation failed:\n${init.stdout}${init.stderr}`);
  return shared;
}

function link(shared: string, dir: string): void {
  const target = path.join(dir, '.terraform');
  if (!fs.existsSync(target)) fs.mkdirSync(target);
  const providers = path.join(target, 'providers');
  if (!fs.existsSync(providers)) fs.symlinkSync(path.join(shared, '.terraform', 'providers'), providers);
  const lock = path.join(dir, '.terraform.lock.hcl');
  if (!fs.existsSync(lock)) fs.copyFileSync(path.join(shared, '.terraform.lock.hcl'), lock);
}

export async function validateStacks(outdir: string, ids: readonly string[], parallelism = 2): Promise<ValidationResult[]> {
  if (ids.length === 0) return [];
  const shared = await sharedProviders(outdir, ids[0]);
  const results: ValidationResult[] = [];
  const queue = [...ids];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const dir = stackDir(outdir, id);
      link(shared, dir);
      const run: TerraformResult = await terraform(['validate', '-no-color'], dir);
      results.push({ id, valid: run.code === 0, diagnostics: (run.stdout + run.stderr).trim() });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, ids.length) }, worker));
  return results.sort((a, b) => a.id.localeCompare(b.id));
}
