// Constant folding on the IR graph, before it becomes a network: every node whose inputs are all
// constants (initializers, or outputs of nodes folded before it) is run once on the host with the
// CPU reference kernel and replaced by initializers holding its outputs. Exporters leave such
// nodes behind (Identity on shared biases, Reshape/Transpose of weights, Shape → Gather chains).
import type { Graph, Node } from '../../ir/graph.js';
import { nodeWhere } from '../../ir/graph.js';
import { topoSort } from '../../ir/topo.js';
import { hasKernel } from '../../ops/registry.js';
import { bindNode, inferNode } from '../../ops/typer.js';
import { ExecutionError, NnrtError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BYTES_PER_ELEMENT } from '../../tensor/dtype.js';
import type { GraphPass } from './pass.js';

/** Ops whose outputs are not a function of their inputs alone. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

function foldable(node: Node, graph: Graph): boolean {
  if (NONDETERMINISTIC.has(node.opType)) return false;
  if (!hasKernel('cpu', node.domain, node.opType)) return false;
  return node.inputs.every((i) => !i || graph.initializers.has(i));
}

/** Folded outputs past this many bytes stay nodes (an Expand to 4 GB must not be computed on the host here). */
const MAX_FOLD_BYTES = 64 * 2 ** 20;

function evaluate(node: Node, graph: Graph): Tensor[] | undefined {
  const bound = bindNode(node, graph.opsets.get(node.domain));
  const values = node.inputs.map((i) => (i ? graph.initializers.get(i) : undefined));
  const types = inferNode(bound, values.map((t) => (t ? { dtype: t.dtype, shape: t.shape, value: t } : undefined)));
  const bytes = types.reduce((a, t) => a + t.shape.reduce((m, d) => m * d, 1) * BYTES_PER_ELEMENT[t.dtype], 0);
  if (bytes > MAX_FOLD_BYTES) return undefined;
  try {
    const cpu = bound.op.cpu;
    if (!cpu) throw new ExecutionError('constant folding found no CPU kernel', { where: nodeWhere(node) });
    return cpu(values, types);
  } catch (e) {
    if (e instanceof NnrtError) throw e;
    throw new ExecutionError(`constant folding failed: ${(e as Error).message}`, { where: nodeWhere(node), cause: e });
  }
}

export const foldConstantsPass: GraphPass = {
  name: 'fold-constants',
  description: 'evaluate nodes whose inputs are all constants on the host (CPU kernels)',
  run(input, ctx) {
    const graph = input.clone();
    const folded = new Set<Node>();
    for (const node of topoSort(graph)) {
      if (!foldable(node, graph)) continue;
      const outs = evaluate(node, graph);
      if (!outs) continue;
      node.outputs.forEach((o, k) => { if (o && outs[k]) graph.initializers.set(o, outs[k]!); });
      folded.add(node);
      ctx.change(`folded ${node.name || node.opType} (${node.opType}) → constant ${node.outputs.filter((o) => o).join(', ')}`);
    }
    if (!folded.size) return graph;
    graph.nodes = graph.nodes.filter((n) => !folded.has(n));
    // Constants only the folded nodes read are dead now.
    const used = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name), ...graph.inputs.map((v) => v.name)]);
    for (const name of [...graph.initializers.keys()]) if (!used.has(name)) graph.initializers.delete(name);
    return graph;
  },
};
