// FlexAttention's modifier subgraphs (ONNX 1.22, ai.onnx.preview FlexAttention-1): score_mod
// maps the scaled scores and prob_mod the softmax probabilities, each one [B, Hq, L, S] tensor in
// and one of the same shape and element type out. That element type is the softmax precision:
// the softmax_precision attribute (an ONNX element type: float, float16, bfloat16 or double),
// float32 when absent. The tensors are given on that type's value grid (bfloat16 and double are
// held as float32, the IR's rule for them).
import { GraphError, ShapeError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { elementType, elementTypeName, ELEMENT_TYPE, type ElementType } from '../../tensor/element-type.js';
import type { NumericArray } from '../../tensor/dtype.js';
import { sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { runSubgraph, subgraphTypes } from '../_kernels/subgraph-eval.js';
import type { TensorType } from '../op.js';

export type ModifierName = 'score_mod' | 'prob_mod';

const PRECISIONS: readonly number[] = [ELEMENT_TYPE.FLOAT, ELEMENT_TYPE.FLOAT16, ELEMENT_TYPE.BFLOAT16, ELEMENT_TYPE.DOUBLE];
const CAST = { saturate: false, roundMode: 'nearest' } as const;

/** The element type of the scores and probabilities the modifiers see. */
export function softmaxPrecision(code: number | undefined): ElementType {
  const c = code ?? ELEMENT_TYPE.FLOAT;
  if (!PRECISIONS.includes(c)) {
    throw new GraphError(`attribute 'softmax_precision' is ${c} (${elementTypeName(c)}); it must be a float type: 1 (float), 10 (float16), 16 (bfloat16) or 11 (double)`);
  }
  return elementType(c)!;
}

/**
 * The subgraph's contract, checked when the node is typed: one input, one output, the declared
 * input type (where given) is `type`, and what it returns is `type` again.
 */
export function checkModifier(g: Graph, name: ModifierName, type: TensorType): void {
  const what = name === 'score_mod' ? 'scores' : 'probabilities';
  const hint = `${name} takes the ${what} tensor [batch, q_heads, q_len, kv_len] as its one input and returns one tensor of the same shape and type`;
  if (g.inputs.length !== 1 || g.outputs.length !== 1) {
    throw new GraphError(`${name} has ${g.inputs.length} input(s) and ${g.outputs.length} output(s); it must have exactly one of each`, { hint });
  }
  const input = g.inputs[0]!;
  if (!input.untyped && input.dtype !== type.dtype) {
    throw new ShapeError(`${name}'s input '${input.name}' is declared ${input.dtype}; FlexAttention gives it ${type.dtype}, the softmax precision`, {
      hint: 'declare the subgraph in the softmax_precision type (float32 when the attribute is absent), or set softmax_precision to match it',
    });
  }
  const declared = input.untyped || input.unknownRank ? undefined : input.shape;
  if (declared && (declared.length !== 4 || declared.some((d, i) => typeof d === 'number' && d >= 0 && d !== type.shape[i]))) {
    throw new ShapeError(`${name}'s input '${input.name}' is declared [${declared.join(',')}]; FlexAttention gives it [${type.shape.join(',')}]`, { hint });
  }
  const out = subgraphTypes(g, name, [type])[0]!;
  if (out.dtype !== type.dtype || !sameShape(out.shape, type.shape)) {
    throw new ShapeError(`${name} returns ${out.dtype}[${out.shape.join(',')}]; it must return what it is given, ${type.dtype}[${type.shape.join(',')}]`, { hint });
  }
}

/** Runs a modifier on `values` (laid out as `type`), rounded onto `precision` first; returns its output's values. */
export function applyModifier(g: Graph, name: ModifierName, type: TensorType, precision: ElementType, values: ArrayLike<number>): NumericArray {
  const x = Tensor.fromNumeric(type.dtype, type.shape, Float64Array.from(values, (v) => precision.round(v, CAST)));
  const y = runSubgraph(g, name, [x])[0]!;
  if (y.dtype !== type.dtype || !sameShape(y.shape, type.shape)) {
    // checkModifier saw the types when the node was typed; a kernel that disagrees with its shape function lands here
    throw new ShapeError(`${name} returned ${y.dtype}[${y.shape.join(',')}]; FlexAttention needs ${type.dtype}[${type.shape.join(',')}]`);
  }
  return y.numeric();
}
