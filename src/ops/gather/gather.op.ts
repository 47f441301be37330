import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// y[i..., j..., k...] = data[i..., indices[j...], k...] along `axis`; negative indices count from the end.
export const Gather = defineOp({
  type: 'Gather',
  domain: '',
  strings: true,
  attrs: { axis: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  infer: ([data, indices], { axis }) => {
    if (indices!.dtype !== 'int32' && indices!.dtype !== 'int64') throw new ShapeError(`indices must be int32 or int64, got ${indices!.dtype}`);
    const shape = data!.shape;
    const a = normalizeAxis(axis, shape.length);
    return [{ dtype: data!.dtype, shape: [...shape.slice(0, a), ...indices!.shape, ...shape.slice(a + 1)] }];
  },
});
