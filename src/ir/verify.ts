import { GraphError } from '../errors.js';
import type { Graph, Node } from './graph.js';
import { nodeWhere } from './graph.js';
import { subgraphsOf } from './subgraph.js';
import { topoSort } from './topo.js';
import { verifyControlFlow } from './verify-control-flow.js';

/**
 * Structural checks: unique node and value names, every input defined (graph input, initializer
 * or an earlier node's output), graph outputs produced, no cycles. Subgraphs are checked the same
 * way, their free names resolved in the enclosing scopes (lexically), and If/Loop/Scan bodies must
 * fit their node. Throws GraphError naming the node.
 */
export function verifyGraph(graph: Graph): void {
  verifyScope(graph, new Set(), undefined);
}

/** `outer`: names visible from enclosing graphs; `owner`: the node holding this graph, for messages. */
function verifyScope(graph: Graph, outer: ReadonlySet<string>, owner: string | undefined): void {
  const inside = (where: string) => (owner ? `${where}, in a subgraph of ${owner}` : where);
  const defined = new Set<string>();
  for (const v of graph.inputs) {
    if (!v.name) throw new GraphError(owner ? 'a subgraph input has an empty name' : 'a graph input has an empty name', owner ? { where: owner } : {});
    defined.add(v.name);
  }
  for (const name of graph.initializers.keys()) defined.add(name);
  const nodeNames = new Set<string>();
  const produced = new Set<string>();
  for (const n of graph.nodes) {
    if (n.name) {
      if (nodeNames.has(n.name)) throw new GraphError(`two nodes are named '${n.name}'`, { where: inside(nodeWhere(n)) });
      nodeNames.add(n.name);
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (produced.has(o) || (defined.has(o) && !graph.initializers.has(o))) {
        throw new GraphError(`value '${o}' is produced twice`, { where: inside(nodeWhere(n)) });
      }
      produced.add(o);
    }
  }
  const visible = (name: string) => defined.has(name) || produced.has(name) || outer.has(name);
  for (const n of graph.nodes) {
    n.inputs.forEach((i, k) => {
      if (i && !visible(i)) {
        throw new GraphError(`input ${k} '${i}' is not a graph input, an initializer, or any node's output${owner ? ' in this subgraph or an enclosing graph' : ''} (missing initializer?)`, {
          where: inside(nodeWhere(n)),
        });
      }
    });
  }
  for (const o of graph.outputs) {
    if (!visible(o.name)) {
      throw new GraphError(`${owner ? 'subgraph' : 'graph'} output '${o.name}' is never produced`, owner ? { where: owner } : {});
    }
  }
  topoSortChecked(graph, owner);
  // subgraphs see everything this graph defines plus what this graph sees
  const scope = new Set([...outer, ...defined, ...produced]);
  for (const n of graph.nodes) {
    const subs = subgraphsOf(n);
    if (subs.length === 0) continue;
    const where = inside(nodeWhere(n));
    verifyControlFlow(n, where);
    for (const g of subs) verifyScope(g, scope, where);
  }
}

function topoSortChecked(graph: Graph, owner: string | undefined): Node[] {
  try {
    return topoSort(graph); // throws on cycles
  } catch (e) {
    if (!(e instanceof GraphError) || !owner) throw e;
    throw new GraphError('the subgraph has a cycle', { where: `${e.where ?? 'a node'}, in a subgraph of ${owner}`, cause: e });
  }
}
