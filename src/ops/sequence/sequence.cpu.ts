import { ShapeError, UnsupportedError } from '../../errors.js';
import { elementType, elementTypeName, ELEMENT_TYPE } from '../../tensor/element-type.js';
import { Tensor } from '../../tensor/tensor.js';
import { TensorSequence } from '../../tensor/value.js';
import type { HostKernel } from '../op.js';
import type { SequenceAt, SequenceConstruct, SequenceEmpty, SequenceErase, SequenceInsert, SequenceLength } from './sequence.op.js';
import { positionArg, sequenceArg, tensorArg } from './sequence-values.js';

export const sequenceConstructCpu: HostKernel<typeof SequenceConstruct.attrs> = (inputs) => {
  const ts = inputs.map((v, k) => tensorArg(v, `input ${k}`));
  const dtype = ts[0]!.dtype;
  const other = ts.find((t) => t.dtype !== dtype);
  if (other) throw new ShapeError(`all inputs must share one dtype: ${dtype} and ${other.dtype}`);
  return [new TensorSequence(dtype, ts)];
};

export const sequenceEmptyCpu: HostKernel<typeof SequenceEmpty.attrs> = (_, { dtype }) => {
  const code = dtype ?? ELEMENT_TYPE.FLOAT;
  const t = elementType(code);
  if (!t) throw new UnsupportedError(`dtype ${elementTypeName(code)} is not supported`);
  return [new TensorSequence(t.dtype, [])];
};

export const sequenceAtCpu: HostKernel<typeof SequenceAt.attrs> = ([s, p]) => {
  const seq = sequenceArg(s);
  return [seq.tensors[positionArg(p, seq.tensors.length, 0, false)]!];
};

export const sequenceInsertCpu: HostKernel<typeof SequenceInsert.attrs> = ([s, x, p]) => {
  const seq = sequenceArg(s);
  const t = tensorArg(x, 'input 1');
  if (t.dtype !== seq.elemDtype) throw new ShapeError(`cannot insert a ${t.dtype} tensor into a sequence of ${seq.elemDtype}`);
  const at = positionArg(p, seq.tensors.length, seq.tensors.length, true);
  return [new TensorSequence(seq.elemDtype, [...seq.tensors.slice(0, at), t, ...seq.tensors.slice(at)])];
};

export const sequenceEraseCpu: HostKernel<typeof SequenceErase.attrs> = ([s, p]) => {
  const seq = sequenceArg(s);
  const n = seq.tensors.length;
  if (n === 0) throw new ShapeError('cannot erase from an empty sequence');
  const at = positionArg(p, n, n - 1, false);
  return [new TensorSequence(seq.elemDtype, seq.tensors.filter((_, i) => i !== at))];
};

export const sequenceLengthCpu: HostKernel<typeof SequenceLength.attrs> = ([s]) => [Tensor.scalar('int64', sequenceArg(s).tensors.length)];
