import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

/** Checks GatherND/ScatterND index shapes; returns k, the length of one index tuple. */
export function indexTupleLength(dataShape: readonly number[], indicesShape: readonly number[], batchDims: number): number {
  const q = indicesShape.length;
  if (q < 1) throw new ShapeError('indices must have rank ≥ 1');
  const k = indicesShape[q - 1]!;
  if (batchDims < 0 || batchDims >= Math.min(q, dataShape.length + 1)) throw new ShapeError(`batch_dims ${batchDims} must be in [0, min(rank(indices), rank(data)))`);
  if (k < 1 || k > dataShape.length - batchDims) {
    throw new ShapeError(`index tuples of length ${k} (indices' last dim) must be in [1, ${dataShape.length - batchDims}] for data [${dataShape.join(',')}]`);
  }
  for (let d = 0; d < batchDims; d++) {
    if (indicesShape[d] !== dataShape[d]) throw new ShapeError(`batch dim ${d} differs: indices ${indicesShape[d]}, data ${dataShape[d]}`);
  }
  return k;
}

// y[b.., j..] = data[b.., indices[b.., j.., :], ..]: each index tuple (indices' last dim, length k)
// picks a slice of data after the first `batch_dims` dims, which indices and data share (opset 12).
export const GatherND = defineOp({
  type: 'GatherND',
  domain: '',
  attrs: { batch_dims: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  infer: ([data, indices], { batch_dims }) => {
    if (indices!.dtype !== 'int64' && indices!.dtype !== 'int32') throw new ShapeError(`indices must be int64, got ${indices!.dtype}`);
    const k = indexTupleLength(data!.shape, indices!.shape, batch_dims);
    return [{ dtype: data!.dtype, shape: [...indices!.shape.slice(0, -1), ...data!.shape.slice(batch_dims + k)] }];
  },
});
