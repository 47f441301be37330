import { ShapeError } from '../../errors.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// y = condition ? x : y, elementwise with multidirectional broadcasting of all three
export const Where = defineOp({
  type: 'Where', domain: '', attrs: {}, inputs: [3, 3], outputs: [1, 1], dtypes: ['bool'],
  infer: ([c, x, y]) => {
    if (x!.dtype !== y!.dtype) throw new ShapeError(`x and y must have the same dtype, got ${x!.dtype} and ${y!.dtype}`);
    return [{ dtype: x!.dtype, shape: broadcastShapes(c!.shape, x!.shape, y!.shape) }];
  },
});
