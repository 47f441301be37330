import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { normalizeAxis, stridesOf } from '../../tensor/shape.js';
import type { Concat } from './concat.op.js';

// One copy per input into its slab of the output along `axis` (empty inputs copy nothing).
export const concatWgsl: GpuKernel<typeof Concat.attrs> = (inputs, a, [out]) => {
  const axis = normalizeAxis(a.axis, out!.shape.length);
  const outStrides = stridesOf(out!.shape);
  const programs: Program[] = [];
  let offset = 0;
  inputs.forEach((x, i) => {
    if (x!.shape.every((d) => d > 0)) {
      programs.push(copyProgram(x!.dtype, x!.shape, { base: 0 }, { base: offset * outStrides[axis]!, strides: outStrides }, [{ input: i }, { output: 0 }]));
    }
    offset += x!.shape[axis]!;
  });
  return { programs };
};
