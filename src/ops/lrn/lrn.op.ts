import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// Local response normalization across channels (LRN-13): for X of shape [N, C, ...],
// y = x / (bias + alpha / size · Σ x²)^beta, the sum over channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉.
export const LRN = defineOp({
  type: 'LRN', domain: '',
  attrs: { alpha: attr.float(1e-4), beta: attr.float(0.75), bias: attr.float(1), size: attr.int() },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], { size }) => {
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    if (size < 1) throw new ShapeError(`attribute 'size' must be ≥ 1, got ${size}`);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
