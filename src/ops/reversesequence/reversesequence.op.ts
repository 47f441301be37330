import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// y = x with, for every batch entry b, its first sequence_lens[b] steps along `time_axis`
// reversed; later steps are copied unchanged (opset 10).
export const ReverseSequence = defineOp({
  type: 'ReverseSequence',
  domain: '',
  attrs: { batch_axis: attr.int(1), time_axis: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  infer: ([x, lens], { batch_axis, time_axis }) => {
    const axes = [batch_axis, time_axis];
    if (x!.shape.length < 2) throw new ShapeError(`input must have rank ≥ 2, got [${x!.shape.join(',')}]`);
    if (axes.some((a) => a !== 0 && a !== 1) || batch_axis === time_axis) {
      throw new ShapeError(`batch_axis and time_axis must be 0 and 1 in some order, got ${batch_axis} and ${time_axis}`);
    }
    if (lens!.dtype !== 'int64' && lens!.dtype !== 'int32') throw new ShapeError(`sequence_lens must be int64, got ${lens!.dtype}`);
    if (lens!.shape.length !== 1 || lens!.shape[0] !== x!.shape[batch_axis]) {
      throw new ShapeError(`sequence_lens must have shape [${x!.shape[batch_axis]}] (the batch size), got [${lens!.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
