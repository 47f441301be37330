import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { normalizeAxis, stridesOf } from '../../tensor/shape.js';
import type { Split } from './split.op.js';

// One copy per output from its slab of the input along `axis`; the sizes are the outputs' shapes.
export const splitWgsl: GpuKernel<typeof Split.attrs> = ([x], a, outs) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const strides = stridesOf(x!.shape);
  const programs: Program[] = [];
  let offset = 0;
  outs.forEach((o, k) => {
    if (o.shape.every((d) => d > 0)) {
      programs.push(copyProgram(x!.dtype, o.shape, { base: offset * strides[axis]!, strides }, { base: 0 }, [{ input: 0 }, { output: k }]));
    }
    offset += o.shape[axis]!;
  });
  return { programs };
};
