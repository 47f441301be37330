import { NnrtError, ShapeError, UnsupportedError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import type { KnownValue, NodeTyper } from '../ir/infer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorType } from './op.js';
import { bindOp, opOf, type BoundOp, type OpInfo } from './registry.js';
import { elementCount } from '../tensor/shape.js';

/** A node bound to its op: definition, attributes parsed once, shape function and kernels over them. */
export interface BoundNode {
  node: Node;
  def: OpInfo;
  op: BoundOp;
}

export function bindNode(node: Node, opset?: number): BoundNode {
  const def = opOf(node, opset);
  const where = nodeWhere(node);
  const nIn = node.inputs.length;
  if (nIn < def.inputs[0] || nIn > def.inputs[1]) {
    throw new ShapeError(`takes ${def.inputs[0]}..${def.inputs[1]} inputs, got ${nIn}`, { where });
  }
  const nOut = node.outputs.length;
  if (nOut < def.outputs[0] || nOut > def.outputs[1]) {
    throw new ShapeError(`produces ${def.outputs[0]}..${def.outputs[1]} outputs, got ${nOut}`, { where });
  }
  return { node, def, op: bindOp(node, opset).op };
}

/** Runs an op's shape function with its arity and dtype checks; errors name the node. */
export function inferNode(b: BoundNode, inputs: readonly (KnownValue | undefined)[]): TensorType[] {
  const where = nodeWhere(b.node);
  b.node.inputs.forEach((name, i) => {
    if (name && !inputs[i]) throw new ShapeError(`input ${i} '${name}' has no known type`, { where });
  });
  if (!b.def.strings && !b.def.host) {
    const s = inputs.findIndex((k) => k?.dtype === 'string');
    if (s >= 0) throw new UnsupportedError(`input ${s} '${b.node.inputs[s]}' is a string tensor; ${b.def.type} does not take strings`, { where });
  }
  const first = inputs[0];
  if (b.def.dtypes && first?.dtype !== 'string' && first && !b.def.dtypes.includes(first.dtype)) {
    throw new UnsupportedError(`dtype ${first.dtype} is not supported; ${b.def.type} takes ${b.def.dtypes.join(', ')}`, { where });
  }
  for (const vi of b.def.valueInputs ?? []) {
    if (b.node.inputs[vi] && !inputs[vi]?.value) {
      const why = b.def.dataDependentShape ? 'its data decides the output shape, known only when the node runs' : 'it decides the output shape';
      throw new ShapeError(`input ${vi} '${b.node.inputs[vi]}' must be a constant for static shape inference (${why})`, { where });
    }
  }
  try {
    return b.op.infer(inputs, b.node.outputs.length);
  } catch (e) {
    if (e instanceof NnrtError) {
      if (e.where) throw e;
      throw new (e.constructor as typeof NnrtError)(e.detail, { where, ...(e.hint ? { hint: e.hint } : {}), cause: e });
    }
    throw new ShapeError(`shape inference failed: ${(e as Error).message}`, { where, cause: e });
  }
}

const FOLD_LIMIT = 1 << 16; // elements: fold only small constant expressions during inference
/**
 * Ops whose cost is one pass over their inputs (a weight's DequantizeLinear, Cast, reshapes and
 * transposes, element-wise arithmetic, reductions, Concat/Slice/Split): folded up to
 * WEIGHT_FOLD_LIMIT elements, so that weights computed on the way to their Conv/MatMul are
 * constants as a float model's initializers are. onnxruntime's quantizer writes every weight as a
 * DequantizeLinear of int8 (a ResNet-50's 3×3 convs have up to 2.4 M of them), NVIDIA's tools as
 * QuantizeLinear → DequantizeLinear of the float weight; exporters that do
 * not fold constants leave transposes of weights and weight normalization (g · v / ‖v‖) behind.
 * Matrix products, convolutions and other superlinear ops keep the small limit. Identity is not
 * among them: the partitioner follows an Identity of a constant itself (predicate.ts constantOf),
 * and it stays a view.
 */
const WEIGHT_FOLD_OPS = new Set([
  'QuantizeLinear', 'DequantizeLinear', 'Cast', 'CastLike', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Transpose',
  'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Pow',
  'ReduceL2', 'ReduceSum', 'ReduceSumSquare', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'Concat', 'Slice', 'Split',
]);
const WEIGHT_FOLD_LIMIT = 1 << 26;

/**
 * Types a node by other means than its op's shape function, or returns undefined. The part that
 * defines such nodes registers it (an engine node partitioned for a shape profile is typed
 * through its subgraph: partition/engine-op.ts), so ops/ imports nothing from the parts above it.
 */
export type NodeTypeOverride = (node: Node, inputs: readonly (KnownValue | undefined)[], typer: NodeTyper) => TensorType[] | undefined;
const typeOverrides: NodeTypeOverride[] = [];
export function registerNodeTypeOverride(f: NodeTypeOverride): void {
  typeOverrides.push(f);
}

/** The NodeTyper the IR's inference uses: op shape functions, plus CPU folding of small constants. */
export const opTyper: NodeTyper = {
  infer(node, inputs) {
    for (const f of typeOverrides) {
      const t = f(node, inputs, opTyper);
      if (t) return t;
    }
    return inferNode(bindNode(node), inputs);
  },
  evaluate(node, inputs) {
    const b = bindNode(node);
    if (b.def.random) return undefined;
    if (!b.op.cpu) return undefined;
    const limit = node.domain === '' && WEIGHT_FOLD_OPS.has(node.opType) ? WEIGHT_FOLD_LIMIT : FOLD_LIMIT;
    if (inputs.some((k) => k && elementCount(k.shape) > limit)) return undefined;
    const outs = inferNode(b, inputs);
    if (outs.some((o) => elementCount(o.shape) > limit)) return undefined;
    return b.op.cpu(inputs.map((k) => k?.value as Tensor | undefined), outs);
  },
};
