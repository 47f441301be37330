import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { normalizeStrings } from './normalize.js';

// Drops stopwords (compared case-sensitively or not), then changes case. x is [C] or [1, C]; the
// output keeps the layout with the words left, or holds one '' when none is left.
export const StringNormalizer = defineOp({
  type: 'StringNormalizer', domain: '', strings: true, inputs: [1, 1], outputs: [1, 1], valueInputs: [0],
  attrs: {
    case_change_action: attr.string('NONE', ['NONE', 'LOWER', 'UPPER'] as const),
    is_case_sensitive: attr.int(0),
    locale: attr.optional(attr.string()),
    stopwords: attr.strings([]),
  },
  infer: ([x], a) => {
    if (x!.dtype !== 'string') throw new ShapeError(`StringNormalizer takes a string tensor, got ${x!.dtype}`);
    const s = x!.shape;
    if (!(s.length === 1 || (s.length === 2 && s[0] === 1))) throw new ShapeError(`x must be [C] or [1, C], got [${s.join(',')}]`);
    const n = Math.max(1, normalizeStrings(x!.value!.data as string[], a).length);
    return [{ dtype: 'string', shape: s.length === 1 ? [n] : [1, n] }];
  },
});
