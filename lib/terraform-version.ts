/**
 * The Terraform versions every stack runs on, declared in its `terraform` block (`required_version`): Terraform itself
 * refuses any other version at init, plan and apply, on the machine that runs it (CI pins TERRAFORM_VERSION in
 * scripts/lib/ci-files.ts, inside this range).
 *
 * cdktf checks the version a feature needs as well (import and moved blocks: >= 1.5), by running `terraform version`
 * during the synth, once per imported resource or moving stack: four processes in a synth of the example organisation
 * in real mode, about 0.3 s (docs/benchmarks.md), and it checks the machine that synthesizes, not the one that applies.
 * Every layer's declared range already implies those constraints, so the check compares the feature's constraint with
 * the range's lower bound instead, without a process. A constraint of another form keeps cdktf's own check.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import terraformVersion = require('cdktf/lib/validations/validate-terraform-version');
import type { TerraformStack } from 'cdktf';

/** What every stack declares as `terraform.required_version`. */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.11.0, < 2.0.0';
const LOWER_BOUND: readonly number[] = [1, 11, 0];

/** Declares TERRAFORM_REQUIRED_VERSION in the stack's `terraform` block and answers cdktf's feature checks from it. */
export function requireTerraformVersion(stack: TerraformStack): void {
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  answerFeatureChecksFromRequiredVersion();
}

/**
 * Why a feature needing `constraint` (cdktf's form, e.g. `>=1.5`) cannot run on every version the stacks allow, or
 * undefined when it can; null when the constraint is not of the `>=X.Y[.Z]` form this can judge.
 */
export function featureVersionProblem(constraint: string, hint = ''): string | undefined | null {
  const match = /^\s*>=\s*(\d+)\.(\d+)(?:\.(\d+))?\s*$/.exec(constraint);
  if (!match) return null;
  const needed = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  const first = needed.findIndex((part, i) => part !== LOWER_BOUND[i]);
  if (first === -1 || LOWER_BOUND[first] > needed[first]) return undefined;
  return `the stacks allow Terraform ${TERRAFORM_REQUIRED_VERSION} (lib/terraform-version.ts), and this construct needs ${constraint}. ${hint}`.trim();
}

let answered = false;

function answerFeatureChecksFromRequiredVersion(): void {
  if (answered) return;
  const prototype = terraformVersion.ValidateTerraformVersion.prototype as unknown as {
    validate(this: { versionConstraint: string; hint?: string }): string[];
  };
  const runTerraform = prototype.validate;
  if (typeof runTerraform !== 'function') throw new Error('cdktf ValidateTerraformVersion no longer has validate(): review lib/terraform-version.ts');
  Object.defineProperty(prototype, 'validate', {
    configurable: true,
    writable: true,
    value(this: { versionConstraint: string; hint?: string }): string[] {
      const problem = featureVersionProblem(this.versionConstraint, this.hint);
      if (problem === null) return runTerraform.call(this);
      return problem ? [problem] : [];
    },
  });
  answered = true;
}
