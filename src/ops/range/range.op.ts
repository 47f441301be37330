import { ShapeError } from '../../errors.js';
import { defineOp, type InferInput } from '../op.js';

/** The scalar value of one of Range's inputs. */
export function scalarOf(t: InferInput, what: string): number {
  if (t.shape.length > 1 || t.value!.size !== 1) throw new ShapeError(`${what} must be a scalar, got shape [${t.shape.join(',')}]`);
  return t.value!.numeric()[0]!;
}

// y = [start, start + delta, ...] up to (excluding) limit: max(ceil((limit - start) / delta), 0) elements.
export const Range = defineOp({
  type: 'Range',
  domain: '',
  attrs: {},
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16', 'int8', 'uint8', 'int32', 'int64'],
  valueInputs: [0, 1, 2],
  infer: ([start, limit, delta]) => {
    if (limit!.dtype !== start!.dtype || delta!.dtype !== start!.dtype) {
      throw new ShapeError(`start, limit and delta must share a dtype, got ${start!.dtype}, ${limit!.dtype}, ${delta!.dtype}`);
    }
    const d = scalarOf(delta!, 'delta');
    if (d === 0) throw new ShapeError('delta is 0');
    const n = Math.max(Math.ceil((scalarOf(limit!, 'limit') - scalarOf(start!, 'start')) / d), 0);
    return [{ dtype: start!.dtype, shape: [n] }];
  },
});
