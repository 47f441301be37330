import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { NUMERIC_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// y has indices' shape with a new axis of size `depth` at `axis`; y[..., j, ...] = values[1] where
// j = indices[...] (negative indices count from depth), values[0] elsewhere (OneHot-11).
export const OneHot = defineOp({
  type: 'OneHot', domain: '', attrs: { axis: attr.int(-1) }, inputs: [3, 3], outputs: [1, 1], dtypes: NUMERIC_TYPES,
  valueInputs: [1],
  infer: ([indices, depthIn, values], { axis }) => {
    const depthValues = depthIn!.value!.toNumbers();
    if (depthValues.length !== 1) throw new ShapeError(`depth must hold one value, got ${depthValues.length}`);
    const depth = Math.trunc(depthValues[0]!);
    if (!(depth >= 1)) throw new ShapeError(`depth must be at least 1, got ${depthValues[0]}`);
    if (values!.shape.reduce((a, d) => a * d, 1) !== 2 || values!.shape.length !== 1) {
      throw new ShapeError(`values must be [off, on] (shape [2]), got shape [${values!.shape.join(',')}]`);
    }
    const a = normalizeAxis(axis, indices!.shape.length + 1);
    const shape = [...indices!.shape];
    shape.splice(a, 0, depth);
    return [{ dtype: values!.dtype, shape }];
  },
});
