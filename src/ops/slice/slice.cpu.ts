import { sourceIndices, stridedOffsets, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { sliceRangesOf, type Slice } from './slice.op.js';

export const sliceCpu: CpuKernel<typeof Slice.attrs> = (inputs, _attrs, [out]) => {
  const x = inputs[0]!;
  const strides = x.strides;
  const ranges = sliceRangesOf(x.shape, inputs.map((t) => t && { dtype: t.dtype, shape: t.shape, value: t }));
  const offsets = ranges.map((r, k) => stridedOffsets(out!.shape[k]!, r.start, r.step, strides[k]!));
  return [takeElements(x, out!.shape, sourceIndices(out!.shape, offsets))];
};
