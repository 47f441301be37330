import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

// ai.onnx.ml Scaler: Y = (X − offset) · scale, both either one value for every element or one per
// feature (X's axis 1; a 1-D X is one row of features). X [N, F] or [F] → Y float32, X's shape.
export const Scaler = defineOp({
  type: 'Scaler',
  domain: ML_DOMAIN,
  attrs: { offset: attr.floats([]), scale: attr.floats([]) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const shape = x!.shape;
    if (shape.length === 0) throw new ShapeError('X must have at least one axis, got a scalar');
    if (a.scale.length === 0) throw new ShapeError('scale is empty; it needs one value, or one per feature');
    if (a.offset.length !== a.scale.length) throw new ShapeError(`offset has ${a.offset.length} values and scale ${a.scale.length}; they must have the same length`);
    const features = shape.length === 1 ? shape[0]! : shape[1]!;
    if (a.scale.length !== 1) {
      if (a.scale.length !== features) throw new ShapeError(`scale and offset have ${a.scale.length} values; X has ${features} features (they must have 1 or ${features})`);
      if (shape.length > 2) throw new ShapeError(`X must be [N, features] for per-feature scale and offset, got [${shape.join(',')}]`);
    }
    return [{ dtype: 'float32', shape: [...shape] }];
  },
});
