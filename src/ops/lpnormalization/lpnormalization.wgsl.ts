import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { axisLinesLaunch } from '../_wgsl/axis-lines.js';
import type { LpNormalization } from './lpnormalization.op.js';

// One invocation per line along the axis: its L1 or L2 norm, then every element divided by it; a
// zero line stays zero, as on the CPU.
export const lpNormalizationWgsl: GpuKernel<typeof LpNormalization.attrs> = ([x], { axis, p }, [out]) =>
  axisLinesLaunch(x!.shape, axis, `lpnorm:${p}:${out!.dtype}`, ({ N, INNER }) => `var norm = 0.0;
    for (var j = 0u; j < ${N}; j = j + 1u) { let v = X[base + j * ${INNER}]; norm = norm + ${p === 1 ? 'abs(v)' : 'v * v'}; }
    ${p === 1 ? '' : 'norm = sqrt(norm);'}
    for (var j = 0u; j < ${N}; j = j + 1u) {
      let at = base + j * ${INNER};
      Y[at] = ${narrow('select(X[at] / norm, 0.0, norm == 0.0)', out!.dtype)};
    }`);
