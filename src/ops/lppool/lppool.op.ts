import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';
import { windowAttrs, windowOf, windowOutput } from '../_kernels/window.js';

// Y[n, c, o] = (Σ |x|^p)^(1/p) over the window at o·stride − pad (dilated taps; padding adds
// nothing). LpPool-18 (ceil_mode, dilations); older forms are the same with their defaults.
export const LpPool = defineOp({
  type: 'LpPool', domain: '',
  attrs: { ...windowAttrs, ceil_mode: attr.int(0), kernel_shape: attr.ints(), p: attr.int(2) },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], a) => {
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    if (a.kernel_shape.length !== x!.shape.length - 2) {
      throw new ShapeError(`kernel_shape has ${a.kernel_shape.length} dims; X has ${x!.shape.length - 2} spatial dims`);
    }
    const spatial = windowOutput(x!.shape.slice(2), windowOf(a, a.kernel_shape), a.ceil_mode !== 0);
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, x!.shape[1]!, ...spatial] }];
  },
});
