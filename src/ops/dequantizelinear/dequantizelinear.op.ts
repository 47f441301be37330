import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { paramLayout, quantAxis } from '../_kernels/quant.js';
import { defineOp } from '../op.js';

// y = (x - x_zero_point) * x_scale, per tensor, per axis or per block. x is int8/uint8/int32, or
// a widened int16/uint16/int4/uint4/int2/uint2 (int32/int8/uint8) or float8/float4 (float32): the
// formula is the same for all, so the original type is not needed.
export const DequantizeLinear = defineOp({
  type: 'DequantizeLinear',
  domain: '',
  attrs: {
    axis: attr.int(1),
    block_size: attr.int(0),
    output_dtype: attr.int(0),
  },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8', 'int32', 'float32'],
  infer: ([x, scale, zeroPoint], attrs) => {
    if (scale!.dtype !== 'float32' && scale!.dtype !== 'float16') {
      throw new ShapeError(`x_scale must be float32 or float16, got ${scale!.dtype}`);
    }
    if (zeroPoint && zeroPoint.dtype !== x!.dtype) {
      throw new ShapeError(`x_zero_point is ${zeroPoint.dtype} but x is ${x!.dtype}; they must have the same type`);
    }
    const axis = quantAxis(attrs.axis, x!.shape, [scale!.shape, zeroPoint?.shape]);
    paramLayout(scale!.shape, x!.shape, axis, attrs.block_size, 'x_scale');
    if (zeroPoint) paramLayout(zeroPoint.shape, x!.shape, axis, attrs.block_size, 'x_zero_point');
    return [{ dtype: dequantizeOutput(attrs.output_dtype, scale!.dtype), shape: [...x!.shape] }];
  },
});

/** `output_dtype` (ONNX float, float16 or bfloat16 → float32) when set, else the scale's dtype. */
function dequantizeOutput(code: number, scaleDtype: DType): DType {
  switch (code) {
    case 0: return scaleDtype;
    case 1: case 16: return 'float32';
    case 10: return 'float16';
  }
  throw new UnsupportedError(`output_dtype ${code} is not a float type (ONNX float 1, float16 10, bfloat16 16)`);
}
