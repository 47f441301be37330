import { allocStorage } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Concat } from './concat.op.js';

// Each output row (the dims before the axis) is the inputs' rows one after another.
export const concatCpu: CpuKernel<typeof Concat.attrs> = (inputs, { axis }, [out]) => {
  const rank = out!.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  const { outer, inner } = aroundAxis(out!.shape, a);
  const data = allocStorage(out!.dtype, outer * out!.shape[a]! * inner);
  const rowLength = out!.shape[a]! * inner;
  let start = 0;
  for (const x of inputs) {
    const chunk = x!.shape[a]! * inner;
    for (let o = 0; o < outer; o++) copyElements(data, o * rowLength + start, x!.data, o * chunk, chunk);
    start += chunk;
  }
  return [new Tensor(out!.dtype, out!.shape, data)];
};
