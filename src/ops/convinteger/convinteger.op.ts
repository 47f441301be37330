import { ShapeError } from '../../errors.js';
import { checkPerFilter, convAttrs, convGeometry } from '../_kernels/int-conv.js';
import { defineOp } from '../op.js';

// y = Conv(x - x_zero_point, w - w_zero_point) accumulated in int32; x_zero_point is per tensor,
// w_zero_point per tensor or per output channel. Padding contributes zero (i.e. x_zero_point).
export const ConvInteger = defineOp({
  type: 'ConvInteger',
  domain: '',
  attrs: convAttrs,
  inputs: [2, 4],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8'],
  infer: ([x, w, xZero, wZero], attrs) => {
    if (w!.dtype !== 'int8' && w!.dtype !== 'uint8') throw new ShapeError(`w must be int8 or uint8, got ${w!.dtype}`);
    if (xZero) {
      if (xZero.dtype !== x!.dtype) throw new ShapeError(`x_zero_point is ${xZero.dtype} but x is ${x!.dtype}`);
      checkPerFilter(xZero.shape, 1, 'x_zero_point');
    }
    if (wZero) {
      if (wZero.dtype !== w!.dtype) throw new ShapeError(`w_zero_point is ${wZero.dtype} but w is ${w!.dtype}`);
      checkPerFilter(wZero.shape, w!.shape[0]!, 'w_zero_point');
    }
    return [{ dtype: 'int32', shape: convGeometry(x!.shape, w!.shape, attrs).outShape }];
  },
});
