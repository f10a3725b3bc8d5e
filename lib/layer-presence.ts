import type { LayerDeclaration } from './config';
import type { AnyContract, Contract } from './contract';
import type { LayerKind } from './layer-stack';
import type { LayerContext, Organisation } from './model';
import { knownAccount } from './validators';

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

/**
 * The declaration of layer `layer` of account `account` when it is an enabled layer of kind `kind`, typed by that kind's
 * config, or a message saying why not (unknown account, no such layer, another kind, disabled). Layers read what another
 * layer kind lets them know (its `facts(config)`, or a field of its typed config) through this, never by casting
 * `declaration.config`: the kind check here is what makes the type true.
 */
export function declaredLayer<C>(org: Organisation, account: string, layer: string, kind: LayerKind<C>): LayerDeclaration<C> | string {
  const unknown = knownAccount(org, account);
  if (unknown) return unknown;
  const declaration = org.accounts.get(account)!.layers.get(layer);
  if (!declaration) return `account ${account} declares no layer "${layer}"`;
  if (declaration.kind !== kind) return `layer ${account}/${layer} is not a ${kind.contract?.name ?? kind.name} layer`;
  if (!declaration.enabled) return `layer ${account}/${layer} is disabled`;
  return declaration as LayerDeclaration<C>;
}
