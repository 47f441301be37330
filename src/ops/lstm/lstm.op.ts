import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { recurrentAttrs, recurrentDims, recurrentOutputs } from '../rnn/recurrent-def.js';

// A long short-term memory layer (defaults f = Sigmoid, g = Tanh, h = Tanh); W, R and the halves of
// B stack the input (i), output (o), forget (f) and cell (c) gates in that order, P the peepholes
// of i, o and f. Per direction:
//   i_t = f(X_t·Wiᵀ + H_{t-1}·Riᵀ + Pi ⊙ C_{t-1} + Wbi + Rbi)
//   f_t = f(X_t·Wfᵀ + H_{t-1}·Rfᵀ + Pf ⊙ C_{t-1} + Wbf + Rbf)   (1 - i_t when input_forget = 1)
//   c_t = g(X_t·Wcᵀ + H_{t-1}·Rcᵀ + Wbc + Rbc)
//   C_t = f_t ⊙ C_{t-1} + i_t ⊙ c_t
//   o_t = f(X_t·Woᵀ + H_{t-1}·Roᵀ + Po ⊙ C_t + Wbo + Rbo)
//   H_t = o_t ⊙ h(C_t)
// Inputs X, W, R, B, sequence_lens, initial_h, initial_c, P; outputs Y, Y_h, Y_c.
export const LSTM = defineOp({
  type: 'LSTM',
  domain: '',
  attrs: { ...recurrentAttrs, input_forget: attr.int(0) },
  inputs: [3, 8],
  outputs: [0, 3],
  dtypes: ['float32', 'float16'],
  infer: (inputs, attrs, outputCount) => {
    const d = recurrentDims(inputs, attrs, 4);
    const [x, , , , , , c0, p] = inputs;
    const state = attrs.layout === 0 ? [d.dirs, d.batch, d.hidden] : [d.batch, d.dirs, d.hidden];
    if (c0 && c0.shape.join(',') !== state.join(',')) throw new ShapeError(`initial_c must have shape [${state.join(',')}], got [${c0.shape.join(',')}]`);
    if (p && p.shape.join(',') !== [d.dirs, 3 * d.hidden].join(',')) throw new ShapeError(`P must have shape [${d.dirs},${3 * d.hidden}], got [${p.shape.join(',')}]`);
    for (const t of [c0, p]) if (t && t.dtype !== x!.dtype) throw new ShapeError(`initial_c and P must be ${x!.dtype} like X, got ${t.dtype}`);
    return recurrentOutputs(x!, d, attrs.layout, outputCount);
  },
});
