import { allocStorage, BYTES_PER_ELEMENT, isDType, type DType, type NumericArray, type Storage, type StorageOf } from './dtype.js';
import { fromHalfBits, toHalfBits } from './float16.js';
import { elementCount, stridesOf, type Shape } from './shape.js';
import { ShapeError, UnsupportedError } from '../errors.js';

/** The largest host tensor nnrt allocates (typed arrays top out near 2^32 bytes in V8 anyway). */
export const MAX_TENSOR_BYTES = 2 ** 32 - 1;

/** A dense, row-major tensor in host memory. Immutable by convention once handed to a graph. */
export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: StorageOf[D];

  constructor(dtype: D, shape: Shape, data?: StorageOf[D]) {
    if (!isDType(dtype)) throw new ShapeError(`unknown dtype '${String(dtype)}'`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid dimension ${d} in shape [${shape.join(',')}]`);
    }
    const size = elementCount(shape);
    if (!data && size * BYTES_PER_ELEMENT[dtype] > MAX_TENSOR_BYTES) {
      throw new ShapeError(`a ${dtype} tensor of shape [${shape.join(',')}] would take ${size * BYTES_PER_ELEMENT[dtype]} bytes, over nnrt's limit of ${MAX_TENSOR_BYTES}`);
    }
    const buf = data ?? allocStorage(dtype, size);
    if (buf.length !== size) {
      throw new ShapeError(`tensor of shape [${shape.join(',')}] needs ${size} elements, got ${buf.length}`);
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = buf;
  }

  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }
  get strides(): number[] { return stridesOf(this.shape); }
  get byteLength(): number { return this.size * BYTES_PER_ELEMENT[this.dtype]; }

  /** Same data, another shape with the same element count (no copy). */
  reshape(shape: Shape): Tensor<D> {
    return new Tensor(this.dtype, shape, this.data);
  }

  /** A new tensor of the same dtype and shape with `f` applied to every value. */
  map1(f: (v: number) => number): Tensor<D> {
    const v = this.numeric();
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = f(v[i]!);
    return Tensor.fromNumeric(this.dtype, this.shape, out);
  }

  /** Values as numbers a kernel can compute with (float16 → f32, int64 → f64; no copy otherwise). */
  numeric(): NumericArray {
    return toNumeric(this.dtype, this.data);
  }

  /** A plain JS array of numbers (for small tensors: shapes, axes, indices). */
  toNumbers(): number[] {
    return Array.from(this.numeric());
  }

  /** Builds a tensor of `dtype` from numbers computed by a kernel (inverse of `numeric()`). */
  static fromNumeric<D extends DType>(dtype: D, shape: Shape, values: ArrayLike<number>): Tensor<D> {
    return new Tensor(dtype, shape, fromNumeric(dtype, values));
  }

  static scalar<D extends DType>(dtype: D, value: number): Tensor<D> {
    return Tensor.fromNumeric(dtype, [], [value]);
  }

  static fromArray(shape: Shape, values: ArrayLike<number>): Tensor<'float32'> {
    return new Tensor('float32', shape, Float32Array.from(values));
  }
}

export function toNumeric(dtype: DType, data: Storage): NumericArray {
  if (dtype === 'string') throw new UnsupportedError('string tensors have no numeric values', { hint: 'Cast them to a number type first' });
  if (dtype === 'float16') {
    const src = data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = fromHalfBits(src[i]!);
    return out;
  }
  if (dtype === 'int64') {
    const src = data as BigInt64Array;
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
    return out;
  }
  return data as NumericArray;
}

export function fromNumeric<D extends DType>(dtype: D, values: ArrayLike<number>): StorageOf[D] {
  if (dtype === 'string') throw new UnsupportedError('numbers do not convert to a string tensor implicitly', { hint: 'use Cast' });
  const n = values.length;
  const out = allocStorage(dtype, n);
  if (dtype === 'float16') {
    const o = out as Uint16Array;
    for (let i = 0; i < n; i++) o[i] = toHalfBits(values[i]!);
  } else if (dtype === 'int64') {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      o[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : v > 0 ? 0x7fffffffffffffffn : v < 0 ? -0x8000000000000000n : 0n;
    }
  } else if (dtype === 'bool') {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = values[i] ? 1 : 0;
  } else if (ArrayBuffer.isView(values) && (values as NumericArray).constructor === (out as NumericArray).constructor) {
    (out as NumericArray).set(values as NumericArray);
  } else {
    const o = out as NumericArray;
    for (let i = 0; i < n; i++) o[i] = values[i]!;
  }
  return out;
}
