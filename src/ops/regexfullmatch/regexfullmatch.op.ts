import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// y[i] = the whole of x[i] matches `pattern` (RE2 syntax in ONNX; run as a JavaScript RegExp,
// which agrees with RE2 on the patterns both accept; RE2 refuses backreferences and lookaround)
export const RegexFullMatch = defineOp({
  type: 'RegexFullMatch', domain: '', strings: true, inputs: [1, 1], outputs: [1, 1],
  attrs: { pattern: attr.string() },
  infer: ([x]) => {
    if (x!.dtype !== 'string') throw new ShapeError(`RegexFullMatch takes a string tensor, got ${x!.dtype}`);
    return [{ dtype: 'bool', shape: [...x!.shape] }];
  },
});
