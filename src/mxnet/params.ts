// MXNet `.params` files (an "NDArray list"): reader for every record layout (legacy V0, V1, V2,
// V3) and a writer of MXNet's V2 layout. Layouts: shared/docs/MXNET_FORMATS.md §1.
//
// dtype decision: `tensor` holds the values in the dtype nnrt computes in (float64 and bfloat16
// become float32, int16/uint16 int32, uint32/uint64 int64). For those widened or narrowed types
// the stored bytes are also kept in `raw`, so writing the list back reproduces the file exactly;
// types nnrt holds natively need no copy.
import { UnsupportedError, UsageError } from '../errors.js';
import { elementCount } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { decodeTensor, encodeTensor, flagOfMxDType, isNativeMxDType, MX_DTYPE_BYTES, mxDTypeOf, mxDTypeOfFlag, type MxDType } from './dtype.js';

const LIST_MAGIC = 0x112;
const MAGIC_V1 = 0xf993fac8;
const MAGIC_V2 = 0xf993fac9;
const MAGIC_V3 = 0xf993faca;
const STORAGE_NAMES: Record<number, string> = { 1: 'row_sparse', 2: 'csr' };
/** Aux arrays per sparse storage type: row_sparse keeps row indices, csr indptr and indices. */
const SPARSE_AUX_COUNT: Record<number, number> = { 1: 1, 2: 2 };
const MAX_ELEMENTS = 2 ** 31 - 1;

/** The record layout an array was read from (MXNet version that wrote it: ≤0.10, 0.11, ≥0.12, numpy mode). */
export type MxRecordLayout = 'v0' | 'v1' | 'v2' | 'v3';

/** Where MXNet kept the array (1 cpu, 2 gpu, 3 cpu_pinned, 5 cpu_shared); data is always on the host here. */
export interface MxContext {
  devType: number;
  devId: number;
}

export interface MxArray {
  /** The key as stored ('arg:conv1_weight', 'aux:bn_moving_mean', 'weight1'); '' in an unnamed list. */
  name: string;
  /** The values; undefined for MXNet's "none" placeholder array (a record without a shape). */
  tensor: Tensor | undefined;
  /** The element type as stored (default for writing: the tensor's own dtype). */
  dtype?: MxDType;
  /** The recorded device (default for writing: cpu(0)). */
  context?: MxContext;
  /** The stored bytes when `dtype` is one nnrt widens or narrows (float64, bfloat16, int16, ...). */
  raw?: Uint8Array;
  /** Set by the reader. */
  layout?: MxRecordLayout;
}

export interface MxParams {
  arrays: MxArray[];
  /** False for an unnamed list (`mx.nd.save(f, [a, b])`): zero names are stored. */
  named: boolean;
}

