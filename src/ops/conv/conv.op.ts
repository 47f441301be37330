import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { windowAttrs, windowOf, windowOutput, type Window, type WindowAttrValues } from '../_kernels/window.js';

// Y = X ⋆ W + B. X [N, C, D1…Dr], W [M, C/group, k1…kr], B [M]; Y [N, M, O1…Or].
export const Conv = defineOp({
  type: 'Conv',
  domain: '',
  attrs: { ...windowAttrs, group: attr.int(1), kernel_shape: attr.optional(attr.ints()) },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, w, b], a) => {
    const { window } = convGeometry(x!.shape, w!.shape, a);
    if (x!.dtype !== w!.dtype) throw new ShapeError(`W is ${w!.dtype} but X is ${x!.dtype}`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== w!.shape[0])) {
      throw new ShapeError(`B must have shape [${w!.shape[0]}], got [${b.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, w!.shape[0]!, ...windowOutput(x!.shape.slice(2), window)] }];
  },
});

/** Validates X and W against each other and the attributes; returns the window. */
export function convGeometry(
  x: readonly number[], w: readonly number[], a: WindowAttrValues & { group: number; kernel_shape: number[] | undefined },
): { window: Window } {
  if (x.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x.join(',')}]`);
  if (w.length !== x.length) throw new ShapeError(`W [${w.join(',')}] must have the rank of X [${x.join(',')}]`);
  const g = a.group;
  if (g < 1 || x[1]! % g !== 0 || w[0]! % g !== 0) {
    throw new ShapeError(`group ${g} must divide input channels ${x[1]} and output channels ${w[0]}`);
  }
  if (w[1]! * g !== x[1]) throw new ShapeError(`W has ${w[1]} input channels per group; X has ${x[1]} channels in ${g} groups`);
  const kernel = w.slice(2);
  if (a.kernel_shape && a.kernel_shape.join(',') !== kernel.join(',')) {
    throw new ShapeError(`kernel_shape [${a.kernel_shape.join(',')}] does not match W's spatial dims [${kernel.join(',')}]`);
  }
  return { window: windowOf(a, kernel) };
}
