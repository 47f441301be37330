// Two-input elementwise ops with multidirectional (numpy) broadcasting: arithmetic (result in the
// inputs' dtype), comparisons and logic (bool result), Pow (exponent of any numeric dtype) and
// PRelu (slope broadcast to x only).
import { ShapeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { broadcastShapes, sameShape } from '../../tensor/shape.js';
import { ALL_TYPES, BOOL_TYPES, NUMERIC_TYPES, SIGNED_TYPES } from '../dtype-groups.js';
import { defineOp, type InferInput, type OpDef } from '../op.js';

function sameDType(a: InferInput, b: InferInput): void {
  if (a.dtype !== b.dtype) throw new ShapeError(`inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
}

function binary(type: string, dtypes: readonly DType[], result: 'same' | 'bool'): OpDef<Record<string, never>> {
  return defineOp({
    type, domain: '', attrs: {}, inputs: [2, 2], outputs: [1, 1], dtypes,
    infer: ([a, b]) => {
      sameDType(a!, b!);
      return [{ dtype: result === 'bool' ? 'bool' : a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
    },
  });
}

export const Add = binary('Add', NUMERIC_TYPES, 'same');
export const Sub = binary('Sub', NUMERIC_TYPES, 'same');
export const Mul = binary('Mul', NUMERIC_TYPES, 'same');
export const Div = binary('Div', NUMERIC_TYPES, 'same');

// Equal compares strings too
export const Equal: OpDef<Record<string, never>> = { ...binary('Equal', ALL_TYPES, 'bool'), strings: true };
export const Less = binary('Less', NUMERIC_TYPES, 'bool');
export const LessOrEqual = binary('LessOrEqual', NUMERIC_TYPES, 'bool');
export const Greater = binary('Greater', NUMERIC_TYPES, 'bool');
export const GreaterOrEqual = binary('GreaterOrEqual', NUMERIC_TYPES, 'bool');

export const And = binary('And', BOOL_TYPES, 'bool');
export const Or = binary('Or', BOOL_TYPES, 'bool');
export const Xor = binary('Xor', BOOL_TYPES, 'bool');

// y = x^e in x's dtype; e may be any numeric dtype (Pow-15)
export const Pow = defineOp({
  type: 'Pow', domain: '', attrs: {}, inputs: [2, 2], outputs: [1, 1], dtypes: ['float32', 'float16', 'int32', 'int64'],
  infer: ([x, e]) => {
    if (e!.dtype === 'bool') throw new ShapeError('the exponent must be numeric, got bool');
    return [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, e!.shape) }];
  },
});

// y = x < 0 ? slope·x : x, slope broadcast to x's shape (unidirectionally)
export const PRelu = defineOp({
  type: 'PRelu', domain: '', attrs: {}, inputs: [2, 2], outputs: [1, 1], dtypes: SIGNED_TYPES,
  infer: ([x, slope]) => {
    sameDType(x!, slope!);
    if (!sameShape(broadcastShapes(x!.shape, slope!.shape), x!.shape)) {
      throw new ShapeError(`slope of shape [${slope!.shape.join(',')}] does not broadcast to x's shape [${x!.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
