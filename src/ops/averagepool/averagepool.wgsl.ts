import type { GpuKernel } from '../../devices/webgpu/program.js';
import { poolProgram } from '../_wgsl/pool.js';
import type { AveragePool } from './averagepool.op.js';

// Y = mean of each window's in-bounds taps, or with count_include_pad of its taps within the padding.
export const averagePoolWgsl: GpuKernel<typeof AveragePool.attrs> = ([x], a, [out]) => {
  const p = poolProgram(a.count_include_pad ? 'avg-include-pad' : 'avg', x!, out!, a);
  return typeof p === 'string' ? p : { programs: [p] };
};
