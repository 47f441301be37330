import { ParseError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { elementType, elementTypeName, type ElementType } from '../../tensor/element-type.js';
import { Tensor } from '../../tensor/tensor.js';
import { ONNX_DTYPE, toNum, type TensorProtoMsg } from '../proto.js';

/**
 * Reads external data: (location relative to the model, byte offset, byte length or undefined for
 * "to the end", the bytes the tensor needs). A reader reads only `expected` bytes, and refuses a
 * `length` that differs from it before reading anything.
 */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined, expected: number) => Uint8Array;

/**
 * The import rule for ONNX element types (the table is src/tensor/element-type.ts): float,
 * float16, int8, uint8, int32, int64 and bool are kept; every other numeric type is held widened,
 * with its values exact:
 *   float64 (rounded), bfloat16, float8e4m3fn/e4m3fnuz/e5m2/e5m2fnuz/e8m0, float4e2m1 → float32
 *   int16, uint16 → int32;  uint32, uint64 → int64 (uint64 above 2^63 wraps to negative)
 *   int4, int2 → int8;  uint4, uint2 → uint8 (unpacked from two or four per byte, low bits first)
 * Cast to one of these types rounds onto its value grid and stores the widened dtype (see the Cast
 * kernel). Strings are held as 'string' tensors (host only); complex numbers are unsupported.
 */
export function dtypeFromOnnx(code: number, where: string): DType {
  const t = elementType(code);
  if (t) return t.dtype;
  throw new UnsupportedError(`element type ${elementTypeName(code)} is not supported`, {
    where,
    hint: 'nnrt computes in float32, float16, int8, uint8, int32, int64 and bool and holds strings; other numeric types are held widened, complex numbers are not supported',
  });
}

const MAX_ELEMENTS = 2 ** 31 - 1;

export function tensorFromProto(p: TensorProtoMsg, where: string, external?: ExternalDataReader): Tensor {
  const shape = p.dims.map((d) => toNum(d));
  let size = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ParseError(`tensor '${p.name}' has an invalid dimension ${d}`, { where });
    size *= d;
  }
  if (size > MAX_ELEMENTS) throw new ParseError(`tensor '${p.name}' claims ${size} elements, more than nnrt can hold`, { where });
  const code = p.dataType;
  const dtype = dtypeFromOnnx(code, `${where}, tensor '${p.name}'`);
  let raw: Uint8Array | undefined = p.rawData && p.rawData.length ? p.rawData : undefined;
  if (p.dataLocation === 1) {
    const kv = Object.fromEntries(p.externalData.map((e) => [e.key, e.value]));
    if (!kv.location) throw new ParseError(`tensor '${p.name}' is external but names no location`, { where });
    if (!external) {
      throw new ParseError(`tensor '${p.name}' keeps its data in external file '${kv.location}'`, {
        where, hint: 'load the model from a file path (not bytes) so nnrt can read the external data beside it',
      });
    }
    const bits = elementType(code)!.bits;
    const expected = bits < 8 ? Math.ceil(size / (8 / bits)) : size * (bits / 8);
    const num = (key: string) => {
      const v = Number(kv[key]);
      if (!Number.isSafeInteger(v) || v < 0) throw new ParseError(`tensor '${p.name}': external data ${key} '${kv[key]}' is not a byte count`, { where });
      return v;
    };
    raw = external(kv.location, kv.offset ? num('offset') : 0, kv.length ? num('length') : undefined, expected);
  }
  const fail = (got: number) =>
    new ParseError(`tensor '${p.name}' of shape [${shape.join(',')}] needs ${size} values, the file holds ${got}`, { where });
  if (code === ONNX_DTYPE.STRING) {
    if (p.stringData.length !== size) throw fail(p.stringData.length);
    const dec = new TextDecoder();
    return new Tensor('string', shape, p.stringData.map((b) => dec.decode(b)));
  }
  const narrow = elementType(code)!;
  // narrow types keep one byte per int32_data entry: one float8 value or packed 4-/2-bit values
  if (narrow.decode || narrow.bits < 8) return fromNarrowBytes(raw ?? Uint8Array.from(p.int32Data), narrow, shape, size, fail);
  if (raw) return fromRaw(raw, code, dtype, shape, size, fail);
  const fromList = (list: ArrayLike<number>): Tensor => {
    if (list.length !== size) throw fail(list.length);
    return Tensor.fromNumeric(dtype, shape, list);
  };
  switch (code) {
    case ONNX_DTYPE.FLOAT: return fromList(p.floatData);
    case ONNX_DTYPE.DOUBLE: return fromList(p.doubleData);
    case ONNX_DTYPE.INT64: case ONNX_DTYPE.UINT32: case ONNX_DTYPE.UINT64: {
      const src = code === ONNX_DTYPE.INT64 ? p.int64Data : p.uint64Data;
      if (src.length !== size) throw fail(src.length);
      const out = new BigInt64Array(size);
      for (let i = 0; i < size; i++) {
        const v = src[i]!;
        out[i] = typeof v === 'number' ? BigInt(v) : BigInt.asIntN(64, BigInt(v.toString()));
      }
      return new Tensor('int64', shape, out);
    }
    case ONNX_DTYPE.FLOAT16: {
      if (p.int32Data.length !== size) throw fail(p.int32Data.length);
      return new Tensor('float16', shape, Uint16Array.from(p.int32Data));
    }
    case ONNX_DTYPE.BFLOAT16: {
      if (p.int32Data.length !== size) throw fail(p.int32Data.length);
      const u = new Uint32Array(size);
      for (let i = 0; i < size; i++) u[i] = (p.int32Data[i]! & 0xffff) << 16;
      return new Tensor('float32', shape, new Float32Array(u.buffer));
    }
    default: return fromList(p.int32Data);
  }
}

