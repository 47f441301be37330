import type { GpuKernel } from '../../devices/webgpu/program.js';
import { reduceProgram } from '../../devices/webgpu/reduce.js';

// Y[n, c] = max of X[n, c, …]: a max reduction over the spatial axes.
export const globalMaxPoolWgsl: GpuKernel = ([x], _a, [out]) => {
  if (x!.dtype !== 'float32' && x!.dtype !== 'float16') return `GlobalMaxPool of ${x!.dtype}`;
  return { programs: [reduceProgram('max', x!.shape, x!.shape.map((_, i) => i).slice(2), out!)] };
};
