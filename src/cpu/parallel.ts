// How the fast kernels split work over the thread pool: the GEMM by column blocks of C (each
// thread packs its own B panels; A is small beside B in convolutions), the plane-wise kernels
// (depthwise conv, pooling, im2col) by channels. Small jobs stay on one thread, where a fork-join
// would cost more than it saves.
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

/**
 * Multiply-adds per thread below which work stays on fewer threads: about 30 µs of one core's
 * work, so that a fork-join is paid only where it can save more than it costs. The pool's threads
 * spin between jobs (between an engine's layers they never sleep), so a fork is a few µs; at 8×
 * this (0.25 ms) ShuffleNetV2 x0.5's 7×7 and 14×14 convs all ran on one thread and its engine run
 * took 2.6-2.8 ms against 2.2 ms here (bench/cpu-ab.ts, 2 threads, in turns); MobileNetV2 and
 * SqueezeNet did not move.
 */
let parallelMacs = 1 << 17;

/** Sets that amount (tests lower it so that small cases exercise every split); returns the old one. */
export function setParallelMacs(macs: number): number {
  const old = parallelMacs;
  parallelMacs = macs;
  return old;
}

/** [start, count] ranges splitting [0, total) into at most `parts`, each a multiple of `align` but the last. */
export function splitRange(total: number, parts: number, align = 1): [number, number][] {
  const per = Math.max(align, Math.ceil(total / parts / align) * align);
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += per) out.push([s, Math.min(per, total - s)]);
  return out;
}

/** Threads worth using for `work` units of about that amount each at least. */
export function threadsFor(wasm: WasmKernels, macs: number): number {
  return Math.max(1, Math.min(wasm.threads, Math.floor(macs / parallelMacs)));
}

/**
 * Lists per thread a big job splits into: a thread that is done takes a slower one's last lists
 * (thread-pool.ts), so one core running behind (a virtual CPU sharing its core) holds the layer
 * up by a piece, not by half the layer.
 */
const PIECES = 4;

/**
 * [start, count] ranges splitting [0, total) for a job of `macs` multiply-adds: threadsFor's
 * threads get even shares (multiples of `align`), and each share is cut into up to `pieces` lists
 * of at least the parallel threshold's work (a list's fixed costs — packing its share, the claim —
 * stay small beside it; with 4 × that, SqueezeNet's layers stayed one list a thread and a slow
 * spell of one vCPU held every layer up: ~7% slower then), in order: the pool gives each thread its
 * own share's lists first (thread-pool.ts listOrder), and the pieces let a thread that is done
 * take a slower one's last.
 */
export function splitWork(wasm: WasmKernels, total: number, macs: number, align = 1, pieces = PIECES): [number, number][] {
  const threads = threadsFor(wasm, macs);
  if (threads <= 1) return splitRange(total, 1, align);
  const per = Math.max(1, Math.min(pieces, Math.floor(macs / threads / parallelMacs)));
  return splitRange(total, threads, align).flatMap(([s, n]) => splitRange(n, per, align).map(([a, m]): [number, number] => [s + a, m]));
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
