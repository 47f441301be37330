import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

/** X's type, after checking that an optional bias is X's last dim (broadcast over the rest). */
function withBias([x, bias]: readonly (InferInput | undefined)[]): TensorType[] {
  if (bias) {
    const h = x!.shape.at(-1);
    if (bias.shape.length !== 1 || bias.shape[0] !== h) throw new ShapeError(`bias must be [${h}] (X's last dim), got [${bias.shape.join(',')}]`);
    if (bias.dtype !== x!.dtype) throw new ShapeError(`bias must be ${x!.dtype} like X, got ${bias.dtype}`);
  }
  return [{ dtype: x!.dtype, shape: [...x!.shape] }];
}

const FLOATS = ['float32', 'float16'] as const;

// com.microsoft Gelu: y = x · Φ(x) = 0.5 x (1 + erf(x/√2)).
export const MsGelu = defineOp({ type: 'Gelu', domain: MS_DOMAIN, attrs: {}, inputs: [1, 1], outputs: [1, 1], dtypes: FLOATS, infer: withBias });

// BiasGelu(A, B) = Gelu(A + B), B a 1-D bias over A's last dim.
export const BiasGelu = defineOp({ type: 'BiasGelu', domain: MS_DOMAIN, attrs: {}, inputs: [2, 2], outputs: [1, 1], dtypes: FLOATS, infer: withBias });

// FastGelu(X, bias?) = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), x = X + bias (tanh approximation).
export const FastGelu = defineOp({ type: 'FastGelu', domain: MS_DOMAIN, attrs: {}, inputs: [1, 2], outputs: [1, 1], dtypes: FLOATS, infer: withBias });

// QuickGelu(X) = x · sigmoid(alpha · x), alpha 1.702 by default (CLIP's approximation).
export const QuickGelu = defineOp({
  type: 'QuickGelu', domain: MS_DOMAIN, attrs: { alpha: attr.float(1.702) }, inputs: [1, 1], outputs: [1, 1], dtypes: FLOATS, infer: withBias,
});
