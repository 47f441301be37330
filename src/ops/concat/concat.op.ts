import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// y = the inputs joined along `axis`; all other dims must match.
export const Concat = defineOp({
  type: 'Concat',
  domain: '',
  strings: true,
  attrs: { axis: attr.int() },
  inputs: [1, Infinity],
  outputs: [1, 1],
  infer: (inputs, { axis }) => {
    const xs = inputs.map((x, i) => {
      if (!x) throw new ShapeError(`input ${i} is omitted; Concat takes no optional inputs`);
      return x;
    });
    const first = xs[0]!;
    const a = normalizeAxis(axis, first.shape.length);
    const shape = [...first.shape];
    shape[a] = 0;
    xs.forEach((x, i) => {
      if (x.dtype !== first.dtype) throw new ShapeError(`input ${i} is ${x.dtype}, input 0 is ${first.dtype}`);
      if (x.shape.length !== shape.length || x.shape.some((d, k) => k !== a && d !== shape[k])) {
        throw new ShapeError(`input ${i} has shape [${x.shape.join(',')}], which does not match [${first.shape.join(',')}] off axis ${a}`);
      }
      shape[a] += x.shape[a]!;
    });
    return [{ dtype: first.dtype, shape }];
  },
});
