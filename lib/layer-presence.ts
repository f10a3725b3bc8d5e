import type { AnyContract, Contract } from './contract';
import type { LayerContext } from './model';

/**
 * Whether an account of the organisation declares an enabled layer publishing `contract` (by default under the
 * contract's name, in the layer's own account). Layers use it to pick safe defaults, e.g. the security layer's
 * KMS keys and notification topic when it exists, their own otherwise.
 */
export function declaresLayer<O>(
  ctx: LayerContext,
  contract: Contract<O>,
  options: { readonly account?: string; readonly layer?: string } = {},
): boolean {
  const account = ctx.org.accounts.get(options.account ?? ctx.account.name);
  const declaration = account?.layers.get(options.layer ?? contract.name);
  return declaration !== undefined && declaration.enabled && declaration.kind.contract === (contract as unknown as AnyContract);
}
