// How the fast kernels split work over the thread pool: the GEMM by column blocks of C (each
// thread packs its own B panels; A is small beside B in convolutions), the plane-wise kernels
// (depthwise conv, pooling, im2col) by channels. Small jobs stay on one thread, where a fork-join
// would cost more than it saves.
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

/** Multiply-adds below which a GEMM runs on one thread. */
const PARALLEL_MACS = 1 << 17;

/** [start, count] ranges splitting [0, total) into at most `parts`, each a multiple of `align` but the last. */
export function splitRange(total: number, parts: number, align = 1): [number, number][] {
  const per = Math.max(align, Math.ceil(total / parts / align) * align);
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += per) out.push([s, Math.min(per, total - s)]);
  return out;
}

/** Threads worth using for `work` units of about PARALLEL_MACS each at least. */
export function threadsFor(wasm: WasmKernels, macs: number): number {
  return Math.max(1, Math.min(wasm.threads, Math.floor(macs / PARALLEL_MACS)));
}

/** Scratch areas, one per thread, of `floats` floats each. */
export function scratchPerThread(wasm: WasmKernels, floats: number): number[] {
  return Array.from({ length: wasm.threads }, () => wasm.alloc(floats));
}

/**
 * C[m×n] (=|+=) alpha · A · B on the pool, one column block of C per thread. Pointers are byte
 * addresses; strides are in floats; `scratch[t]` holds gemmScratchFloats() floats.
 */
export function parallelGemm(
  wasm: WasmKernels, m: number, n: number, k: number, a: number, ars: number, acs: number,
  b: number, brs: number, bcs: number, c: number, ldc: number, accumulate: boolean, alpha: number, scratch: readonly number[],
): void {
  const parts = splitRange(n, threadsFor(wasm, m * n * k), 8);
  wasm.run(parts.map(([j0, nj], t) => [
    ['gemm', [m, nj, k, a, ars, acs, b + j0 * bcs * 4, brs, bcs, c + j0 * 4, ldc, accumulate ? 1 : 0, alpha, scratch[t]!]] as KernelCall,
  ]));
}
