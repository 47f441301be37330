import { UnsupportedError } from '../errors.js';

/**
 * The dtypes nnrt computes with, and 'string' (ONNX string tensors: a plain string[] per tensor,
 * host only; ops opt in with OpDef.strings, numeric views of them are an error).
 * Import rule for others (see onnx/import/tensor.ts):
 * float64 → float32, int16/uint16 → int32, uint32 → int64, others are refused.
 *
 * Storage: float16 is held as raw IEEE half bits in a Uint16Array; int64 is held exactly in a
 * BigInt64Array; bool is a Uint8Array of 0/1. Kernels compute on `numeric()` views, in which
 * float16 widens to float32 and int64 to float64 (exact for |x| < 2^53, the documented limit of
 * int64 arithmetic in kernels; storage and I/O stay exact).
 */
export const DTYPES = ['float32', 'float16', 'int8', 'uint8', 'int32', 'int64', 'bool', 'string'] as const;
export type DType = (typeof DTYPES)[number];

export interface StorageOf {
  float32: Float32Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  string: string[];
}
export type Storage = StorageOf[DType];
/** Storage of the numeric dtypes (typed arrays). */
export type NumericStorage = StorageOf[Exclude<DType, 'string'>];
/** An array of plain numbers a kernel can read and write with `a[i]`. */
export type NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int32Array;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4, float16: 2, int8: 1, uint8: 1, int32: 4, int64: 8, bool: 1,
  // an estimate for memory accounting: a reference per element (the characters live in the JS heap)
  string: 8,
};

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}
export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float16';
}
export function isInteger(d: DType): boolean {
  return d === 'int8' || d === 'uint8' || d === 'int32' || d === 'int64';
}

export function allocStorage<D extends DType>(dtype: D, size: number): StorageOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(size) as StorageOf[D];
    case 'float16': return new Uint16Array(size) as StorageOf[D];
    case 'int8': return new Int8Array(size) as StorageOf[D];
    case 'uint8': case 'bool': return new Uint8Array(size) as StorageOf[D];
    case 'int32': return new Int32Array(size) as StorageOf[D];
    case 'int64': return new BigInt64Array(size) as StorageOf[D];
    case 'string': return new Array<string>(size).fill('') as StorageOf[D];
  }
  throw new Error(`unknown dtype ${String(dtype)}`);
}

/** The numeric array type a kernel computes in for a dtype (float16 → f32, int64 → f64). */
export function allocNumeric(dtype: DType, size: number): NumericArray {
  switch (dtype) {
    case 'float32': case 'float16': return new Float32Array(size);
    case 'int64': return new Float64Array(size);
    case 'int8': return new Int8Array(size);
    case 'uint8': case 'bool': return new Uint8Array(size);
    case 'int32': return new Int32Array(size);
    case 'string': throw new UnsupportedError('string tensors have no numeric values');
  }
}
