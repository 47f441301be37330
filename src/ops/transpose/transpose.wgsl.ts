import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { Transpose } from './transpose.op.js';
import { stridesOf } from '../../tensor/shape.js';

// y[c] = x[c permuted back]: walk the output, read x through its strides permuted by `perm`.
export const transposeWgsl: GpuKernel<typeof Transpose.attrs> = ([x], a, [out]) => {
  const rank = x!.shape.length;
  const perm = a.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const strides = stridesOf(x!.shape);
  return {
    programs: [copyProgram(x!.dtype, out!.shape, { base: 0, strides: perm.map((p) => strides[p]!) }, { base: 0 }, [{ input: 0 }, { output: 0 }])],
  };
};
