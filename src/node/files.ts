// Node-only file access: model files with external data, TensorProto (.pb) files.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { ParseError, UsageError } from '../errors.js';
import { importOnnx, type ImportedModel } from '../onnx/import/model.js';
import { tensorFromProto } from '../onnx/import/tensor.js';
import { valueFromBytes } from '../onnx/import/value.js';
import type { ValueKind } from '../ir/graph.js';
import type { DType } from '../tensor/dtype.js';
import type { Value } from '../tensor/value.js';
import { TensorProto, type TensorProtoMsg } from '../onnx/proto.js';
import type { Tensor } from '../tensor/tensor.js';

export function readFileChecked(path: string, what = 'file'): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${what} '${path}' does not exist`);
  }
  if (st.isDirectory()) throw new UsageError(`${what} '${path}' is a directory, not a file`);
  return readFileSync(path);
}

/** Loads an ONNX model file, reading external data files beside it (paths may not escape its folder). */
export function loadOnnxFile(path: string): ImportedModel {
  const bytes = readFileChecked(path, 'model');
  const base = dirname(path);
  return importOnnx(bytes, {
    source: path,
    externalData(location, offset, length) {
      const rel = normalize(location);
      if (isAbsolute(rel) || rel.startsWith('..')) {
        throw new ParseError(`external data location '${location}' points outside the model's folder`, { where: path });
      }
      const file = join(base, rel);
      const size = (() => {
        try {
          return statSync(file).size;
        } catch {
          throw new ParseError(`external data file '${file}' is missing`, { where: path, hint: 'keep the data files beside the model' });
        }
      })();
      const len = length ?? size - offset;
      if (offset < 0 || len < 0 || offset + len > size) {
        throw new ParseError(`external data '${location}' range ${offset}+${len} exceeds the file's ${size} bytes`, { where: path });
      }
      const out = new Uint8Array(len);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, out, 0, len, offset);
      } finally {
        closeSync(fd);
      }
      return out;
    },
  });
}

/** Reads a serialized onnx.TensorProto file (ONNX backend-test input_*.pb / output_*.pb). */
export function readTensorPb(path: string): { name: string; tensor: Tensor } {
  const bytes = readFileChecked(path, 'tensor file');
  let msg: TensorProtoMsg;
  try {
    msg = TensorProto.decode(bytes) as unknown as TensorProtoMsg;
  } catch (e) {
    throw new ParseError(`not a valid TensorProto: ${(e as Error).message}`, { where: path });
  }
  return { name: msg.name, tensor: tensorFromProto(msg, path) };
}

/** Reads a backend-test value file: a TensorProto, SequenceProto or OptionalProto as `kind` says. */
export function readValuePb(path: string, kind: ValueKind, dtype: DType): Value {
  if (kind === 'tensor') return readTensorPb(path).tensor;
  return valueFromBytes(readFileChecked(path, 'value file'), kind, dtype, path);
}
