import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { rowsOf } from '../_kernels/ml-labels.js';
import { POST_TRANSFORM_NAMES } from '../_kernels/ml-scores.js';
import { SVM_KERNELS } from '../_kernels/ml-svm.js';

// ai.onnx.ml SVMRegressor: Y = Σ coefficients·kernel(X, support vector) + rho[0] over the
// n_supports support vectors, or X·coefficients + rho[0] without them; one_class = 1 gives the
// sign (1 or −1) for one-class anomaly detection. post_transform is read but not applied, as in
// onnxruntime (whose results the converters that write it are tested against).
// X [N, F] or [F] → Y [N, 1] float32.
export const SVMRegressor = defineOp({
  type: 'SVMRegressor',
  domain: ML_DOMAIN,
  attrs: {
    coefficients: attr.floats([]),
    kernel_params: attr.floats([]),
    kernel_type: attr.string('LINEAR', SVM_KERNELS),
    n_supports: attr.int(0),
    one_class: attr.int(0),
    post_transform: attr.string('NONE', POST_TRANSFORM_NAMES),
    rho: attr.floats([]),
    support_vectors: attr.floats([]),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const [n, features] = rowsOf(x!.shape, 'SVMRegressor');
    if (a.rho.length === 0) throw new ShapeError('rho is empty; it holds the bias rho[0]');
    const vectors = a.n_supports;
    if (vectors < 0) throw new ShapeError(`n_supports must be ≥ 0, got ${vectors}`);
    if (vectors > 0) {
      if (a.support_vectors.length !== vectors * features) throw new ShapeError(`support_vectors has ${a.support_vectors.length} values; ${vectors} vectors (n_supports) × ${features} features need ${vectors * features}`);
      if (a.coefficients.length !== vectors) throw new ShapeError(`coefficients has ${a.coefficients.length} values for ${vectors} support vectors (n_supports)`);
    } else if (a.coefficients.length !== features) {
      throw new ShapeError(`coefficients has ${a.coefficients.length} values; a linear SVM (n_supports 0) needs one per feature (${features})`);
    }
    return [{ dtype: 'float32', shape: [n, 1] }];
  },
});
