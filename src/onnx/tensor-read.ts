// Reads a serialized onnx.TensorProto (the format of ONNX backend-test input_*.pb / output_*.pb)
// from bytes: browser-safe (readTensorPb in 'nnrt/node' reads a file with it).
import { ParseError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensorFromProto } from './import/tensor.js';
import { TensorProto, type TensorProtoMsg } from './proto.js';

/** The tensor and its name; `where` names the source in errors (a file name, a URL). */
export function decodeTensorProto(bytes: Uint8Array, where = 'TensorProto bytes'): { name: string; tensor: Tensor } {
  let msg: TensorProtoMsg;
  try {
    msg = TensorProto.decode(bytes) as unknown as TensorProtoMsg;
  } catch (e) {
    throw new ParseError(`not a valid TensorProto: ${(e as Error).message}`, { where });
  }
  return { name: msg.name, tensor: tensorFromProto(msg, where) };
}
