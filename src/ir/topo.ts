import { GraphError } from '../errors.js';
import type { Graph, Node } from './graph.js';
import { nodeWhere } from './graph.js';
import { valuesRead } from './subgraph.js';

/**
 * Nodes in a topological order (Kahn's algorithm, stable: ties keep file order so the result is
 * deterministic). Throws GraphError naming a node on a cycle.
 */
export function topoSort(graph: Graph): Node[] {
  const producers = graph.producers();
  const indeg = new Map<Node, number>();
  const users = new Map<Node, Node[]>();
  for (const n of graph.nodes) {
    let d = 0;
    for (const i of valuesRead(n)) {
      const p = i ? producers.get(i) : undefined;
      if (p && p !== n) {
        d++;
        const u = users.get(p);
        if (u) u.push(n);
        else users.set(p, [n]);
      } else if (p === n) {
        throw new GraphError(`node consumes its own output '${i}'`, { where: nodeWhere(n) });
      }
    }
    indeg.set(n, d);
  }
  const order: Node[] = [];
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  // a min-heap by file index would be O(n log n); ready lists stay short in practice
  const ready: Node[] = graph.nodes.filter((n) => indeg.get(n) === 0);
  while (ready.length) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const n = ready.shift()!;
    order.push(n);
    for (const u of users.get(n) ?? []) {
      const d = indeg.get(u)! - 1;
      indeg.set(u, d);
      if (d === 0) ready.push(u);
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((n) => indeg.get(n)! > 0)!;
    throw new GraphError('the graph has a cycle', { where: nodeWhere(stuck) });
  }
  return order;
}
