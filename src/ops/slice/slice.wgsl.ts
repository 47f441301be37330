import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { sliceRangesOf, type Slice } from './slice.op.js';
import { stridesOf } from '../../tensor/shape.js';

// y = x[start:end:step]: read x from Σ start·stride with strides scaled by the steps.
export const sliceWgsl: GpuKernel<typeof Slice.attrs> = (inputs, _a, [out]) => {
  const x = inputs[0]!;
  const ranges = sliceRangesOf(x.shape, inputs);
  const strides = stridesOf(x.shape);
  const base = ranges.reduce((p, r, d) => p + r.start * strides[d]!, 0);
  return {
    programs: [copyProgram(x.dtype, out!.shape, { base, strides: ranges.map((r, d) => r.step * strides[d]!) }, { base: 0 }, [{ input: 0 }, { output: 0 }])],
  };
};
