import { broadcastStrides } from '../../tensor/shape.js';
import { sourceIndices, stridedOffsets, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Expand } from './expand.op.js';

export const expandCpu: CpuKernel<typeof Expand.attrs> = ([x], _attrs, [out]) => {
  const strides = broadcastStrides(x!.shape, out!.shape);
  const offsets = out!.shape.map((n, k) => stridedOffsets(n, 0, 1, strides[k]!));
  return [takeElements(x!, out!.shape, sourceIndices(out!.shape, offsets))];
};
