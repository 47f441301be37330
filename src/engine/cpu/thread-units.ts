// Spreading a CPU-engine layer over the kernels' thread pool (src/cpu/thread-pool.ts): the layer's
// work is cut into units (a batch, a block of rows or columns), each unit a short list of kernel
// calls; the units are dealt to the threads in turn, in as many rounds (fork-joins) as the pool's
// per-thread call lists need. Each thread gets its own piece of the engine's shared scratch.
import { splitRange, threadsFor } from '../../cpu/parallel.js';
import type { KernelCall } from '../../cpu/thread-pool.js';
import { wasmKernels } from '../../cpu/wasm-kernels.js';

/** Floats of a pool thread's call list (thread-pool.ts SLOT), less a margin. */
const LIST_FLOATS = 250;

/** Threads worth using for `macs` multiply-adds on the kernels this engine runs on (1 without a pool). */
export function layerThreads(macs: number): number {
  const w = wasmKernels();
  return w ? threadsFor(w, macs) : 1;
}

/** Bytes rounded up to a multiple of 64 (scratch pieces stay cache-line aligned). */
export const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * How to cut `batches` problems of `rows` rows over `threads`: whole problems when there are
 * enough, else each problem's rows in blocks too. [batch, first row, rows] per unit.
 */
export function rowUnits(batches: number, rows: number, threads: number): [t: number, i0: number, mi: number][] {
  const blocks = splitRange(rows, batches >= threads ? 1 : Math.ceil(threads / batches));
  const units: [number, number, number][] = [];
  for (let t = 0; t < batches; t++) for (const [i0, mi] of blocks) units.push([t, i0, mi]);
  return units;
}

/**
 * The pool jobs for `units`: each round gives every thread a contiguous share of at most as many
 * units as its call list holds; `calls(unit, thread)` makes one unit's calls on that thread.
 */
export function dealUnits<U>(units: readonly U[], threads: number, calls: (unit: U, thread: number) => KernelCall[]): KernelCall[][][] {
  if (units.length === 0) return [];
  const size = calls(units[0]!, 0).reduce((a, [, args]) => a + 2 + args.length, 0);
  const perRound = Math.max(1, Math.floor((LIST_FLOATS - 1) / size)) * threads;
  const rounds: KernelCall[][][] = [];
  for (let u0 = 0; u0 < units.length; u0 += perRound) {
    const chunk = units.slice(u0, u0 + perRound);
    rounds.push(splitRange(chunk.length, threads).map(([s0, count], th) => chunk.slice(s0, s0 + count).flatMap((u) => calls(u, th))));
  }
  return rounds;
}

/** Bytes of packing scratch one GEMM call needs (a multiple of 64). */
export function gemmScratchBytes(): number {
  const w = wasmKernels();
  return w ? align64(w.k.gemmScratchFloats() * 4) : 0;
}
