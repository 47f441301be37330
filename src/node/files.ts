// Node-only file access: model files with external data, TensorProto (.pb) files.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ParseError, UsageError } from '../errors.js';
import { importOnnx, type ImportedModel } from '../onnx/import/model.js';
import { decodeTensorProto } from '../onnx/tensor-read.js';
import { valueFromBytes } from '../onnx/import/value.js';
import type { ValueKind } from '../ir/graph.js';
import type { DType } from '../tensor/dtype.js';
import type { Value } from '../tensor/value.js';
import type { Tensor } from '../tensor/tensor.js';

export function readFileChecked(path: string, what = 'file'): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${what} '${path}' does not exist`);
  }
  if (st.isDirectory()) throw new UsageError(`${what} '${path}' is a directory, not a file`);
  if (!st.isFile()) throw new UsageError(`${what} '${path}' is not a regular file (a FIFO, socket or device)`);
  return readFileSync(path);
}

/** Loads an ONNX model file, reading external data files beside it (confined to its folder). */
export function loadOnnxFile(path: string): ImportedModel {
  const bytes = readFileChecked(path, 'model');
  const base = dirname(path);
  return importOnnx(bytes, {
    source: path,
    externalData: (location, offset, length, expected) => readExternalData(path, base, location, offset, length, expected),
  });
}

/**
 * The bytes of one external tensor. The location, resolved with realpath (symlinks followed),
 * must stay inside the model's folder and name a regular file; the range is checked against the
 * tensor's size and the file's before anything is read, and only that range is read.
 */
function readExternalData(model: string, base: string, location: string, offset: number, length: number | undefined, expected: number): Uint8Array {
  const where = model;
  if (location.includes('\0')) throw new ParseError(`external data location '${location}' contains a NUL byte`, { where });
  const rel = normalize(location);
  if (isAbsolute(rel) || rel.startsWith('..')) {
    throw new ParseError(`external data location '${location}' points outside the model's folder`, { where });
  }
  if (length !== undefined && length !== expected) {
    throw new ParseError(`external data '${location}' has length ${length}, the tensor needs ${expected} bytes`, { where });
  }
  let file: string;
  let root: string;
  try {
    root = realpathSync(base);
    file = realpathSync(join(base, rel));
  } catch {
    throw new ParseError(`external data file '${join(base, rel)}' is missing`, { where, hint: 'keep the data files beside the model' });
  }
  if (file === root) throw new ParseError(`external data location '${location}' is a directory, not a file`, { where });
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new ParseError(`external data location '${location}' resolves to '${file}', outside the model's folder (a symlink out is refused)`, { where });
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat on the open file decides
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new ParseError(`external data file '${file}' cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { where });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ParseError(`external data location '${location}' is a directory, not a file`, { where });
    if (!st.isFile()) throw new ParseError(`external data location '${location}' is not a regular file (a FIFO, socket or device)`, { where });
    if (offset + expected > st.size) {
      throw new ParseError(`external data '${location}' range ${offset}+${expected} exceeds the file's ${st.size} bytes`, { where });
    }
    const out = new Uint8Array(expected);
    for (let done = 0; done < expected;) {
      const n = readSync(fd, out, done, expected - done, offset + done);
      if (n === 0) throw new ParseError(`external data '${location}' ended early at byte ${offset + done}`, { where });
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads a serialized onnx.TensorProto file (ONNX backend-test input_*.pb / output_*.pb). */
export function readTensorPb(path: string): { name: string; tensor: Tensor } {
  return decodeTensorProto(readFileChecked(path, 'tensor file'), path);
}

/** Reads a backend-test value file: a TensorProto, SequenceProto or OptionalProto as `kind` says. */
export function readValuePb(path: string, kind: ValueKind, dtype: DType): Value {
  if (kind === 'tensor') return readTensorPb(path).tensor;
  return valueFromBytes(readFileChecked(path, 'value file'), kind, dtype, path);
}
