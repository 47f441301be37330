import { ALL_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y = x
export const Identity = defineOp({
  type: 'Identity', domain: '', strings: true, attrs: {}, inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
});
