import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { checkPerChannel } from '../batchnormalization/batchnormalization.op.js';

// Y = scale · (X − mean) / √(var + epsilon) + B, with mean and (biased) var of each [n, c] plane.
export const InstanceNormalization = defineOp({
  type: 'InstanceNormalization',
  domain: '',
  attrs: { epsilon: attr.float(1e-5) },
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, scale, b]) => {
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    checkPerChannel(x!.shape[1]!, { scale, B: b });
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
