// The basic sequence ops: build, index, insert, erase, count.
import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// sequence(x0, x1, ...): all inputs of one dtype
export const SequenceConstruct = defineHostOp({ type: 'SequenceConstruct', domain: '', attrs: {}, inputs: [1, Infinity], outputs: [1, 1] });
// an empty sequence of `dtype` (ONNX element type code, default float)
export const SequenceEmpty = defineHostOp({ type: 'SequenceEmpty', domain: '', attrs: { dtype: attr.optional(attr.int()) }, inputs: [0, 0], outputs: [1, 1] });
// seq[position], position in [-n, n)
export const SequenceAt = defineHostOp({ type: 'SequenceAt', domain: '', attrs: {}, inputs: [2, 2], outputs: [1, 1] });
// seq with tensor inserted before `position` (default: at the end), position in [-n, n]
export const SequenceInsert = defineHostOp({ type: 'SequenceInsert', domain: '', attrs: {}, inputs: [2, 3], outputs: [1, 1] });
// seq without element `position` (default: the last), position in [-n, n)
export const SequenceErase = defineHostOp({ type: 'SequenceErase', domain: '', attrs: {}, inputs: [1, 2], outputs: [1, 1] });
// len(seq) as an int64 scalar
export const SequenceLength = defineHostOp({ type: 'SequenceLength', domain: '', attrs: {}, inputs: [1, 1], outputs: [1, 1] });
