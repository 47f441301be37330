import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { axisLinesLaunch } from '../_wgsl/axis-lines.js';
import type { Hardmax } from './hardmax.op.js';

// One invocation per line along the axis: it finds the first maximum, then writes 1 there and 0
// elsewhere in the line.
export const hardmaxWgsl: GpuKernel<typeof Hardmax.attrs> = ([x], { axis }, [out]) =>
  axisLinesLaunch(x!.shape, axis, `hardmax:${out!.dtype}`, ({ N, INNER }) => `var best = 0u;
    for (var j = 1u; j < ${N}; j = j + 1u) {
      if (X[base + j * ${INNER}] > X[base + best * ${INNER}]) { best = j; }
    }
    for (var j = 0u; j < ${N}; j = j + 1u) {
      Y[base + j * ${INNER}] = ${narrow('select(0.0, 1.0, j == best)', out!.dtype)};
    }`);
