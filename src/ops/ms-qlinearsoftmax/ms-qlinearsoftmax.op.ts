import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8, required } from '../_kernels/qlinear.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

/** The softmax axis: `axis` when given, else Softmax's default at the node's `opset` (1 before 13, −1 from 13). */
export function softmaxAxis(axis: number | undefined, opset: number, rank: number): number {
  return normalizeAxis(axis ?? (opset < 13 ? 1 : -1), rank);
}

// Y = quantize(Softmax(dequantize(X))) with Softmax's semantics at `opset`: before 13 over the
// dims from `axis` on flattened, from 13 along `axis` alone. x_zero_point may be omitted (softmax
// does not depend on it); y_zero_point is required. Scales and zero points are per tensor.
export const QLinearSoftmax = defineOp({
  type: 'QLinearSoftmax',
  domain: MS_DOMAIN,
  attrs: { axis: attr.optional(attr.int()), opset: attr.int() },
  inputs: [5, 5],
  outputs: [1, 1],
  dtypes: QUANT8,
  infer: ([x, xScale, xZero, yScale, yZero], { axis, opset }) => {
    checkQuant8(x!, 'X');
    checkScale(xScale, 'X_scale');
    checkScale(yScale, 'y_scale');
    checkZeroPoint(xZero, x!.dtype, 'x_zero_point');
    checkZeroPoint(required(yZero, 'y_zero_point'), x!.dtype, 'y_zero_point');
    softmaxAxis(axis, opset, x!.shape.length);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
