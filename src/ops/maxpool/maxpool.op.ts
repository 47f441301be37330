import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { windowAttrs, windowOf, windowOutput } from '../_kernels/window.js';

// Y[n, c, o] = max of X[n, c, o·stride − pad + k·dilation] over the in-bounds taps of the window;
// Indices (optional) holds each max's flat index into X (row-major, or column-major spatial
// order when storage_order = 1).
export const MaxPool = defineOp({
  type: 'MaxPool',
  domain: '',
  attrs: { ...windowAttrs, ceil_mode: attr.int(0), kernel_shape: attr.ints(), storage_order: attr.int(0) },
  inputs: [1, 1],
  outputs: [1, 2],
  dtypes: ['float32', 'float16', 'int8', 'uint8'],
  infer: ([x], a, outputCount) => {
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    if (a.kernel_shape.length !== x!.shape.length - 2) {
      throw new ShapeError(`kernel_shape has ${a.kernel_shape.length} dims; X has ${x!.shape.length - 2} spatial dims`);
    }
    const shape = [x!.shape[0]!, x!.shape[1]!, ...windowOutput(x!.shape.slice(2), windowOf(a, a.kernel_shape), a.ceil_mode !== 0)];
    const y = { dtype: x!.dtype, shape };
    return outputCount > 1 ? [y, { dtype: 'int64', shape: [...shape] }] : [y];
  },
});
