// Rewrites a graph after partitioning: each subgraph becomes ONE nnrt.Engine node carrying the
// subgraph as its own Graph; the framework keeps the rest. Weights used only inside engines leave
// the outer graph (they live in the engine's subgraph, and later in its plan), so they are held once.
import { GraphError } from '../errors.js';
import { Graph, NNRT_DOMAIN, type Node, type OutputInfo, type ValueInfo } from '../ir/graph.js';
import { hashGraph } from '../ir/hash.js';
import type { KnownValue } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { BYTES_PER_ELEMENT } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { encodeShape, ENGINE_OP_TYPE, type EngineNode } from './engine-op.js';
import { constantOf } from './predicate.js';
import type { PartitionResult, PartitionSubgraph } from './types.js';

/** Lets the caller adjust each engine node (e.g. attach a built engine); must keep inputs/outputs. */
export type MakeEngineNode = (node: EngineNode, sub: PartitionSubgraph) => EngineNode;

export interface WeightBytes {
  /** Initializer bytes of the outer graph before the rewrite. */
  before: number;
  /** Initializer bytes left in the outer graph (used by framework nodes). */
  after: number;
  /** Constant bytes held by engine subgraphs (each tensor counted once, however many engines share it). */
  engines: number;
  /** Of `engines`, bytes also kept by the outer graph because framework nodes use them too (shared, not copied). */
  shared: number;
}

export interface AppliedPartition {
  graph: Graph;
  engineNodes: EngineNode[];
  weightBytes: WeightBytes;
}

const bytesOf = (t: Tensor) => t.size * BYTES_PER_ELEMENT[t.dtype];

function typed(name: string, shapes: ReadonlyMap<string, KnownValue>, what: string): ValueInfo {
  const t = shapes.get(name);
  if (!t) throw new GraphError(`the type of ${what} '${name}' is not known`, { hint: 'run inferShapes on the graph and partition with its result' });
  return { name, dtype: t.dtype, shape: [...t.shape] };
}

