import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Range } from './range.op.js';

export const rangeCpu: CpuKernel<typeof Range.attrs> = ([start, , delta], _attrs, [out]) => {
  const s = start!.numeric()[0]!;
  const d = delta!.numeric()[0]!;
  return [Tensor.fromNumeric(out!.dtype, out!.shape, Array.from({ length: out!.shape[0]! }, (_, i) => s + i * d))];
};
