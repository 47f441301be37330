import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { sameShape } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

/** The unpooled spatial size MaxPool's inverse gives: (in - 1)·stride - pads + kernel. */
export function unpooledShape(xShape: readonly number[], kernel: readonly number[], strides: readonly number[], pads: readonly number[]): number[] {
  const r = kernel.length;
  return [xShape[0]!, xShape[1]!, ...kernel.map((k, i) => (xShape[i + 2]! - 1) * strides[i]! - (pads[i]! + pads[i + r]!) + k)];
}

// y = zeros of the unpooled shape with y.flat[I[i]] = X[i] (I as MaxPool's flat indices), placed
// at the start of `output_shape` when given (opset 11, 22).
export const MaxUnpool = defineOp({
  type: 'MaxUnpool',
  domain: '',
  attrs: { kernel_shape: attr.ints(), pads: attr.optional(attr.ints()), strides: attr.optional(attr.ints()) },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [2],
  infer: ([x, indices, outputShape], { kernel_shape, pads, strides }) => {
    const r = kernel_shape.length;
    if (x!.shape.length !== r + 2) throw new ShapeError(`X must have rank ${r + 2} for a ${r}-D kernel, got [${x!.shape.join(',')}]`);
    if (!sameShape(indices!.shape, x!.shape)) throw new ShapeError(`I must have X's shape [${x!.shape.join(',')}], got [${indices!.shape.join(',')}]`);
    const inferred = unpooledShape(x!.shape, kernel_shape, strides ?? kernel_shape.map(() => 1), pads ?? new Array<number>(2 * r).fill(0));
    if (!outputShape) return [{ dtype: x!.dtype, shape: inferred }];
    const given = intsOf(outputShape.value!, 'output_shape');
    if (given.length !== r + 2 || given.some((d, i) => d < inferred[i]!)) {
      throw new ShapeError(`output_shape [${given.join(',')}] must have rank ${r + 2} and be at least the unpooled shape [${inferred.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: given }];
  },
});
