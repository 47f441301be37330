// Import converters for the forms of opsets 1–6 that later opsets changed (consumed_inputs, the
// legacy in-place hint of opset 1, is dropped for every op in model.ts).
//
// * Add/Sub/Mul/Div/Pow, the comparisons and the logical ops before 7 broadcast only when
//   `broadcast` = 1, and then align B's dims with A's from `axis` (default: A's trailing dims,
//   which is numpy's rule). An explicit `axis` becomes a Reshape of B that appends the trailing 1s,
//   built from B's and A's shapes so it also works when they are known only at run time.
// * Gemm before 7 had `broadcast` for C; from 7 C always broadcasts.
// * Reshape before 5 took `shape` as an attribute; Concat before 4 defaulted `axis` to 1; Cast
//   before 6 named its target type as a string; Upsample-1 had height_scale and width_scale.
import type { Node } from '../../../ir/graph.js';
import { ELEMENT_TYPE } from '../../../tensor/element-type.js';
import { Tensor } from '../../../tensor/tensor.js';
import { UnsupportedError } from '../../../errors.js';
import { attrToInput, importConverterFor, registerImportConverter, type ConvertContext } from '../converter.js';

const passThrough = (node: Node) => [node];

function since(opType: string, sinceVersion: number, convert: (node: Node, ctx: ConvertContext) => Node[]): void {
  registerImportConverter({ opType, sinceVersion, convert });
}

/** Nodes making B of rank r_B broadcastable against A with B's dims starting at A's `axis`. */
function alignAtAxis(node: Node, ctx: ConvertContext, axis: number): Node[] {
  const [a, b] = node.inputs as [string, string];
  const name = node.name || node.opType;
  const nodes: Node[] = [];
  const op = (opType: string, inputs: string[], hint: string, attrs: Node['attrs'] = {}): string => {
    const out = ctx.freshName(`${name}_${hint}`);
    nodes.push({ name: ctx.freshName(`${name}_${opType.toLowerCase()}`), opType, domain: '', inputs, outputs: [out], attrs });
    return out;
  };
  const int64 = (hint: string, v: number[], shape: number[] = [v.length]) => ctx.addConstant(`${name}_${hint}`, Tensor.fromNumeric('int64', shape, v));
  const shapeB = op('Shape', [b], 'b_shape');
  const rankB = op('Size', [shapeB], 'b_rank');
  // trailing 1s = (axis ≥ 0 ? rank(A) − axis : −axis) − rank(B)
  const span = axis >= 0 ? op('Sub', [op('Size', [op('Shape', [a], 'a_shape')], 'a_rank'), int64('axis', [axis], [])], 'span') : int64('span', [-axis], []);
  const trailing = op('Reshape', [op('Sub', [span, rankB], 'trailing'), int64('one_dim', [1])], 'trailing_1d');
  const ones = op('ConstantOfShape', [trailing], 'ones', { value: { type: 'tensor', value: Tensor.fromNumeric('int64', [1], [1]) } });
  const bShape = op('Concat', [shapeB, ones], 'b_aligned_shape', { axis: { type: 'int', value: 0 } });
  const bAligned = op('Reshape', [b, bShape], 'b_aligned');
  return [...nodes, { ...node, inputs: [a, bAligned] }];
}

function legacyBroadcast(node: Node, ctx: ConvertContext): Node[] {
  const { broadcast, axis, ...attrs } = node.attrs;
  const plain = { ...node, attrs };
  if (broadcast?.value !== 1 || axis?.type !== 'int') return [plain];
  return alignAtAxis(plain, ctx, axis.value);
}

for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Greater', 'Less', 'And', 'Or', 'Xor']) {
  since(op, 1, legacyBroadcast);
  since(op, 7, passThrough);
}

since('Gemm', 1, (node) => {
  const { broadcast: _ignored, ...attrs } = node.attrs;
  return [{ ...node, attrs }];
});
since('Gemm', 7, passThrough);

since('Reshape', 1, (node, ctx) => [attrToInput(node, ctx, 'shape', 1, (v) => Tensor.fromNumeric('int64', [(v as number[]).length], v as number[]))]);
since('Reshape', 5, passThrough);

since('Concat', 1, (node) => [node.attrs.axis ? node : { ...node, attrs: { ...node.attrs, axis: { type: 'int', value: 1 } } }]);
since('Concat', 4, passThrough);

// Cast-1 `to` is a TensorProto.DataType name ('FLOAT', 'INT64', ...)
since('Cast', 1, (node) => {
  const to = node.attrs.to;
  if (to?.type !== 'string') return [node];
  const code = (ELEMENT_TYPE as Record<string, number>)[to.value.toUpperCase()];
  if (code === undefined) throw new UnsupportedError(`Cast to '${to.value}' is not a known element type`, { where: `node '${node.name}' (Cast)` });
  return [{ ...node, attrs: { ...node.attrs, to: { type: 'int', value: code } } }];
});
since('Cast', 6, passThrough);

// Upsample-1 (experimental) scaled H and W by the float attributes height_scale and width_scale of
// an NCHW input: the Upsample-7 form with scales [1, 1, h, w], then that form's converter.
since('Upsample', 1, (node, ctx) => {
  const { height_scale: h, width_scale: w, ...attrs } = node.attrs;
  if (h?.type !== 'float' || w?.type !== 'float') {
    throw new UnsupportedError('Upsample-1 needs float attributes height_scale and width_scale', { where: `node '${node.name}' (Upsample)` });
  }
  const upgraded: Node = { ...node, attrs: { ...attrs, scales: { type: 'floats', value: [1, 1, h.value, w.value] } } };
  return importConverterFor('Upsample', 7)!.convert(upgraded, ctx);
});
