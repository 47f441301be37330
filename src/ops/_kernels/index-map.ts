// Data movement by index maps: an output element copies one input element, chosen per output
// axis. Copies raw storage, so every dtype moves exactly (int64 beyond 2^53, float16 bits).
import { allocStorage, type Storage } from '../../tensor/dtype.js';
import { elementCount, stridesOf, type Shape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** Marks an output coordinate that reads no input element (a padding fill). */
export const FILL = -1;

/**
 * Source element indices for an output of `shape`: element (o0, o1, ...) reads input element
 * offsets[0][o0] + offsets[1][o1] + ..., or FILL when any of those terms is FILL.
 * offsets[d] has one entry per output coordinate along axis d.
 */
export function sourceIndices(shape: Shape, offsets: readonly ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(elementCount(shape));
  if (out.length === 0) return out;
  const rank = shape.length;
  let k = 0;
  const walk = (axis: number, base: number): void => {
    const table = offsets[axis]!;
    const n = shape[axis]!;
    if (axis === rank - 1) {
      for (let o = 0; o < n; o++) out[k++] = base === FILL || table[o] === FILL ? FILL : base + table[o]!;
      return;
    }
    for (let o = 0; o < n; o++) walk(axis + 1, base === FILL || table[o] === FILL ? FILL : base + table[o]!);
  };
  if (rank === 0) out[0] = 0;
  else walk(0, 0);
  return out;
}

/** Offsets of a strided walk along one axis: start·stride, (start+step)·stride, ... (n entries). */
export function stridedOffsets(n: number, start: number, step: number, stride: number): Int32Array {
  const t = new Int32Array(n);
  for (let o = 0; o < n; o++) t[o] = (start + o * step) * stride;
  return t;
}

// Typed arrays of different element types share no callable `set` signature in TypeScript; all
// element moves go through this one view so kernels stay free of casts.
type Elements = { [i: number]: number | bigint; length: number; set(src: ArrayLike<number | bigint>, offset?: number): void; subarray(a: number, b: number): Elements };
const elements = (s: Storage) => s as unknown as Elements;

/**
 * A tensor of `shape` whose element i is `src`'s element `indices[i]`; FILL entries take
 * `fill`'s first element (same dtype as `src`), or zero when no fill is given.
 */
export function takeElements(src: Tensor, shape: Shape, indices: ArrayLike<number>, fill?: Tensor): Tensor {
  const data = allocStorage(src.dtype, indices.length);
  const to = elements(data);
  const from = elements(src.data);
  const pad = fill && fill.size > 0 ? elements(fill.data)[0]! : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    if (j !== FILL) to[i] = from[j]!;
    else if (pad !== undefined) to[i] = pad;
  }
  return new Tensor(src.dtype, shape, data);
}

/** Copies `count` elements between storages of the same dtype. */
export function copyElements(dst: Storage, dstOffset: number, src: Storage, srcOffset: number, count: number): void {
  if (Array.isArray(dst)) {
    // string tensors: plain arrays
    for (let i = 0; i < count; i++) dst[dstOffset + i] = (src as string[])[srcOffset + i]!;
    return;
  }
  elements(dst).set(elements(src).subarray(srcOffset, srcOffset + count), dstOffset);
}

/** Source indices of a transpose of a row-major array of `shape`: output axis k is input axis perm[k]. */
export function permutedIndices(shape: Shape, perm: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  return sourceIndices(outShape, perm.map((p, k) => stridedOffsets(outShape[k]!, 0, 1, strides[p]!)));
}
