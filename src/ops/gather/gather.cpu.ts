import { ShapeError } from '../../errors.js';
import { allocStorage } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Gather } from './gather.op.js';

export const gatherCpu: CpuKernel<typeof Gather.attrs> = ([data, indices], { axis }, [out]) => {
  const a = normalizeAxis(axis, data!.rank);
  const { outer, n, inner } = aroundAxis(data!.shape, a);
  const idx = indices!.numeric();
  const result = allocStorage(out!.dtype, outer * idx.length * inner);
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]! < 0 ? idx[j]! + n : idx[j]!;
    if (i < 0 || i >= n) throw new ShapeError(`index ${idx[j]} is out of range for axis ${a} of size ${n}`);
    for (let o = 0; o < outer; o++) copyElements(result, (o * idx.length + j) * inner, data!.data, (o * n + i) * inner, inner);
  }
  return [new Tensor(out!.dtype, out!.shape, result)];
};
