import { sizeOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { LRN } from './lrn.op.js';

export const lrnCpu: CpuKernel<typeof LRN.attrs> = ([x], { alpha, beta, bias, size }, [out]) => {
  const X = f32Of(x!);
  const [n, c] = x!.shape as [number, number];
  const plane = sizeOf(x!.shape.slice(2));
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const Y = new Float32Array(X.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - before);
      const hi = Math.min(c - 1, ch + after);
      for (let s = 0; s < plane; s++) {
        let sq = 0;
        for (let k = lo; k <= hi; k++) sq += X[(b * c + k) * plane + s]! ** 2;
        const at = (b * c + ch) * plane + s;
        Y[at] = X[at]! / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
