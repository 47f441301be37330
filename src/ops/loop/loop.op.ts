import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// for (i = 0; (M absent or i < M) and cond; i++) (cond, v..., scan...) = body(i, cond, v...)
// outputs: the final loop-carried values v..., then each scan output stacked over iterations
export const Loop = defineHostOp({
  type: 'Loop', domain: '', inputs: [2, Infinity], outputs: [1, Infinity],
  attrs: { body: attr.graph() },
});
