import { ShapeError } from '../../errors.js';
import { checkPerFilter, convAttrs, convGeometry } from '../_kernels/int-conv.js';
import { defineOp } from '../op.js';

// y = saturate(round_half_even(Conv(x - x_zp, w - w_zp) + B) · x_scale·w_scale / y_scale) + y_zp),
// accumulated in int32. w's scale and zero point are per tensor or per output channel; B is int32
// with one value per output channel. The output has y_zero_point's type.
export const QLinearConv = defineOp({
  type: 'QLinearConv',
  domain: '',
  attrs: convAttrs,
  inputs: [8, 9],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8'],
  infer: ([x, xScale, xZero, w, wScale, wZero, yScale, yZero, bias], attrs) => {
    const filters = w!.shape[0]!;
    for (const [t, name] of [[xScale, 'x_scale'], [wScale, 'w_scale'], [yScale, 'y_scale']] as const) {
      if (t!.dtype !== 'float32') throw new ShapeError(`${name} must be float32, got ${t!.dtype}`);
    }
    for (const [zp, q, name] of [[xZero, x, 'x_zero_point'], [wZero, w, 'w_zero_point']] as const) {
      if (zp!.dtype !== q!.dtype) throw new ShapeError(`${name} is ${zp!.dtype} but its operand is ${q!.dtype}`);
    }
    if (w!.dtype !== 'int8' && w!.dtype !== 'uint8') throw new ShapeError(`w must be int8 or uint8, got ${w!.dtype}`);
    if (yZero!.dtype !== 'int8' && yZero!.dtype !== 'uint8') throw new ShapeError(`y_zero_point must be int8 or uint8, got ${yZero!.dtype}`);
    checkPerFilter(xScale!.shape, 1, 'x_scale');
    checkPerFilter(xZero!.shape, 1, 'x_zero_point');
    checkPerFilter(wScale!.shape, filters, 'w_scale');
    checkPerFilter(wZero!.shape, filters, 'w_zero_point');
    checkPerFilter(yScale!.shape, 1, 'y_scale');
    checkPerFilter(yZero!.shape, 1, 'y_zero_point');
    if (bias) {
      if (bias.dtype !== 'int32') throw new ShapeError(`B must be int32, got ${bias.dtype}`);
      if (bias.shape.length !== 1 || bias.shape[0] !== filters) throw new ShapeError(`B of shape [${bias.shape.join(',')}] must be [${filters}]`);
    }
    return [{ dtype: yZero!.dtype, shape: convGeometry(x!.shape, w!.shape, attrs).outShape }];
  },
});
