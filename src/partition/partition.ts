// The partitioner: which nodes the engine takes, grouped into subgraphs that each become one
// engine node, while the framework keeps running the rest. Cycle-safe (a cluster never has a
// path that leaves it and re-enters it, so the rewritten graph stays acyclic), with a minimum
// subgraph size and user-forced fallbacks, and deterministic: the same graph and options always
// give the same subgraphs, ids and orders. docs/partition.md explains the algorithm.
import { GraphError } from '../errors.js';
import { nodeWhere, type Graph, type Node } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { constantOf, type SupportContext } from './predicate.js';
import { checkPartitionOptions, DEFAULT_MIN_SUBGRAPH_SIZE } from './options.js';
import type { DeclinedNode, PartitionOptions, PartitionResult, PartitionSubgraph, SmallCluster } from './types.js';

export { applyPartition } from './apply.js';
export { DEFAULT_MIN_SUBGRAPH_SIZE } from './options.js';

/** Subgraphs and reports list nodes by name: every node needs its own (the importers assign them). */
function requireNodeNames(graph: Graph): void {
  const seen = new Set<string>();
  for (const n of graph.nodes) {
    if (!n.name || seen.has(n.name)) {
      throw new GraphError(n.name ? `two nodes are named '${n.name}'` : 'a node has no name', {
        where: nodeWhere(n), hint: 'the partitioner lists nodes by name; give every node a unique name',
      });
    }
    seen.add(n.name);
  }
}

const opKey = (n: Node) => (n.domain ? `${n.domain}.${n.opType}` : n.opType);

function countOps(nodes: readonly Node[]): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const n of nodes) ops[opKey(n)] = (ops[opKey(n)] ?? 0) + 1;
  return ops;
}

/**
 * Node-level clustering over a topological order. Each supported node starts as its own cluster
 * and is merged, input by input, with the clusters of its supported producers, but only when the
 * union has no path that leaves it and re-enters it (that path would become a cycle through the
 * engine node). Such a path ends at a union member, so it only visits nodes whose topological
 * index is below the union's largest one: the search stays inside that window.
 */
class Clusters {
  /** cluster id per topological index; -1 for nodes the engine does not take */
  readonly of: number[];
  readonly members = new Map<number, number[]>();

  constructor(private readonly succ: readonly number[][], supported: readonly boolean[]) {
    this.of = supported.map((s, i) => (s ? i : -1));
    supported.forEach((s, i) => s && this.members.set(i, [i]));
  }

  /** Would merging clusters a and b leave a path out of the union and back into it? */
  private reentrant(a: number, b: number): boolean {
    const inUnion = (i: number) => this.of[i] === a || this.of[i] === b;
    const union = [...this.members.get(a)!, ...this.members.get(b)!];
    const last = union.reduce((m, i) => Math.max(m, i), -1);
    const seen = new Set<number>();
    const stack: number[] = [];
    for (const m of union) for (const s of this.succ[m]!) if (!inUnion(s) && s < last && !seen.has(s)) seen.add(s), stack.push(s);
    while (stack.length) {
      const v = stack.pop()!;
      for (const s of this.succ[v]!) {
        if (inUnion(s)) return true;
        if (s < last && !seen.has(s)) seen.add(s), stack.push(s);
      }
    }
    return false;
  }

  tryMerge(a: number, b: number): boolean {
    if (a === b) return true;
    if (this.reentrant(a, b)) return false;
    const [keep, drop] = a < b ? [a, b] : [b, a];
    for (const m of this.members.get(drop)!) this.of[m] = keep;
    this.members.get(keep)!.push(...this.members.get(drop)!);
    this.members.delete(drop);
    return true;
  }
}

/** The reason given for a node whose outputs shape inference already knows (folded, not run). */
export const FOLDED_REASON = 'its outputs are constants (folded before running)';

/** The reason given for a folded node whose value changes within a shape profile and that the framework reads. */
export const COMPUTED_AT_RUN_REASON = 'its value changes within the shape profile and the framework reads it: computed at each run';

/**
 * In a profile, a folded node whose value changes within it (`varies`) and that a framework node
 * reads, directly or through other such nodes, runs at each run: it is no longer folded (its edges
 * count for outputs and cycles; a cluster that both feeds and reads it is split). Consumers are
 * later in the topological order, so one reverse sweep settles it. Those that only feed engine
 * constants stay folded: the engine computes them itself (runtime/profile-subgraphs.ts).
 */
function markComputedAtRun(order: readonly Node[], succ: readonly number[][], supported: readonly boolean[], folded: boolean[], declined: DeclinedNode[], varies?: (value: string) => boolean): void {
  if (!varies) return;
  for (let i = order.length - 1; i >= 0; i--) {
    if (!folded[i] || !order[i]!.outputs.some((o) => o && varies(o))) continue;
    // a successor that runs in the framework (one found here already counts: it is no longer folded)
    if (!succ[i]!.some((s) => !folded[s] && !supported[s])) continue;
    folded[i] = false;
    const d = declined.find((x) => x.node === order[i]!.name)!;
    d.reason = COMPUTED_AT_RUN_REASON;
  }
}

/**
 * Finds the subgraphs `opts.supports` accepts. `shapes` is the map `inferShapes` returned for
 * `graph` (types decide support: float32 only, static shapes, constant weights).
 * Throws UsageError for bad options (unknown op or node names, a minimum size below 1).
 */
