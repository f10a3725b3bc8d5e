/**
 * Impact by output: which layers read an output that a plan changes. The graph records, per dependency, the output
 * names each layer reads (GraphNode.reads, from LayerStack.remote(...).get(name)); a plan's JSON says which outputs
 * change. INCLUDE_DEPENDENTS=auto adds exactly the readers of the changed outputs to the run, as the plans come in.
 */
import { readersOf, type GraphNode } from '../../lib/graph';
import type { Expansion, LayerReport, Outcome } from './runner';

/** One changed output of a layer in the run, and every layer (in any account) that reads it. */
export interface OutputImpact {
  readonly stack: string;
  readonly output: string;
  /** Stack ids of the readers, in graph order. */
  readonly readers: readonly string[];
  /** Their accounts, in graph order. */
  readonly accounts: readonly string[];
  /** The readers that are in this run. */
  readonly inRun: readonly string[];
  /** The plan that changes it is speculative (chained): the new value may still be a mock. */
  readonly speculative?: boolean;
}

/** The readers of every output the run's layers change that some layer reads (the report's `impact`). */
export function outputImpact(layers: readonly LayerReport[], graph: readonly GraphNode[]): OutputImpact[] {
  const inRun = new Set(layers.map((l) => l.id));
  const impact: OutputImpact[] = [];
  for (const layer of layers) {
    for (const output of layer.changedOutputs ?? []) {
      const readers = readersOf(graph, layer.id, [output]);
      if (readers.length === 0) continue;
      impact.push({
        stack: layer.id, output, readers: readers.map((r) => r.id), accounts: [...new Set(readers.map((r) => r.account))],
        inRun: readers.filter((r) => inRun.has(r.id)).map((r) => r.id), ...(layer.speculative ? { speculative: true } : {}),
      });
    }
  }
  return impact;
}

/**
 * INCLUDE_DEPENDENTS=auto: after a layer's plan (or apply), the layers that read an output it changes. A speculative
 * plan's changed outputs count too: its readers are planned against it, chained, and are speculative in turn.
 */
export function autoDependents(graph: readonly GraphNode[]): (node: GraphNode, outcome: Outcome) => Expansion[] {
  return (node, outcome) => {
    const changed = outcome.details?.changedOutputs ?? [];
    if (changed.length === 0) return [];
    return readersOf(graph, node.id, changed).map((reader) => ({
      node: reader,
      addedBy: { stack: node.id, outputs: changed.filter((o) => readersOf([reader], node.id, [o]).length > 0) },
    }));
  };
}
