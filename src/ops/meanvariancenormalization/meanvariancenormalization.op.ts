import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { normalizeAxes } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// MeanVarianceNormalization-13: y = (x − E[x]) / (√(E[x²] − E[x]²) + 1e-9), the expectations over
// `axes` (default [0, 2, 3]: per channel of an NCHW tensor), as ONNX's function body computes it.
/** Added to the standard deviation (ONNX's function body). */
export const MVN_EPSILON = 1e-9;

export const MeanVarianceNormalization = defineOp({
  type: 'MeanVarianceNormalization', domain: '', attrs: { axes: attr.ints([0, 2, 3]) },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], { axes }) => {
    normalizeAxes(axes, x!.shape.length);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
