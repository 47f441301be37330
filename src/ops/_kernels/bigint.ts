// Elementwise kernels on int64 storage as BigInts, where all 64 bits matter (bitwise ops, shifts,
// remainders of values past 2^53): the number path widens int64 to float64, exact only below 2^53.
import { Tensor } from '../../tensor/tensor.js';
import type { TensorType } from '../op.js';
import { broadcastRows } from './broadcast.js';

export type BigBinaryFn = (a: bigint, b: bigint) => bigint;

/** out[i] = fn(a[i], b[i]) wrapped to 64 bits, under multidirectional broadcasting (int64 in and out). */
export function mapBigBinary(a: Tensor, b: Tensor, out: TensorType, fn: BigBinaryFn): Tensor {
  const x = a.data as BigInt64Array;
  const y = b.data as BigInt64Array;
  const z = new BigInt64Array(out.shape.reduce((p, d) => p * d, 1));
  broadcastRows(out.shape, [a.shape, b.shape], (o, [ia, ib], [sa, sb], n) => {
    for (let j = 0; j < n; j++) z[o + j] = BigInt.asIntN(64, fn(x[ia! + j * sa!]!, y[ib! + j * sb!]!));
  });
  return new Tensor('int64', out.shape, z);
}
