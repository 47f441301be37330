import { Tensor } from '../../tensor/tensor.js';
import { nllLoss } from '../_kernels/nll.js';
import type { CpuKernel } from '../op.js';
import type { NegativeLogLikelihoodLoss } from './negativeloglikelihoodloss.op.js';

export const negativeLogLikelihoodLossCpu: CpuKernel<typeof NegativeLogLikelihoodLoss.attrs> = ([x, target, weight], a, [out]) => {
  const loss = nllLoss(x!.numeric(), x!.shape, target!.numeric(), weight?.numeric(), a.ignore_index, a.reduction);
  return [Tensor.fromNumeric(out!.dtype, out!.shape, loss)];
};