/** Decodes float8/float4 bit patterns and sign-extends packed 4-/2-bit integers. */
function fromNarrowBytes(bytes: Uint8Array, t: ElementType, shape: number[], size: number, fail: (n: number) => Error): Tensor {
  const perByte = 8 / t.bits;
  if (bytes.length !== Math.ceil(size / perByte)) throw fail(bytes.length * perByte);
  const mask = (1 << t.bits) - 1;
  const half = 2 ** (t.bits - 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const field = (bytes[Math.floor(i / perByte)]! >> ((i % perByte) * t.bits)) & mask;
    values[i] = t.decode ? t.decode(field) : t.integer?.signed && field >= half ? field - 2 * half : field;
  }
  return Tensor.fromNumeric(t.dtype, shape, values);
}

function fromRaw(raw: Uint8Array, code: number, dtype: DType, shape: number[], size: number, fail: (n: number) => Error): Tensor {
  // copy into an aligned buffer: raw_data slices are not aligned to the element size
  const width = elementType(code)!.bits / 8;
  if (raw.length !== size * width) throw fail(Math.floor(raw.length / width));
  const buf = new ArrayBuffer(raw.length);
  new Uint8Array(buf).set(raw);
  const dv = new DataView(buf);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!le) throw new UnsupportedError('big-endian hosts are not supported');
  switch (code) {
    case ONNX_DTYPE.FLOAT: return new Tensor('float32', shape, new Float32Array(buf));
    case ONNX_DTYPE.DOUBLE: return Tensor.fromNumeric('float32', shape, new Float64Array(buf));
    case ONNX_DTYPE.FLOAT16: return new Tensor('float16', shape, new Uint16Array(buf));
    case ONNX_DTYPE.BFLOAT16: {
      const u = new Uint32Array(size);
      for (let i = 0; i < size; i++) u[i] = dv.getUint16(i * 2, true) << 16;
      return new Tensor('float32', shape, new Float32Array(u.buffer));
    }
    case ONNX_DTYPE.INT8: return new Tensor('int8', shape, new Int8Array(buf));
    case ONNX_DTYPE.UINT8: return new Tensor('uint8', shape, new Uint8Array(buf));
    case ONNX_DTYPE.BOOL: return new Tensor('bool', shape, new Uint8Array(buf).map((v) => (v ? 1 : 0)));
    case ONNX_DTYPE.INT16: return new Tensor('int32', shape, Int32Array.from(new Int16Array(buf)));
    case ONNX_DTYPE.UINT16: return new Tensor('int32', shape, Int32Array.from(new Uint16Array(buf)));
    case ONNX_DTYPE.INT32: return new Tensor('int32', shape, new Int32Array(buf));
    case ONNX_DTYPE.INT64: return new Tensor('int64', shape, new BigInt64Array(buf));
    case ONNX_DTYPE.UINT32: return new Tensor('int64', shape, BigInt64Array.from(new Uint32Array(buf), (v) => BigInt(v)));
    case ONNX_DTYPE.UINT64: return new Tensor('int64', shape, new BigInt64Array(buf));
  }
  throw new UnsupportedError(`element type #${code} is not supported`);
}
