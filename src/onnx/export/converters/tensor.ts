// Export converters for shape and data-movement ops.
import type { Node } from '../../../ir/graph.js';
import { Tensor } from '../../../tensor/tensor.js';
import {
  av, constInput, dropNewAttrs, inputToAttr, notExportable, NodeBuilder, rankOf, registerBase, registerExportConverter, type ExportContext,
} from '../converter.js';

registerBase(1, 'Transpose', 'SpaceToDepth');
registerBase(6, 'Tile');
registerBase(8, 'Expand');
registerBase(9, 'ConstantOfShape', 'NonZero', 'EyeLike', 'Shrink');
registerBase(10, 'Slice');
registerBase(11, 'Concat', 'Flatten', 'Gather', 'GatherElements', 'DepthToSpace', 'TopK', 'Range', 'OneHot', 'CumSum', 'Unique', 'Compress', 'Det');
registerBase(12, 'GatherND');
registerBase(13, 'Squeeze', 'Unsqueeze');
registerBase(14, 'Reshape', 'Trilu');
registerBase(15, 'Shape');
registerBase(18, 'ScatterElements', 'ScatterND', 'CenterCropPad');
registerBase(19, 'Pad', 'Resize');

// Squeeze/Unsqueeze before 13 take `axes` as an attribute.
registerExportConverter({ opType: 'Squeeze', sinceVersion: 1, convert: (n, ctx) => [inputToAttr(n, ctx, 1, 'axes', 'ints')] });
registerExportConverter({ opType: 'Unsqueeze', sinceVersion: 1, convert: (n, ctx) => [inputToAttr(n, ctx, 1, 'axes', 'ints')] });

// GatherND-12 added batch_dims; ScatterElements/ScatterND-16 added reduction, -18 its max and min.
registerExportConverter({ opType: 'GatherND', sinceVersion: 11, convert: (n, ctx) => [dropNewAttrs(n, ctx, 12, { batch_dims: 0 })] });
for (const opType of ['ScatterElements', 'ScatterND']) {
  registerExportConverter({ opType, sinceVersion: 11, convert: (n, ctx) => [dropNewAttrs(n, ctx, 16, { reduction: 'none' })] });
  registerExportConverter({
    opType, sinceVersion: 16, convert: (n, ctx) => [dropNewAttrs(n, ctx, 18, { reduction: (v) => v !== 'max' && v !== 'min' })],
  });
}

// Reshape-14 added allowzero; it changes nothing when the target shape holds no zero.
registerExportConverter({
  opType: 'Reshape',
  sinceVersion: 5,
  convert(n, ctx) {
    const shape = ctx.constantOf(n.inputs[1]!);
    const zeroFree = shape !== undefined && shape.toNumbers().every((d) => d !== 0);
    return [dropNewAttrs(n, ctx, 14, { allowzero: (v) => v === 0 || zeroFree })];
  },
});

// Shape-15 added start/end: before, slice the full shape.
registerExportConverter({
  opType: 'Shape',
  sinceVersion: 1,
  convert(n, ctx) {
    const start = Number(n.attrs.start?.value ?? 0);
    const end = n.attrs.end === undefined ? Infinity : Number(n.attrs.end.value); // int64 max: to the end
    if (start === 0 && end === Infinity) return [{ ...n, attrs: {} }];
    const b = new NodeBuilder(n, ctx);
    const shape = b.op('Shape', [n.inputs[0]!]);
    b.op('Slice', [shape, b.constant('int64', [start]), b.constant('int64', [end]), b.constant('int64', [0])], {}, [n.outputs[0]!]);
    return b.nodes;
  },
});

