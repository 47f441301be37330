import type { GpuKernel } from '../../devices/webgpu/program.js';
import { nllDecline, nllProgram } from '../_wgsl/nll.js';
import type { NegativeLogLikelihoodLoss } from './negativeloglikelihoodloss.op.js';

// −x[n, target, d] · weight[target], reduced as `reduction` says (src/ops/_wgsl/nll.ts).
export const negativeLogLikelihoodLossWgsl: GpuKernel<typeof NegativeLogLikelihoodLoss.attrs> = ([x, , weight], a, [out]) => {
  const declined = nllDecline(a.ignore_index);
  if (declined) return declined;
  return {
    programs: [nllProgram({
      x: { input: 0 }, target: { input: 1 }, ...(weight ? { weight: { input: 2 } } : {}),
      shape: x!.shape, ignoreIndex: a.ignore_index, reduction: a.reduction, outDtype: out!.dtype,
    })],
  };
};
