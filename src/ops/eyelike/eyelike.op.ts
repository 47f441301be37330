import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { ALL_TYPES } from '../dtype-groups.js';
import { castTarget } from '../cast/cast.op.js';
import { defineOp } from '../op.js';

// A 2-D tensor shaped like the input with ones on diagonal k (k > 0: above the main diagonal) and
// zeros elsewhere, of element type `dtype` (an ONNX type code; default: the input's type).
export const EyeLike = defineOp({
  type: 'EyeLike', domain: '', attrs: { dtype: attr.optional(attr.int()), k: attr.int(0) }, inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x], { dtype }) => {
    if (x!.shape.length !== 2) throw new ShapeError(`input must be 2-D, got shape [${x!.shape.join(',')}]`);
    return [{ dtype: dtype === undefined ? x!.dtype : castTarget(dtype).dtype, shape: [...x!.shape] }];
  },
});
