import { UnsupportedError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { elementCount } from '../../tensor/shape.js';

/**
 * How IR dtypes live on the device: every element takes 4 bytes, as one of WGSL's 32-bit scalars.
 * float16 widens to f32 (exact; shader-f16 is not used by the framework's kernels, the engine
 * chooses fp16 storage itself), int8 → i32, uint8 and bool → u32 (0/1).
 *
 * int64: WGSL has no 64-bit integers. int64 tensors are narrowed to i32 on upload (a value outside
 * the i32 range is an UnsupportedError, never a silent wrap) and widened back on readback. Ops whose
 * int64 values matter beyond that range (shape arithmetic: Shape, Range, ...) have no WGSL kernel and
 * run on the CPU; with static input shapes they are constant-folded before a plan runs anyway.
 */
export type WgslScalar = 'f32' | 'i32' | 'u32';

export function wgslType(dtype: DType): WgslScalar {
  switch (dtype) {
    case 'float32': case 'float16': return 'f32';
    case 'int32': case 'int64': case 'int8': return 'i32';
    case 'uint8': case 'bool': return 'u32';
    case 'string': throw new UnsupportedError('string tensors stay on the host; no WebGPU kernel takes them');
  }
}

export const DEVICE_BYTES_PER_ELEMENT = 4;

/** The bytes to upload for a host tensor (a view of its data when the layout already matches). */
export function toDeviceData(t: Tensor, what: string): Float32Array | Int32Array | Uint32Array {
  switch (t.dtype) {
    case 'string': throw new UnsupportedError(`${what} is a string tensor: strings stay on the host`);
    case 'float32': return t.data as Float32Array;
    case 'int32': return t.data as Int32Array;
    case 'float16': return t.numeric() as Float32Array;
    case 'int8': return Int32Array.from(t.data as Int8Array);
    case 'uint8': case 'bool': return Uint32Array.from(t.data as Uint8Array);
    case 'int64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) {
          throw new UnsupportedError(`int64 value ${v} at index ${i} of ${what} does not fit the device's 32-bit integers`, {
            hint: 'run this model on --device cpu',
          });
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** The index of the first int64 value outside the device's i32 range, or -1 (other dtypes always fit). */
export function firstOutOfDeviceRange(t: Tensor): number {
  if (t.dtype !== 'int64') return -1;
  const src = t.data as BigInt64Array;
  for (let i = 0; i < src.length; i++) if (src[i]! > 2147483647n || src[i]! < -2147483648n) return i;
  return -1;
}

/**
 * The host array a read back of a float32 or int32 tensor is copied into, with every page touched:
 * made while the device works, it takes the page faults of a fresh allocation (about as long as
 * the copy itself for megabytes) off the read back's critical path. Other dtypes are converted
 * on the way, not copied: undefined.
 */
export function hostArrayFor(dtype: DType, shape: readonly number[]): Float32Array | Int32Array | undefined {
  if (dtype !== 'float32' && dtype !== 'int32') return undefined;
  const n = elementCount(shape);
  const a = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i += 1024) a[i] = 0;
  return a;
}

/**
 * A host tensor from the bytes read back from the device: always a copy, so `bytes` may be a mapped
 * range that is unmapped right after. float32 and int32 are copied into `into` when given (from
 * hostArrayFor), others converted.
 */
export function fromDeviceData(dtype: DType, shape: readonly number[], bytes: ArrayBuffer, into?: Float32Array | Int32Array): Tensor {
  const n = elementCount(shape);
  switch (wgslType(dtype)) {
    case 'f32': {
      const f = new Float32Array(bytes, 0, n);
      if (dtype === 'float32' && into instanceof Float32Array && into.length === n) {
        into.set(f);
        return new Tensor('float32', shape, into);
      }
      return dtype === 'float32' ? new Tensor('float32', shape, f.slice()) : Tensor.fromNumeric(dtype, shape, f);
    }
    case 'i32': {
      const v = new Int32Array(bytes, 0, n);
      if (dtype === 'int32' && into instanceof Int32Array && into.length === n) {
        into.set(v);
        return new Tensor('int32', shape, into);
      }
      if (dtype === 'int32') return new Tensor('int32', shape, v.slice());
      if (dtype === 'int64') return new Tensor('int64', shape, BigInt64Array.from(v, (x) => BigInt(x)));
      return new Tensor('int8', shape, Int8Array.from(v));
    }
    case 'u32': {
      const v = new Uint32Array(bytes, 0, n);
      return dtype === 'bool' ? new Tensor('bool', shape, Uint8Array.from(v, (x) => (x ? 1 : 0))) : new Tensor('uint8', shape, Uint8Array.from(v));
    }
  }
}
