// Axis bookkeeping shared by the shape, reduction and softmax-family kernels.
import { ShapeError } from '../../errors.js';
import { normalizeAxis, elementCount, type Shape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Axes normalized to [0, rank) (negative counts from the end); duplicates are an error. */
export function normalizeAxes(axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, `${what} entry`));
  if (new Set(out).size !== out.length) throw new ShapeError(`${what} [${axes.join(',')}] repeats an axis`);
  return out;
}

/** Integer values of a small 1-D (or scalar) tensor such as shape, axes or pads. */
export function intsOf(t: Tensor, what: string): number[] {
  if (t.rank > 1) throw new ShapeError(`${what} must be a 1-D tensor, got shape [${t.shape.join(',')}]`);
  const v = t.toNumbers();
  if (v.some((x) => !Number.isInteger(x))) throw new ShapeError(`${what} must hold integers, got [${v.join(',')}]`);
  return v;
}

/** A shape seen as [outer, n, inner] around one axis: element (o, i, k) is at (o·n + i)·inner + k. */
export function aroundAxis(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  return { outer: elementCount(shape.slice(0, axis)), n: shape[axis] ?? 1, inner: elementCount(shape.slice(axis + 1)) };
}
