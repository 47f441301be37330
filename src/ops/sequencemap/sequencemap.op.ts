import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// out_j[i] = body(seq[i], (x_k[i] if x_k is a sequence else x_k)...)_j for i < len(seq)
export const SequenceMap = defineHostOp({
  type: 'SequenceMap', domain: '', inputs: [1, Infinity], outputs: [1, Infinity],
  attrs: { body: attr.graph() },
});
