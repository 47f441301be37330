import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';

// y = x broadcast to the output shape: the elementwise program with the identity expression
// (input 1, the target shape, is a value read on the host and never bound).
export const expandWgsl: GpuKernel = ([x], _attrs, [out]) => ({
  programs: [elementwiseProgram({ name: 'Expand', expr: 'x0' }, [x!], out!, [0])],
});
