import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// CausalConvWithState (opset 27): a depthwise 1-D convolution that looks only at the current and
// the k−1 previous positions. input [batch, channels, L] is prefixed with past_state
// [batch, channels, k−1] (zeros when omitted); output[b, c, t] = bias[c] +
// Σ_j weight[c, 0, j] · padded[b, c, t + j], then SiLU when activation is 'silu' or 'swish'.
// present_state is the last k−1 positions of the padded input.
export const CausalConvWithState = defineOp({
  type: 'CausalConvWithState',
  domain: '',
  attrs: { activation: attr.string('none', ['none', 'silu', 'swish']) },
  inputs: [2, 4],
  outputs: [1, 2],
  dtypes: ['float32', 'float16'],
  infer: ([x, w, bias, past], _a, outputCount) => {
    if (x!.shape.length !== 3) throw new ShapeError(`input must be [batch, channels, length], got [${x!.shape.join(',')}]`);
    const [b, c] = x!.shape as [number, number, number];
    if (w!.shape.length !== 3 || w!.shape[0] !== c || w!.shape[1] !== 1 || w!.shape[2]! < 1) {
      throw new ShapeError(`weight must be [${c}, 1, k], got [${w!.shape.join(',')}]`);
    }
    const k = w!.shape[2]!;
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== c)) throw new ShapeError(`bias must be [${c}], got [${bias.shape.join(',')}]`);
    if (past && (past.shape.length !== 3 || past.shape[0] !== b || past.shape[1] !== c || past.shape[2] !== k - 1)) {
      throw new ShapeError(`past_state must be [${b}, ${c}, ${k - 1}], got [${past.shape.join(',')}]`);
    }
    const out = [{ dtype: x!.dtype, shape: [...x!.shape] }];
    if (outputCount > 1) out.push({ dtype: x!.dtype, shape: [b, c, k - 1] });
    return out;
  },
});
