/**
 * A stack's Terraform JSON is resolved once per synth. The policy pack checks `stack.toTerraform()` before anything is
 * written (lib/synth.ts buildApp), and cdktf's synth calls it again to write cdk.tf.json: two full token resolutions of
 * every stack, about a fifth of a synth (docs/benchmarks.md). With this the file written is the JSON the pack checked.
 *
 * cdktf's `prepareStack` resolved every element a third time, only to find references from one stack to a construct
 * of another and turn them into hidden outputs and remote-state reads. Layers here read each other through typed
 * remote state (LayerStack.remote), never by reference, so that pass is skipped, and a reference across stacks is
 * refused where it is resolved instead (refuseCrossStackReferences) rather than silently wired.
 */
import { ref, TerraformStack, type IResolveContext } from 'cdktf';

/**
 * Memoizes `stack.toTerraform()` on the instance. The JSON is computed again when the stack has gained or lost
 * constructs since (cdktf's prepareStack adds a local backend when none is set), so only a change to the properties of
 * an existing construct after the first call would go unseen: build the stack whole first.
 */
export function resolveOnce(stack: TerraformStack): void {
  refuseCrossStackReferences();
  const resolve = stack.toTerraform.bind(stack);
  let cached: { readonly json: unknown; readonly constructs: number } | undefined;
  Object.defineProperty(stack, 'prepareStack', { configurable: true, value: () => stack.ensureBackendExists() });
  Object.defineProperty(stack, 'toTerraform', {
    configurable: true,
    value: (): unknown => {
      const constructs = stack.node.findAll().length;
      if (cached?.constructs !== constructs) cached = { json: resolve(), constructs };
      return cached.json;
    },
  });
}

/** A reference to a construct of another stack, as cdktf would have wired it. */
export class CrossStackReferenceError extends Error {
  constructor(readonly from: string, readonly to: string, readonly identifier: string) {
    super(`${from} refers to ${identifier} of ${to}: a layer reads another layer only through its contract (this.remote(...)), never by a reference to its constructs`);
    this.name = 'CrossStackReferenceError';
  }
}

interface ReferenceLike {
  readonly identifier: string;
  readonly originStack?: TerraformStack;
  readonly crossStackIdentifier: Record<string, string>;
  resolve(context: IResolveContext): unknown;
}

let refusing = false;

/** Makes every cdktf reference throw when it is resolved in a stack other than the one its construct belongs to. */
function refuseCrossStackReferences(): void {
  if (refusing) return;
  refusing = true;
  const proto = Object.getPrototypeOf(ref('refuse-cross-stack')) as ReferenceLike;
  const original = proto.resolve;
  proto.resolve = function (this: ReferenceLike, context: IResolveContext): unknown {
    const origin = this.originStack;
    if (origin !== undefined) {
      const here = TerraformStack.of(context.scope);
      if (here !== origin && this.crossStackIdentifier[here.toString()] === undefined) throw new CrossStackReferenceError(here.node.id, origin.node.id, this.identifier);
    }
    return original.call(this, context);
  };
}
