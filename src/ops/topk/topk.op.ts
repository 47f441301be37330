import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { DTYPES } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// values, indices = the k largest (or smallest) elements along `axis`, best first; ties keep
// the lower index first.
export const TopK = defineOp({
  type: 'TopK',
  domain: '',
  attrs: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
  inputs: [2, 2],
  outputs: [2, 2],
  dtypes: DTYPES.filter((d) => d !== 'bool'),
  valueInputs: [1],
  infer: ([x, kIn], { axis }) => {
    const a = normalizeAxis(axis, x!.shape.length);
    const k = intsOf(kIn!.value!, 'k');
    if (k.length !== 1) throw new ShapeError(`k must hold one value, got [${k.join(',')}]`);
    if (k[0]! < 0 || k[0]! > x!.shape[a]!) throw new ShapeError(`k = ${k[0]} is out of range for axis ${a} of size ${x!.shape[a]}`);
    const shape = x!.shape.map((d, i) => (i === a ? k[0]! : d));
    return [{ dtype: x!.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
  },
});
