import { defineOp } from '../op.js';
import { recurrentAttrs, recurrentDims, recurrentOutputs } from './recurrent-def.js';

// A simple recurrent layer (default f = Tanh), per direction:
//   H_t = f(X_t·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb)
// Inputs X, W, R, B, sequence_lens, initial_h; outputs Y (every step's H), Y_h (the last H).
export const RNN = defineOp({
  type: 'RNN',
  domain: '',
  attrs: recurrentAttrs,
  inputs: [3, 6],
  outputs: [0, 2],
  dtypes: ['float32', 'float16'],
  infer: (inputs, attrs, outputCount) => recurrentOutputs(inputs[0]!, recurrentDims(inputs, attrs, 1), attrs.layout, outputCount),
});
