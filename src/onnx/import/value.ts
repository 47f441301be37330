import { ParseError } from '../../errors.js';
import type { ValueKind } from '../../ir/graph.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { OptionalValue, TensorSequence, type Value } from '../../tensor/value.js';
import { CONTAINER_ELEM, OptionalProto, SequenceProto, TensorProto, type OptionalMsg, type SequenceMsg, type TensorProtoMsg } from '../proto.js';
import { tensorFromProto } from './tensor.js';

/**
 * Decodes a serialized value of the declared kind: a TensorProto, a SequenceProto of tensors or
 * an OptionalProto (ONNX backend-test data). `dtype` types what the bytes cannot: empty sequences
 * and empty optionals.
 */
export function valueFromBytes(bytes: Uint8Array, kind: ValueKind, dtype: DType, where: string): Value {
  try {
    if (kind === 'tensor') return tensorFromProto(TensorProto.decode(bytes) as unknown as TensorProtoMsg, where);
    if (kind === 'sequence') return sequenceFromProto(SequenceProto.decode(bytes) as unknown as SequenceMsg, dtype, where);
    return optionalFromProto(OptionalProto.decode(bytes) as unknown as OptionalMsg, kind, dtype, where);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    throw new ParseError(`not a valid ${kind === 'tensor' ? 'TensorProto' : kind === 'sequence' ? 'SequenceProto' : 'OptionalProto'}: ${(e as Error).message}`, { where });
  }
}

function sequenceFromProto(m: SequenceMsg, dtype: DType, where: string): TensorSequence {
  if (m.elemType !== CONTAINER_ELEM.TENSOR && m.elemType !== CONTAINER_ELEM.UNDEFINED) {
    throw new ParseError(`a sequence of element type #${m.elemType}; nnrt holds sequences of tensors only`, { where });
  }
  const tensors: Tensor[] = m.tensorValues.map((t, i) => tensorFromProto(t, `${where}, element ${i}`));
  return new TensorSequence(tensors[0]?.dtype ?? dtype, tensors);
}

function optionalFromProto(m: OptionalMsg, kind: ValueKind, dtype: DType, where: string): OptionalValue {
  const elem = kind === 'optional-sequence' ? 'sequence' : 'tensor';
  if (m.tensorValue && m.elemType === CONTAINER_ELEM.TENSOR) {
    const t = tensorFromProto(m.tensorValue, where);
    return new OptionalValue('tensor', t.dtype, t);
  }
  if (m.sequenceValue && m.elemType === CONTAINER_ELEM.SEQUENCE) {
    const s = sequenceFromProto(m.sequenceValue, dtype, where);
    return new OptionalValue('sequence', s.elemDtype, s);
  }
  return new OptionalValue(elem, dtype, undefined);
}
