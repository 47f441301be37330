// What the kernels can fuse onto an output while it is hot in cache (src/cpu/assembly/epilogue.ts):
// a bias, a residual tensor shaped like the output, and one activation, applied after the residual
// add (ResNet order) unless `activationBeforeResidual`. Here: the host-side description, and its
// encoding into the descriptor the kernels read.
import { InputError } from '../errors.js';
import type { WasmKernels } from './wasm-kernels.js';

export type Activation =
  | { kind: 'relu' }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'sigmoid' }
  | { kind: 'hardsigmoid'; alpha: number; beta: number }
  | { kind: 'hardswish' }
  | { kind: 'silu' }
  | { kind: 'gelu'; approximate?: 'none' | 'tanh' }
  | { kind: 'tanh' }
  | { kind: 'exp' };

export interface Epilogue {
  /** Byte address of the bias: one float per output channel (conv) or per output column (gemm). */
  bias?: number;
  /** Byte address of a tensor shaped like the output, added to it. */
  residual?: number;
  activation?: Activation;
  /** Apply the activation before adding the residual (default: after). */
  activationBeforeResidual?: boolean;
}

/** The kernels' activation code and its two parameters. */
export function activationCode(a: Activation | undefined): [code: number, p0: number, p1: number] {
  switch (a?.kind) {
    case undefined: return [0, 0, 0];
    case 'relu': return [1, 0, 0];
    case 'clip': return [2, a.min, a.max];
    case 'leakyrelu': return [3, a.alpha, 0];
    case 'sigmoid': return [4, 0, 0];
    case 'hardsigmoid': return [5, a.alpha, a.beta];
    case 'hardswish': return [6, 0, 0];
    case 'silu': return [7, 0, 0];
    case 'gelu': return [a.approximate === 'tanh' ? 9 : 8, 0, 0];
    case 'tanh': return [10, 0, 0];
    case 'exp': return [11, 0, 0];
    default: throw new InputError(`unknown activation '${(a as { kind: string }).kind}' for a CPU kernel epilogue`);
  }
}

/** Nothing to fuse: the kernels skip the epilogue pass. */
export function isEmpty(ep: Epilogue | undefined): boolean {
  return !ep || (ep.bias === undefined && ep.residual === undefined && ep.activation === undefined);
}

/**
 * Writes a descriptor into the arena for one kernel call: `rowBias` / `colBias` are addresses for
 * the call's row / column 0, `residual` the address matching the call's output (0: none).
 */
export function writeEpilogue(wasm: WasmKernels, ep: Epilogue | undefined, rowBias: number, colBias: number, residual: number): number {
  if (isEmpty(ep) && rowBias === 0 && colBias === 0 && residual === 0) return 0;
  const at = wasm.alloc(8);
  const [code, p0, p1] = activationCode(ep?.activation);
  const i = wasm.ints();
  const f = wasm.floats();
  const w = at / 4;
  i[w] = code;
  i[w + 1] = ep?.activationBeforeResidual ? 1 : 0;
  f[w + 2] = p0;
  f[w + 3] = p1;
  i[w + 4] = rowBias;
  i[w + 5] = colBias;
  i[w + 6] = residual;
  return at;
}
