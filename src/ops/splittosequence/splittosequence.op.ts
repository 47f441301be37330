import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// Splits x along `axis` into a sequence: pieces of the lengths in `split` (1-D), of size `split`
// (scalar; the last may be shorter), or of size 1 (no split; then keepdims=0 drops the axis).
export const SplitToSequence = defineHostOp({
  type: 'SplitToSequence', domain: '', inputs: [1, 2], outputs: [1, 1],
  attrs: { axis: attr.int(0), keepdims: attr.int(1) },
});
