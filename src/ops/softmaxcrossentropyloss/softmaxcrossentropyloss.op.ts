import { attr } from '../../ir/attr.js';
import { lossType, type LossReduction } from '../_kernels/nll.js';
import { defineOp } from '../op.js';

// SoftmaxCrossEntropyLoss (opsets 12, 13): NegativeLogLikelihoodLoss of log_softmax(scores)
// along the class axis 1. Output 1 (optional) is that log_softmax, shaped like scores.
export const SoftmaxCrossEntropyLoss = defineOp({
  type: 'SoftmaxCrossEntropyLoss',
  domain: '',
  attrs: {
    ignore_index: attr.optional(attr.int()),
    reduction: attr.string<LossReduction>('mean', ['none', 'sum', 'mean']),
  },
  inputs: [2, 3],
  outputs: [1, 2],
  dtypes: ['float32', 'float16'],
  infer: ([x, labels, weights], a, outputCount) => {
    const out = [lossType(x!, labels!, weights, a.reduction)];
    if (outputCount > 1) out.push({ dtype: x!.dtype, shape: [...x!.shape] });
    return out;
  },
});
