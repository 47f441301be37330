import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { DTYPE_ELEMENT_TYPE, ELEMENT_TYPE, type ElementType } from '../../tensor/element-type.js';
import { paramLayout, quantAxis, quantType } from '../_kernels/quant.js';
import { defineOp } from '../op.js';

// y = saturate(round_half_even(x / y_scale) + y_zero_point), per tensor, per axis or per block.
// `output_dtype` (an ONNX type code) or the zero point's type picks the quantized type; the ONNX
// importer sets `output_dtype` when the zero point's type was widened (int16 → int32, float8 →
// float32), since the IR dtype alone no longer says which range to saturate to.
export const QuantizeLinear = defineOp({
  type: 'QuantizeLinear',
  domain: '',
  attrs: {
    axis: attr.int(1),
    block_size: attr.int(0),
    output_dtype: attr.int(0),
    precision: attr.int(0),
    saturate: attr.int(1),
  },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16', 'int32'],
  infer: ([x, scale, zeroPoint], attrs) => {
    const target = quantizeTarget(attrs.output_dtype, zeroPoint?.dtype);
    if (scale!.dtype !== 'float32' && scale!.dtype !== 'float16') {
      throw new ShapeError(`y_scale must be float32 or float16, got ${scale!.dtype}`);
    }
    const axis = quantAxis(attrs.axis, x!.shape, [scale!.shape, zeroPoint?.shape]);
    paramLayout(scale!.shape, x!.shape, axis, attrs.block_size, 'y_scale');
    if (zeroPoint) {
      paramLayout(zeroPoint.shape, x!.shape, axis, attrs.block_size, 'y_zero_point');
      if (zeroPoint.shape.join(',') !== scale!.shape.join(',') && zeroPoint.shape.reduce((n, d) => n * d, 1) !== 1) {
        throw new ShapeError(`y_zero_point [${zeroPoint.shape.join(',')}] and y_scale [${scale!.shape.join(',')}] must have the same shape`);
      }
    }
    return [{ dtype: target.dtype, shape: [...x!.shape] }];
  },
});

/** The quantized type of the output: `output_dtype` when set (it must agree with the zero point), else the zero point's, else uint8. */
export function quantizeTarget(outputDtype: number, zeroPointDtype: DType | undefined): ElementType {
  if (outputDtype) {
    const t = quantType(outputDtype, 'output_dtype');
    if (zeroPointDtype && zeroPointDtype !== t.dtype) {
      throw new ShapeError(`y_zero_point is ${zeroPointDtype} but output_dtype is ${t.name} (held as ${t.dtype})`);
    }
    return t;
  }
  if (!zeroPointDtype) return quantType(ELEMENT_TYPE.UINT8, 'output type');
  if (zeroPointDtype !== 'int8' && zeroPointDtype !== 'uint8') {
    throw new ShapeError(`y_zero_point is ${zeroPointDtype}, which says no quantized type by itself; set output_dtype`, {
      hint: 'the ONNX importer sets output_dtype for zero points it widens (int16, uint16, float8, float4, int4, ...)',
    });
  }
  return quantType(DTYPE_ELEMENT_TYPE[zeroPointDtype], 'y_zero_point');
}
