import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { GlobalMaxPool } from './globalmaxpool.op.js';

export const globalMaxPoolCpu: CpuKernel<typeof GlobalMaxPool.attrs> = ([x], _a, [out]) => {
  const X = f32Of(x!);
  const planes = x!.shape[0]! * x!.shape[1]!;
  const size = X.length / planes;
  const Y = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    let best = -Infinity;
    for (let i = p * size; i < (p + 1) * size; i++) if (X[i]! > best || Number.isNaN(X[i]!)) best = X[i]!; // NaN wins and stays
    Y[p] = best;
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
