/**
 * Output contracts: what a layer kind publishes, typed, with mock values for plans before anything exists.
 *
 * A producer calls `publish(contract, values)`, which must give every output (a missing one is a compile error).
 * A consumer calls `remote(contract)` and reads `.get('vpc_id')`; a name the contract lacks is a compile error.
 */
import type { DataTerraformRemoteStateS3 } from 'cdktf';

export type OutputValue = string | number | boolean | string[];

export interface OutputSpec<T extends OutputValue> {
  readonly description: string;
  /** Typed stand-in value, used only in the sandbox to plan a consumer before its producer has state. */
  readonly mock: T;
}

export type OutputSpecs<O> = { readonly [K in keyof O]: OutputSpec<Extract<O[K], OutputValue>> };

export interface Contract<O> {
  /** Name of the layer kind that publishes it, e.g. `base-network`. */
  readonly name: string;
  readonly outputs: OutputSpecs<O>;
}

/** Any contract, whatever its outputs: what a layer kind declares it publishes. */
export type AnyContract = Contract<Record<string, OutputValue>>;

export type OutputsOf<C> = C extends Contract<infer O> ? O : never;

/** Mock literals widen to their type: a contract declaring `mock: 'vpc-123'` publishes any string. */
export type Widen<O> = {
  [K in keyof O]: O[K] extends string ? string : O[K] extends number ? number : O[K] extends boolean ? boolean : string[];
};

export function defineContract<O extends Record<string, OutputValue>>(
  name: string,
  outputs: { readonly [K in keyof O]: OutputSpec<O[K]> },
): Contract<Widen<O>> {
  return { name, outputs: outputs as unknown as OutputSpecs<Widen<O>> };
}

/** The outputs of every contract output name as mock values, e.g. to seed a sandbox state object. */
export function mockOutputs<O>(contract: Contract<O>): Record<string, OutputValue> {
  const result: Record<string, OutputValue> = {};
  for (const [name, spec] of Object.entries(contract.outputs) as [string, OutputSpec<OutputValue>][]) {
    result[name] = spec.mock;
  }
  return result;
}

/** Typed reads of another layer's outputs through `terraform_remote_state`. */
export class RemoteOutputs<O> {
  constructor(
    private readonly state: DataTerraformRemoteStateS3,
    private readonly contract: Contract<O>,
    private readonly onRead: (output: string) => void,
  ) {}

  get<K extends keyof O & string>(output: K): O[K] {
    this.onRead(output);
    const spec = (this.contract.outputs as Record<string, OutputSpec<OutputValue> | undefined>)[output];
    const mock = spec?.mock;
    if (Array.isArray(mock)) return this.state.getList(output) as O[K];
    if (typeof mock === 'number') return this.state.getNumber(output) as O[K];
    if (typeof mock === 'boolean') return this.state.getBoolean(output) as O[K];
    return this.state.getString(output) as O[K];
  }
}
