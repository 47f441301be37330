// Scale and zero point of Quantize/DequantizeLinear as inputs of the elementwise shader: one value
// (per tensor) or a 1-D tensor along `axis`, seen as [C, 1, …, 1] so numpy broadcasting against x
// lines it up with that axis (the buffer is the same; only its shape in the shader changes).
import type { InferInput } from '../../tensor/tensor-type.js';
import { quantAxis } from '../_kernels/quant.js';

export function alongAxis(param: InferInput, xShape: readonly number[], axis: number): InferInput {
  const n = param.shape.reduce((p, d) => p * d, 1);
  if (n === 1) return { dtype: param.dtype, shape: [] };
  return { dtype: param.dtype, shape: [n, ...xShape.slice(axis + 1).map(() => 1)] };
}

/** The axis the parameters run along (0 for per-tensor ones, where it does not matter). */
export function paramsAxis(axis: number, xShape: readonly number[], params: readonly (InferInput | undefined)[]): number {
  return quantAxis(axis, xShape, params.map((p) => p?.shape));
}
