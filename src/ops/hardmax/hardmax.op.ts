import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y = 1 at the first maximum along `axis`, 0 elsewhere (Hardmax-13; older opsets flatten from
// `axis` on import, as Softmax does).
export const Hardmax = defineOp({
  type: 'Hardmax', domain: '', attrs: { axis: attr.int(-1) }, inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x], { axis }) => {
    normalizeAxis(axis, x!.shape.length);
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
