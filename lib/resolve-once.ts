/**
 * A stack's Terraform JSON is resolved once per synth. The policy pack checks `stack.toTerraform()` before anything is
 * written (lib/synth.ts buildApp), and cdktf's synth calls it again to write cdk.tf.json: two full token resolutions of
 * every stack, about a fifth of a synth (docs/benchmarks.md). With this the file written is the JSON the pack checked.
 */
import type { TerraformStack } from 'cdktf';

/**
 * Memoizes `stack.toTerraform()` on the instance. The JSON is computed again when the stack has gained or lost
 * constructs since (cdktf's prepareStack adds a local backend or cross-stack outputs when it needs them), so only a
 * change to the properties of an existing construct after the first call would go unseen: build the stack whole first.
 */
export function resolveOnce(stack: TerraformStack): void {
  const resolve = stack.toTerraform.bind(stack);
  let cached: { readonly json: unknown; readonly constructs: number } | undefined;
  Object.defineProperty(stack, 'toTerraform', {
    configurable: true,
    value: (): unknown => {
      const constructs = stack.node.findAll().length;
      if (cached?.constructs !== constructs) cached = { json: resolve(), constructs };
      return cached.json;
    },
  });
}
