import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import type { CpuKernel } from '../op.js';
import type { LogSoftmax, Softmax } from './softmax.op.js';

/** Applies `lane` in place to a float64 copy of every 1-D lane of x along `axis`; returns all lanes. */
function alongAxis(x: Tensor, axis: number, lane: (v: Float64Array) => void): Float64Array {
  const src = x.numeric();
  const { outer, n, inner } = aroundAxis(x.shape, normalizeAxis(axis, x.rank));
  const out = new Float64Array(src.length);
  const v = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      for (let i = 0; i < n; i++) v[i] = src[base + i * inner]!;
      lane(v);
      for (let i = 0; i < n; i++) out[base + i * inner] = v[i]!;
    }
  }
  return out;
}

/** Subtracts the lane's max (for stable exp) and returns sum(exp(v)) of the shifted values. */
function shiftAndSumExp(v: Float64Array): number {
  let max = -Infinity;
  for (const a of v) if (a > max) max = a;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = v[i]! - max;
    sum += Math.exp(v[i]!);
  }
  return sum;
}

export const softmaxCpu: CpuKernel<typeof Softmax.attrs> = ([x], { axis }, [out]) => {
  const y = alongAxis(x!, axis, (v) => {
    const sum = shiftAndSumExp(v);
    for (let i = 0; i < v.length; i++) v[i] = Math.exp(v[i]!) / sum;
  });
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};

export const logSoftmaxCpu: CpuKernel<typeof LogSoftmax.attrs> = ([x], { axis }, [out]) => {
  const y = alongAxis(x!, axis, (v) => {
    const logSum = Math.log(shiftAndSumExp(v));
    for (let i = 0; i < v.length; i++) v[i] = v[i]! - logSum;
  });
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
