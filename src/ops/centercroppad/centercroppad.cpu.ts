import { stridesOf } from '../../tensor/shape.js';
import { FILL, sourceIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { CenterCropPad } from './centercroppad.op.js';

export const centerCropPadCpu: CpuKernel<typeof CenterCropPad.attrs> = ([x], _attrs, [out]) => {
  const strides = stridesOf(x!.shape);
  // Along each axis, output coordinate o reads input o + shift, or is padding outside [0, dim).
  const offsets = out!.shape.map((size, a) => {
    const dim = x!.shape[a]!;
    const shift = size <= dim ? Math.floor((dim - size) / 2) : -Math.floor((size - dim) / 2);
    return Int32Array.from({ length: size }, (_, o) => (o + shift >= 0 && o + shift < dim ? (o + shift) * strides[a]! : FILL));
  });
  return [takeElements(x!, out!.shape, sourceIndices(out!.shape, offsets))];
};
