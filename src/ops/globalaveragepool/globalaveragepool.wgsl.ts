import type { GpuKernel } from '../../devices/webgpu/program.js';
import { reduceProgram } from '../../devices/webgpu/reduce.js';
import type { GlobalAveragePool } from './globalaveragepool.op.js';

// Y[n, c] = mean of X[n, c, …]: a mean reduction over the spatial axes.
export const globalAveragePoolWgsl: GpuKernel<typeof GlobalAveragePool.attrs> = ([x], _a, [out]) => ({
  programs: [reduceProgram('mean', x!.shape, x!.shape.map((_, i) => i).slice(2), out!)],
});
