import type { GpuKernel } from '../../devices/webgpu/program.js';
import { elementCount } from '../../tensor/shape.js';
import { nllDecline, nllProgram } from '../_wgsl/nll.js';
import { softmaxRowsProgram } from '../softmax/softmax.wgsl.js';
import type { SoftmaxCrossEntropyLoss } from './softmaxcrossentropyloss.op.js';

// log_softmax along the class axis (Softmax's row program, rows N·D of C elements D apart) into
// output 1 when the node has it, else a scratch buffer; then the NLL loss of those log-probabilities.
export const softmaxCrossEntropyLossWgsl: GpuKernel<typeof SoftmaxCrossEntropyLoss.attrs> = ([x, , weights], a, outs) => {
  const declined = nllDecline(a.ignore_index);
  if (declined) return declined;
  const [n, c] = [x!.shape[0]!, x!.shape[1]!];
  const d = x!.shape.slice(2).reduce((p, q) => p * q, 1);
  const logProb = outs[1] ? { output: 1 } : { scratch: 0 };
  return {
    programs: [
      softmaxRowsProgram({ rows: n * d, len: c, inner: d, log: true, outDtype: outs[1]?.dtype ?? 'float32', input: { input: 0 }, output: logProb }),
      nllProgram({
        x: logProb, target: { input: 1 }, ...(weights ? { weight: { input: 2 } } : {}),
        shape: x!.shape, ignoreIndex: a.ignore_index, reduction: a.reduction, outDtype: outs[0]!.dtype,
      }),
    ],
    ...(outs[1] ? {} : { scratch: [elementCount(x!.shape)] }),
  };
};
