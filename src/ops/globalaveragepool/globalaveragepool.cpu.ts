import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { GlobalAveragePool } from './globalaveragepool.op.js';

export const globalAveragePoolCpu: CpuKernel<typeof GlobalAveragePool.attrs> = ([x], _a, [out]) => {
  const X = f32Of(x!);
  const planes = x!.shape[0]! * x!.shape[1]!;
  const size = X.length / planes;
  const Y = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    let sum = 0;
    for (let i = p * size; i < (p + 1) * size; i++) sum += X[i]!;
    Y[p] = sum / size;
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
