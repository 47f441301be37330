import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { splitString } from './split-string.js';

// Splits each string like Python's str.split(delimiter, maxsplit): no or an empty delimiter splits
// on runs of whitespace. y = the pieces, padded with '' to the longest count (a new last axis);
// z = each string's piece count.
export const StringSplit = defineOp({
  type: 'StringSplit', domain: '', strings: true, inputs: [1, 1], outputs: [2, 2], valueInputs: [0],
  attrs: { delimiter: attr.optional(attr.string()), maxsplit: attr.optional(attr.int()) },
  infer: ([x], { delimiter, maxsplit }) => {
    if (x!.dtype !== 'string') throw new ShapeError(`StringSplit takes a string tensor, got ${x!.dtype}`);
    const counts = (x!.value!.data as string[]).map((s) => splitString(s, delimiter, maxsplit).length);
    const width = Math.max(0, ...counts);
    return [{ dtype: 'string', shape: [...x!.shape, width] }, { dtype: 'int64', shape: [...x!.shape] }];
  },
});