/** Reads a `.params` file. `source` names the file in errors. */
export function readParams(bytes: Uint8Array, source = 'params'): MxParams {
  const r = new ByteReader(bytes, source);
  if (bytes.length >= 4 && (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    throw new UnsupportedError('this .params file is a zip (.npz) archive written by MXNet 2.x numpy mode; nnrt reads the NDArray-list format', {
      where: source, hint: 'save with mx.nd.save (legacy list format) in MXNet, or export the model to ONNX',
    });
  }
  if (bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') {
    throw new UnsupportedError('this .params file is a NumPy .npy array written by MXNet 2.x; nnrt reads the NDArray-list format', { where: source });
  }
  const magicAt = r.offset;
  const magic = r.u64('list magic');
  if (magic !== LIST_MAGIC) {
    throw r.error(`not an MXNet NDArray list: magic is 0x${magic.toString(16)}, expected 0x112`, magicAt);
  }
  r.u64('reserved field');
  const countAt = r.offset;
  const count = r.u64('array count');
  // every record takes at least 4 bytes, and the name count 8 more: refuse counts the file cannot hold
  if (count * 4 + 8 > r.remaining) {
    throw r.error(`array count ${count} is larger than the ${r.remaining} bytes left can hold`, countAt);
  }
  const records: (MxArray & { sparse?: { index: number; storage: string; at: number } })[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(r, i));
  const namesAt = r.offset;
  const nameCount = r.u64('name count');
  if (nameCount !== 0 && nameCount !== count) {
    throw r.error(`the file holds ${count} arrays but ${nameCount} names (must be 0 or ${count})`, namesAt);
  }
  if (nameCount * 8 > r.remaining) throw r.error(`name count ${nameCount} is larger than the ${r.remaining} bytes left can hold`, namesAt);
  const decoder = new TextDecoder();
  for (let i = 0; i < nameCount; i++) {
    const len = r.u64(`length of name ${i}`);
    records[i]!.name = decoder.decode(r.take(len, `name ${i}`));
  }
  if (r.remaining !== 0) throw r.error(`${r.remaining} unexpected bytes after the last name`);
  for (const rec of records) {
    if (rec.sparse) {
      const label = rec.name ? `'${rec.name}'` : `#${rec.sparse.index}`;
      throw new UnsupportedError(`array ${label} is stored ${rec.sparse.storage} (sparse); nnrt reads dense arrays only`, {
        where: `${source}, byte ${rec.sparse.at}`, hint: 'convert it to dense in MXNet (arr.tostype("default")) and save again',
      });
    }
  }
  return { arrays: records.map(({ sparse: _, ...a }) => a), named: nameCount !== 0 };
}

function readShape(r: ByteReader, dimBytes: 4 | 8, what: string, signedNdim: boolean): number[] | undefined {
  const at = r.offset;
  const ndim = signedNdim ? r.i32(`${what} rank`) : r.u32(`${what} rank`);
  if (ndim === -1) return undefined; // V3: unknown shape
  if (ndim < 0 || ndim * dimBytes > r.remaining) {
    throw r.error(`${what} rank ${ndim} is invalid or larger than the ${r.remaining} bytes left`, at);
  }
  const dims: number[] = [];
  for (let k = 0; k < ndim; k++) {
    const dAt = r.offset;
    const d = dimBytes === 8 ? r.i64(`${what} dim ${k}`) : BigInt(r.u32(`${what} dim ${k}`));
    if (d === -1n) return undefined; // V3: unknown dim
    if (d < 0n || d > BigInt(MAX_ELEMENTS)) throw r.error(`${what} dim ${k} is ${d}`, dAt);
    dims.push(Number(d));
  }
  return dims;
}

function readRecord(r: ByteReader, index: number): MxArray & { sparse?: { index: number; storage: string; at: number } } {
  const start = r.offset;
  const what = `array #${index}`;
  const head = r.u32(`${what} header`);
  let layout: MxRecordLayout;
  let shape: number[] | undefined;
  let storage = 0;
  let storageShape: number[] | undefined;
  if (head === MAGIC_V2 || head === MAGIC_V3) {
    layout = head === MAGIC_V2 ? 'v2' : 'v3';
    const stAt = r.offset;
    storage = r.i32(`${what} storage type`);
    if (storage !== 0 && !(storage in STORAGE_NAMES)) throw r.error(`${what} has unknown storage type ${storage}`, stAt);
    if (storage !== 0) {
      storageShape = readShape(r, 8, `${what} storage shape`, true);
      if (!storageShape) throw r.error(`${what} has an unknown storage shape`, stAt);
    }
    shape = readShape(r, 8, `${what} shape`, true);
    // V2 (and older) mark a "none" array with rank 0; V3 has real 0-d scalars and uses rank -1
    if (layout === 'v2' && shape?.length === 0) shape = undefined;
  } else if (head === MAGIC_V1) {
    layout = 'v1';
    shape = readShape(r, 8, `${what} shape`, false);
    if (shape?.length === 0) shape = undefined;
  } else {
    layout = 'v0';
    r.offset = start; // the header is the rank itself
    shape = readShape(r, 4, `${what} shape (no magic: legacy layout, or a corrupt header 0x${head.toString(16)})`, false);
    if (shape?.length === 0) shape = undefined;
  }
  if (!shape) return { name: '', tensor: undefined, layout };
  const devType = r.i32(`${what} device type`);
  const devId = r.i32(`${what} device id`);
  const flagAt = r.offset;
  const dtype = mxDTypeOfFlag(r.i32(`${what} type flag`), `${r.source}, byte ${flagAt}`);
  const dataShape = storageShape ?? shape;
  const auxBytes: number[] = [];
  for (let a = 0; a < (SPARSE_AUX_COUNT[storage] ?? 0); a++) {
    const auxAt = r.offset;
    const auxType = mxDTypeOfFlag(r.i32(`${what} aux ${a} type flag`), `${r.source}, byte ${auxAt}`);
    const auxShape = readShape(r, 8, `${what} aux ${a} shape`, true);
    if (!auxShape) throw r.error(`${what} aux ${a} has an unknown shape`, auxAt);
    auxBytes.push(elementBytes(r, auxShape, auxType, `${what} aux ${a}`, auxAt));
  }
  const dataAt = r.offset;
  const data = r.take(elementBytes(r, dataShape, dtype, `${what} data`, dataAt), `${what} data`);
  auxBytes.forEach((n, a) => r.take(n, `${what} aux ${a} data`));
  if (storage !== 0) {
    return { name: '', tensor: undefined, layout, sparse: { index, storage: STORAGE_NAMES[storage]!, at: start } };
  }
  const where = `${r.source}, ${what} at byte ${start}`;
  const arr: MxArray = { name: '', tensor: decodeTensor(dtype, shape, data, where), dtype, context: { devType, devId }, layout };
  if (!isNativeMxDType(dtype)) arr.raw = new Uint8Array(data);
  return arr;
}

/** Byte size of an array, checked against what is left of the file before anything is allocated. */
function elementBytes(r: ByteReader, shape: number[], dtype: MxDType, what: string, at: number): number {
  const n = elementCount(shape);
  if (n > MAX_ELEMENTS) throw r.error(`${what} of shape (${shape.join(',')}) has ${n} elements, more than nnrt can hold`, at);
  const bytes = n * MX_DTYPE_BYTES[dtype];
  if (bytes > r.remaining) {
    throw r.error(`truncated file: ${what} of shape (${shape.join(',')}) ${dtype} needs ${bytes} bytes, only ${r.remaining} remain`, at);
  }
  return bytes;
}

/**
 * Writes an NDArray list in MXNet's V2 layout (what MXNet 0.12 to 1.9 write without numpy
 * semantics), readable by every MXNet since 0.12. Unnamed lists store zero names.
 */
export function writeParams(params: MxParams): Uint8Array {
  const w = new ByteWriter();
  w.u64(LIST_MAGIC);
  w.u64(0);
  w.u64(params.arrays.length);
  for (const a of params.arrays) writeRecord(w, a);
  if (!params.named) {
    const named = params.arrays.find((a) => a.name);
    if (named) throw new UnsupportedError(`an unnamed list cannot hold the named array '${named.name}'`);
  }
  w.u64(params.named ? params.arrays.length : 0);
  const encoder = new TextEncoder();
  if (params.named) {
    for (const a of params.arrays) {
      const b = encoder.encode(a.name);
      w.u64(b.length);
      w.bytes(b);
    }
  }
  return w.finish();
}

function writeRecord(w: ByteWriter, a: MxArray): void {
  w.u32(MAGIC_V2);
  w.i32(0); // dense
  const t = a.tensor;
  if (!t) {
    w.i32(0); // rank 0: MXNet's "none" array, nothing follows
    return;
  }
  if (t.rank === 0) {
    throw new UnsupportedError(`array '${a.name}' is 0-d; MXNet's V2 layout cannot hold scalars (rank 0 means "none")`, {
      hint: 'reshape it to [1] before writing',
    });
  }
  w.i32(t.rank);
  for (const d of t.shape) w.i64(d);
  w.i32(a.context?.devType ?? 1);
  w.i32(a.context?.devId ?? 0);
  const dtype = a.dtype ?? mxDTypeOf(t.dtype);
  w.i32(flagOfMxDType(dtype));
  const expected = t.size * MX_DTYPE_BYTES[dtype];
  if (a.raw && a.raw.length !== expected) {
    throw new UsageError(`array '${a.name}': raw bytes hold ${a.raw.length} bytes, ${dtype} (${t.shape.join(',')}) needs ${expected}`);
  }
  w.bytes(a.raw ?? encodeTensor(dtype, t));
}
