import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rowNormProgram, type AffineIndex } from '../../devices/webgpu/row-normalize.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { LayerNormalization } from './layernormalization.op.js';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

// LayerNormalization over dims [axis, rank): each row of the normalized dims is one workgroup of
// the row-normalization shader; Mean and InvStdDev are written when the node asks for them.
export const layerNormWgsl: GpuKernel<typeof LayerNormalization.attrs> = ([x, scale, bias], a, outs) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const len = size(x!.shape.slice(axis));
  const index = (t: { shape: readonly number[] }): AffineIndex | undefined =>
    size(t.shape) === len ? { per: 'element' } : size(t.shape) === 1 ? { per: 'one' } : undefined;
  const si = index(scale!);
  const bi = bias ? index(bias) : undefined;
  // Scale and B either cover the normalized dims or are one value; other broadcasts stay on the CPU
  if (!si || (bias && !bi)) return 'Scale/B broadcast inside the normalized dims';
  return {
    programs: [rowNormProgram({
      rows: size(x!.shape) / Math.max(1, len), len, epsilon: a.epsilon, centred: true,
      scale: { input: 1, index: si }, bias: bi ? { input: 2, index: bi } : undefined,
      outDtype: outs[0]!.dtype, stats: (outs.length - 1) as 0 | 1 | 2,
    })],
  };
};
