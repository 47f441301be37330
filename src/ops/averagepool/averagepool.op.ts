import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { pooledType, windowAttrs } from '../_kernels/window.js';

// Y[n, c, o] = mean of X over the window at o·stride − pad (dilated taps). The divisor counts the
// taps inside the input, or with count_include_pad the taps inside the input and its padding.
export const AveragePool = defineOp({
  type: 'AveragePool',
  domain: '',
  attrs: { ...windowAttrs, ceil_mode: attr.int(0), count_include_pad: attr.int(0), kernel_shape: attr.ints() },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x], a) => [pooledType(x!, a)],
});
