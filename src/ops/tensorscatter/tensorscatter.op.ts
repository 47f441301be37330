import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// A KV-cache write (opset 24): present = past_cache with, for every batch b, update[b, .., i, ..]
// written at sequence position write_indices[b] + i along `axis` (wrapping modulo the cache
// length in 'circular' mode). write_indices defaults to zeros.
export const TensorScatter = defineOp({
  type: 'TensorScatter',
  domain: '',
  attrs: { axis: attr.int(-2), mode: attr.string('linear', ['linear', 'circular'] as const) },
  inputs: [2, 3],
  outputs: [1, 1],
  infer: ([cache, update, writeIndices], { axis }) => {
    const rank = cache!.shape.length;
    const a = normalizeAxis(axis, rank);
    if (a === 0) throw new ShapeError('axis must not be the batch axis 0');
    if (update!.dtype !== cache!.dtype) throw new ShapeError(`update must be ${cache!.dtype} like past_cache, got ${update!.dtype}`);
    const fits = update!.shape.length === rank && update!.shape.every((d, i) => (i === a ? d <= cache!.shape[a]! : d === cache!.shape[i]));
    if (!fits) throw new ShapeError(`update [${update!.shape.join(',')}] must match past_cache [${cache!.shape.join(',')}] except along axis ${a}, where it may be shorter`);
    if (writeIndices && (writeIndices.shape.length !== 1 || writeIndices.shape[0] !== cache!.shape[0])) {
      throw new ShapeError(`write_indices must have shape [${cache!.shape[0]}] (one per batch), got [${writeIndices.shape.join(',')}]`);
    }
    return [{ dtype: cache!.dtype, shape: [...cache!.shape] }];
  },
});
