import { ShapeError } from '../../errors.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

// ai.onnx.ml ArrayFeatureExtractor: picks the columns `indices` (flattened) along X's last axis.
// X [..., F] → Z [..., len(indices)]; a 1-D X gives one row, [1, len(indices)] (as onnxruntime).
export const ArrayFeatureExtractor = defineOp({
  type: 'ArrayFeatureExtractor',
  domain: ML_DOMAIN,
  attrs: {},
  inputs: [2, 2],
  outputs: [1, 1],
  infer: ([x, indices]) => {
    if (indices!.dtype !== 'int64' && indices!.dtype !== 'int32') throw new ShapeError(`indices must be int64, got ${indices!.dtype}`);
    if (x!.shape.length === 0) throw new ShapeError('X must have at least one dimension');
    const n = indices!.shape.reduce((a, d) => a * d, 1);
    return [{ dtype: x!.dtype, shape: x!.shape.length === 1 ? [1, n] : [...x!.shape.slice(0, -1), n] }];
  },
});
