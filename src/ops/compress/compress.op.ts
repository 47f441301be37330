import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

/** The slices along the axis (of size n) that `condition` keeps; entries past its end are dropped. */
export function keptSlices(condition: ArrayLike<number>, n: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < Math.min(n, condition.length); i++) if (condition[i]) kept.push(i);
  return kept;
}

// y = the slices of x along `axis` where condition is true (x flattened when axis is absent).
// The kept count depends on condition's data, so the shape is known only when the node runs.
export const Compress = defineOp({
  type: 'Compress',
  domain: '',
  attrs: { axis: attr.optional(attr.int()) },
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  dataDependentShape: true,
  infer: ([x, condition], { axis }) => {
    if (condition!.dtype !== 'bool') throw new ShapeError(`condition must be bool, got ${condition!.dtype}`);
    if (condition!.shape.length !== 1) throw new ShapeError(`condition must be 1-D, got [${condition!.shape.join(',')}]`);
    const shape = axis === undefined ? [sizeOf(x!.shape)] : [...x!.shape];
    const a = axis === undefined ? 0 : normalizeAxis(axis, shape.length);
    shape[a] = keptSlices(condition!.value!.numeric(), shape[a]!).length;
    return [{ dtype: x!.dtype, shape }];
  },
});
