import { UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { DequantizeLinear } from '../dequantizelinear/dequantizelinear.op.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';
import { QuantizeLinear } from '../quantizelinear/quantizelinear.op.js';

// The com.microsoft QuantizeLinear and DequantizeLinear that older onnxruntime quantization tools
// wrote: the ai.onnx ops' math (per tensor or per `axis`), with `axis` their only attribute. The
// ONNX importer adds `output_dtype` to QuantizeLinear, as it does to the ai.onnx op, when the zero
// point's type was widened on import (int16/uint16 → int32, int4/uint4 → int8/uint8).

/** The ai.onnx QuantizeLinear attributes that give the com.microsoft op's behaviour. */
export const quantizeAttrs = ({ axis, output_dtype }: { axis: number; output_dtype: number }) => ({ axis, block_size: 0, output_dtype, precision: 0, saturate: 1 });
/** Likewise for DequantizeLinear. */
export const dequantizeAttrs = ({ axis }: { axis: number }) => ({ axis, block_size: 0, output_dtype: 0 });

// y = saturate(round_half_even(x / y_scale) + y_zero_point), int8 or uint8 (uint8 when the zero point is omitted)
export const MsQuantizeLinear = defineOp({
  type: 'QuantizeLinear',
  domain: MS_DOMAIN,
  // output_dtype: the importer's record of the zero point's ONNX type (0: its IR dtype says it)
  attrs: { axis: attr.int(1), output_dtype: attr.int(0) },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: (inputs, attrs) => {
    const zp = inputs[2];
    if (zp && zp.dtype !== 'int8' && zp.dtype !== 'uint8' && !attrs.output_dtype) {
      // an int16/uint16 zero point arrives as int32, which alone no longer says the range to saturate to
      throw new UnsupportedError(`com.microsoft QuantizeLinear's y_zero_point is ${zp.dtype} with no record of its ONNX type, so the range to saturate to is unknown`, {
        hint: 'load the model through the ONNX importer (it records the zero point\'s type), or use int8/uint8 zero points',
      });
    }
    return QuantizeLinear.infer(inputs, quantizeAttrs(attrs), 1);
  },
});

// y = (x − x_zero_point) · x_scale, x int8, uint8 or int32 (16-bit and 4-bit x arrive widened; the formula is the same)
export const MsDequantizeLinear = defineOp({
  type: 'DequantizeLinear',
  domain: MS_DOMAIN,
  attrs: { axis: attr.int(1) },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8', 'int32'],
  infer: (inputs, attrs) => DequantizeLinear.infer(inputs, dequantizeAttrs(attrs), 1),
});
