import { ShapeError } from '../../errors.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = x repeated repeats[d] times along each axis d.
export const Tile = defineOp({
  type: 'Tile',
  domain: '',
  attrs: {},
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, repeatsIn]) => {
    const repeats = intsOf(repeatsIn!.value!, 'repeats');
    if (repeats.length !== x!.shape.length || repeats.some((r) => r < 0)) {
      throw new ShapeError(`repeats [${repeats.join(',')}] must hold one non-negative count per axis of [${x!.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => d * repeats[i]!) }];
  },
});
