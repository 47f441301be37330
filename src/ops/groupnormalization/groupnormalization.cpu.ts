import { sizeOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { rowStats } from '../_kernels/row-stats.js';
import type { CpuKernel } from '../op.js';
import type { GroupNormalization } from './groupnormalization.op.js';

export const groupNormalizationCpu: CpuKernel<typeof GroupNormalization.attrs> = ([x, s, b], a, [out]) => {
  const X = f32Of(x!);
  const scale = f32Of(s!);
  const bias = f32Of(b!);
  const [n, c] = x!.shape as [number, number];
  const plane = sizeOf(x!.shape.slice(2));
  const perGroup = c / a.num_groups;
  const size = perGroup * plane;
  const Y = new Float32Array(X.length);
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < a.num_groups; g++) {
      const at = (i * c + g * perGroup) * plane;
      const { mean, inv } = rowStats(X, at, size, a.epsilon);
      for (let j = 0; j < size; j++) {
        const k = a.nnrt_per_group ? g : g * perGroup + Math.floor(j / plane);
        Y[at + j] = (X[at + j]! - mean) * inv * scale[k]! + bias[k]!;
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
