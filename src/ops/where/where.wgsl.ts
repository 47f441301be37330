import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';

// y = condition ? x : y, all three broadcast (condition is bool: u32 0/1 on the device).
export const whereWgsl: GpuKernel = ([c, x, y], _attrs, [out]) => ({
  programs: [elementwiseProgram({ name: 'Where', expr: 'select(x2, x1, x0 != 0u)' }, [c!, x!, y!], out!)],
});
