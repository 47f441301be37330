import { allocStorage } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { keptSlices, type Compress } from './compress.op.js';

export const compressCpu: CpuKernel<typeof Compress.attrs> = ([x, condition], { axis }, [out]) => {
  const shape = axis === undefined ? [x!.size] : x!.shape;
  const a = axis === undefined ? 0 : normalizeAxis(axis, shape.length);
  const { outer, n, inner } = aroundAxis(shape, a);
  const kept = keptSlices(condition!.numeric(), n);
  const result = allocStorage(x!.dtype, outer * kept.length * inner);
  for (let o = 0; o < outer; o++) {
    kept.forEach((i, j) => copyElements(result, (o * kept.length + j) * inner, x!.data, (o * n + i) * inner, inner));
  }
  return [new Tensor(x!.dtype, out!.shape, result)];
};
