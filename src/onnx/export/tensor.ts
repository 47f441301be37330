import { UnsupportedError } from '../../errors.js';
import type { DType, NumericStorage } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ONNX_DTYPE } from '../proto.js';

/** ONNX element type codes of the IR dtypes. */
export const ONNX_DTYPE_OF: Record<DType, number> = {
  float32: ONNX_DTYPE.FLOAT, float16: ONNX_DTYPE.FLOAT16, int8: ONNX_DTYPE.INT8, uint8: ONNX_DTYPE.UINT8,
  int32: ONNX_DTYPE.INT32, int64: ONNX_DTYPE.INT64, bool: ONNX_DTYPE.BOOL, string: ONNX_DTYPE.STRING,
};

/** A tensor's bytes as ONNX raw_data stores them (little-endian; the host is little-endian, see import). */
export function rawBytes(t: Tensor): Uint8Array {
  if (t.dtype === 'string') throw new UnsupportedError('string tensors have no raw bytes', { hint: 'write them as string_data' });
  const data = t.data as NumericStorage;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Where a tensor's bytes live in the external data file. */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

/**
 * ONNX element types the importer widens into an IR dtype exactly, so that export can write the
 * declared type again (Graph.onnxTypes): each maps IR storage back to that type's raw bytes.
 */
const NARROW: Record<number, (t: Tensor) => ArrayBufferView> = {
  [ONNX_DTYPE.INT16]: (t) => Int16Array.from(t.data as Int32Array),
  [ONNX_DTYPE.UINT16]: (t) => Uint16Array.from(t.data as Int32Array),
  [ONNX_DTYPE.UINT32]: (t) => Uint32Array.from(t.data as BigInt64Array, Number),
  [ONNX_DTYPE.UINT64]: (t) => BigUint64Array.from(t.data as BigInt64Array, (v) => BigInt.asUintN(64, v)),
  [ONNX_DTYPE.DOUBLE]: (t) => Float64Array.from(t.data as Float32Array),
  // bfloat16 imports as the float32 with the same high half, so the high half is exact
  [ONNX_DTYPE.BFLOAT16]: (t) => Uint16Array.from(new Uint32Array((t.data as Float32Array).slice().buffer), (v) => v >>> 16),
};

/** Whether export can write a value declared with this ONNX type in that type. */
export const canRestoreType = (code: number): boolean => code in NARROW;

/** A tensor's bytes in the ONNX element type `code` (its IR dtype's, or a restorable declared one). */
function encodedBytes(t: Tensor, code: number): Uint8Array {
  const narrow = code !== ONNX_DTYPE_OF[t.dtype] ? NARROW[code] : undefined;
  if (!narrow) return rawBytes(t);
  const v = narrow(t);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** A tensor ready to write: its ONNX element type and raw bytes. */
export interface EncodedTensor {
  name: string;
  dims: number[];
  code: number;
  bytes: Uint8Array;
}

/** Encodes a tensor as ONNX type `code`: its IR dtype's, or a restorable declared type (see canRestoreType). */
export function encodeTensor(name: string, t: Tensor, code = ONNX_DTYPE_OF[t.dtype]): EncodedTensor {
  return { name, dims: [...t.shape], code, bytes: encodedBytes(t, code) };
}

/** A TensorProto object for ModelProto.fromObject: raw_data inline, or a reference to external data. */
export function tensorProto(e: EncodedTensor, external?: ExternalRef): Record<string, unknown> {
  const base = { name: e.name, dims: e.dims, dataType: e.code };
  if (!external) return { ...base, rawData: e.bytes };
  return {
    ...base,
    dataLocation: 1, // EXTERNAL
    externalData: [
      { key: 'location', value: external.location },
      { key: 'offset', value: String(external.offset) },
      { key: 'length', value: String(external.length) },
    ],
  };
}
