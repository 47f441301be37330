// One-input elementwise ops: y = f(x), with x's dtype and shape. Relu has its own folder (the
// example op); everything else of this kind is one line here.
import { attr, type AttrSchema } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { BOOL_TYPES, FLOAT_TYPES, NUMERIC_TYPES, SIGNED_TYPES } from '../dtype-groups.js';
import { defineOp, type OpDef } from '../op.js';

function unary<S extends AttrSchema>(type: string, dtypes: readonly DType[], attrs: S): OpDef<S> {
  return defineOp({
    type, domain: '', attrs, inputs: [1, 1], outputs: [1, 1], dtypes,
    infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
  });
}

// math
export const Abs = unary('Abs', NUMERIC_TYPES, {});
export const Neg = unary('Neg', SIGNED_TYPES, {});
export const Sign = unary('Sign', NUMERIC_TYPES, {});
export const Ceil = unary('Ceil', FLOAT_TYPES, {});
export const Floor = unary('Floor', FLOAT_TYPES, {});
export const Round = unary('Round', FLOAT_TYPES, {});
export const Sqrt = unary('Sqrt', FLOAT_TYPES, {});
export const Reciprocal = unary('Reciprocal', FLOAT_TYPES, {});
export const Exp = unary('Exp', FLOAT_TYPES, {});
export const Log = unary('Log', FLOAT_TYPES, {});
export const Sin = unary('Sin', FLOAT_TYPES, {});
export const Cos = unary('Cos', FLOAT_TYPES, {});
export const Erf = unary('Erf', FLOAT_TYPES, {});
export const Not = unary('Not', BOOL_TYPES, {});

// activations (ONNX defaults)
export const Sigmoid = unary('Sigmoid', FLOAT_TYPES, {});
export const Tanh = unary('Tanh', FLOAT_TYPES, {});
export const Softplus = unary('Softplus', FLOAT_TYPES, {});
export const Softsign = unary('Softsign', FLOAT_TYPES, {});
export const HardSwish = unary('HardSwish', FLOAT_TYPES, {});
export const LeakyRelu = unary('LeakyRelu', FLOAT_TYPES, { alpha: attr.float(0.01) });
export const Elu = unary('Elu', FLOAT_TYPES, { alpha: attr.float(1) });
export const Selu = unary('Selu', FLOAT_TYPES, {
  alpha: attr.float(1.67326319217681884765625),
  gamma: attr.float(1.05070102214813232421875),
});
export const HardSigmoid = unary('HardSigmoid', FLOAT_TYPES, { alpha: attr.float(0.2), beta: attr.float(0.5) });
export const Gelu = unary('Gelu', FLOAT_TYPES, { approximate: attr.string('none', ['none', 'tanh'] as const) });

// trigonometric and hyperbolic
export const Tan = unary('Tan', FLOAT_TYPES, {});
export const Asin = unary('Asin', FLOAT_TYPES, {});
export const Acos = unary('Acos', FLOAT_TYPES, {});
export const Atan = unary('Atan', FLOAT_TYPES, {});
export const Sinh = unary('Sinh', FLOAT_TYPES, {});
export const Cosh = unary('Cosh', FLOAT_TYPES, {});
export const Asinh = unary('Asinh', FLOAT_TYPES, {});
export const Acosh = unary('Acosh', FLOAT_TYPES, {});
export const Atanh = unary('Atanh', FLOAT_TYPES, {});

// more activations: Celu-12, Mish-18, Swish-24, ThresholdedRelu-10, Shrink-9 (any numeric type)
export const Celu = unary('Celu', FLOAT_TYPES, { alpha: attr.float(1) });
export const Mish = unary('Mish', FLOAT_TYPES, {});
export const Swish = unary('Swish', FLOAT_TYPES, { alpha: attr.float(1) });
export const ThresholdedRelu = unary('ThresholdedRelu', FLOAT_TYPES, { alpha: attr.float(1) });
export const Shrink = unary('Shrink', NUMERIC_TYPES, { bias: attr.float(0), lambd: attr.float(0.5) });

/** A one-input test y = p(x) with a bool result. */
function predicate<S extends AttrSchema>(type: string, attrs: S): OpDef<S> {
  return defineOp({
    type, domain: '', attrs, inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES,
    infer: ([x]) => [{ dtype: 'bool', shape: [...x!.shape] }],
  });
}
export const IsNaN = predicate('IsNaN', {});
export const IsInf = predicate('IsInf', { detect_negative: attr.int(1), detect_positive: attr.int(1) });
