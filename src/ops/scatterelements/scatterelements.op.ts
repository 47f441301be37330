import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis, sameShape } from '../../tensor/shape.js';
import { checkIndicesFit, REDUCTIONS } from '../_kernels/element-index.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

function inferScatter([data, indices, updates]: readonly (InferInput | undefined)[], axis: number): TensorType[] {
  if (indices!.dtype !== 'int32' && indices!.dtype !== 'int64') throw new ShapeError(`indices must be int32 or int64, got ${indices!.dtype}`);
  if (updates!.dtype !== data!.dtype) throw new ShapeError(`updates must be ${data!.dtype} like data, got ${updates!.dtype}`);
  if (!sameShape(indices!.shape, updates!.shape)) {
    throw new ShapeError(`indices [${indices!.shape.join(',')}] and updates [${updates!.shape.join(',')}] must have the same shape`);
  }
  checkIndicesFit(indices!.shape, data!.shape, normalizeAxis(axis, data!.shape.length), 'indices');
  return [{ dtype: data!.dtype, shape: [...data!.shape] }];
}

// y = data, then y[.., indices[p], ..] (index replacing coordinate `axis`) = updates[p] for every
// position p, combined by `reduction` (add/mul from opset 16, max/min from 18). With 'none',
// duplicate indices leave the last update (the spec leaves their order undefined).
export const ScatterElements = defineOp({
  type: 'ScatterElements',
  domain: '',
  attrs: { axis: attr.int(0), reduction: attr.string('none', REDUCTIONS) },
  inputs: [3, 3],
  outputs: [1, 1],
  infer: (inputs, { axis }) => inferScatter(inputs, axis),
});

// Scatter (opset 9-10, deprecated at 11) is ScatterElements without a reduction.
export const Scatter = defineOp({
  type: 'Scatter',
  domain: '',
  attrs: { axis: attr.int(0) },
  inputs: [3, 3],
  outputs: [1, 1],
  infer: (inputs, { axis }) => inferScatter(inputs, axis),
});
