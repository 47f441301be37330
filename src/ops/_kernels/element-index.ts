// Index arithmetic shared by the element-wise gather/scatter kernels (GatherElements,
// ScatterElements, GatherND, ScatterND): negative indices, bounds checks, and per-position offsets.
import { ShapeError } from '../../errors.js';
import { stridesOf, type Shape } from '../../tensor/shape.js';
import { sourceIndices, stridedOffsets } from './index-map.js';

/** An index into a dim of size n, negative counting from the end; out of range is a ShapeError. */
export function wrapIndex(i: number, n: number, what: string): number {
  const k = i < 0 ? i + n : i;
  if (!(k >= 0 && k < n)) throw new ShapeError(`${what} ${i} is out of range for a dim of size ${n}`);
  return k;
}

/**
 * For every position of an `indices`-shaped walk, the offset into a `data`-shaped array of the
 * same rank with coordinate `axis` taken as 0: offset(p) + idx·stride(axis) is then the element.
 */
export function offsetsBesideAxis(indicesShape: Shape, dataShape: Shape, axis: number): Int32Array {
  const strides = stridesOf(dataShape);
  return sourceIndices(indicesShape, indicesShape.map((n, d) => stridedOffsets(n, 0, d === axis ? 0 : 1, strides[d]!)));
}

/** Rejects an indices tensor whose dims (other than `axis`) exceed data's. */
export function checkIndicesFit(indicesShape: Shape, dataShape: Shape, axis: number, what: string): void {
  if (indicesShape.length !== dataShape.length) {
    throw new ShapeError(`${what} must have data's rank ${dataShape.length}, got [${indicesShape.join(',')}]`);
  }
  indicesShape.forEach((n, d) => {
    if (d !== axis && n > dataShape[d]!) throw new ShapeError(`${what} dim ${d} is ${n}, larger than data's ${dataShape[d]}`);
  });
}

export const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** How a scattered update combines with the value already there. */
export function combine(reduction: Reduction): (old: number, update: number) => number {
  switch (reduction) {
    case 'none': return (_old, u) => u;
    case 'add': return (o, u) => o + u;
    case 'mul': return (o, u) => o * u;
    case 'max': return (o, u) => Math.max(o, u);
    case 'min': return (o, u) => Math.min(o, u);
  }
}
