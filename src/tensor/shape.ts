import { ShapeError } from '../errors.js';

export type Shape = readonly number[];

/** The number of elements of a tensor of this shape (1 for a scalar). The one such helper. */
export function elementCount(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** @deprecated the public name of `elementCount`, kept for users of nnrt's API. */
export const sizeOf = elementCount;

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** numpy broadcasting of any number of shapes; throws ShapeError naming both dims. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new ShapeError(`shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast: dim ${d} vs ${out[o]}`);
    }
  }
  return out;
}

/**
 * Strides to read a tensor of `shape` as if it had `target` shape (broadcast): 0 on broadcast dims.
 * `shape` must broadcast to `target`.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = target.length - shape.length + i;
    out[o] = shape[i] === 1 ? 0 : strides[i]!;
  }
  return out;
}

/**
 * Calls `each(t, aAt, bAt)` for every index t of the broadcast batch shape `batch`, with the
 * matching batch indices of operands whose batch shapes are `aBatch` and `bBatch` (numpy rules):
 * the outer loop of a batched matrix product.
 */
export function forEachBroadcastBatch(batch: Shape, aBatch: Shape, bBatch: Shape, each: (t: number, aAt: number, bAt: number) => void): void {
  const aStrides = broadcastStrides(aBatch, batch);
  const bStrides = broadcastStrides(bBatch, batch);
  const index = new Array<number>(batch.length).fill(0);
  const count = elementCount(batch);
  for (let t = 0; t < count; t++) {
    let aAt = 0;
    let bAt = 0;
    for (let d = 0; d < batch.length; d++) {
      aAt += index[d]! * aStrides[d]!;
      bAt += index[d]! * bStrides[d]!;
    }
    each(t, aAt, bAt);
    for (let d = batch.length - 1; d >= 0 && ++index[d]! === batch[d]; d--) index[d] = 0;
  }
}

/** Normalizes a possibly negative axis for a given rank, with a clear error when out of range. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return a;
}
