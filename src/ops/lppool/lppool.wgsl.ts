import type { GpuKernel } from '../../devices/webgpu/program.js';
import { poolProgram } from '../_wgsl/pool.js';
import type { LpPool } from './lppool.op.js';

// (Σ |x|^p)^(1/p) over each window (padding adds nothing), by the shared pooling shader.
export const lpPoolWgsl: GpuKernel<typeof LpPool.attrs> = ([x], a, [out]) => {
  const p = poolProgram('lp', x!, out!, a, a.p);
  return typeof p === 'string' ? p : { programs: [p] };
};
