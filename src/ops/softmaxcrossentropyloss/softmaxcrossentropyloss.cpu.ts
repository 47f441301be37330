import { Tensor } from '../../tensor/tensor.js';
import { nllLoss } from '../_kernels/nll.js';
import type { CpuKernel } from '../op.js';
import type { SoftmaxCrossEntropyLoss } from './softmaxcrossentropyloss.op.js';

export const softmaxCrossEntropyLossCpu: CpuKernel<typeof SoftmaxCrossEntropyLoss.attrs> = ([x, labels, weights], a, outs) => {
  const logProb = logSoftmaxClasses(x!.numeric(), x!.shape);
  const loss = nllLoss(logProb, x!.shape, labels!.numeric(), weights?.numeric(), a.ignore_index, a.reduction);
  const results = [Tensor.fromNumeric(outs[0]!.dtype, outs[0]!.shape, loss)];
  if (outs[1]) results.push(Tensor.fromNumeric(outs[1].dtype, outs[1].shape, logProb));
  return results;
};

/** log_softmax along axis 1 of an [N, C, ...] tensor. */
function logSoftmaxClasses(x: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const n = shape[0]!;
  const c = shape[1]!;
  const d = shape.slice(2).reduce((p, q) => p * q, 1);
  const out = new Float64Array(n * c * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const at = i * c * d + k;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x[at + j * d]!);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[at + j * d]! - max);
      const logSum = max + Math.log(sum);
      for (let j = 0; j < c; j++) out[at + j * d] = x[at + j * d]! - logSum;
    }
  }
  return out;
}
