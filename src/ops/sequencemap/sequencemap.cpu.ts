import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorSequence } from '../../tensor/value.js';
import type { HostKernel } from '../op.js';
import { sequenceArg, tensorArg } from '../sequence/sequence-values.js';
import type { SequenceMap } from './sequencemap.op.js';

export const sequenceMapCpu: HostKernel<typeof SequenceMap.attrs> = ([s, ...rest], { body }, ctx) => {
  const seq = sequenceArg(s);
  const n = seq.tensors.length;
  for (const [k, v] of rest.entries()) {
    if (v instanceof TensorSequence && v.tensors.length !== n) {
      throw new ShapeError(`input ${k + 1} is a sequence of ${v.tensors.length}; input 0 has ${n}`);
    }
  }
  const outs: Tensor[][] = body.outputs.map(() => []);
  for (let i = 0; i < n; i++) {
    const args = [seq.tensors[i]!, ...rest.map((v) => (v instanceof TensorSequence ? v.tensors[i]! : v))];
    ctx.runSubgraph(body, args).forEach((v, j) => outs[j]!.push(tensorArg(v, `body output ${j}`)));
  }
  return outs.map((list, j) => new TensorSequence(list[0]?.dtype ?? body.outputs[j]!.dtype ?? seq.elemDtype, list));
};
