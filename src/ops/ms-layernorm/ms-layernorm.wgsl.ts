import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rowNormProgram } from '../../devices/webgpu/row-normalize.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import type { TensorType } from '../op.js';
import type { SimplifiedLayerNormalization, SkipLayerNormalization } from './ms-layernorm.op.js';

// onnxruntime's layer norms on the row-normalization shader, one workgroup per row of the hidden
// size: the Skip variants add skip (repeating over the batch when it is [S, H] or [1, S, H]) and
// the bias before normalizing, and write mean, 1/√(var + ε) and the sum when asked.

const optional = (outs: readonly TensorType[], k: number) => (outs.length > k ? k : undefined);

function skipNormKernel(rms: boolean): GpuKernel<typeof SkipLayerNormalization.attrs> {
  return (ins, a, outs) => {
    const [x, skip] = ins;
    const len = x!.shape.at(-1)!;
    const rows = sizeOf(x!.shape) / Math.max(1, len);
    const beta = rms ? undefined : ins[3] ? 3 : undefined;
    const bias = rms ? (ins[3] ? 3 : undefined) : ins[4] ? 4 : undefined;
    return {
      programs: [rowNormProgram({
        rows, len, epsilon: a.epsilon, centred: !rms,
        scale: { input: 2, index: { per: 'element' } },
        bias: beta === undefined ? undefined : { input: beta, index: { per: 'element' } },
        add: { skip: 1, skipRows: Math.max(1, sizeOf(skip!.shape) / Math.max(1, len)), bias },
        outDtype: outs[0]!.dtype, mean: optional(outs, 1), invStd: optional(outs, 2), sum: optional(outs, 3),
      })],
    };
  };
}

export const skipLayerNormWgsl = skipNormKernel(false);
export const skipSimplifiedLayerNormWgsl = skipNormKernel(true);

// Output 1 of SimplifiedLayerNormalization is inv_std_var.
export const simplifiedLayerNormWgsl: GpuKernel<typeof SimplifiedLayerNormalization.attrs> = ([x], a, outs) => {
  const len = sizeOf(x!.shape.slice(normalizeAxis(a.axis, x!.shape.length)));
  return {
    programs: [rowNormProgram({
      rows: sizeOf(x!.shape) / Math.max(1, len), len, epsilon: a.epsilon, centred: false,
      scale: { input: 1, index: { per: 'element' } }, outDtype: outs[0]!.dtype, invStd: optional(outs, 1),
    })],
  };
};
