import { attr } from '../../ir/attr.js';
import { lossType, type LossReduction } from '../_kernels/nll.js';
import { defineOp } from '../op.js';

// NegativeLogLikelihoodLoss (opsets 12, 13, 22: same semantics): input [N, C, d1...] holds
// log-probabilities, target [N, d1...] class indices, weight [C] optional class weights.
// See _kernels/nll.ts for the reductions and ignore_index.
export const NegativeLogLikelihoodLoss = defineOp({
  type: 'NegativeLogLikelihoodLoss',
  domain: '',
  attrs: {
    ignore_index: attr.optional(attr.int()),
    reduction: attr.string<LossReduction>('mean', ['none', 'sum', 'mean']),
  },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, target, weight], a) => [lossType(x!, target!, weight, a.reduction)],
});
