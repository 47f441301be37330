import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';
import { pooledType, windowAttrs } from '../_kernels/window.js';

// Y[n, c, o] = (Σ |x|^p)^(1/p) over the window at o·stride − pad (dilated taps; padding adds
// nothing). LpPool-18 (ceil_mode, dilations); older forms are the same with their defaults.
export const LpPool = defineOp({
  type: 'LpPool', domain: '',
  attrs: { ...windowAttrs, ceil_mode: attr.int(0), kernel_shape: attr.ints(), p: attr.int(2) },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], a) => [pooledType(x!, a)],
});
