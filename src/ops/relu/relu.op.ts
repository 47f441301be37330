import { defineOp } from '../op.js';

// y = max(x, 0)
export const Relu = defineOp({
  type: 'Relu',
  domain: '',
  attrs: {},
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16', 'int8', 'int32', 'int64'],
  infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
});
