import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { sameShape } from '../../tensor/shape.js';
import { convActivation } from '../_kernels/fused-activation.js';
import { Conv } from '../conv/conv.op.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

/** FusedConv's attributes without the activation: Conv's. */
export const convPart = <T extends { activation?: unknown; activation_params?: unknown }>({ activation: _a, activation_params: _p, ...conv }: T) => conv;

// Y = activation(Conv(X, W, B) + Z): Conv with its attributes, then the optional Z (Y's shape) added,
// then `activation` (Relu, Tanh, Sigmoid, LeakyRelu, Clip, HardSigmoid) with `activation_params`
// (LeakyRelu [alpha], Clip [min, max], HardSigmoid [alpha, beta]). onnxruntime's optimizer writes it.
export const FusedConv = defineOp({
  type: 'FusedConv',
  domain: MS_DOMAIN,
  attrs: { ...Conv.attrs, activation: attr.optional(attr.string()), activation_params: attr.optional(attr.floats()) },
  inputs: [2, 4],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, w, b, z], attrs) => {
    convActivation(attrs.activation, attrs.activation_params);
    const [y] = Conv.infer([x, w, b], convPart(attrs), 1);
    if (b && b.dtype !== x!.dtype) throw new ShapeError(`B is ${b.dtype} but X is ${x!.dtype}`);
    if (z) {
      if (z.dtype !== x!.dtype) throw new ShapeError(`Z is ${z.dtype} but X is ${x!.dtype}`);
      if (!sameShape(z.shape, y!.shape)) throw new ShapeError(`Z of shape [${z.shape.join(',')}] must have Y's shape [${y!.shape.join(',')}]`);
    }
    return [y!];
  },
});
