import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import { NAN_MINMAX } from '../../wgsl/math.js';
import type { InferInput } from '../op.js';

// y = min(max(x, min), max); an omitted bound is not applied (numpy's clip order when min > max).
export const clipWgsl: GpuKernel = ([x, lo, hi], _attrs, [out]) => {
  const inputs: InferInput[] = [x!];
  const index = [0];
  // floats: NaN stays NaN (WGSL's max/min may drop it)
  const f = wgslType(out!.dtype) === 'f32';
  let expr = 'x0';
  if (lo) {
    inputs.push(lo);
    index.push(1);
    expr = `${f ? 'nmax_' : 'max'}(${expr}, x1)`;
  }
  if (hi) {
    inputs.push(hi);
    index.push(2);
    expr = `${f ? 'nmin_' : 'min'}(${expr}, x${inputs.length - 1})`;
  }
  return { programs: [elementwiseProgram({ name: 'Clip', expr, ...(f ? { helpers: NAN_MINMAX } : {}) }, inputs, out!, index)] };
};
