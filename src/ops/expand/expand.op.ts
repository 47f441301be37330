import { broadcastShapes } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = x broadcast with `shape` (numpy rules both ways: a 1 in `shape` keeps x's dim).
export const Expand = defineOp({
  type: 'Expand',
  domain: '',
  attrs: {},
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, shape]) => [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, intsOf(shape!.value!, 'shape')) }],
});
