// Import converters for the tensor op family (older opsets → IR form). Where an op's form changed
// at opset V, a pass-through converter at V keeps newer models away from the older rewrite.
import type { Node } from '../../../ir/graph.js';
import { Tensor } from '../../../tensor/tensor.js';
import { attrToInput, registerImportConverter, type ConvertContext } from '../converter.js';

const int64s = (v: unknown) => Tensor.fromNumeric('int64', [(v as number[]).length], v as number[]);
const passThrough = (node: Node) => [node];

function since(opType: string, sinceVersion: number, convert: (node: Node, ctx: ConvertContext) => Node[]): void {
  registerImportConverter({ opType, sinceVersion, convert });
}

/** Registers "attribute `name` (ints) became input `index`" for opsets below `newForm`. */
function intsAttrBecameInput(opType: string, name: string, index: number, newForm: number): void {
  since(opType, 1, (node, ctx) => [attrToInput(node, ctx, name, index, int64s)]);
  since(opType, newForm, passThrough);
}

// Squeeze/Unsqueeze 13, ReduceSum 13 and the other reductions 18 took `axes` as an input.
intsAttrBecameInput('Squeeze', 'axes', 1, 13);
intsAttrBecameInput('Unsqueeze', 'axes', 1, 13);
intsAttrBecameInput('ReduceSum', 'axes', 1, 13);
for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp']) {
  intsAttrBecameInput(op, 'axes', 1, 18);
}

// Slice 10: starts, ends, axes moved from attributes to inputs 1..3.
since('Slice', 1, (node, ctx) => {
  const n = attrToInput(attrToInput(node, ctx, 'starts', 1, int64s), ctx, 'ends', 2, int64s);
  return [attrToInput(n, ctx, 'axes', 3, int64s)];
});
since('Slice', 10, passThrough);

// TopK 10: k moved to input 1 (a 1-element int64 tensor).
since('TopK', 1, (node, ctx) => [attrToInput(node, ctx, 'k', 1, (k) => Tensor.fromNumeric('int64', [1], [k as number]))]);
since('TopK', 10, passThrough);

// Pad 11: pads and value moved to inputs 1 and 2. The float value is kept as float32; the Pad
// kernel converts it to the data's dtype (the converter does not know that dtype).
since('Pad', 1, (node, ctx) => {
  // Pad-1 called the attribute `paddings`
  const { paddings, ...rest } = node.attrs;
  const renamed = paddings && !rest.pads ? { ...node, attrs: { ...rest, pads: paddings } } : node;
  const n = attrToInput(renamed, ctx, 'pads', 1, int64s);
  return [attrToInput(n, ctx, 'value', 2, (v) => (v ? Tensor.scalar('float32', v as number) : undefined))];
});
since('Pad', 11, passThrough);

// Split: before 13 `split` was an attribute; before 18 equal parts came from the output count,
// which opset 18 spells num_outputs.
function numOutputsFromArity(node: Node): Node {
  if (node.inputs[1]) return node;
  return { ...node, attrs: { ...node.attrs, num_outputs: { type: 'int', value: node.outputs.length } } };
}
since('Split', 1, (node, ctx) => [numOutputsFromArity(attrToInput(node, ctx, 'split', 1, (v) => ((v as number[]).length ? int64s(v) : undefined)))]);
since('Split', 13, (node) => [numOutputsFromArity(node)]);
since('Split', 18, passThrough);

// Softmax/LogSoftmax/Hardmax before 13 normalized over all dims from `axis` (default 1) as one flattened
// dim: y = Reshape(Softmax(Flatten(x, axis), axis=-1), Shape(x)). axis -1 means the same in both.
for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
  since(op, 1, (node, ctx) => {
    const axis = node.attrs.axis?.value ?? 1;
    if (axis === -1) return [node];
    const name = node.name || op;
    const [x] = node.inputs as [string];
    const [y] = node.outputs as [string];
    const shape = ctx.freshName(`${name}_shape`);
    const flat = ctx.freshName(`${name}_2d`);
    const soft = ctx.freshName(`${name}_2d_out`);
    const make = (opType: string, inputs: string[], output: string, attrs: Node['attrs'] = {}): Node => ({
      name: ctx.freshName(`${name}_${opType.toLowerCase()}`), opType, domain: '', inputs, outputs: [output], attrs,
    });
    return [
      make('Shape', [x], shape),
      make('Flatten', [x], flat, { axis: { type: 'int', value: axis as number } }),
      make(op, [flat], soft, { axis: { type: 'int', value: -1 } }),
      make('Reshape', [soft, shape], y),
    ];
  });
  since(op, 13, passThrough);
}

/**
 * Opset 10's Resize and Upsample (7: scales attribute, 9: scales input) as opset 19 Resize:
 * scales in slot 2, asymmetric coordinates, nearest rounding down. (onnxruntime rounds up when
 * downsampling; the two differ only for non-integer downsampling factors, which opset 10 left
 * unspecified and which this converter cannot see, as the scales may not be constant.)
 */
function resizeFromScales(node: Node, scales: string): Node {
  const mode = node.attrs.mode?.value === 'linear' || node.attrs.mode?.value === 'bilinear' ? 'linear' : 'nearest';
  return {
    ...node,
    opType: 'Resize',
    inputs: [node.inputs[0]!, '', scales],
    attrs: {
      mode: { type: 'string', value: mode },
      coordinate_transformation_mode: { type: 'string', value: 'asymmetric' },
      ...(mode === 'nearest' ? { nearest_mode: { type: 'string', value: 'floor' } } : {}),
    },
  };
}
since('Resize', 10, (node) => [resizeFromScales(node, node.inputs[1]!)]);
since('Resize', 11, passThrough);
since('Upsample', 7, (node, ctx) => {
  const scales = node.attrs.scales?.value as number[] | undefined;
  return [resizeFromScales(node, scales ? ctx.addConstant(`${node.name}_scales`, Tensor.fromNumeric('float32', [scales.length], scales)) : '')];
});
since('Upsample', 9, (node) => [resizeFromScales(node, node.inputs[1]!)]);
