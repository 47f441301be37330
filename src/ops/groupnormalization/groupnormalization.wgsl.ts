import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rowNormProgram, type AffineIndex } from '../../devices/webgpu/row-normalize.js';
import { sizeOf } from '../../tensor/shape.js';
import type { GroupNormalization } from './groupnormalization.op.js';

// GroupNormalization: each (n, group) — C/G contiguous channel planes — is one row of the
// row-normalization shader; scale and bias are per channel (the row's block of one plane), or per
// group in the opset-18 form.
export const groupNormWgsl: GpuKernel<typeof GroupNormalization.attrs> = ([x], a, [out]) => {
  const [n, c] = x!.shape as [number, number];
  const plane = sizeOf(x!.shape.slice(2));
  const perGroup = c / a.num_groups;
  const index: AffineIndex = a.nnrt_per_group
    ? { per: 'row', count: a.num_groups }
    : { per: 'block', groups: a.num_groups, blocks: perGroup, blockLen: Math.max(1, plane) };
  return {
    programs: [rowNormProgram({
      rows: n * a.num_groups, len: perGroup * plane, epsilon: a.epsilon, centred: true,
      scale: { input: 1, index }, bias: { input: 2, index }, outDtype: out!.dtype,
    })],
  };
};
