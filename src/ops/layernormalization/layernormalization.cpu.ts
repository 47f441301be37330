import type { Tensor } from '../../tensor/tensor.js';
import { broadcastStrides, normalizeAxis, elementCount } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { rowStats } from '../_kernels/row-stats.js';
import type { LayerNormalization } from './layernormalization.op.js';

export const layerNormalizationCpu: CpuKernel<typeof LayerNormalization.attrs> = ([x, s, b], a, outs) => {
  const X = f32Of(x!);
  const normalized = x!.shape.slice(normalizeAxis(a.axis, x!.shape.length));
  const size = elementCount(normalized);
  const rows = size === 0 ? 0 : X.length / size;
  const scale = expandTo(s!, normalized);
  const bias = b ? expandTo(b, normalized) : new Float32Array(size);
  const Y = new Float32Array(X.length);
  const means = new Float32Array(rows);
  const invStd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const at = r * size;
    const { mean, inv } = rowStats(X, at, size, a.epsilon);
    for (let j = 0; j < size; j++) Y[at + j] = (X[at + j]! - mean) * inv * scale[j]! + bias[j]!;
    means[r] = mean;
    invStd[r] = inv;
  }
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, Y)];
  if (outs[1]) results.push(floatResult('float32', outs[1].shape, means));
  if (outs[2]) results.push(floatResult('float32', outs[2].shape, invStd));
  return results;
};

/** A tensor broadcast (unidirectionally) to `shape`, as a dense float32 array. */
export function expandTo(t: Tensor, shape: readonly number[]): Float32Array {
  const src = f32Of(t);
  if (src.length === elementCount(shape)) return src;
  const strides = broadcastStrides(t.shape, shape);
  const out = new Float32Array(elementCount(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += index[d]! * strides[d]!;
    out[i] = src[at]!;
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]; d--) index[d] = 0;
  }
  return out;
}
