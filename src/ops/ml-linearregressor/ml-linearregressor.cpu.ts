import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { transformRows } from '../_kernels/ml-scores.js';
import type { LinearRegressor } from './ml-linearregressor.op.js';

export const linearRegressorCpu: CpuKernel<typeof LinearRegressor.attrs> = ([x], a, [y]) => {
  const [n, targets] = y!.shape as [number, number];
  const features = n > 0 ? x!.size / n : 0;
  const xs = x!.numeric();
  const out = new Float64Array(n * targets);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < targets; t++) {
      let s = a.intercepts?.[t] ?? 0;
      for (let k = 0; k < features; k++) s += xs[r * features + k]! * a.coefficients[t * features + k]!;
      out[r * targets + t] = s;
    }
  }
  transformRows(a.post_transform, out, targets);
  return [Tensor.fromNumeric('float32', y!.shape, out)];
};
