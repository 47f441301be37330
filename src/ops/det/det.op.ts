import { ShapeError } from '../../errors.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// The determinant of each square matrix in the last two dims: [*, M, M] → [*] (Det-22).
export const Det = defineOp({
  type: 'Det', domain: '', attrs: {}, inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x]) => {
    const s = x!.shape;
    if (s.length < 2 || s[s.length - 1] !== s[s.length - 2]) throw new ShapeError(`input must be [*, M, M], got [${s.join(',')}]`);
    return [{ dtype: x!.dtype, shape: s.slice(0, -2) }];
  },
});
