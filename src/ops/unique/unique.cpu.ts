import { allocStorage } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { uniqueLayout, uniqueOf, type Unique } from './unique.op.js';

export const uniqueCpu: CpuKernel<typeof Unique.attrs> = ([x], { axis, sorted }, outs) => {
  const { first, inverse, counts } = uniqueOf(x!, axis, sorted);
  const { outer, n, inner } = uniqueLayout(x!.shape, axis);
  const y = allocStorage(x!.dtype, outer * first.length * inner);
  for (let o = 0; o < outer; o++) {
    first.forEach((i, j) => copyElements(y, (o * first.length + j) * inner, x!.data, (o * n + i) * inner, inner));
  }
  const ints = (k: number, v: number[]) => Tensor.fromNumeric('int64', outs[k]!.shape, v);
  return [new Tensor(x!.dtype, outs[0]!.shape, y), ints(1, first), ints(2, inverse), ints(3, counts)].slice(0, outs.length);
};
