import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rowNormProgram } from '../../devices/webgpu/row-normalize.js';
import type { InstanceNormalization } from './instancenormalization.op.js';

// InstanceNormalization: each [n, c] plane is one row of the row-normalization shader; scale and
// B are per channel (row % C).
export const instanceNormWgsl: GpuKernel<typeof InstanceNormalization.attrs> = ([x], a, [out]) => {
  const channels = x!.shape[1]!;
  const len = x!.shape.slice(2).reduce((p, d) => p * d, 1);
  return {
    programs: [rowNormProgram({
      rows: x!.shape[0]! * channels, len, epsilon: a.epsilon, centred: true,
      scale: { input: 1, index: { per: 'row', count: channels } }, bias: { input: 2, index: { per: 'row', count: channels } },
      outDtype: out!.dtype,
    })],
  };
};
