import type { GpuKernel } from '../../devices/webgpu/program.js';
import { elementOrOne, rowNormProgram } from '../../devices/webgpu/row-normalize.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import type { RMSNormalization } from './rmsnormalization.op.js';

// RMSNormalization over dims [axis, rank): the row-normalization shader without centring, one
// workgroup per row.
export const rmsNormWgsl: GpuKernel<typeof RMSNormalization.attrs> = ([x, scale], a, [out]) => {
  const len = sizeOf(x!.shape.slice(normalizeAxis(a.axis, x!.shape.length)));
  const si = elementOrOne(sizeOf(scale!.shape), len);
  if (!si) return 'scale broadcast inside the normalized dims';
  return {
    programs: [rowNormProgram({
      rows: sizeOf(x!.shape) / Math.max(1, len), len, epsilon: a.epsilon, centred: false,
      scale: { input: 1, index: si }, outDtype: out!.dtype,
    })],
  };
};
