// Transpose, Split and Concat as copies of contiguous blocks (TypedArray.set of subarrays) rather than
// the reference kernels' one index per element: a ShuffleNet channel shuffle moves whole H×W
// planes. Cases with small blocks (the last axis moves) and strings go to the reference kernels.
import { allocStorage, type NumericStorage } from '../tensor/dtype.js';
import { normalizeAxis, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';

/** Blocks shorter than this copy faster element by element (the reference kernels). */
const MIN_BLOCK = 16;

/** Output = x with its axes permuted; the trailing axes that stay in place move as one block. */
export function transposeFast(x: Tensor, perm: readonly number[], out: TensorType): Tensor[] | undefined {
  if (x.dtype === 'string') return undefined;
  let keep = x.rank;
  while (keep > 0 && perm[keep - 1] === keep - 1) keep--;
  let block = 1;
  for (let d = keep; d < x.rank; d++) block *= x.shape[d]!;
  if (block < MIN_BLOCK && keep > 0) return undefined;
  const src = x.data as NumericStorage;
  const dst = allocStorage(out.dtype, src.length) as NumericStorage;
  const xStrides = stridesOf(x.shape);
  const outer = out.shape.slice(0, keep);
  const step = outer.map((_, d) => xStrides[perm[d]!]!);
  const index = new Array<number>(keep).fill(0);
  let from = 0;
  for (let to = 0; to < dst.length; to += block) {
    (dst as Float32Array).set((src as Float32Array).subarray(from, from + block), to);
    // odometer over the output's outer axes; `from` follows through the permuted strides
    for (let d = keep - 1; d >= 0; d--) {
      from += step[d]!;
      if (++index[d]! < outer[d]!) break;
      from -= step[d]! * outer[d]!;
      index[d] = 0;
    }
  }
  return [new Tensor(out.dtype, out.shape, dst)];
}

/** Output k = x[…, start_k : start_k + size_k, …] along `axis`: one block per outer row. */
export function splitFast(x: Tensor, axis: number, outs: readonly TensorType[]): Tensor[] | undefined {
  if (x.dtype === 'string') return undefined;
  const a = normalizeAxis(axis, x.rank);
  let outer = 1;
  for (let d = 0; d < a; d++) outer *= x.shape[d]!;
  let inner = 1;
  for (let d = a + 1; d < x.rank; d++) inner *= x.shape[d]!;
  if (inner < MIN_BLOCK) return undefined;
  const src = x.data as Float32Array;
  const row = x.shape[a]! * inner;
  let start = 0;
  return outs.map((out) => {
    const chunk = out.shape[a]! * inner;
    const dst = allocStorage(out.dtype, outer * chunk) as Float32Array;
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * row + start, o * row + start + chunk), o * chunk);
    start += chunk;
    return new Tensor(out.dtype, out.shape, dst);
  });
}

/** Output = the inputs joined along `axis`: per outer row, one block from each input in turn. */
export function concatFast(xs: readonly (Tensor | undefined)[], axis: number, out: TensorType): Tensor[] | undefined {
  if (out.dtype === 'string' || xs.some((x) => !x || x.dtype !== out.dtype)) return undefined;
  const a = normalizeAxis(axis, out.shape.length);
  let outer = 1;
  for (let d = 0; d < a; d++) outer *= out.shape[d]!;
  let inner = 1;
  for (let d = a + 1; d < out.shape.length; d++) inner *= out.shape[d]!;
  if (inner < MIN_BLOCK) return undefined;
  const row = out.shape[a]! * inner;
  const dst = allocStorage(out.dtype, outer * row) as Float32Array;
  let start = 0;
  for (const x of xs as Tensor[]) {
    const src = x.data as Float32Array;
    const chunk = x.shape[a]! * inner;
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * chunk, (o + 1) * chunk), o * row + start);
    start += chunk;
  }
  return [new Tensor(out.dtype, out.shape, dst)];
}
