import { mapUnary } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { Clip } from './clip.op.js';

export const clipCpu: CpuKernel<typeof Clip.attrs> = ([x, min, max], _attrs, [out]) => {
  const lo = min ? min.numeric()[0]! : -Infinity;
  const hi = max ? max.numeric()[0]! : Infinity;
  // NaN stays NaN (Math.max propagates it)
  return [mapUnary(x!, out!, (v) => Math.min(Math.max(v, lo), hi))];
};
