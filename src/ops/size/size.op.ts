import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { ALL_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// the number of elements of x, as an int64 scalar (known from x's shape alone)
export const Size = defineOp({
  type: 'Size', domain: '', strings: true, attrs: {}, inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x]) => [{ dtype: 'int64', shape: [], value: Tensor.scalar('int64', elementCount(x!.shape)) }],
});
