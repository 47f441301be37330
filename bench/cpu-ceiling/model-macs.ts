// Multiply-adds of a model's matrix layers (Conv, ConvTranspose, Gemm, MatMul, LSTM, GRU), counted
// from nnrt's graph with every shape inferred (the same inference `nnrt inspect` runs). Other ops
// (pointwise, pooling, normalization, softmax) are left out: they are memory-bound, and the point
// of the count is the arithmetic no kernel can skip.
import { inferShapes, type KnownValue } from '../../src/ir/infer.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { opTyper } from '../../src/ops/index.js';

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Multiply-adds of one node, or 0 for ops that are not counted. */
function nodeMacs(node: Node, known: Map<string, KnownValue>): number {
  const shape = (i: number) => known.get(node.inputs[i] ?? '')?.shape;
  const out = known.get(node.outputs[0] ?? '')?.shape;
  const x = shape(0);
  const w = shape(1);
  switch (node.opType) {
    case 'Conv':
      // every output element is a dot product over C/group × kernel taps = |W| / M
      return out && w ? count(out) * (count(w) / w[0]!) : 0;
    case 'ConvTranspose':
      // every input element is scattered over M/group × kernel taps = |W| / C
      return x && w ? count(x) * (count(w) / w[0]!) : 0;
    case 'Gemm': {
      if (!out || !x) return 0;
      const transA = Number(node.attrs.transA ?? 0);
      return count(out) * (transA ? x[0]! : x[1]!);
    }
    case 'MatMul':
      return out && x ? count(out) * x[x.length - 1]! : 0;
    case 'LSTM':
    case 'GRU': {
      const r = shape(2);
      if (!x || !w || !r) return 0;
      const input = x[2]!;
      const steps = count(x) / input; // seq × batch, whichever the layout
      const [dirs, gates, hidden] = [w[0]!, w[1]!, r[2]!];
      return steps * dirs * gates * (input + hidden);
    }
    default:
      return 0;
  }
}

/** Multiply-adds per counted op type, and their total, for the graph with inputs of `shapes`. */
export function modelMacs(graph: Graph, shapes: Record<string, readonly number[]>): { total: number; byOp: Record<string, number> } {
  const known = inferShapes(graph, opTyper, shapes);
  const byOp: Record<string, number> = {};
  let total = 0;
  for (const node of graph.nodes) {
    const macs = nodeMacs(node, known);
    if (!macs) continue;
    byOp[node.opType] = (byOp[node.opType] ?? 0) + macs;
    total += macs;
  }
  return { total, byOp };
}
