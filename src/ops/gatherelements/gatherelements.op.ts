import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { checkIndicesFit } from '../_kernels/element-index.js';
import { defineOp } from '../op.js';

// y[i0, .., ik, ..] = data[i0, .., indices[i0, .., ik, ..], ..] with the index replacing
// coordinate `axis`; y has indices' shape, negative indices count from the end (opset 11, 13).
export const GatherElements = defineOp({
  type: 'GatherElements',
  domain: '',
  attrs: { axis: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  infer: ([data, indices], { axis }) => {
    if (indices!.dtype !== 'int32' && indices!.dtype !== 'int64') throw new ShapeError(`indices must be int32 or int64, got ${indices!.dtype}`);
    const a = normalizeAxis(axis, data!.shape.length);
    checkIndicesFit(indices!.shape, data!.shape, a, 'indices');
    return [{ dtype: data!.dtype, shape: [...indices!.shape] }];
  },
});
