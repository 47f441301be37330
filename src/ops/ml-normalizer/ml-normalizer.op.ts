import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

export const NORMS = ['MAX', 'L1', 'L2'] as const;

// ai.onnx.ml Normalizer: each row of X (its values along axis 1; a 1-D X is one row) divided by
// its max (MAX), the sum of its absolute values (L1), or its L2 norm (L2, sign kept); a row whose
// divisor is 0 is copied. X [N, C] or [C] → Y float32 of X's shape.
export const Normalizer = defineOp({
  type: 'Normalizer',
  domain: ML_DOMAIN,
  attrs: { norm: attr.string('MAX', NORMS) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x]) => {
    if (x!.shape.length === 0 || x!.shape.length > 2) throw new ShapeError(`X must be [N, C] or [C], got [${x!.shape.join(',')}]`);
    return [{ dtype: 'float32', shape: [...x!.shape] }];
  },
});
