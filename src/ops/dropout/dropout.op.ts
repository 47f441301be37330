import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// Dropout-22: inputs data, ratio (default 0.5), training_mode (default false); outputs output and
// an optional bool mask. Outside training mode the output is the data and the mask all true.
export const Dropout = defineOp({
  type: 'Dropout', domain: '',
  attrs: { seed: attr.optional(attr.int()) },
  inputs: [1, 3], outputs: [1, 2], dtypes: FLOAT_TYPES,
  infer: ([x, ratio, training], _attrs, outputCount) => {
    if (ratio && ratio.shape.length !== 0) throw new ShapeError(`ratio must be a scalar, got shape [${ratio.shape.join(',')}]`);
    if (training && training.dtype !== 'bool') throw new ShapeError(`training_mode must be bool, got ${training.dtype}`);
    const out = [{ dtype: x!.dtype, shape: [...x!.shape] }, { dtype: 'bool' as const, shape: [...x!.shape] }];
    return out.slice(0, outputCount);
  },
});
