import { ShapeError } from '../../errors.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// z = x + y, string concatenation under numpy broadcasting
export const StringConcat = defineOp({
  type: 'StringConcat', domain: '', strings: true, attrs: {}, inputs: [2, 2], outputs: [1, 1],
  infer: ([x, y]) => {
    if (x!.dtype !== 'string' || y!.dtype !== 'string') throw new ShapeError(`StringConcat takes two string tensors, got ${x!.dtype} and ${y!.dtype}`);
    return [{ dtype: 'string', shape: broadcastShapes(x!.shape, y!.shape) }];
  },
});
