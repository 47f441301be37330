import { GraphError, ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

// ai.onnx.ml OneHotEncoder: each element of X becomes a row of zeros with a 1 at its category's
// index in cats_strings (string X) or cats_int64s (numeric X, truncated to an integer first); an
// element of no category gives all zeros when zeros = 1 and fails the run when zeros = 0.
// X [...] → Y [..., categories] float32.
export const OneHotEncoder = defineOp({
  type: 'OneHotEncoder',
  domain: ML_DOMAIN,
  attrs: {
    cats_int64s: attr.ints([]),
    cats_strings: attr.strings([]),
    zeros: attr.int(1),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  strings: true,
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const ints = a.cats_int64s.length;
    const strings = a.cats_strings.length;
    if ((ints > 0) === (strings > 0)) throw new GraphError(`exactly one of cats_int64s and cats_strings must list the categories; ${ints ? 'both do' : 'neither does'}`);
    if (x!.dtype === 'string' && !strings) throw new ShapeError('X holds strings but the categories are cats_int64s; string X needs cats_strings');
    if (x!.dtype !== 'string' && !ints) throw new ShapeError(`X is ${x!.dtype} but the categories are cats_strings; numeric X needs cats_int64s`);
    return [{ dtype: 'float32', shape: [...x!.shape, ints || strings] }];
  },
});
