// Fused activations and residuals on the CPU engine: each activation as one loop over a region
// of a Float32Array (the arena or a block buffer), the same formulas as the framework's kernels
// (src/ops/unary/unary.cpu.ts). Conv and gemm executors run them over their output right after
// the product, while it is still in cache.
import type { Activation as KernelActivation, Epilogue } from '../../cpu/kernel-api.js';
import { erf } from '../../ops/_kernels/erf.js';
import type { Activation } from '../network.js';

/** A layer's fused epilogue for the kernels (bias and residual as byte addresses). */
export function kernelEpilogue(act: Activation, bias: number | undefined, residual: number | undefined): Epilogue {
  return {
    ...(bias !== undefined ? { bias } : {}),
    ...(residual !== undefined ? { residual } : {}),
    ...(act.kind !== 'none' ? { activation: act as KernelActivation } : {}),
  };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** f[from, to) = act(f[from, to)). */
export function applyActivation(f: Float32Array, from: number, to: number, a: Activation): void {
  switch (a.kind) {
    case 'none': return;
    case 'relu':
      for (let i = from; i < to; i++) if (f[i]! < 0) f[i] = 0;
      return;
    case 'leakyrelu': {
      const alpha = a.alpha;
      for (let i = from; i < to; i++) if (f[i]! < 0) f[i] = alpha * f[i]!;
      return;
    }
    case 'clip': {
      const { min, max } = a;
      for (let i = from; i < to; i++) {
        const v = f[i]!;
        f[i] = v < min ? min : v > max ? max : v;
      }
      return;
    }
    case 'sigmoid':
      for (let i = from; i < to; i++) {
        const x = f[i]!;
        const e = Math.exp(-Math.abs(x));
        f[i] = x >= 0 ? 1 / (1 + e) : e / (1 + e);
      }
      return;
    case 'tanh':
      for (let i = from; i < to; i++) f[i] = Math.tanh(f[i]!);
      return;
    case 'hardsigmoid': {
      const { alpha, beta } = a;
      for (let i = from; i < to; i++) f[i] = Math.min(1, Math.max(0, alpha * f[i]! + beta));
      return;
    }
    case 'hardswish':
      for (let i = from; i < to; i++) {
        const x = f[i]!;
        f[i] = x * Math.min(1, Math.max(0, x / 6 + 0.5));
      }
      return;
    case 'silu':
      for (let i = from; i < to; i++) {
        const x = f[i]!;
        const e = Math.exp(-Math.abs(x));
        f[i] = x * (x >= 0 ? 1 / (1 + e) : e / (1 + e));
      }
      return;
    case 'gelu':
      if (a.approximate === 'tanh') {
        for (let i = from; i < to; i++) {
          const x = f[i]!;
          f[i] = 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
        }
      } else {
        for (let i = from; i < to; i++) {
          const x = f[i]!;
          f[i] = 0.5 * x * (1 + erf(x / Math.SQRT2));
        }
      }
      return;
  }
}
