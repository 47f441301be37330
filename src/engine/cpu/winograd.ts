// The Winograd executors of 3×3, stride-1, ungrouped convs (src/cpu/winograd.ts), F(2×2, 3×3) and
// F(4×4, 3×3): candidates beside the conv executor's im2col + GEMM (conv.ts); the builder times
// them all and keeps the fastest (few input channels favour im2col, planes of 2 rows F(2×2)).
// Where a plane's transformed input and products outgrow L2, a `-chunked` variant of each walks
// every thread's tile rows a chunk at a time (src/cpu/winograd.ts); the timing, with the weights
// pushed out of the caches first (choose.ts), decides between reading M from cache and reading the
// transformed weights once per chunk.
// Transformed weights are packed once at load; the epilogue is fused into the output transform.
import { packWinogradWeights, winogradApplies, winogradConv2d, WINOGRAD_CHUNK_BYTES, type WinogradTile } from '../../cpu/winograd.js';
import type { ConvLayer } from '../network.js';
import { convShape } from './conv.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler, CpuTactic } from './tactic.js';

/** The executor names, by output tile size; `-chunked` ones walk each thread's tile rows in chunks that stay in L2. */
export const WINOGRAD: Record<WinogradTile, string> = { 2: 'winograd-f2x3', 4: 'winograd-f4x3' };

/** Whether a chunked variant can differ: a plane's V and M well over one chunk's budget. */
function chunkWorthwhile(s: ReturnType<typeof convShape>, tile: WinogradTile): boolean {
  const xis = (tile + 2) ** 2;
  const twp = Math.ceil(Math.ceil(s.ow / tile) / 4) * 4;
  const th = Math.ceil(s.oh / tile);
  // V and M of a whole plane over twice the chunk budget (a band of two threads would not fit
  // either), and tile rows enough for chunks of several rows: on ResNet-50's 14×14 and 7×7 planes
  // (4 to 7 tile rows) chunks ran 1.3-2× slower
  return xis * (s.c + s.m) * twp * th * 4 > 2 * WINOGRAD_CHUNK_BYTES && th >= 8;
}

export const cpuWinograd: CpuCompiler<ConvLayer> = (l, net, wasm) => {
  if (!wasm || net.tensors.get(l.input)!.shape.length !== 4) return [];
  const s = convShape(l, net);
  if (!winogradApplies(s)) return [];
  const variants = ([2, 4] as const).flatMap((tile) => [
    { tile, chunked: false },
    ...(chunkWorthwhile(s, tile) ? [{ tile, chunked: true }] : []),
  ]);
  return variants.map(({ tile, chunked }): CpuTactic => ({
    name: `${WINOGRAD[tile]}${chunked ? '-chunked' : ''}`,
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const packed = packWinogradWeights(k, l.weights, s.m, s.c, tile);
      env.mem.hold(packed.block);
      const ep = kernelEpilogue(l.act, l.bias ? env.mem.put(l.bias) : undefined, l.residual ? env.at(l.residual) : undefined);
      const x = env.at(l.input);
      const y = env.at(l.output);
      const chunkBytes = chunked ? WINOGRAD_CHUNK_BYTES : undefined;
      return () => winogradConv2d(k, s, x, packed, y, ep, chunkBytes);
    },
  }));
};
