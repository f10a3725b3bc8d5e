/** The layer dependency graph (edges are remote-state reads) and the orders derived from it. */

export interface GraphNode {
  /** Stack id, `<project>-<account>-<layer>`. */
  readonly id: string;
  readonly project: string;
  readonly account: string;
  /** 12-digit id of the account (state bucket names carry it). */
  readonly accountId: string;
  readonly layer: string;
  readonly kind: string;
  readonly region: string;
  readonly stateful: boolean;
  /** Ids of the stacks whose outputs this one reads. */
  readonly dependsOn: readonly string[];
  /**
   * The output names this one reads, per stack id of `dependsOn` (LayerStack.reads). @default - not recorded: every
   * output of each dependency counts as read
   */
  readonly reads?: Readonly<Record<string, readonly string[]>>;
}

/** Whether `node` reads output `output` of stack `producer` (a node without recorded reads reads every output). */
export function readsOutput(node: GraphNode, producer: string, output: string): boolean {
  if (!node.dependsOn.includes(producer)) return false;
  const names = node.reads?.[producer];
  return names === undefined || names.includes(output);
}

/** The output names of `producer` that `node` reads; undefined when not recorded (every output). */
export function outputsRead(node: GraphNode, producer: string): readonly string[] | undefined {
  return node.reads?.[producer];
}

/** Every node of `graph` that reads at least one of `outputs` of `producer`, in graph order. */
export function readersOf(graph: readonly GraphNode[], producer: string, outputs: readonly string[]): GraphNode[] {
  return graph.filter((n) => n.id !== producer && outputs.some((o) => readsOutput(n, producer, o)));
}

export class CycleError extends Error {
  constructor(readonly cycle: readonly string[]) {
    super(`layer dependency cycle: ${cycle.join(' -> ')}`);
    this.name = 'CycleError';
  }
}

/**
 * Dependencies first. Ties are broken by `rank` (e.g. account order) then by id, so the order is stable.
 * Throws CycleError naming the cycle; edges to ids outside `nodes` are ignored.
 */
export function topologicalOrder(nodes: readonly GraphNode[], rank: (n: GraphNode) => number = () => 0): GraphNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: GraphNode[] = [];
  const sorted = [...nodes].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  const visit = (node: GraphNode, path: string[]): void => {
    const seen = state.get(node.id);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new CycleError([...path.slice(path.indexOf(node.id)), node.id]);
    state.set(node.id, 'visiting');
    const deps = node.dependsOn.map((id) => byId.get(id)).filter((d): d is GraphNode => d !== undefined);
    deps.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
    for (const dep of deps) visit(dep, [...path, node.id]);
    state.set(node.id, 'done');
    ordered.push(node);
  };
  for (const node of sorted) visit(node, []);
  return ordered;
}
