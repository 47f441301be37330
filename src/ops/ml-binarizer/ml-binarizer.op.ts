import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

export const ML_DOMAIN = 'ai.onnx.ml';

// ai.onnx.ml Binarizer: y = 1 where x > threshold, else 0 (same dtype and shape as x).
export const Binarizer = defineOp({
  type: 'Binarizer',
  domain: ML_DOMAIN,
  attrs: { threshold: attr.float(0) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16', 'int32', 'int64'],
  infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
});
