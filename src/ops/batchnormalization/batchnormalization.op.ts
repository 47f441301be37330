import { GraphError, ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp, type InferInput } from '../op.js';

// Y = scale · (X − mean) / √(var + epsilon) + B per channel (dim 1). Inference uses the given
// mean/var. training_mode = 1 uses the batch's own statistics (biased variance over all dims but
// 1) and outputs the updated running_mean/running_var = input · momentum + batch · (1 − momentum).
export const BatchNormalization = defineOp({
  type: 'BatchNormalization',
  domain: '',
  attrs: { epsilon: attr.float(1e-5), momentum: attr.float(0.9), training_mode: attr.int(0) },
  inputs: [5, 5],
  outputs: [1, 3],
  dtypes: ['float32', 'float16'],
  infer: ([x, scale, b, mean, variance], a, outputCount) => {
    if (x!.shape.length < 2) throw new ShapeError(`X must have rank ≥ 2 ([N, C, …]), got [${x!.shape.join(',')}]`);
    checkPerChannel(x!.shape[1]!, { scale, B: b, input_mean: mean, input_var: variance });
    if (outputCount > 1 && !a.training_mode) {
      throw new GraphError('running_mean and running_var outputs exist only with training_mode = 1');
    }
    const out = [{ dtype: x!.dtype, shape: [...x!.shape] }];
    if (outputCount > 1) out.push({ dtype: mean!.dtype, shape: [...mean!.shape] });
    if (outputCount > 2) out.push({ dtype: variance!.dtype, shape: [...variance!.shape] });
    return out;
  },
});

/** Checks that each named input is a float vector of `channels` values. */
export function checkPerChannel(channels: number, inputs: Record<string, InferInput | undefined>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (!t) continue;
    if (t.shape.length !== 1 || t.shape[0] !== channels) {
      throw new ShapeError(`${name} must have shape [${channels}] (one value per channel), got [${t.shape.join(',')}]`);
    }
    if (t.dtype !== 'float32' && t.dtype !== 'float16') throw new ShapeError(`${name} must be float, got ${t.dtype}`);
  }
}
