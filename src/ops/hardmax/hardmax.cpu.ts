import { normalizeAxis } from '../../tensor/shape.js';
import { aroundAxis } from '../_kernels/axes.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { Hardmax } from './hardmax.op.js';

export const hardmaxCpu: CpuKernel<typeof Hardmax.attrs> = ([x], { axis }, [out]) => {
  const { outer, n, inner } = aroundAxis(x!.shape, normalizeAxis(axis, x!.rank));
  const src = x!.numeric();
  const y = new Float32Array(src.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let best = 0;
      for (let i = 1; i < n; i++) if (src[(o * n + i) * inner + k]! > src[(o * n + best) * inner + k]!) best = i;
      if (n > 0) y[(o * n + best) * inner + k] = 1;
    }
  }
  return [numericResult(out!, y)];
};
