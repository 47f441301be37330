// The kernels of the ai.onnx.ml SVMs (kernel_type, kernel_params = [gamma, coef0, degree]), as
// onnxruntime evaluates them between a row of X and a support vector u:
//   LINEAR x·u   POLY (gamma·x·u + coef0)^degree   RBF exp(−gamma·|x − u|²)   SIGMOID tanh(gamma·x·u + coef0)
// and Platt's pairwise-coupling of one-vs-one probabilities (LIBSVM), in float32 as onnxruntime.
import { logistic } from './ml-scores.js';

export const SVM_KERNELS = ['LINEAR', 'POLY', 'RBF', 'SIGMOID'] as const;
export type SvmKernelType = (typeof SVM_KERNELS)[number];

/** k(row of xs at xAt, vector of vs at vAt), both `len` long. */
export type SvmKernel = (xs: ArrayLike<number>, xAt: number, vs: ArrayLike<number>, vAt: number, len: number) => number;

export function svmKernel(type: SvmKernelType, params: readonly number[]): SvmKernel {
  const [gamma = 0, coef0 = 0, degree = 0] = params;
  const dot: SvmKernel = (xs, xAt, vs, vAt, len) => {
    let s = 0;
    for (let k = 0; k < len; k++) s += xs[xAt + k]! * vs[vAt + k]!;
    return s;
  };
  if (type === 'LINEAR') return dot;
  if (type === 'POLY') return (...args) => (gamma * dot(...args) + coef0) ** degree;
  if (type === 'SIGMOID') return (...args) => Math.tanh(gamma * dot(...args) + coef0);
  return (xs, xAt, vs, vAt, len) => {
    let s = 0;
    for (let k = 0; k < len; k++) {
      const d = xs[xAt + k]! - vs[vAt + k]!;
      s += d * d;
    }
    return Math.exp(-gamma * s);
  };
}

const f = Math.fround;

/** LIBSVM's P(class i over class j) from a one-vs-one decision value and its Platt coefficients A, B. */
export function pairProbability(score: number, a: number, b: number): number {
  const p = f(1 - logistic(f(f(score * a) + b)));
  return Math.min(Math.max(p, f(1e-7)), f(1 - f(1e-7)));
}

/**
 * Class probabilities from the pairwise ones r (k × k, r[i·k + j] = P(i over j)) by LIBSVM's
 * iterative method (Wu, Lin and Weng 2004), in float32 step by step as onnxruntime runs it.
 */
export function coupleProbabilities(k: number, r: Float32Array): Float32Array {
  const q = new Float32Array(k * k);
  const qp = new Float32Array(k);
  const p = new Float32Array(k);
  const eps = f(0.005 / k);
  for (let i = 0; i < k; i++) {
    p[i] = 1 / k;
    for (let j = 0; j < i; j++) {
      q[i * k + i] = q[i * k + i]! + f(r[j * k + i]! * r[j * k + i]!);
      q[i * k + j] = q[j * k + i]!;
    }
    for (let j = i + 1; j < k; j++) {
      q[i * k + i] = q[i * k + i]! + f(r[j * k + i]! * r[j * k + i]!);
      q[i * k + j] = -f(r[j * k + i]! * r[i * k + j]!);
    }
  }
  for (let iter = 0; iter < 100; iter++) {
    let pqp = 0;
    for (let i = 0; i < k; i++) {
      qp[i] = 0;
      for (let j = 0; j < k; j++) qp[i] = qp[i]! + f(q[i * k + j]! * p[j]!);
      pqp = f(pqp + f(p[i]! * qp[i]!));
    }
    let maxError = 0;
    for (let i = 0; i < k; i++) maxError = Math.max(maxError, f(Math.abs(qp[i]! - pqp)));
    if (maxError < eps) break;
    for (let i = 0; i < k; i++) {
      const diff = f(f(pqp - qp[i]!) / q[i * k + i]!);
      const grow = f(1 + diff);
      p[i] = p[i]! + diff;
      pqp = f(f(f(pqp + f(diff * f(f(diff * q[i * k + i]!) + f(2 * qp[i]!)))) / grow) / grow);
      for (let j = 0; j < k; j++) {
        qp[j] = f(qp[j]! + f(diff * q[i * k + j]!)) / grow;
        p[j] = p[j]! / grow;
      }
    }
  }
  return p;
}
