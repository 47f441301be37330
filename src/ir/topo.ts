import { GraphError } from '../errors.js';
import type { Graph, Node } from './graph.js';
import { nodeWhere } from './graph.js';
import { valuesRead } from './subgraph.js';

/**
 * Nodes in a topological order (Kahn's algorithm with a heap, O(n log n); stable: ties keep file
 * order so the result is deterministic). Throws GraphError naming a node on a cycle.
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
  // ready nodes by file index in a binary min-heap: O(n log n) overall, ties keep file order
  const ready = new MinHeap();
  graph.nodes.forEach((n, i) => indeg.get(n) === 0 && ready.push(i));
  while (ready.size) {
    const n = graph.nodes[ready.pop()]!;
    order.push(n);
    for (const u of users.get(n) ?? []) {
      const d = indeg.get(u)! - 1;
      indeg.set(u, d);
      if (d === 0) ready.push(index.get(u)!);
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((n) => indeg.get(n)! > 0)!;
    throw new GraphError('the graph has a cycle', { where: nodeWhere(stuck) });
  }
  return order;
}

/** A binary min-heap of integers. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