// Split-18 splits into `num_outputs` (last chunk smaller) or by the `split` input; give it one of them.
registerExportConverter({
  opType: 'Split',
  sinceVersion: 18,
  convert(n) {
    if (n.inputs[1] || n.attrs.num_outputs) return [n];
    return [{ ...n, attrs: { ...n.attrs, num_outputs: av.int(n.outputs.length) } }];
  },
});
// Split-13 takes `split` as an input and splits equally without it; Split-2 (our 11, 12) takes an attribute.
registerExportConverter({ opType: 'Split', sinceVersion: 13, convert: (n, ctx) => [splitOlder(n, ctx)] });
registerExportConverter({ opType: 'Split', sinceVersion: 2, convert: (n, ctx) => [inputToAttr(splitOlder(n, ctx), ctx, 1, 'split', 'ints')] });

function splitOlder(n: Node, ctx: ExportContext): Node {
  const { num_outputs: _count, ...attrs } = n.attrs;
  const node = { ...n, attrs };
  if (n.inputs[1]) return node;
  const k = n.outputs.length;
  const x = ctx.typeOf(n.inputs[0]!);
  const rank = rankOf(n, ctx, n.inputs[0]!, 'splitting into num_outputs');
  const axis = Number(n.attrs.axis?.value ?? 0);
  const dim = x!.shape[axis < 0 ? axis + rank : axis];
  if (typeof dim !== 'number') throw notExportable(n, ctx, `into ${k} outputs along symbolic dim '${dim}'`, 'older Split needs the chunk sizes');
  if (dim % k === 0) return node;
  const chunk = Math.ceil(dim / k);
  const sizes = Array.from({ length: k }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  return { ...node, inputs: [n.inputs[0]!, ctx.addConstant(`${n.name}_split`, Tensor.fromNumeric('int64', [k], sizes))] };
}

// Pad-19 added mode 'wrap'; Pad-18 the `axes` input (before, pads cover every axis).
function padOlder(n: Node, ctx: ExportContext): Node[] {
  if (n.attrs.mode?.value === 'wrap') throw notExportable(n, ctx, "mode 'wrap' (added in opset 19)", 'export with opset ≥ 19');
  if (ctx.opset >= 18 || !n.inputs[3]) return [n];
  const hint = 'pads can only be expanded over axes when both are constants';
  const axes = constInput(n, ctx, 3, 'axes', hint)!.toNumbers();
  const pads = constInput(n, ctx, 1, 'pads', hint)!.toNumbers();
  const rank = rankOf(n, ctx, n.inputs[0]!, 'expanding pads over axes');
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((axis, i) => {
    const d = axis < 0 ? axis + rank : axis;
    full[d] = pads[i]!;
    full[d + rank] = pads[i + axes.length]!;
  });
  const padsName = ctx.addConstant(`${n.name}_pads`, Tensor.fromNumeric('int64', [2 * rank], full));
  return [{ ...n, inputs: [n.inputs[0]!, padsName, n.inputs[2] ?? ''] }];
}
registerExportConverter({ opType: 'Pad', sinceVersion: 11, convert: padOlder });
registerExportConverter({ opType: 'Pad', sinceVersion: 18, convert: padOlder });

// Resize-19 added 'half_pixel_symmetric'; Resize-18 antialias, axes, keep_aspect_ratio_policy;
// Resize-11/12 require the roi and scales inputs (empty when unused).
function resizeOlder(n: Node, ctx: ExportContext): Node[] {
  if (n.attrs.coordinate_transformation_mode?.value === 'half_pixel_symmetric') {
    throw notExportable(n, ctx, "with coordinate_transformation_mode 'half_pixel_symmetric' (added in opset 19)", 'export with opset ≥ 19');
  }
  if (ctx.opset >= 18) return [n];
  const node = dropNewAttrs(n, ctx, 18, { antialias: 0, axes: () => false, keep_aspect_ratio_policy: 'stretch' });
  if (ctx.opset >= 13) return [node];
  const inputs = [...node.inputs];
  const empty = (what: string) => ctx.addConstant(`${n.name}_${what}`, new Tensor('float32', [0]));
  inputs[1] ||= empty('roi');
  inputs[2] ||= empty('scales');
  return [{ ...node, inputs }];
}
for (const since of [11, 13, 18]) registerExportConverter({ opType: 'Resize', sinceVersion: since, convert: resizeOlder });
