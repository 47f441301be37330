// The activations onnxruntime's graph optimizer folds into Conv and Gemm: FusedConv names an MLAS
// activation with its parameters in `activation_params`, FusedGemm names an elementwise op with
// `activation_alpha` / `activation_beta` / `activation_gamma`.
import { GraphError, UnsupportedError } from '../../errors.js';

export type ScalarFn = (x: number) => number;

// e^(−|x|) never overflows; the two branches are the same function
const sigmoid: ScalarFn = (x) => {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
};
// log(1 + e^x) without overflow
const softplus: ScalarFn = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** FusedConv's activations and how many `activation_params` each takes (onnxruntime requires exactly that many). */
const CONV_ACTIVATIONS: Record<string, { params: number; make(p: readonly number[]): ScalarFn }> = {
  Relu: { params: 0, make: () => (x) => (x > 0 ? x : 0) },
  Tanh: { params: 0, make: () => Math.tanh },
  Sigmoid: { params: 0, make: () => sigmoid },
  LeakyRelu: { params: 1, make: ([a]) => (x) => (x >= 0 ? x : a! * x) },
  Clip: { params: 2, make: ([lo, hi]) => (x) => clamp(x, lo!, hi!) },
  HardSigmoid: { params: 2, make: ([a, b]) => (x) => clamp(a! * x + b!, 0, 1) },
};

/** Checks FusedConv's `activation` and `activation_params`; the identity when no activation is named. */
export function convActivation(name: string | undefined, params: readonly number[] | undefined): ScalarFn | undefined {
  if (name === undefined) return undefined;
  const kind = CONV_ACTIVATIONS[name];
  if (!kind) throw new UnsupportedError(`FusedConv activation '${name}' is not one of ${Object.keys(CONV_ACTIVATIONS).join(', ')}`);
  const p = params ?? [];
  if (kind.params > 0 && p.length !== kind.params) {
    throw new GraphError(`FusedConv activation ${name} takes ${kind.params} activation_params, got ${p.length}`);
  }
  return kind.make(p);
}

/** FusedGemm's activations; parameters default to those of the ONNX op of the same name. */
const GEMM_ACTIVATIONS: Record<string, (a: number | undefined, b: number | undefined, g: number | undefined) => ScalarFn> = {
  Relu: () => (x) => (x > 0 ? x : 0),
  Tanh: () => Math.tanh,
  Sigmoid: () => sigmoid,
  Softsign: () => (x) => x / (1 + Math.abs(x)),
  Softplus: () => softplus,
  LeakyRelu: (a = 0.01) => (x) => (x >= 0 ? x : a * x),
  ThresholdedRelu: (a = 1) => (x) => (x > a ? x : 0),
  Elu: (a = 1) => (x) => (x >= 0 ? x : a * Math.expm1(x)),
  Celu: (a = 1) => (x) => Math.max(0, x) + Math.min(0, a * Math.expm1(x / a)),
  Selu: (a = 1.6732632423543772, _b, g = 1.0507009873554805) => (x) => g * (x > 0 ? x : a * Math.expm1(x)),
  HardSigmoid: (a = 0.2, b = 0.5) => (x) => clamp(a * x + b, 0, 1),
  ScaledTanh: (a = 1, b = 1) => (x) => a * Math.tanh(b * x),
  ParametricSoftplus: (a = 1, b = 1) => (x) => a * softplus(b * x),
};

/** FusedGemm's activation from its name and parameters; undefined when no activation is named. */
export function gemmActivation(name: string | undefined, alpha?: number, beta?: number, gamma?: number): ScalarFn | undefined {
  if (name === undefined || name === '') return undefined;
  const make = GEMM_ACTIVATIONS[name];
  if (!make) throw new UnsupportedError(`FusedGemm activation '${name}' is not one of ${Object.keys(GEMM_ACTIVATIONS).join(', ')}`);
  return make(alpha, beta, gamma);
}

/** Applies `fn` to every element in place (float32 storage rounds each result). */
export function applyActivation(y: Float32Array, fn: ScalarFn | undefined): void {
  if (!fn) return;
  for (let i = 0; i < y.length; i++) y[i] = fn(y[i]!);
}
