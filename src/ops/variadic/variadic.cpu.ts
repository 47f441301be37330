// Reference kernels of Max, Min, Sum and Mean: a left fold under broadcasting, in the output
// dtype's precision (float16 in float32). Max and Min propagate NaN, as numpy's maximum does.
import type { Tensor } from '../../tensor/tensor.js';
import { foldVariadic, numericResult, type BinaryFn } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';

function foldKernel(fn: BinaryFn): CpuKernel<Record<string, never>> {
  return (inputs, _attrs, [out]) => [numericResult(out!, foldVariadic(inputs as Tensor[], out!, fn))];
}

const max: BinaryFn = (a, b) => (a > b || Number.isNaN(a) ? a : b);
const min: BinaryFn = (a, b) => (a < b || Number.isNaN(a) ? a : b);

export const maxCpu = foldKernel(max);
export const minCpu = foldKernel(min);
export const sumCpu = foldKernel((a, b) => a + b);
export const meanCpu: CpuKernel<Record<string, never>> = (inputs, _attrs, [out]) => {
  const sum = foldVariadic(inputs as Tensor[], out!, (a, b) => a + b);
  for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! / inputs.length;
  return [numericResult(out!, sum)];
};
