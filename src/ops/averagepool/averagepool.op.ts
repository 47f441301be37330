import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { windowAttrs, windowOf, windowOutput } from '../_kernels/window.js';

// Y[n, c, o] = mean of X over the window at o·stride − pad (dilated taps). The divisor counts the
// taps inside the input, or with count_include_pad the taps inside the input and its padding.
export const AveragePool = defineOp({
  type: 'AveragePool',
  domain: '',
  attrs: { ...windowAttrs, ceil_mode: attr.int(0), count_include_pad: attr.int(0), kernel_shape: attr.ints() },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x], a) => {
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    if (a.kernel_shape.length !== x!.shape.length - 2) {
      throw new ShapeError(`kernel_shape has ${a.kernel_shape.length} dims; X has ${x!.shape.length - 2} spatial dims`);
    }
    const spatial = windowOutput(x!.shape.slice(2), windowOf(a, a.kernel_shape), a.ceil_mode !== 0);
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, x!.shape[1]!, ...spatial] }];
  },
});
