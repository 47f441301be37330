import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { svmKernel } from '../_kernels/ml-svm.js';
import type { SVMRegressor } from './ml-svmregressor.op.js';

export const svmRegressorCpu: CpuKernel<typeof SVMRegressor.attrs> = ([x], a, [y]) => {
  const n = y!.shape[0]!;
  const features = n > 0 ? x!.size / n : 0;
  const xs = x!.numeric();
  const vectors = a.n_supports;
  const kernel = svmKernel(vectors > 0 ? a.kernel_type : 'LINEAR', a.kernel_params);
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let s: number;
    if (vectors > 0) {
      s = 0;
      for (let v = 0; v < vectors; v++) s += a.coefficients[v]! * Math.fround(kernel(xs, r * features, a.support_vectors, v * features, features));
    } else {
      s = kernel(xs, r * features, a.coefficients, 0, features);
    }
    s += a.rho[0]!;
    out[r] = a.one_class ? (s > 0 ? 1 : -1) : s;
  }
  return [new Tensor('float32', y!.shape, out)];
};
