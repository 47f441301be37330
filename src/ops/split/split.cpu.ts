import { normalizeAxis } from '../../tensor/shape.js';
import { sourceIndices, stridedOffsets, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Split } from './split.op.js';

// Output k is the slice [start_k, start_k + size_k) of x along the axis.
export const splitCpu: CpuKernel<typeof Split.attrs> = ([x], { axis }, outputs) => {
  const a = normalizeAxis(axis, x!.rank);
  const strides = x!.strides;
  let start = 0;
  return outputs.map((out) => {
    const offsets = out.shape.map((n, k) => stridedOffsets(n, k === a ? start : 0, 1, strides[k]!));
    start += out.shape[a]!;
    return takeElements(x!, out.shape, sourceIndices(out.shape, offsets));
  });
};
