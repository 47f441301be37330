import type { GpuKernel } from '../../devices/webgpu/program.js';
import { poolProgram } from '../_wgsl/pool.js';
import type { MaxPool } from './maxpool.op.js';

// Y = max over the in-bounds taps of each window; the Indices output stays on the CPU kernel.
export const maxPoolWgsl: GpuKernel<typeof MaxPool.attrs> = ([x], a, outs) => {
  if (outs.length > 1) return 'MaxPool with an Indices output';
  if (a.storage_order !== 0) return 'MaxPool with storage_order 1';
  const p = poolProgram('max', x!, outs[0]!, a);
  return typeof p === 'string' ? p : { programs: [p] };
};
