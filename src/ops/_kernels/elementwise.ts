// Elementwise kernels from scalar functions. Values are computed as numbers (float16 widened to
// float32, int64 to float64) into the output dtype's numeric array, so integer results wrap and
// truncate toward zero on store like C, and float32 results round once.
import { allocNumeric, type NumericArray } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { TensorType } from '../op.js';
import { broadcastRows } from './broadcast.js';

export type UnaryFn = (x: number) => number;
export type BinaryFn = (a: number, b: number) => number;

/** A tensor of `type` from values computed in `allocNumeric(type.dtype)` (no copy when that is its storage). */
export function numericResult(type: TensorType, values: NumericArray): Tensor {
  const { dtype, shape } = type;
  if (dtype === 'float16' || dtype === 'int64') return Tensor.fromNumeric(dtype, shape, values);
  return new Tensor(dtype, shape, values as never);
}

export function mapUnary(x: Tensor, out: TensorType, fn: UnaryFn): Tensor {
  const a = x.numeric();
  const y = allocNumeric(out.dtype, a.length);
  for (let i = 0; i < a.length; i++) y[i] = fn(a[i]!);
  return numericResult(out, y);
}

/** out[i] = fn(a[i], b[i]) under multidirectional broadcasting (into an existing array). */
export function broadcastBinaryInto(
  y: NumericArray, outShape: readonly number[],
  a: NumericArray, aShape: readonly number[], b: NumericArray, bShape: readonly number[], fn: BinaryFn,
): void {
  broadcastRows(outShape, [aShape, bShape], (o, [ia, ib], [sa, sb], n) => {
    for (let j = 0; j < n; j++) y[o + j] = fn(a[ia! + j * sa!]!, b[ib! + j * sb!]!);
  });
}

export function mapBinary(a: Tensor, b: Tensor, out: TensorType, fn: BinaryFn): Tensor {
  const y = allocNumeric(out.dtype, out.shape.reduce((p, d) => p * d, 1));
  broadcastBinaryInto(y, out.shape, a.numeric(), a.shape, b.numeric(), b.shape, fn);
  return numericResult(out, y);
}

/** Folds fn over any number of inputs, left to right, under broadcasting (Max, Min, Sum, Mean). */
export function foldVariadic(inputs: readonly Tensor[], out: TensorType, fn: BinaryFn): NumericArray {
  const acc = allocNumeric(out.dtype, out.shape.reduce((p, d) => p * d, 1));
  const first = inputs[0]!.numeric();
  broadcastRows(out.shape, [inputs[0]!.shape], (o, [i], [s], n) => {
    for (let j = 0; j < n; j++) acc[o + j] = first[i! + j * s!]!;
  });
  // acc is read and written at the same index, so it can be its own first operand
  for (const x of inputs.slice(1)) broadcastBinaryInto(acc, out.shape, acc, out.shape, x.numeric(), x.shape, fn);
  return acc;
}
