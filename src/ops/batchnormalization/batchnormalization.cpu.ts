import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { BatchNormalization } from './batchnormalization.op.js';

export const batchNormalizationCpu: CpuKernel<typeof BatchNormalization.attrs> = ([x, s, b, m, v], a, outs) => {
  const X = f32Of(x!);
  const [n, c] = x!.shape as [number, number];
  const size = X.length / (n * c);
  const scale = f32Of(s!);
  const bias = f32Of(b!);
  let mean: ArrayLike<number> = f32Of(m!);
  let variance: ArrayLike<number> = f32Of(v!);
  const results = [];
  if (a.training_mode) {
    const stats = batchStatistics(X, n, c, size);
    const blend = (running: ArrayLike<number>, batch: Float64Array) =>
      Float32Array.from(batch, (value, ch) => running[ch]! * a.momentum + value * (1 - a.momentum));
    results.push(floatResult(m!.dtype, m!.shape, blend(mean, stats.mean)), floatResult(v!.dtype, v!.shape, blend(variance, stats.variance)));
    mean = stats.mean;
    variance = stats.variance;
  }
  const Y = new Float32Array(X.length);
  for (let ch = 0; ch < c; ch++) {
    const k = scale[ch]! / Math.sqrt(variance[ch]! + a.epsilon);
    const shift = bias[ch]! - mean[ch]! * k;
    for (let i = 0; i < n; i++) {
      const at = (i * c + ch) * size;
      for (let j = at; j < at + size; j++) Y[j] = X[j]! * k + shift;
    }
  }
  return [floatResult(outs[0]!.dtype, outs[0]!.shape, Y), ...results].slice(0, outs.length);
};

/** Per-channel mean and biased variance over the batch and spatial dims. */
function batchStatistics(X: Float32Array, n: number, c: number, size: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const count = n * size;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let j = (i * c + ch) * size, e = j + size; j < e; j++) sum += X[j]!;
    const mu = sum / count;
    let sq = 0;
    for (let i = 0; i < n; i++) for (let j = (i * c + ch) * size, e = j + size; j < e; j++) sq += (X[j]! - mu) ** 2;
    mean[ch] = mu;
    variance[ch] = sq / count;
  }
  return { mean, variance };
}
