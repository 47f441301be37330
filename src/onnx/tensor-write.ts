import { UnsupportedError } from '../errors.js';
import type { DType, NumericStorage } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { ONNX_DTYPE, TensorProto } from './proto.js';

export const ONNX_CODE_OF: Record<DType, number> = {
  float32: ONNX_DTYPE.FLOAT, float16: ONNX_DTYPE.FLOAT16, int8: ONNX_DTYPE.INT8, uint8: ONNX_DTYPE.UINT8,
  int32: ONNX_DTYPE.INT32, int64: ONNX_DTYPE.INT64, bool: ONNX_DTYPE.BOOL, string: ONNX_DTYPE.STRING,
};

/** A TensorProto plain object (raw_data, little-endian) for protobufjs `fromObject`. */
export function tensorProtoObject(name: string, t: Tensor): Record<string, unknown> {
  const code = ONNX_CODE_OF[t.dtype];
  if (code === undefined) throw new UnsupportedError(`cannot write dtype ${t.dtype} to ONNX`);
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    return { name, dims: [...t.shape], dataType: code, stringData: (t.data as string[]).map((s) => enc.encode(s)) };
  }
  const data = t.data as NumericStorage;
  return {
    name,
    dims: [...t.shape],
    dataType: code,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** Serializes a tensor as an onnx.TensorProto (the format of ONNX backend-test .pb files). */
export function encodeTensorProto(name: string, t: Tensor): Uint8Array {
  // copy: protobufjs may hand out a view of a pooled buffer that later encodes overwrite (in Node a
  // Buffer, whose slice() is a view too)
  return new Uint8Array(TensorProto.encode(TensorProto.fromObject(tensorProtoObject(name, t))).finish());
}
