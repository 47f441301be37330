import { normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel, TensorType } from '../op.js';
import type { SimplifiedLayerNormalization, SkipLayerNormalization } from './ms-layernorm.op.js';

interface RowStats { mean: Float32Array; invStd: Float32Array }

/** Normalizes each row of `size` values of s in place: (s − mean)·inv·gamma + beta, or RMS. */
function normalizeRows(
  s: Float32Array, size: number, eps: number, rms: boolean, gamma: Float32Array, beta: Float32Array | undefined,
): RowStats {
  const rows = size === 0 ? 0 : s.length / size;
  const stats = { mean: new Float32Array(rows), invStd: new Float32Array(rows) };
  for (let r = 0; r < rows; r++) {
    const at = r * size;
    let mean = 0;
    if (!rms) {
      for (let j = 0; j < size; j++) mean += s[at + j]!;
      mean /= size;
    }
    let sq = 0;
    for (let j = 0; j < size; j++) sq += (s[at + j]! - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / size + eps);
    for (let j = 0; j < size; j++) s[at + j] = (s[at + j]! - mean) * inv * gamma[j]! + (beta ? beta[j]! : 0);
    stats.mean[r] = mean;
    stats.invStd[r] = inv;
  }
  return stats;
}

function skipNorm(ins: readonly (Tensor | undefined)[], eps: number, outs: readonly TensorType[], rms: boolean): Tensor[] {
  const [x, skip, gamma] = ins;
  const beta = rms ? undefined : ins[3];
  const bias = rms ? ins[3] : ins[4];
  const X = f32Of(x!);
  const S = f32Of(skip!);
  const B = bias && f32Of(bias);
  const h = x!.shape.at(-1)!;
  const sum = new Float32Array(X.length);
  for (let i = 0; i < X.length; i++) sum[i] = X[i]! + S[i % S.length]! + (B ? B[i % h]! : 0);
  const y = Float32Array.from(sum);
  const stats = normalizeRows(y, h, eps, rms, f32Of(gamma!), beta && f32Of(beta));
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, y)];
  if (outs[1]) results.push(floatResult('float32', outs[1].shape, stats.mean));
  if (outs[2]) results.push(floatResult('float32', outs[2].shape, stats.invStd));
  if (outs[3]) results.push(floatResult(outs[3].dtype, outs[3].shape, sum));
  return results;
}

export const skipLayerNormalizationCpu: CpuKernel<typeof SkipLayerNormalization.attrs> = (ins, a, outs) => skipNorm(ins, a.epsilon, outs, false);
export const skipSimplifiedLayerNormalizationCpu: CpuKernel<typeof SkipLayerNormalization.attrs> = (ins, a, outs) => skipNorm(ins, a.epsilon, outs, true);

export const simplifiedLayerNormalizationCpu: CpuKernel<typeof SimplifiedLayerNormalization.attrs> = ([x, scale], a, outs) => {
  const size = x!.shape.slice(normalizeAxis(a.axis, x!.rank)).reduce((p, q) => p * q, 1);
  const y = Float32Array.from(f32Of(x!));
  const stats = normalizeRows(y, size, a.epsilon, true, f32Of(scale!), undefined);
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, y)];
  for (let i = 1; i < outs.length; i++) if (outs[i]) results.push(floatResult('float32', outs[i]!.shape, stats.invStd));
  return results;
};
