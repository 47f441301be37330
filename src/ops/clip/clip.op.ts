import { ShapeError } from '../../errors.js';
import { NUMERIC_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y = min(max(x, min), max); an omitted bound does not clamp; min > max gives max everywhere
export const Clip = defineOp({
  type: 'Clip', domain: '', attrs: {}, inputs: [1, 3], outputs: [1, 1], dtypes: NUMERIC_TYPES,
  infer: ([x, ...bounds]) => {
    bounds.forEach((b, i) => {
      if (!b) return;
      const name = i === 0 ? 'min' : 'max';
      if (b.dtype !== x!.dtype) throw new ShapeError(`${name} must have x's dtype ${x!.dtype}, got ${b.dtype}`);
      if (b.shape.reduce((p, d) => p * d, 1) !== 1) throw new ShapeError(`${name} must be a scalar, got shape [${b.shape.join(',')}]`);
    });
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
