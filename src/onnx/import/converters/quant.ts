// Import converters for the quantization op family.
import { registerImportConverter } from '../converter.js';

// QuantizeLinear's output type is its zero point's ONNX type. When that type is widened on import
// (int16/uint16 → int32, float8/float4 → float32, int4/int2 → int8, ...), record it in
// `output_dtype` (the opset-21 attribute with that meaning) so the op still knows its range. The
// other changes since opset 10 only added attributes whose defaults keep the old behaviour.
registerImportConverter({
  opType: 'QuantizeLinear',
  sinceVersion: 10,
  convert(node, ctx) {
    const zeroPoint = node.inputs[2];
    const declared = zeroPoint ? ctx.onnxType(zeroPoint) : undefined;
    if (declared === undefined || node.attrs.output_dtype) return [node];
    return [{ ...node, attrs: { ...node.attrs, output_dtype: { type: 'int', value: declared } } }];
  },
});