function buildSubgraph(graph: Graph, sub: PartitionSubgraph, nodes: Node[], shapes: ReadonlyMap<string, KnownValue>): Graph {
  const initializers = new Map<string, Tensor>();
  for (const c of sub.constants) {
    const t = constantOf(c, { graph, types: shapes });
    if (!t) throw new GraphError(`constant '${c}' of subgraph ${sub.id} has no value`);
    initializers.set(c, t);
  }
  const valueInfo = new Map<string, ValueInfo>();
  for (const n of nodes) for (const o of n.outputs) if (o && shapes.has(o)) valueInfo.set(o, typed(o, shapes, 'value'));
  const names = new Set([...sub.inputs, ...sub.constants, ...valueInfo.keys()]);
  return new Graph({
    name: `${graph.name}/engine_${sub.id}`,
    nodes: nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: sub.inputs.map((v) => typed(v, shapes, 'subgraph input')),
    outputs: sub.outputs.map((v): OutputInfo => typed(v, shapes, 'subgraph output')),
    initializers,
    valueInfo,
    opsets: new Map(graph.opsets),
    onnxTypes: new Map([...graph.onnxTypes].filter(([k]) => names.has(k))),
  });
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/**
 * Returns a new graph in which every subgraph of `result` is one nnrt.Engine node (inputs: the
 * subgraph's inputs; outputs: its outputs). `shapes` is the map partitionGraph was given. Nodes
 * that only fed constants into engines (folded Shape → Gather chains) and weights used only by
 * engines are removed from the outer graph. `graph` itself is not changed.
 */
export function applyPartition(graph: Graph, shapes: ReadonlyMap<string, KnownValue>, result: PartitionResult, makeEngineNode?: MakeEngineNode): AppliedPartition {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const engineOf = new Map<Node, number>();
  for (const sub of result.subgraphs) {
    for (const name of sub.nodes) {
      const n = byName.get(name);
      if (!n) throw new GraphError(`partition subgraph ${sub.id} names node '${name}', which the graph does not have`, { hint: 'apply a partition to the graph it was computed for' });
      if (engineOf.has(n)) throw new GraphError(`node '${name}' is in two partition subgraphs`);
      engineOf.set(n, sub.id);
    }
  }

  const taken = new Set(byName.keys());
  const engineNodes = result.subgraphs.map((sub) => {
    const subgraph = buildSubgraph(graph, sub, sub.nodes.map((n) => byName.get(n)!), shapes);
    const node: EngineNode = {
      name: uniqueName(`engine_${sub.id}`, taken),
      opType: ENGINE_OP_TYPE,
      domain: NNRT_DOMAIN,
      inputs: [...sub.inputs],
      outputs: [...sub.outputs],
      attrs: {
        backend: { type: 'string', value: result.backend },
        subgraph_hash: { type: 'string', value: hashGraph(subgraph) },
        node_count: { type: 'int', value: sub.nodes.length },
        input_shapes: { type: 'strings', value: subgraph.inputs.map((v) => encodeShape(v.shape as number[])) },
        output_dtypes: { type: 'strings', value: subgraph.outputs.map((v) => v.dtype!) },
        output_shapes: { type: 'strings', value: subgraph.outputs.map((v) => encodeShape(v.shape as number[])) },
      },
      subgraph,
      subgraphId: sub.id,
    };
    const made = makeEngineNode ? makeEngineNode(node, sub) : node;
    if (made.inputs.join('\n') !== node.inputs.join('\n') || made.outputs.join('\n') !== node.outputs.join('\n')) {
      throw new GraphError(`makeEngineNode changed the inputs or outputs of engine node for subgraph ${sub.id}`);
    }
    return made;
  });

  // each engine node takes the place of its subgraph's last node; topoSort then settles the order
  const engineById = new Map(result.subgraphs.map((s, k) => [s.id, engineNodes[k]!]));
  const remaining = new Map(result.subgraphs.map((s) => [s.id, s.nodes.length]));
  const nodes: Node[] = [];
  for (const n of topoSort(graph)) {
    const id = engineOf.get(n);
    if (id === undefined) nodes.push({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } });
    else if (remaining.set(id, remaining.get(id)! - 1).get(id) === 0) nodes.push(engineById.get(id)!);
  }
  const out = graph.clone();
  out.nodes = removeNewlyDead(graph, nodes);
  try {
    out.nodes = topoSort(out);
  } catch (e) {
    throw new GraphError('the partitioned graph has a cycle (a partitioner bug: please report it)', { cause: e });
  }

  // drop what no outer node refers to any more: engine-only initializers, engine-internal value types
  const used = new Set(out.nodes.flatMap((n) => [...n.inputs, ...n.outputs]));
  for (const o of out.outputs) used.add(o.name);
  const wasUsed = new Set(graph.nodes.flatMap((n) => n.inputs));
  for (const name of [...out.initializers.keys()]) if (wasUsed.has(name) && !used.has(name)) out.initializers.delete(name);
  out.inputs = out.inputs.filter((v) => !graph.initializers.has(v.name) || out.initializers.has(v.name));
  for (const name of [...out.valueInfo.keys()]) if (!used.has(name)) out.valueInfo.delete(name);

  // by tensor identity: one tensor under several names (or in several engines) is held once
  const engineTensors = new Set(engineNodes.flatMap((e) => [...e.subgraph.initializers.values()]));
  const outerTensors = new Set(out.initializers.values());
  const sum = (ts: Iterable<Tensor>) => [...ts].reduce((a, t) => a + bytesOf(t), 0);
  const weightBytes: WeightBytes = {
    before: sum(new Set(graph.initializers.values())),
    after: sum(outerTensors),
    engines: sum(engineTensors),
    shared: sum([...engineTensors].filter((t) => outerTensors.has(t))),
  };
  return { graph: out, engineNodes, weightBytes };
}

/** Removes nodes whose outputs nobody reads any more (they only fed constants into engines). */
function removeNewlyDead(original: Graph, nodes: Node[]): Node[] {
  const readBefore = new Set([...original.nodes.flatMap((n) => n.inputs), ...original.outputs.map((o) => o.name)]);
  let live = nodes;
  for (;;) {
    const read = new Set([...live.flatMap((n) => n.inputs), ...original.outputs.map((o) => o.name)]);
    const next = live.filter((n) => n.opType === ENGINE_OP_TYPE && n.domain === NNRT_DOMAIN
      || n.outputs.some((o) => o && read.has(o)) || !n.outputs.some((o) => o && readBefore.has(o)));
    if (next.length === live.length) return next;
    live = next;
  }
}
