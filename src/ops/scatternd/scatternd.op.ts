import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { sameShape } from '../../tensor/shape.js';
import { REDUCTIONS } from '../_kernels/element-index.js';
import { indexTupleLength } from '../gathernd/gathernd.op.js';
import { defineOp } from '../op.js';

// y = data, then y[indices[j.., :], ..] = updates[j.., ..] for every index tuple (the slice it
// names), combined by `reduction` (add/mul from opset 16, max/min from 18).
export const ScatterND = defineOp({
  type: 'ScatterND',
  domain: '',
  attrs: { reduction: attr.string('none', REDUCTIONS) },
  inputs: [3, 3],
  outputs: [1, 1],
  infer: ([data, indices, updates]) => {
    if (indices!.dtype !== 'int64' && indices!.dtype !== 'int32') throw new ShapeError(`indices must be int64, got ${indices!.dtype}`);
    if (updates!.dtype !== data!.dtype) throw new ShapeError(`updates must be ${data!.dtype} like data, got ${updates!.dtype}`);
    const k = indexTupleLength(data!.shape, indices!.shape, 0);
    const want = [...indices!.shape.slice(0, -1), ...data!.shape.slice(k)];
    if (!sameShape(updates!.shape, want)) throw new ShapeError(`updates must have shape [${want.join(',')}], got [${updates!.shape.join(',')}]`);
    return [{ dtype: data!.dtype, shape: [...data!.shape] }];
  },
});
