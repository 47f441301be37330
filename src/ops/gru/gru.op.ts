import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { recurrentAttrs, recurrentDims, recurrentOutputs } from '../rnn/recurrent-def.js';

// A gated recurrent unit layer (defaults f = Sigmoid, g = Tanh); W, R and the halves of B stack the
// update (z), reset (r) and hidden (h) gates in that order. Per direction:
//   z_t = f(X_t·Wzᵀ + H_{t-1}·Rzᵀ + Wbz + Rbz)        r_t = f(X_t·Wrᵀ + H_{t-1}·Rrᵀ + Wbr + Rbr)
//   h_t = g(X_t·Whᵀ + (r_t ⊙ H_{t-1})·Rhᵀ + Rbh + Wbh)       when linear_before_reset = 0
//   h_t = g(X_t·Whᵀ + r_t ⊙ (H_{t-1}·Rhᵀ + Rbh) + Wbh)       otherwise
//   H_t = (1 - z_t) ⊙ h_t + z_t ⊙ H_{t-1}
export const GRU = defineOp({
  type: 'GRU',
  domain: '',
  attrs: { ...recurrentAttrs, linear_before_reset: attr.int(0) },
  inputs: [3, 6],
  outputs: [0, 2],
  dtypes: ['float32', 'float16'],
  infer: (inputs, attrs, outputCount) => recurrentOutputs(inputs[0]!, recurrentDims(inputs, attrs, 3), attrs.layout, outputCount),
});
