// GEMM and MatMul on raw addresses (see kernel-api.ts). A constant B (weights) is packed once into
// a block of the kernels' memory; A is packed per call. The epilogue (bias per output column,
// residual shaped like Y, activation) is fused into the GEMM's last pass over each output strip.
import { InputError } from '../errors.js';
import { forEachBroadcastBatch } from '../tensor/shape.js';
import { scratchPerThread, splitWork, threadsFor } from './parallel.js';
import { threadLocal } from './pool-claims.js';
import { writeEpilogue, type Epilogue } from './epilogue.js';
import type { KernelCall } from './thread-pool.js';
import type { ReservedBlock, WasmKernels } from './wasm-kernels.js';

/** A k×n B packed for the GEMM: at `at`, in `block` when persistent. */
export interface PackedB {
  readonly packed: true;
  readonly at: number;
  readonly block?: ReservedBlock;
  readonly k: number;
  readonly n: number;
}

/** A B in the kernels' memory as it is: [k, n] row-major, or [n, k] when `trans`. */
export interface RawB {
  readonly packed?: false;
  readonly at: number;
  readonly trans?: boolean;
}

/**
 * Packs B ([k, n], or [n, k] when `trans`; floats or a byte address) into a persistent block, or
 * with `transient` into the current call's arena. Release `block` when B is no longer used.
 */
export function packGemmB(wasm: WasmKernels, b: Float32Array | number, k: number, n: number, trans = false, transient = false): PackedB {
  const floats = wasm.k.packedBFloats(k, n);
  const block = transient ? undefined : wasm.reserve(floats);
  const at = block ? block.at : wasm.alloc(floats);
  const mark = wasm.mark();
  const src = typeof b === 'number' ? b : wasm.put(b);
  const [brs, bcs] = trans ? [1, k] : [n, 1];
  wasm.k.packBPanels(src, brs, bcs, k, n, at);
  wasm.rewind(mark);
  return { packed: true, at, block, k, n };
}

export interface GemmOptions {
  /** A is [k, m] (default [m, k]). */
  transA?: boolean;
  /** Y = alpha · A · B (+ epilogue): alpha scales A as it is packed. */
  alpha?: number;
  /** Y += alpha · A · B (before the epilogue) instead of Y =. */
  accumulate?: boolean;
  /** bias: one float per column of Y. */
  epilogue?: Epilogue;
  /** Byte address of one float per row of Y, added like the bias. */
  rowBias?: number;
}

/** Y[m, n] = alpha · A' · B (+ epilogue); a, y and the epilogue's addresses are byte addresses. */
export function gemm(wasm: WasmKernels, m: number, n: number, k: number, a: number, b: PackedB | RawB, y: number, o: GemmOptions = {}): void {
  const mark = wasm.mark();
  const scratch = scratchPerThread(wasm, wasm.k.gemmScratchFloats());
  const [ars, acs] = o.transA ? [1, m] : [k, 1];
  const ep = o.epilogue;
  const bias = ep?.bias ?? 0;
  const res = ep?.residual ?? 0;
  const threads = threadsFor(wasm, m * n * k);
  const acc = o.accumulate ? 1 : 0;
  const alpha = o.alpha ?? 1;
  const nPad = Math.ceil(n / 8) * 8;
  const byColumns = n >= 8 * threads || m < 8;
  const parts = byColumns ? splitWork(wasm, n, m * n * k, 8) : splitWork(wasm, m, m * n * k, 4);
  wasm.run(parts.map(([s0, count]): KernelCall[] => {
    const [i0, mi, j0, nj] = byColumns ? [0, m, s0, count] : [s0, count, 0, n];
    const yAt = y + (i0 * n + j0) * 4;
    const epAt = writeEpilogue(wasm, ep, o.rowBias ? o.rowBias + i0 * 4 : 0, bias ? bias + j0 * 4 : 0, res ? res + (yAt - y) : 0);
    const aAt = a + i0 * ars * 4;
    const bArgs = b.packed
      ? [b.at, nPad, j0, 1]
      : b.trans ? [b.at + j0 * k * 4, 1, k, 0] : [b.at + j0 * 4, n, 1, 0];
    return [['gemmEx', [mi, nj, k, aAt, ars, acs, 0, ...bArgs, yAt, n, acc, alpha, threadLocal(0), epAt]]];
  }), [scratch]);
  wasm.rewind(mark);
}

/**
 * MatMul with numpy broadcasting of the batch dims: A [...aBatch, m, k] · B [...bBatch, k, n] →
 * Y [...batch, m, n]. A packed B is one 2-D [k, n] for every batch (a dense A batch is then one
 * GEMM of batch·m rows). The epilogue's bias is per column; its residual is shaped like Y.
 */
export function matmul(
  wasm: WasmKernels, a: number, aShape: readonly number[], b: PackedB | RawB, bShape: readonly number[],
  y: number, batch: readonly number[], epilogue?: Epilogue,
): void {
  const m = aShape[aShape.length - 2] ?? 1;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const count = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  const batches = count(batch);
  if (count(bBatch) === 1 && count(aBatch) === batches) {
    gemm(wasm, batches * m, n, k, a, b, y, { epilogue: epilogue });
    return;
  }
  if (b.packed) throw new InputError('matmul: a packed B is 2-D, so B has no batch dims', { hint: 'pass B raw, or packed as [k, n]' });
  const res = epilogue?.residual;
  forEachBroadcastBatch(batch, aBatch, bBatch, (t, aAt, bAt) => {
    const ep = res === undefined ? epilogue : { ...epilogue, residual: res + t * m * n * 4 };
    gemm(wasm, m, n, k, a + aAt * m * k * 4, { at: b.at + bAt * k * n * 4, trans: b.trans }, y + t * m * n * 4, { epilogue: ep });
  });
}
