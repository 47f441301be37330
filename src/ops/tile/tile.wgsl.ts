import { coordMapProgram } from '../../devices/webgpu/coord-map.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';

// y[o] = x[o mod shape(x)] along every axis.
export const tileWgsl: GpuKernel = ([x], _a, [out]) => {
  if (out!.shape.some((d) => d === 0)) return 'an empty output';
  return { programs: [coordMapProgram({ name: 'Tile', dtype: x!.dtype, inShape: x!.shape, outShape: out!.shape, params: {}, axisCode: 'i = o % len;' })] };
};
