import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { InstanceNormalization } from './instancenormalization.op.js';

export const instanceNormalizationCpu: CpuKernel<typeof InstanceNormalization.attrs> = ([x, s, b], a, [out]) => {
  const X = f32Of(x!);
  const c = x!.shape[1]!;
  const planes = x!.shape[0]! * c;
  const size = X.length / planes;
  const scale = f32Of(s!);
  const bias = f32Of(b!);
  const Y = new Float32Array(X.length);
  for (let p = 0; p < planes; p++) {
    const at = p * size;
    let sum = 0;
    for (let j = at; j < at + size; j++) sum += X[j]!;
    const mean = sum / size;
    let sq = 0;
    for (let j = at; j < at + size; j++) sq += (X[j]! - mean) ** 2;
    const k = scale[p % c]! / Math.sqrt(sq / size + a.epsilon);
    const shift = bias[p % c]! - mean * k;
    for (let j = at; j < at + size; j++) Y[j] = X[j]! * k + shift;
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
