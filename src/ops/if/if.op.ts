import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// outputs = (cond ? then_branch : else_branch)(); branches read enclosing values by name
export const If = defineHostOp({
  type: 'If', domain: '', inputs: [1, 1], outputs: [1, Infinity],
  attrs: { then_branch: attr.graph(), else_branch: attr.graph() },
});
