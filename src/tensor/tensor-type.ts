// What is known about a tensor before it is computed: the contract between shape inference
// (src/ops/*/X.op.ts) and every device's kernels, which receive these and never recompute them.
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/** What shape inference knows about one input: always dtype and concrete shape, the value when constant. */
export interface InferInput {
  dtype: DType;
  shape: readonly number[];
  /** The tensor's value when known (initializers, constant-folded values, and always at run time). */
  value?: Tensor;
}

export interface TensorType {
  dtype: DType;
  shape: number[];
  /**
   * The output's value when the shape function knows it without the input values (Shape's
   * output is its input's shape), so static inference can follow Shape → Gather → Reshape chains.
   */
  value?: Tensor;
}
