// Float kernels (GEMM, convolution, pooling, normalization) compute in float32. A float16 tensor is
// widened on the way in and its result rounded to float16 (nearest even) once, on the way out.
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/** A float tensor's values as float32: the tensor's own storage for float32 (do not write), a copy for float16. */
export function f32Of(t: Tensor): Float32Array {
  return t.numeric() as Float32Array;
}

/** A float32 result as a tensor of `dtype` (float32: no copy; float16: rounded). */
export function floatResult(dtype: DType, shape: readonly number[], values: Float32Array): Tensor {
  return dtype === 'float32' ? new Tensor('float32', shape, values) : Tensor.fromNumeric(dtype, shape, values);
}
