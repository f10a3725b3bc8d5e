/**
 * A value a layer's config names either literally or as an output of another layer, read through typed
 * remote state. Used for consumer security groups, buckets to replicate, hosted zones, targets of DNS records.
 *
 *   consumers: { securityGroups: [fromLayer(ecsServicesContract, 'security_group_id')] }
 */
import { Fn, Token } from 'cdktf';
import type { AnyContract, Contract, OutputValue } from './contract';

export interface LayerOutputRef {
  /** Contract of the producer layer kind, imported from its layer file. */
  readonly contract: AnyContract;
  /** Output name; it must be in the contract. */
  readonly output: string;
  /** Account of the producer. @default the consumer's account */
  readonly account?: string;
  /** Layer name of the producer in that account. @default the contract's name */
  readonly layer?: string;
}

/** A literal string or another layer's output. */
export type ValueRef = string | LayerOutputRef;

/** A typed reference to `output` of a layer publishing `contract`; a name the contract lacks is a compile error. */
export function fromLayer<O>(
  contract: Contract<O>,
  output: keyof O & string,
  options: { readonly account?: string; readonly layer?: string } = {},
): LayerOutputRef {
  return { contract: contract as unknown as AnyContract, output, ...options };
}

export function isLayerRef(value: unknown): value is LayerOutputRef {
  return typeof value === 'object' && value !== null && 'contract' in value && 'output' in value;
}

/** Problems of a reference that need no AWS: the output must exist in the contract. */
export function refProblems(field: string, ref: ValueRef): { field: string; message: string }[] {
  if (!isLayerRef(ref)) return typeof ref === 'string' && ref.length > 0 ? [] : [{ field, message: 'must be a non-empty string or fromLayer(...)' }];
  if (!(ref.output in ref.contract.outputs)) {
    return [{ field, message: `layer kind ${ref.contract.name} publishes no output "${ref.output}"` }];
  }
  return [];
}

/** Whether the referenced output is a list (a token list once read). */
export function refIsList(ref: LayerOutputRef): boolean {
  const spec = (ref.contract.outputs as Record<string, { mock: OutputValue } | undefined>)[ref.output];
  return Array.isArray(spec?.mock);
}

/** How a layer reads another layer's outputs: pass `(contract, options) => this.remote(contract, options)`. */
export type RemoteReader = (
  contract: AnyContract,
  options: { readonly account?: string; readonly layer?: string },
) => { get(output: string): OutputValue };

/** A string value: the literal, or the remote output (a token). */
export function resolveRef(ref: ValueRef, read: RemoteReader): string {
  if (!isLayerRef(ref)) return ref;
  const value = read(ref.contract, { account: ref.account, layer: ref.layer }).get(ref.output);
  if (Array.isArray(value)) throw new Error(`${ref.contract.name}.${ref.output} is a list; a single value is needed here`);
  return String(value);
}

/** A list of values from literals, single outputs and list outputs, flattened (a token list when any list is remote). */
export function resolveRefList(refs: readonly ValueRef[], read: RemoteReader): string[] {
  const singles: string[] = [];
  const lists: string[][] = [];
  for (const ref of refs) {
    if (isLayerRef(ref) && refIsList(ref)) {
      lists.push(read(ref.contract, { account: ref.account, layer: ref.layer }).get(ref.output) as string[]);
    } else {
      singles.push(resolveRef(ref, read));
    }
  }
  if (lists.length === 0) return singles;
  return Token.asList(Fn.concat([singles, ...lists]));
}
