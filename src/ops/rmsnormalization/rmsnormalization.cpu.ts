import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { expandTo } from '../layernormalization/layernormalization.cpu.js';
import type { CpuKernel } from '../op.js';
import type { RMSNormalization } from './rmsnormalization.op.js';

export const rmsNormalizationCpu: CpuKernel<typeof RMSNormalization.attrs> = ([x, s], { axis, epsilon }, [out]) => {
  const X = f32Of(x!);
  const normalized = x!.shape.slice(normalizeAxis(axis, x!.rank));
  const size = sizeOf(normalized);
  const rows = size === 0 ? 0 : X.length / size;
  const scale = expandTo(s!, normalized);
  const Y = new Float32Array(X.length);
  for (let r = 0; r < rows; r++) {
    const at = r * size;
    let sq = 0;
    for (let j = 0; j < size; j++) sq += X[at + j]! * X[at + j]!;
    const inv = 1 / Math.sqrt(sq / size + epsilon);
    for (let j = 0; j < size; j++) Y[at + j] = X[at + j]! * inv * scale[j]!;
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
