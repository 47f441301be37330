import { ShapeError } from '../../errors.js';
import { concatAxis, normAxis, stackAxis } from '../_kernels/pieces.js';
import type { HostKernel } from '../op.js';
import { sequenceArg } from '../sequence/sequence-values.js';
import type { ConcatFromSequence } from './concatfromsequence.op.js';

export const concatFromSequenceCpu: HostKernel<typeof ConcatFromSequence.attrs> = ([s], { axis, new_axis }) => {
  const seq = sequenceArg(s);
  const first = seq.tensors[0];
  if (!first) throw new ShapeError('cannot concatenate an empty sequence');
  if (new_axis === 1) return [stackAxis(seq.tensors, normAxis(axis, first.rank + 1), seq.elemDtype)];
  return [concatAxis(seq.tensors, normAxis(axis, first.rank), seq.elemDtype)];
};
