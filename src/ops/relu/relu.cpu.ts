import { allocNumeric } from '../../tensor/dtype.js';
import type { CpuKernel } from '../op.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { Relu } from './relu.op.js';

// A dedicated loop (not the shared mapUnary): Relu is on every CNN's hot path, and a monomorphic
// loop lets V8 keep it tight. NaN stays NaN, as max(x, 0) does in numpy.
export const reluCpu: CpuKernel<typeof Relu.attrs> = ([x], _attrs, [out]) => {
  const a = x!.numeric();
  const y = allocNumeric(out!.dtype, a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    y[i] = v < 0 ? 0 : v;
  }
  return [numericResult(out!, y)];
};
