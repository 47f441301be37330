import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// Concat(seq...) along `axis`, or Stack along a new `axis` when new_axis = 1
export const ConcatFromSequence = defineHostOp({
  type: 'ConcatFromSequence', domain: '', inputs: [1, 1], outputs: [1, 1],
  attrs: { axis: attr.int(), new_axis: attr.int(0) },
});
