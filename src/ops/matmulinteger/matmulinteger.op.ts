import { ShapeError } from '../../errors.js';
import { laneParam, matmulShape } from '../_kernels/int-matmul.js';
import { defineOp } from '../op.js';

// Y = (A - a_zero_point) · (B - b_zero_point) in int32 (numpy matmul shapes); a_zero_point is per
// tensor or per row of A, b_zero_point per tensor or per column of B.
export const MatMulInteger = defineOp({
  type: 'MatMulInteger',
  domain: '',
  attrs: {},
  inputs: [2, 4],
  outputs: [1, 1],
  dtypes: ['int8', 'uint8'],
  infer: ([a, b, aZero, bZero]) => {
    if (b!.dtype !== 'int8' && b!.dtype !== 'uint8') throw new ShapeError(`B must be int8 or uint8, got ${b!.dtype}`);
    for (const [zp, x, name] of [[aZero, a, 'a_zero_point'], [bZero, b, 'b_zero_point']] as const) {
      if (zp && zp.dtype !== x!.dtype) throw new ShapeError(`${name} is ${zp.dtype} but its operand is ${x!.dtype}`);
    }
    if (aZero) laneParam(aZero.shape, a!.shape, 'a', 'a_zero_point');
    if (bZero) laneParam(bZero.shape, b!.shape, 'b', 'b_zero_point');
    return [{ dtype: 'int32', shape: matmulShape(a!.shape, b!.shape) }];
  },
});
