import { attr } from '../../ir/attr.js';
import { Tensor } from '../../tensor/tensor.js';
import { defineOp } from '../op.js';

/** dims[start:end] of a shape as int64; negative bounds count from the end, all bounds clamp. */
export function shapeSlice(shape: readonly number[], start: number, end: number | undefined): Tensor<'int64'> {
  const rank = shape.length;
  const bound = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const dims = shape.slice(bound(start), bound(end ?? rank));
  return Tensor.fromNumeric('int64', [dims.length], dims);
}

// y = the input's shape (or the slice start:end of it) as a 1-D int64 tensor.
export const Shape = defineOp({
  type: 'Shape',
  domain: '',
  strings: true,
  attrs: { start: attr.int(0), end: attr.optional(attr.int()) },
  inputs: [1, 1],
  outputs: [1, 1],
  infer: ([x], { start, end }) => {
    // the value follows from the input's type alone, so static inference knows it
    const value = shapeSlice(x!.shape, start, end);
    return [{ dtype: 'int64', shape: [...value.shape], value }];
  },
});
