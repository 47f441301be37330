import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = a tensor of the given shape filled with `value`'s one element (default float32 0).
export const ConstantOfShape = defineOp({
  type: 'ConstantOfShape',
  domain: '',
  attrs: { value: attr.optional(attr.tensor()) },
  inputs: [1, 1],
  outputs: [1, 1],
  valueInputs: [0],
  infer: ([shapeIn], { value }) => {
    if (value && value.size !== 1) throw new ShapeError(`value must hold one element, got shape [${value.shape.join(',')}]`);
    const shape = intsOf(shapeIn!.value!, 'shape');
    if (shape.some((d) => d < 0)) throw new ShapeError(`shape [${shape.join(',')}] has a negative dim`);
    return [{ dtype: value?.dtype ?? 'float32', shape }];
  },
});
