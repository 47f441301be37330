import { sourceIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Tile } from './tile.op.js';

// Output coordinate o along an axis of size n reads input coordinate o mod n.
export const tileCpu: CpuKernel<typeof Tile.attrs> = ([x], _attrs, [out]) => {
  const strides = x!.strides;
  const offsets = out!.shape.map((len, k) => Int32Array.from({ length: len }, (_, o) => (o % x!.shape[k]!) * strides[k]!));
  return [takeElements(x!, out!.shape, sourceIndices(out!.shape, offsets))];
};
