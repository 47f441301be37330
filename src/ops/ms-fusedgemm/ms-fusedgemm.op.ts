import { attr } from '../../ir/attr.js';
import { gemmActivation } from '../_kernels/fused-activation.js';
import { Gemm } from '../gemm/gemm.op.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

/** FusedGemm's attributes without the activation: Gemm's. */
export const gemmPart = ({ alpha, beta, transA, transB }: { alpha: number; beta: number; transA: number; transB: number }) => ({ alpha, beta, transA, transB });

// Y = activation(alpha · A' · B' + beta · C): Gemm, then the elementwise op named by `activation`
// (Relu, Tanh, Sigmoid, LeakyRelu, Elu, Selu, Celu, HardSigmoid, ThresholdedRelu, Softsign,
// Softplus, ScaledTanh, ParametricSoftplus) with activation_alpha / beta / gamma as its alpha /
// beta / gamma (the ONNX op's defaults when absent). onnxruntime's optimizer writes it.
export const FusedGemm = defineOp({
  type: 'FusedGemm',
  domain: MS_DOMAIN,
  attrs: {
    ...Gemm.attrs,
    activation: attr.optional(attr.string()),
    activation_alpha: attr.optional(attr.float()),
    activation_beta: attr.optional(attr.float()),
    activation_gamma: attr.optional(attr.float()),
  },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: (inputs, attrs) => {
    gemmActivation(attrs.activation, attrs.activation_alpha, attrs.activation_beta, attrs.activation_gamma);
    return Gemm.infer(inputs, gemmPart(attrs), 1);
  },
});
