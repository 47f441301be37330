// Export converters for quantization ops. The attributes whose introduction nnrt does not pin
// down exactly (QuantizeLinear `precision`, DequantizeLinear `output_dtype`) are only written
// from opset 25, where both exist.
import type { Node } from '../../../ir/graph.js';
import { dropNewAttrs, notExportable, registerBase, registerExportConverter, type ExportContext } from '../converter.js';

registerBase(10, 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul');
registerBase(11, 'DynamicQuantizeLinear');
registerBase(25, 'QuantizeLinear', 'DequantizeLinear');

const isZero = (v: unknown) => v === 0;

/** Per-axis and blocked quantization came with opset 13 (axis) and 21 (block_size). */
function quantOlder(n: Node, ctx: ExportContext): Node[] {
  let node = n;
  if (ctx.opset < 25) node = dropNewAttrs(node, ctx, 25, n.opType === 'QuantizeLinear' ? { precision: isZero } : { output_dtype: isZero });
  if (ctx.opset < 21) node = dropNewAttrs(node, ctx, 21, n.opType === 'QuantizeLinear' ? { block_size: isZero, output_dtype: isZero } : { block_size: isZero });
  if (ctx.opset < 19 && n.opType === 'QuantizeLinear') node = dropNewAttrs(node, ctx, 19, { saturate: 1 });
  if (ctx.opset < 13) {
    const scale = ctx.typeOf(n.inputs[1]!);
    if (!scale || scale.shape.length !== 0) throw notExportable(n, ctx, 'with a per-axis (or unknown-shape) scale', 'export with opset ≥ 13');
    node = dropNewAttrs(node, ctx, 13, { axis: () => true }); // irrelevant for a scalar scale
  }
  return [node];
}
for (const opType of ['QuantizeLinear', 'DequantizeLinear']) {
  for (const since of [10, 13, 19, 21]) registerExportConverter({ opType, sinceVersion: since, convert: quantOlder });
}
