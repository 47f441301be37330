import { ParseError, UnsupportedError } from '../../errors.js';
import type { Dim, ValueInfo, ValueKind } from '../../ir/graph.js';
import type { DType } from '../../tensor/dtype.js';
import { toNum, type TypeMsg, type ValueInfoMsg } from '../proto.js';
import { dtypeFromOnnx } from './tensor.js';

export interface ImportedType {
  kind: ValueKind;
  dtype: DType;
  shape: Dim[];
  /** The declared ONNX element type code of the tensors inside. */
  elemType: number;
  /** No shape declared at all (ONNX allows an unknown rank): `shape` is [] and means nothing. */
  unknownRank?: boolean;
}

/**
 * An ONNX TypeProto as nnrt holds it: tensor, sequence(tensor), optional(tensor) or
 * optional(sequence(tensor)); maps, sparse tensors and deeper nesting are refused.
 */
export function importType(t: TypeMsg | null | undefined, where: string): ImportedType | undefined {
  if (!t) return undefined;
  if (t.tensorType) return { kind: 'tensor', ...tensorType(t.tensorType, where) };
  if (t.mapType || t.sequenceType?.elemType?.mapType) throw mapRefusal(where);
  if (t.sequenceType) {
    const e = t.sequenceType.elemType;
    if (!e?.tensorType) throw new UnsupportedError('only sequences of tensors are supported', { where });
    return { kind: 'sequence', ...tensorType(e.tensorType, where) };
  }
  if (t.optionalType) {
    const e = importType(t.optionalType.elemType, where);
    if (!e) throw new UnsupportedError('an optional type without an element type', { where });
    if (e.kind === 'tensor') return { ...e, kind: 'optional' };
    if (e.kind === 'sequence') return { ...e, kind: 'optional-sequence' };
    throw new UnsupportedError(`optional(${e.kind}) is not supported`, { where });
  }
  throw new UnsupportedError('only tensor, sequence(tensor) and optional types are supported (not maps or sparse tensors)', { where });
}

/** Maps (ai.onnx.ml ZipMap's seq(map) output, DictVectorizer's and CastMap's map input): a value kind nnrt does not have. */
function mapRefusal(where: string): UnsupportedError {
  return new UnsupportedError('map values (and sequences of maps) are not supported: nnrt has tensors, sequences of tensors and optionals', {
    where,
    hint: "a scikit-learn classifier converted by skl2onnx has a ZipMap output: convert it with options={id(model): {'zipmap': False}} to get the probabilities as a tensor",
  });
}

function tensorType(tt: NonNullable<TypeMsg['tensorType']>, where: string): Omit<ImportedType, 'kind'> {
  // no shape field at all: unknown rank (an empty dim list is a scalar)
  if (!tt.shape) return { dtype: dtypeFromOnnx(tt.elemType, where), shape: [], elemType: tt.elemType, unknownRank: true };
  const shape: Dim[] = tt.shape.dim.map((d, i) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue) < 0) {
      throw new ParseError(`dimension ${i} is declared ${toNum(d.dimValue)}; dimensions are ≥ 0`, { where });
    }
    if (d.dimValue !== undefined && d.dimValue !== null && (d.value === 'dimValue' || toNum(d.dimValue) > 0)) return toNum(d.dimValue);
    return `?${i}`;
  });
  return { dtype: dtypeFromOnnx(tt.elemType, where), shape, elemType: tt.elemType };
}

/** A declared value; `untypedOk` lets subgraph inputs leave their type out (ONNX allows it). */
export function valueInfo(v: ValueInfoMsg, where: string, untypedOk = false): ValueInfo {
  const t = importType(v.type, where);
  if (!t) {
    if (untypedOk) return { name: v.name, dtype: 'float32', shape: [], untyped: true };
    throw new UnsupportedError('the value has no declared type', { where });
  }
  return { name: v.name, dtype: t.dtype, shape: t.shape, ...(t.kind !== 'tensor' ? { kind: t.kind } : {}), ...(t.unknownRank ? { unknownRank: true } : {}) };
}
