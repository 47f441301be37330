import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { rowsOf } from '../_kernels/ml-labels.js';
import { POST_TRANSFORM_NAMES } from '../_kernels/ml-scores.js';

// ai.onnx.ml LinearRegressor: Y = X·coefficientsᵀ + intercepts, the coefficients of each target
// contiguous, then post_transform over each row of targets (a single target takes PROBIT only, as
// in onnxruntime). X [N, F] or [F] → Y [N, targets] float32.
export const LinearRegressor = defineOp({
  type: 'LinearRegressor',
  domain: ML_DOMAIN,
  attrs: {
    coefficients: attr.floats(),
    intercepts: attr.optional(attr.floats()),
    post_transform: attr.string('NONE', POST_TRANSFORM_NAMES),
    targets: attr.int(1),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const [n, features] = rowsOf(x!.shape, 'LinearRegressor');
    if (a.targets < 1) throw new ShapeError(`targets must be ≥ 1, got ${a.targets}`);
    if (a.coefficients.length !== a.targets * features) {
      throw new ShapeError(`coefficients has ${a.coefficients.length} entries; it must hold ${a.targets} targets × ${features} features`);
    }
    const bias = a.intercepts?.length ?? 0;
    if (bias !== 0 && bias !== a.targets) throw new ShapeError(`intercepts has ${bias} entries; it must have one per target (${a.targets}) or be left out`);
    return [{ dtype: 'float32', shape: [n, a.targets] }];
  },
});
