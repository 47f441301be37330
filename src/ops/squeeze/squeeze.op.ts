import { ShapeError } from '../../errors.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = x without the listed size-1 axes (all size-1 axes when `axes` is omitted).
export const Squeeze = defineOp({
  type: 'Squeeze',
  domain: '',
  strings: true,
  attrs: {},
  inputs: [1, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, axesIn]) => {
    const shape = x!.shape;
    const axes = axesIn ? normalizeAxes(intsOf(axesIn.value!, 'axes'), shape.length) : shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) {
      if (shape[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of shape [${shape.join(',')}]: its size is ${shape[a]}, not 1`);
    }
    return [{ dtype: x!.dtype, shape: shape.filter((_, i) => !axes.includes(i)) }];
  },
});
