import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { elementCount } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// y = x as a matrix [prod(dims before axis), prod(dims from axis)]; axis in [-rank, rank].
export const Flatten = defineOp({
  type: 'Flatten',
  domain: '',
  strings: true,
  attrs: { axis: attr.int(1) },
  inputs: [1, 1],
  outputs: [1, 1],
  infer: ([x], { axis }) => {
    const rank = x!.shape.length;
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a > rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank} (Flatten allows -${rank}..${rank})`);
    return [{ dtype: x!.dtype, shape: [elementCount(x!.shape.slice(0, a)), elementCount(x!.shape.slice(a))] }];
  },
});
