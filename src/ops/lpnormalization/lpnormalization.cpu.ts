import { normalizeAxis } from '../../tensor/shape.js';
import { aroundAxis } from '../_kernels/axes.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { LpNormalization } from './lpnormalization.op.js';

// A zero vector stays zero (the backend test test_l2normalization_axis_0 expects 0, not 0/0).
export const lpNormalizationCpu: CpuKernel<typeof LpNormalization.attrs> = ([x], { axis, p }, [out]) => {
  const X = f32Of(x!);
  const { outer, n, inner } = aroundAxis(x!.shape, normalizeAxis(axis, x!.rank));
  const Y = new Float32Array(X.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let norm = 0;
      for (let i = 0; i < n; i++) {
        const v = X[(o * n + i) * inner + k]!;
        norm += p === 1 ? Math.abs(v) : v * v;
      }
      if (p === 2) norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) Y[(o * n + i) * inner + k] = norm === 0 ? 0 : X[(o * n + i) * inner + k]! / norm;
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
