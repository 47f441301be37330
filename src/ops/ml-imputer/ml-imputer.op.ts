import { GraphError, ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

// ai.onnx.ml Imputer: elements of X equal to the replaced value (replaced_value_float for float X,
// NaN matching NaN; replaced_value_int64 for integer X) become the imputed value, one for all or
// one per feature (X's axis 1; a 1-D X is one row of features). Y has X's dtype and shape.
export const Imputer = defineOp({
  type: 'Imputer',
  domain: ML_DOMAIN,
  attrs: {
    imputed_value_floats: attr.floats([]),
    imputed_value_int64s: attr.ints([]),
    replaced_value_float: attr.float(0),
    replaced_value_int64: attr.int(0),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const floats = a.imputed_value_floats.length;
    const ints = a.imputed_value_int64s.length;
    if ((floats > 0) === (ints > 0)) throw new GraphError(`exactly one of imputed_value_floats and imputed_value_int64s must be set; ${floats ? 'both are' : 'neither is'}`);
    const isFloat = x!.dtype === 'float32';
    if (isFloat !== floats > 0) throw new ShapeError(`X is ${x!.dtype}, which needs ${isFloat ? 'imputed_value_floats' : 'imputed_value_int64s'}`);
    if (x!.shape.length === 0) throw new ShapeError('X must have at least one axis, got a scalar');
    const count = floats || ints;
    const features = x!.shape.length === 1 ? x!.shape[0]! : x!.shape[1]!;
    if (count !== 1) {
      if (count !== features) throw new ShapeError(`${floats ? 'imputed_value_floats' : 'imputed_value_int64s'} has ${count} values; X has ${features} features (it must have 1 or ${features})`);
      if (x!.shape.length > 2) throw new ShapeError(`X must be [N, features] for per-feature imputed values, got [${x!.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
