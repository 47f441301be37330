import type { GpuKernel } from '../../devices/webgpu/program.js';
import { elementOrOne, rowNormProgram } from '../../devices/webgpu/row-normalize.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { LayerNormalization } from './layernormalization.op.js';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

// LayerNormalization over dims [axis, rank): each row of the normalized dims is one workgroup of
// the row-normalization shader; Mean and InvStdDev are written when the node asks for them.
export const layerNormWgsl: GpuKernel<typeof LayerNormalization.attrs> = ([x, scale, bias], a, outs) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const len = size(x!.shape.slice(axis));
  const si = elementOrOne(size(scale!.shape), len);
  const bi = bias ? elementOrOne(size(bias.shape), len) : undefined;
  // Scale and B either cover the normalized dims or are one value; other broadcasts stay on the CPU
  if (!si || (bias && !bi)) return 'Scale/B broadcast inside the normalized dims';
  return {
    programs: [rowNormProgram({
      rows: size(x!.shape) / Math.max(1, len), len, epsilon: a.epsilon, centred: true,
      scale: { input: 1, index: si }, bias: bi ? { input: 2, index: bi } : undefined,
      outDtype: outs[0]!.dtype, mean: outs.length > 1 ? 1 : undefined, invStd: outs.length > 2 ? 2 : undefined,
    })],
  };
};
