import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { ALL_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// The upper (upper = 1) or lower triangle of each matrix in the last two dims, from diagonal k
// (optional input 1, a scalar int64; positive k moves away from the main diagonal upwards).
export const Trilu = defineOp({
  type: 'Trilu', domain: '', attrs: { upper: attr.int(1) }, inputs: [1, 2], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x, k]) => {
    if (x!.shape.length < 2) throw new ShapeError(`input must have rank ≥ 2, got [${x!.shape.join(',')}]`);
    if (k && (k.shape.length > 1 || k.shape.reduce((a, d) => a * d, 1) !== 1)) throw new ShapeError(`k must be a scalar, got shape [${k.shape.join(',')}]`);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
