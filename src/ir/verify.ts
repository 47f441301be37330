import { GraphError } from '../errors.js';
import type { Graph } from './graph.js';
import { nodeWhere } from './graph.js';
import { topoSort } from './topo.js';

/**
 * Structural checks: unique node and value names, every input defined (graph input, initializer
 * or an earlier node's output), graph outputs produced, no cycles. Throws GraphError naming the node.
 */
export function verifyGraph(graph: Graph): void {
  const defined = new Set<string>();
  for (const v of graph.inputs) {
    if (!v.name) throw new GraphError('a graph input has an empty name');
    defined.add(v.name);
  }
  for (const name of graph.initializers.keys()) defined.add(name);
  const nodeNames = new Set<string>();
  const produced = new Set<string>();
  for (const n of graph.nodes) {
    if (n.name) {
      if (nodeNames.has(n.name)) throw new GraphError(`two nodes are named '${n.name}'`, { where: nodeWhere(n) });
      nodeNames.add(n.name);
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (produced.has(o) || (defined.has(o) && !graph.initializers.has(o))) {
        throw new GraphError(`value '${o}' is produced twice`, { where: nodeWhere(n) });
      }
      produced.add(o);
    }
  }
  for (const n of graph.nodes) {
    n.inputs.forEach((i, k) => {
      if (i && !defined.has(i) && !produced.has(i)) {
        throw new GraphError(`input ${k} '${i}' is not a graph input, an initializer, or any node's output (missing initializer?)`, {
          where: nodeWhere(n),
        });
      }
    });
  }
  for (const o of graph.outputs) {
    if (!defined.has(o.name) && !produced.has(o.name)) throw new GraphError(`graph output '${o.name}' is never produced`);
  }
  topoSort(graph); // throws on cycles
}
