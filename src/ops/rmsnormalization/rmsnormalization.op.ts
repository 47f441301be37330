import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes, normalizeAxis, sameShape } from '../../tensor/shape.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// RMSNormalization-23: over dims [axis, rank), Y = X / √(mean(X²) + epsilon) · scale, scale
// broadcast to the normalized dims; statistics in float32 (stash_type 1).
export const RMSNormalization = defineOp({
  type: 'RMSNormalization', domain: '',
  attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5), stash_type: attr.int(1) },
  inputs: [2, 2], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x, scale], a) => {
    if (a.stash_type !== 1) throw new UnsupportedError(`stash_type ${a.stash_type} is not supported (only 1: float32)`);
    const normalized = x!.shape.slice(normalizeAxis(a.axis, x!.shape.length));
    if (!sameShape(broadcastShapes(scale!.shape, normalized), normalized)) {
      throw new ShapeError(`scale [${scale!.shape.join(',')}] does not broadcast to the normalized dims [${normalized.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
