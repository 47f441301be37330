import { attr } from '../../ir/attr.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8 } from '../_kernels/qlinear.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

/** X int8 or uint8; X and Y each with a per-tensor float32 scale and an optional zero point; Y is X's type and shape. */
function qlinearUnaryType([x, xScale, xZero, yScale, yZero]: readonly (InferInput | undefined)[]): TensorType[] {
  checkQuant8(x!, 'X');
  checkScale(xScale, 'X_scale');
  checkScale(yScale, 'Y_scale');
  checkZeroPoint(xZero, x!.dtype, 'X_zero_point');
  checkZeroPoint(yZero, x!.dtype, 'Y_zero_point');
  return [{ dtype: x!.dtype, shape: [...x!.shape] }];
}

// Y = quantize(sigmoid(dequantize(X))) elementwise, per-tensor scales and zero points (omitted: 0).
export const QLinearSigmoid = defineOp({
  type: 'QLinearSigmoid', domain: MS_DOMAIN, attrs: {}, inputs: [4, 5], outputs: [1, 1], dtypes: QUANT8, infer: qlinearUnaryType,
});

// Y = quantize(v ≥ 0 ? v : alpha·v) with v = dequantize(X), elementwise.
export const QLinearLeakyRelu = defineOp({
  type: 'QLinearLeakyRelu', domain: MS_DOMAIN, attrs: { alpha: attr.float(0.01) }, inputs: [4, 5], outputs: [1, 1], dtypes: QUANT8, infer: qlinearUnaryType,
});
