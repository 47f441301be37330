import type { GpuKernel } from '../../devices/webgpu/program.js';
import { meanVarianceProgram } from '../../devices/webgpu/reduce.js';
import { normalizeAxes } from '../_kernels/axes.js';
import { MVN_EPSILON, type MeanVarianceNormalization } from './meanvariancenormalization.op.js';

// y = (x − E[x]) / (√Var[x] + 1e-9) over `axes`: one workgroup per statistics slot.
export const meanVarianceNormalizationWgsl: GpuKernel<typeof MeanVarianceNormalization.attrs> = ([x], { axes }, [out]) => ({
  programs: [meanVarianceProgram(x!.shape, normalizeAxes(axes, x!.shape.length), MVN_EPSILON, out!)],
});
