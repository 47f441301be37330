import { stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { nonZeroPositions, type NonZero } from './nonzero.op.js';

export const nonZeroCpu: CpuKernel<typeof NonZero.attrs> = ([x], _attrs, [out]) => {
  const positions = nonZeroPositions(x!.numeric());
  const rank = x!.rank;
  const strides = stridesOf(x!.shape);
  const n = positions.length;
  const coords = new Float64Array(rank * n);
  positions.forEach((p, j) => {
    let rest = p;
    for (let d = 0; d < rank; d++) {
      coords[d * n + j] = Math.floor(rest / strides[d]!);
      rest %= strides[d]!;
    }
  });
  return [Tensor.fromNumeric('int64', out!.shape, coords)];
};
