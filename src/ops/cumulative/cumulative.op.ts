import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { NUMERIC_TYPES } from '../dtype-groups.js';
import { defineOp, type OpDef } from '../op.js';

const attrs = { exclusive: attr.int(0), reverse: attr.int(0) };

// y[..., i, ...] = x[..., 0, ...] ⊕ ... ⊕ x[..., i, ...] along the axis given as input 1 (a scalar
// int32/int64); `exclusive` leaves out x[i] itself, `reverse` runs from the end. CumSum-14, CumProd-26.
function cumulative(type: string): OpDef<typeof attrs> {
  return defineOp({
    type, domain: '', attrs, inputs: [2, 2], outputs: [1, 1], dtypes: NUMERIC_TYPES,
    infer: ([x, axis]) => {
      if (axis!.dtype !== 'int32' && axis!.dtype !== 'int64') throw new ShapeError(`axis must be int32 or int64, got ${axis!.dtype}`);
      if (axis!.shape.reduce((a, d) => a * d, 1) !== 1 || axis!.shape.length > 1) {
        throw new ShapeError(`axis must be a scalar, got shape [${axis!.shape.join(',')}]`);
      }
      return [{ dtype: x!.dtype, shape: [...x!.shape] }];
    },
  });
}

export const CumSum = cumulative('CumSum');
export const CumProd = cumulative('CumProd');
