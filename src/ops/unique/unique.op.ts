import { attr } from '../../ir/attr.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { aroundAxis } from '../_kernels/axes.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp } from '../op.js';
import { uniqueSlices, type UniqueSlices } from './unique-slices.js';

/** x seen as [outer, n, inner] around the axis (flattened to [1, size, 1] without one). */
export function uniqueLayout(shape: readonly number[], axis: number | undefined): { outer: number; n: number; inner: number; axis: number } {
  if (axis === undefined) return { outer: 1, n: sizeOf(shape), inner: 1, axis: 0 };
  const a = normalizeAxis(axis, shape.length);
  return { ...aroundAxis(shape, a), axis: a };
}

export function uniqueOf(x: Tensor, axis: number | undefined, sorted: number): UniqueSlices {
  const { outer, n, inner } = uniqueLayout(x.shape, axis);
  return uniqueSlices(x.numeric(), outer, n, inner, sorted !== 0);
}

// Y = the unique elements of x (or unique slices along `axis`), ascending when `sorted`, else
// in order of first occurrence; indices = first occurrences, inverse_indices = where each input
// element (slice) went, counts = occurrences. The counts depend on x's data (known at run time).
export const Unique = defineOp({
  type: 'Unique',
  domain: '',
  attrs: { axis: attr.optional(attr.int()), sorted: attr.int(1) },
  inputs: [1, 1],
  outputs: [1, 4],
  valueInputs: [0],
  dataDependentShape: true,
  infer: ([x], { axis, sorted }) => {
    const { first } = uniqueOf(x!.value!, axis, sorted);
    const { n, axis: a } = uniqueLayout(x!.shape, axis);
    const yShape = axis === undefined ? [first.length] : x!.shape.map((d, i) => (i === a ? first.length : d));
    return [
      { dtype: x!.dtype, shape: yShape },
      { dtype: 'int64', shape: [first.length] },
      { dtype: 'int64', shape: [n] },
      { dtype: 'int64', shape: [first.length] },
    ];
  },
});
