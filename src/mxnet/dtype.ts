// MXNet element types (mshadow::TypeFlag) and how their bytes become nnrt tensors.
import { ParseError, UnsupportedError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

export const MX_DTYPES = [
  'float32', 'float64', 'float16', 'uint8', 'int32', 'int8', 'int64', 'bool',
  'int16', 'uint16', 'uint32', 'uint64', 'bfloat16',
] as const;
/** An MXNet element type; its index in MX_DTYPES is its type flag. */
export type MxDType = (typeof MX_DTYPES)[number];

export const MX_DTYPE_BYTES: Record<MxDType, number> = {
  float32: 4, float64: 8, float16: 2, uint8: 1, int32: 4, int8: 1, int64: 8, bool: 1,
  int16: 2, uint16: 2, uint32: 4, uint64: 8, bfloat16: 2,
};

/**
 * The nnrt dtype an MXNet type is held in. Types nnrt computes in map to themselves; the others
 * follow the ONNX import rule: float64 and bfloat16 → float32, int16/uint16 → int32,
 * uint32/uint64 → int64 (uint64 values of 2^63 and above are refused).
 */
export const MX_TO_NNRT: Record<MxDType, DType> = {
  float32: 'float32', float64: 'float32', float16: 'float16', uint8: 'uint8', int32: 'int32', int8: 'int8',
  int64: 'int64', bool: 'bool', int16: 'int32', uint16: 'int32', uint32: 'int64', uint64: 'int64', bfloat16: 'float32',
};

/** True when nnrt holds the MXNet type's values unchanged (no widening or narrowing). */
export function isNativeMxDType(t: MxDType): boolean {
  return (MX_TO_NNRT[t] as string) === t;
}

export function mxDTypeOfFlag(flag: number, where: string): MxDType {
  const t = MX_DTYPES[flag];
  if (t === undefined || !Number.isInteger(flag)) {
    throw new ParseError(`unknown MXNet type flag ${flag} (known: 0..${MX_DTYPES.length - 1})`, { where });
  }
  return t;
}

export function flagOfMxDType(t: MxDType): number {
  return MX_DTYPES.indexOf(t);
}

/** The MXNet type that holds an nnrt dtype's values exactly. */
export function mxDTypeOf(dtype: DType): MxDType {
  if (dtype === 'string') throw new UnsupportedError('MXNet has no string tensors');
  return dtype;
}

/** Decodes `count` little-endian elements of MXNet type `t` into an nnrt tensor. */
export function decodeTensor(t: MxDType, shape: readonly number[], bytes: Uint8Array, where: string): Tensor {
  const copy = new Uint8Array(bytes); // a copy: aligned, detached from the file buffer (Buffer.slice would not copy)
  const buf = copy.buffer;
  const n = bytes.length / MX_DTYPE_BYTES[t];
  switch (t) {
    case 'float32': return new Tensor('float32', shape, new Float32Array(buf));
    case 'float16': return new Tensor('float16', shape, new Uint16Array(buf));
    case 'uint8': return new Tensor('uint8', shape, copy);
    case 'bool': return new Tensor('bool', shape, copy);
    case 'int8': return new Tensor('int8', shape, new Int8Array(buf));
    case 'int32': return new Tensor('int32', shape, new Int32Array(buf));
    case 'int64': return new Tensor('int64', shape, new BigInt64Array(buf));
    case 'float64': return new Tensor('float32', shape, Float32Array.from(new Float64Array(buf)));
    case 'int16': return new Tensor('int32', shape, Int32Array.from(new Int16Array(buf)));
    case 'uint16': return new Tensor('int32', shape, Int32Array.from(new Uint16Array(buf)));
    case 'uint32': {
      const src = new Uint32Array(buf);
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(src[i]!);
      return new Tensor('int64', shape, out);
    }
    case 'uint64': {
      const src = new BigUint64Array(buf);
      for (let i = 0; i < n; i++) {
        if (src[i]! >= 2n ** 63n) throw new UnsupportedError(`uint64 value ${src[i]} does not fit nnrt's int64`, { where });
      }
      return new Tensor('int64', shape, new BigInt64Array(buf));
    }
    case 'bfloat16': {
      const src = new Uint16Array(buf);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
      return new Tensor('float32', shape, new Float32Array(bits.buffer));
    }
  }
}

/** Encodes a tensor's values as little-endian elements of MXNet type `t`. */
export function encodeTensor(t: MxDType, tensor: Tensor): Uint8Array {
  const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (tensor.dtype === 'string') throw new UnsupportedError('MXNet has no string tensors');
  if (isNativeMxDType(t) && tensor.dtype === t) return bytesOf(tensor.data as ArrayBufferView);
  const n = tensor.size;
  if (t === 'int64' || t === 'uint64' || t === 'uint32') {
    const big = tensor.dtype === 'int64' ? (tensor.data as BigInt64Array) : BigInt64Array.from(tensor.numeric(), (v) => BigInt(Math.trunc(v)));
    if (t === 'uint32') return bytesOf(Uint32Array.from(big, (v) => Number(BigInt.asUintN(32, v))));
    return bytesOf(t === 'uint64' ? new BigUint64Array(big.buffer, big.byteOffset, big.length) : big);
  }
  const v = tensor.numeric();
  switch (t) {
    case 'float32': return bytesOf(Float32Array.from(v));
    case 'float64': return bytesOf(Float64Array.from(v));
    case 'float16': return bytesOf(Tensor.fromNumeric('float16', [n], v).data);
    case 'uint8': return bytesOf(Uint8Array.from(v));
    case 'bool': return bytesOf(Uint8Array.from(v, (x) => (x ? 1 : 0)));
    case 'int8': return bytesOf(Int8Array.from(v));
    case 'int32': return bytesOf(Int32Array.from(v));
    case 'int16': return bytesOf(Int16Array.from(v));
    case 'uint16': return bytesOf(Uint16Array.from(v));
    case 'bfloat16': {
      const f = Float32Array.from(v);
      const bits = new Uint32Array(f.buffer);
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const b = bits[i]!;
        // round to nearest even on the 16 dropped bits; NaN stays a quiet NaN
        out[i] = Number.isNaN(f[i]) ? 0x7fc0 : Math.floor((b + 0x7fff + ((b >>> 16) & 1)) / 0x10000);
      }
      return bytesOf(out);
    }
  }
}
