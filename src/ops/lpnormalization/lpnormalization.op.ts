import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y = x / ‖x‖_p along `axis` (p is 1 or 2; LpNormalization-22).
export const LpNormalization = defineOp({
  type: 'LpNormalization', domain: '', attrs: { axis: attr.int(-1), p: attr.int(2) }, inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], { axis, p }) => {
    if (p !== 1 && p !== 2) throw new ShapeError(`attribute 'p' must be 1 or 2, got ${p}`);
    normalizeAxis(axis, x!.shape.length);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
