// Optional values: wrap, test, unwrap.
import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// optional(x), or an empty optional of `type` when x is omitted
export const Optional = defineHostOp({ type: 'Optional', domain: '', attrs: { type: attr.optional(attr.type()) }, inputs: [0, 1], outputs: [1, 1] });
// x is a non-empty optional, or a tensor or sequence (opset 18); false when omitted
export const OptionalHasElement = defineHostOp({ type: 'OptionalHasElement', domain: '', attrs: {}, inputs: [0, 1], outputs: [1, 1] });
// the value inside x (an error when empty); a tensor or sequence passes through (opset 18)
export const OptionalGetElement = defineHostOp({ type: 'OptionalGetElement', domain: '', attrs: {}, inputs: [1, 1], outputs: [1, 1] });
