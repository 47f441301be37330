import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = x centre-cropped or zero-padded to `shape` along `axes` (all axes by default): a crop drops
// floor((dim - size) / 2) leading elements, a pad adds floor((size - dim) / 2) leading zeros (opset 18).
export const CenterCropPad = defineOp({
  type: 'CenterCropPad',
  domain: '',
  attrs: { axes: attr.optional(attr.ints()) },
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, shapeIn], { axes }) => {
    const rank = x!.shape.length;
    const sizes = intsOf(shapeIn!.value!, 'shape');
    const list = normalizeAxes(axes ?? x!.shape.map((_, i) => i), rank);
    if (sizes.length !== list.length) throw new ShapeError(`shape holds ${sizes.length} sizes for ${list.length} axes`);
    if (sizes.some((s) => s < 0)) throw new ShapeError(`shape must not be negative, got [${sizes.join(',')}]`);
    const shape = [...x!.shape];
    list.forEach((a, i) => (shape[a] = sizes[i]!));
    return [{ dtype: x!.dtype, shape }];
  },
});