export function partitionGraph(graph: Graph, shapes: ReadonlyMap<string, KnownValue>, opts: PartitionOptions): PartitionResult {
  const minSize = checkPartitionOptions(graph, opts);
  requireNodeNames(graph);
  const order = topoSort(graph);
  const index = new Map(order.map((n, i) => [n, i]));
  const producers = graph.producers();
  const ctx: SupportContext = { graph, types: shapes };
  const excludedOps = new Set(opts.excludeOps ?? []);
  const excludedNodes = new Set(opts.excludeNodes ?? []);

  const declined: PartitionResult['declined'] = [];
  const supported = order.map((n) => {
    let verdict: true | string;
    if (excludedNodes.has(n.name)) verdict = 'excluded by the user (excludeNodes)';
    else if (opts.fallbackNodes?.has(n.name)) verdict = opts.fallbackNodes.get(n.name)!;
    else if (excludedOps.has(opKey(n))) verdict = `op ${opKey(n)} excluded by the user (excludeOps)`;
    // a node whose every output shape inference already knows is folded, not run: nothing to hand over
    else if (n.outputs.every((o) => !o || shapes.get(o)?.value !== undefined)) verdict = FOLDED_REASON;
    else verdict = opts.supports(n, ctx);
    if (verdict !== true) declined.push({ node: n.name, op: opKey(n), reason: verdict });
    return verdict === true;
  });

  // consumer edges by topological index, each once, in index order
  const succ: number[][] = order.map(() => []);
  order.forEach((n, i) => {
    for (const input of n.inputs) {
      const p = input ? producers.get(input) : undefined;
      if (p) succ[index.get(p)!]!.push(i);
    }
  });
  for (let i = 0; i < succ.length; i++) succ[i] = [...new Set(succ[i])].sort((a, b) => a - b);

  // a folded node (Shape of a computed tensor...) reads no data at run time: its edges cannot make
  // a path that leaves a cluster and re-enters it, so the cycle check ignores them
  const folded = order.map((n, i) => !supported[i] && declined.some((d) => d.node === n.name && d.reason === FOLDED_REASON));
  markComputedAtRun(order, succ, supported, folded, declined, opts.variesWithShape);
  const clusters = new Clusters(succ.map((s, i) => (folded[i] ? [] : s.filter((j) => !folded[j]))), supported);
  order.forEach((n, i) => {
    if (!supported[i]) return;
    for (const input of n.inputs) {
      const p = input ? producers.get(input) : undefined;
      const pi = p ? index.get(p)! : -1;
      if (pi >= 0 && supported[pi]) clusters.tryMerge(clusters.of[pi]!, clusters.of[i]!);
    }
  });

  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const subgraphs: PartitionSubgraph[] = [];
  const tooSmall: SmallCluster[] = [];
  // ids follow the order in which subgraphs finish (their last node's topological index): source
  // nodes such as Identity-of-weight sort to the front of a topological order and would scramble
  // an order by first node
  const finished = [...clusters.members.values()].map((m) => m.sort((a, b) => a - b)).sort((a, b) => a[a.length - 1]! - b[b.length - 1]!);
  for (const idx of finished) {
    const nodes = idx.map((i) => order[i]!);
    if (nodes.length < minSize) {
      tooSmall.push({
        nodes: nodes.map((n) => n.name), ops: countOps(nodes),
        reason: `a cluster of ${nodes.length} node${nodes.length === 1 ? '' : 's'} is below the minimum subgraph size ${minSize}`,
      });
      continue;
    }
    subgraphs.push(describeSubgraph(subgraphs.length, nodes, clusters, index, succ, order, graphOutputs, ctx, folded));
  }
  const boundaryTensors = subgraphs.reduce((a, s) => a + s.inputs.length + s.outputs.length, 0);
  return { backend: opts.backend, minSubgraphSize: minSize, totalNodes: graph.nodes.length, subgraphs, declined, tooSmall, boundaryTensors };
}

function describeSubgraph(
  id: number, nodes: Node[], clusters: Clusters, index: Map<Node, number>, succ: number[][], order: Node[],
  graphOutputs: Set<string>, ctx: SupportContext, folded: readonly boolean[],
): PartitionSubgraph {
  const cid = clusters.of[index.get(nodes[0]!)!]!;
  const produced = new Set(nodes.flatMap((n) => n.outputs.filter((o) => o)));
  const inputs: string[] = [];
  const constants: string[] = [];
  for (const n of nodes) {
    for (const v of n.inputs) {
      if (!v || produced.has(v) || inputs.includes(v) || constants.includes(v)) continue;
      (constantOf(v, ctx) ? constants : inputs).push(v);
    }
  }
  const outputs: string[] = [];
  for (const n of nodes) {
    // a folded reader (Shape of a computed tensor) reads nothing at run time: not a reason to output a tensor
    const outsideUsers = succ[index.get(n)!]!.filter((s) => clusters.of[s] !== cid && !folded[s]).map((s) => order[s]!);
    for (const o of n.outputs) {
      if (o && (graphOutputs.has(o) || outsideUsers.some((u) => u.inputs.includes(o)))) outputs.push(o);
    }
  }
  return { id, nodes: nodes.map((n) => n.name), inputs, constants, outputs, ops: countOps(nodes) };
}
