import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8, required } from '../_kernels/qlinear.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

// Y[n, c] = quantize(mean over the spatial positions of dequantize(X[n, c, …])), X [N, C, D1…Dr]
// or, with channels_last, [N, D1…Dr, C]; Y keeps X's rank with the spatial dims 1. Every scale and
// zero point is per tensor, and all four are required.
export const QLinearGlobalAveragePool = defineOp({
  type: 'QLinearGlobalAveragePool',
  domain: MS_DOMAIN,
  attrs: { channels_last: attr.int(0) },
  inputs: [5, 5],
  outputs: [1, 1],
  dtypes: QUANT8,
  infer: ([x, xScale, xZero, yScale, yZero], { channels_last }) => {
    checkQuant8(x!, 'X');
    checkScale(xScale, 'x_scale');
    checkScale(yScale, 'y_scale');
    checkZeroPoint(required(xZero, 'x_zero_point'), x!.dtype, 'x_zero_point');
    checkZeroPoint(required(yZero, 'y_zero_point'), x!.dtype, 'y_zero_point');
    const s = x!.shape;
    if (s.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…] or [N, spatial…, C]), got [${s.join(',')}]`);
    const shape = channels_last ? [s[0]!, ...s.slice(1, -1).map(() => 1), s.at(-1)!] : [s[0]!, s[1]!, ...s.slice(2).map(() => 1)];
    return [{ dtype: x!.dtype, shape }];
  },
});
