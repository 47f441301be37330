import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

const sameType = ([x]: readonly (InferInput | undefined)[], { axis }: { axis: number }): TensorType[] => {
  normalizeAxis(axis, x!.shape.length);
  return [{ dtype: x!.dtype, shape: [...x!.shape] }];
};

// y = exp(x - max) / sum(exp(x - max)) along `axis` (opset 13: one axis, not the flattened tail).
export const Softmax = defineOp({
  type: 'Softmax',
  domain: '',
  attrs: { axis: attr.int(-1) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: sameType,
});

// y = x - max - log(sum(exp(x - max))) along `axis` (opset 13 semantics).
export const LogSoftmax = defineOp({
  type: 'LogSoftmax',
  domain: '',
  attrs: { axis: attr.int(-1) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: sameType,
});
