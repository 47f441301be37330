import { defineOp } from '../op.js';
import { globalPoolType } from '../globalaveragepool/globalaveragepool.op.js';

// Y[n, c] = max of X[n, c, …] over all spatial positions.
export const GlobalMaxPool = defineOp({
  type: 'GlobalMaxPool',
  domain: '',
  attrs: {},
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: globalPoolType,
});
