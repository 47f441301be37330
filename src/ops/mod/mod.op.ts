import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { NUMERIC_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y = a mod b under broadcasting (Mod-13). fmod = 0: the remainder takes the divisor's sign
// (Python's %); fmod = 1: the dividend's (C's fmod). ONNX requires fmod = 1 for floats; nnrt
// computes the floored remainder for fmod = 0 floats too (numpy.mod), as it is well defined.
export const Mod = defineOp({
  type: 'Mod', domain: '', attrs: { fmod: attr.int(0) }, inputs: [2, 2], outputs: [1, 1], dtypes: NUMERIC_TYPES,
  infer: ([a, b], { fmod }) => {
    if (fmod !== 0 && fmod !== 1) throw new ShapeError(`attribute 'fmod' must be 0 or 1, got ${fmod}`);
    if (a!.dtype !== b!.dtype) throw new ShapeError(`inputs must have the same dtype, got ${a!.dtype} and ${b!.dtype}`);
    return [{ dtype: a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
  },
});
