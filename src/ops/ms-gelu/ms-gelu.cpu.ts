import type { Tensor } from '../../tensor/tensor.js';
import { erf } from '../_kernels/erf.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel, TensorType } from '../op.js';
import type { QuickGelu } from './ms-gelu.op.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** f(x + bias) elementwise, bias broadcast over the last dim. */
function biased(x: Tensor, bias: Tensor | undefined, out: TensorType, f: (v: number) => number): Tensor {
  const X = f32Of(x);
  const B = bias && f32Of(bias);
  const y = new Float32Array(X.length);
  const h = B ? B.length : 1;
  for (let i = 0; i < X.length; i++) y[i] = f(B ? X[i]! + B[i % h]! : X[i]!);
  return floatResult(out.dtype, out.shape, y);
}

const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));

export const msGeluCpu: CpuKernel = ([x], _a, [out]) => [biased(x!, undefined, out!, gelu)];
export const biasGeluCpu: CpuKernel = ([x, b], _a, [out]) => [biased(x!, b, out!, gelu)];
export const fastGeluCpu: CpuKernel = ([x, b], _a, [out]) =>
  [biased(x!, b, out!, (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))))];
export const quickGeluCpu: CpuKernel<typeof QuickGelu.attrs> = ([x], { alpha }, [out]) =>
  [biased(x!, undefined, out!, (v) => v / (1 + Math.exp(-alpha * v)))];
