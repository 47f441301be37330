import type { Graph, Node } from './graph.js';

/**
 * Subgraphs (If's branches, Loop's and Scan's body, SequenceMap's body) are graphs held in node
 * attributes. A subgraph reads the values of its enclosing graphs by name (lexical scope): those
 * names are the node's *implicit inputs*, which order, liveness and partitioning must see as uses.
 */
export function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of Object.values(node.attrs)) {
    if (a.type === 'graph') out.push(a.value);
    else if (a.type === 'graphs') out.push(...a.value);
  }
  return out;
}

export function hasSubgraphs(node: Node): boolean {
  return Object.values(node.attrs).some((a) => a.type === 'graph' || a.type === 'graphs');
}

/** Names a graph defines itself: its inputs, initializers and node outputs. */
export function definedNames(g: Graph): Set<string> {
  const s = new Set<string>();
  for (const v of g.inputs) s.add(v.name);
  for (const k of g.initializers.keys()) s.add(k);
  for (const n of g.nodes) for (const o of n.outputs) if (o) s.add(o);
  return s;
}

/** Names a graph (and its nested subgraphs) reads without defining them: its outer-scope references. */
export function outerReferences(g: Graph): string[] {
  const own = definedNames(g);
  const refs = new Set<string>();
  const use = (name: string) => {
    if (name && !own.has(name)) refs.add(name);
  };
  for (const n of g.nodes) {
    n.inputs.forEach(use);
    if (hasSubgraphs(n)) implicitInputs(n).forEach(use);
  }
  for (const o of g.outputs) use(o.name);
  return [...refs];
}

/** The enclosing-scope values a node's subgraphs read (empty for nodes without subgraphs). */
export function implicitInputs(node: Node): string[] {
  if (!hasSubgraphs(node)) return [];
  const refs = new Set<string>();
  for (const g of subgraphsOf(node)) for (const r of outerReferences(g)) refs.add(r);
  return [...refs];
}

/** Every value a node reads: its inputs (omitted ones dropped) and its implicit inputs. */
export function valuesRead(node: Node): string[] {
  const ins = node.inputs.filter((i) => i);
  return hasSubgraphs(node) ? [...ins, ...implicitInputs(node).filter((i) => !ins.includes(i))] : ins;
}
