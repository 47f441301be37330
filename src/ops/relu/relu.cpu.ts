import { allocNumeric } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Relu } from './relu.op.js';

export const reluCpu: CpuKernel<typeof Relu.attrs> = ([x], _attrs, [out]) => {
  const a = x!.numeric();
  const y = allocNumeric(out!.dtype, a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i]! > 0 ? a[i]! : 0;
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
