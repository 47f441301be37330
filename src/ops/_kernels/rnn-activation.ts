// The activation functions RNN, GRU and LSTM take by name (the `activations` attribute), with the
// `activation_alpha` / `activation_beta` lists that parameterize some of them.
import { UnsupportedError } from '../../errors.js';

export type ScalarFn = (x: number) => number;

interface ActivationKind {
  /** Whether the function takes alpha / beta, and their defaults when the lists run out. */
  alpha?: number;
  beta?: number;
  make(alpha: number, beta: number): ScalarFn;
}

// Defaults are those of the ONNX operators of the same name (ScaledTanh has none in ONNX: 1, 1).
const KINDS: Record<string, ActivationKind> = {
  sigmoid: { make: () => (x) => 1 / (1 + Math.exp(-x)) },
  tanh: { make: () => Math.tanh },
  relu: { make: () => (x) => (x > 0 ? x : 0) },
  affine: { alpha: 1, beta: 0, make: (a, b) => (x) => a * x + b },
  leakyrelu: { alpha: 0.01, make: (a) => (x) => (x >= 0 ? x : a * x) },
  thresholdedrelu: { alpha: 1, make: (a) => (x) => (x > a ? x : 0) },
  scaledtanh: { alpha: 1, beta: 1, make: (a, b) => (x) => a * Math.tanh(b * x) },
  hardsigmoid: { alpha: 0.2, beta: 0.5, make: (a, b) => (x) => Math.min(Math.max(a * x + b, 0), 1) },
  elu: { alpha: 1, make: (a) => (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)) },
  softsign: { make: () => (x) => x / (1 + Math.abs(x)) },
  softplus: { make: () => (x) => (x > 20 ? x : Math.log1p(Math.exp(x))) },
};

export const ACTIVATION_NAMES = ['Sigmoid', 'Tanh', 'Relu', 'Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu', 'Softsign', 'Softplus'];

/**
 * The activation functions of each direction. `names` lists `perDirection` functions for each
 * direction in order (forward first); a list for one direction is reused for both when the op is
 * bidirectional, and RNN's two-entry default serves a one-direction op with its first entry.
 * Alphas and betas are consumed in list order, only by the functions that take them.
 */
export function resolveActivations(
  names: readonly string[] | undefined, alphas: readonly number[], betas: readonly number[],
  perDirection: number, directions: number, defaults: readonly string[],
): ScalarFn[][] {
  return resolveActivationSpecs(names, alphas, betas, perDirection, directions, defaults)
    .map((fns) => fns.map((f) => KINDS[f.kind]!.make(f.alpha, f.beta)));
}

/** An activation by its lower-case kind with its alpha and beta resolved (WGSL kernels build their own code from it). */
export interface ActivationSpec {
  kind: string;
  alpha: number;
  beta: number;
}

/** As resolveActivations, the resolved kinds and parameters instead of functions. */
export function resolveActivationSpecs(
  names: readonly string[] | undefined, alphas: readonly number[], betas: readonly number[],
  perDirection: number, directions: number, defaults: readonly string[],
): ActivationSpec[][] {
  let list = names && names.length ? [...names] : [...defaults];
  if (list.length === perDirection && directions === 2) list = [...list, ...list];
  else if (list.length === 2 * perDirection && directions === 1 && !names?.length) list = list.slice(0, perDirection);
  if (list.length !== perDirection * directions) {
    throw new UnsupportedError(`activations lists ${list.length} functions; this op takes ${perDirection} per direction × ${directions} direction(s)`);
  }
  let ai = 0;
  let bi = 0;
  const specs = list.map((name) => {
    const kind = KINDS[name.toLowerCase()];
    if (!kind) throw new UnsupportedError(`activation '${name}' is not one of ${ACTIVATION_NAMES.join(', ')}`);
    const alpha = kind.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++]! : kind.alpha;
    const beta = kind.beta === undefined ? 0 : bi < betas.length ? betas[bi++]! : kind.beta;
    return { kind: name.toLowerCase(), alpha, beta };
  });
  return Array.from({ length: directions }, (_, d) => specs.slice(d * perDirection, (d + 1) * perDirection));
}

/** Clips a gate's pre-activation to [-clip, clip] when `clip` is set (spec: "applied to the input of activations"). */
export function clipper(clip: number | undefined): ScalarFn {
  if (clip === undefined) return (x) => x;
  return (x) => (x > clip ? clip : x < -clip ? -clip : x);
}
