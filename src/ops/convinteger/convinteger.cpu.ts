import { Tensor } from '../../tensor/tensor.js';
import { convGeometry, int32Conv, shiftFilters } from '../_kernels/int-conv.js';
import type { CpuKernel } from '../op.js';
import type { ConvInteger } from './convinteger.op.js';

export const convIntegerCpu: CpuKernel<typeof ConvInteger.attrs> = ([x, w, xZero, wZero], attrs, [out]) => {
  const geometry = convGeometry(x!.shape, w!.shape, attrs);
  const xs = Int32Array.from(x!.numeric());
  if (xZero) {
    const z = xZero.numeric()[0]!;
    for (let i = 0; i < xs.length; i++) xs[i] = xs[i]! - z;
  }
  const ws = shiftFilters(w!.numeric(), w!.shape[0]!, wZero?.numeric());
  return [new Tensor('int32', out!.shape, int32Conv(xs, x!.shape, ws, w!.shape, attrs.group, geometry))];
};
