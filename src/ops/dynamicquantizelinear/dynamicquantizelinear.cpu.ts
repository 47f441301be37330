import { Tensor } from '../../tensor/tensor.js';
import { roundHalfEven } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { DynamicQuantizeLinear } from './dynamicquantizelinear.op.js';

const f = Math.fround;

export const dynamicQuantizeLinearCpu: CpuKernel<typeof DynamicQuantizeLinear.attrs> = ([x], _a, [out]) => {
  const v = x!.numeric();
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < lo) lo = v[i]!;
    if (v[i]! > hi) hi = v[i]!;
  }
  const scale = f(f(hi === lo ? 1 : f(hi - lo)) / 255);
  const zero = roundHalfEven(Math.min(255, Math.max(0, f(0 - f(lo / scale)))));
  const y = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) y[i] = Math.min(255, Math.max(0, roundHalfEven(f(v[i]! / scale)) + zero));
  return [new Tensor('uint8', out!.shape, y), Tensor.scalar('float32', scale), Tensor.scalar('uint8', zero)];
};
