import { ShapeError } from '../../errors.js';
import { laneParam, matmulShape } from '../_kernels/int-matmul.js';
import { defineOp } from '../op.js';

// y = saturate(round_half_even((a - a_zp)·(b - b_zp) · a_scale·b_scale / y_scale) + y_zp), the
// product accumulated in int32. a's scale and zero point are per tensor or per row, b's per tensor
// or per column; y's per tensor. The output has y_zero_point's type.
export const QLinearMatMul = defineOp({
  type: 'QLinearMatMul',
  domain: '',
  attrs: {},
  inputs: [8, 8],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8'],
  infer: ([a, aScale, aZero, b, bScale, bZero, yScale, yZero]) => {
    const scaleType = aScale!.dtype;
    if (scaleType !== 'float32' && scaleType !== 'float16') throw new ShapeError(`a_scale must be float32 or float16, got ${scaleType}`);
    for (const [t, name] of [[bScale, 'b_scale'], [yScale, 'y_scale']] as const) {
      if (t!.dtype !== scaleType) throw new ShapeError(`${name} is ${t!.dtype} but a_scale is ${scaleType}; the scales must share a type`);
    }
    for (const [zp, x, name] of [[aZero, a, 'a_zero_point'], [bZero, b, 'b_zero_point']] as const) {
      if (zp!.dtype !== x!.dtype) throw new ShapeError(`${name} is ${zp!.dtype} but its operand is ${x!.dtype}`);
    }
    if (b!.dtype !== 'int8' && b!.dtype !== 'uint8') throw new ShapeError(`b must be int8 or uint8, got ${b!.dtype}`);
    if (yZero!.dtype !== 'int8' && yZero!.dtype !== 'uint8') throw new ShapeError(`y_zero_point must be int8 or uint8, got ${yZero!.dtype}`);
    for (const [t, x, side, name] of [[aScale, a, 'a', 'a_scale'], [aZero, a, 'a', 'a_zero_point'], [bScale, b, 'b', 'b_scale'], [bZero, b, 'b', 'b_zero_point']] as const) {
      if (laneParam(t!.shape, x!.shape, side, name) === 'batched') {
        throw new ShapeError(`${name} must be a scalar or 1-D (per ${side === 'a' ? 'row' : 'column'}), got shape [${t!.shape.join(',')}]`);
      }
    }
    for (const [t, name] of [[yScale, 'y_scale'], [yZero, 'y_zero_point']] as const) {
      if (t!.shape.reduce((n, d) => n * d, 1) !== 1) throw new ShapeError(`${name} must hold one value, got shape [${t!.shape.join(',')}]`);
    }
    return [{ dtype: yZero!.dtype, shape: matmulShape(a!.shape, b!.shape) }];
  },
});
