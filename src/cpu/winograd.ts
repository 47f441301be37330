// Winograd convolution on raw addresses (see kernel-api.ts), for 3×3, stride-1, undilated,
// ungrouped 2-D convs: F(2×2, 3×3) does 2.25× fewer multiply-adds than im2col + GEMM, F(4×4, 3×3)
// 4× fewer (with more transform work and bigger partial tiles at the edges). Weights are
// transformed (U = G·g·Gᵀ) and packed for the GEMM once; a run transforms the input tiles
// (assembly/winograd.ts, winograd4.ts), runs one GEMM [m × c]·[c × tiles] per ξ of the α×α
// transform domain (α = tile + 2), and transforms back with the epilogue fused; on the thread
// pool, by bands of tile rows or by output channels (winogradConv2d says when).
import { scratchPerThread, splitRange, splitWork, threadsFor } from './parallel.js';
import { writeEpilogue, type Epilogue } from './epilogue.js';
import type { ConvShape } from './api-conv.js';
import { threadLocal } from './pool-claims.js';
import type { KernelCall } from './thread-pool.js';
import type { ReservedBlock, WasmKernels } from './wasm-kernels.js';

/** Output tile size: F(2×2, 3×3) (16 GEMMs) or F(4×4, 3×3) (36 GEMMs). */
export type WinogradTile = 2 | 4;

/** The transformed weight matrices U[ξ] [m × c], each packed as gemmEx's A. */
export interface PackedWinograd {
  readonly tile: WinogradTile;
  readonly at: number;
  readonly block: ReservedBlock;
  readonly m: number;
  readonly c: number;
  /** Bytes between U[ξ] and U[ξ + 1]. */
  readonly xiBytes: number;
  /** Rows of each packed U[ξ] (m rounded up to the GEMM's panel height). */
  readonly mPad: number;
}

/** G (rows × 3) of each tile size: U = G·g·Gᵀ. */
const G: Record<WinogradTile, number[][]> = {
  2: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
  4: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
};

/** Whether Winograd F(·, 3×3) computes this conv. */
export function winogradApplies(s: ConvShape): boolean {
  return s.group === 1 && s.kh === 3 && s.kw === 3 && s.sh === 1 && s.sw === 1 && s.dh === 1 && s.dw === 1;
}

/** U = G·g·Gᵀ of every (output, input) channel pair of OIHW weights, as [α²][m][c] (α = tile + 2). */
export function winogradWeights(w: Float32Array, m: number, c: number, tile: WinogradTile): Float32Array {
  const g = G[tile];
  const a = tile + 2;
  const u = new Float32Array(a * a * m * c);
  const plane = m * c;
  const gk = new Float64Array(a * 3); // G·k, α × 3
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < c; i++) {
      const k = (o * c + i) * 9;
      for (let r = 0; r < a; r++) {
        for (let j = 0; j < 3; j++) gk[r * 3 + j] = g[r]![0]! * w[k + j]! + g[r]![1]! * w[k + 3 + j]! + g[r]![2]! * w[k + 6 + j]!;
      }
      for (let r = 0; r < a; r++) {
        for (let q = 0; q < a; q++) u[(r * a + q) * plane + o * c + i] = gk[r * 3]! * g[q]![0]! + gk[r * 3 + 1]! * g[q]![1]! + gk[r * 3 + 2]! * g[q]![2]!;
      }
    }
  }
  return u;
}

/** Transforms and packs OIHW 3×3 weights [m, c, 3, 3] into a persistent block (release it when done). */
export function packWinogradWeights(wasm: WasmKernels, w: Float32Array, m: number, c: number, tile: WinogradTile = 2): PackedWinograd {
  const xis = (tile + 2) ** 2;
  const xiFloats = wasm.k.packedAFloats(m, c);
  const block = wasm.reserve(xis * xiFloats);
  const mark = wasm.mark();
  const u = wasm.put(winogradWeights(w, m, c, tile));
  for (let xi = 0; xi < xis; xi++) wasm.k.packAPanels(u + xi * m * c * 4, c, 1, m, c, 1, block.at + xi * xiFloats * 4);
  wasm.rewind(mark);
  return { tile, at: block.at, block, m, c, xiBytes: xiFloats * 4, mPad: xiFloats / c };
}

/** Tiles a thread's band of tile rows needs at least: fewer make its GEMMs too narrow. */
const BAND_TILES = 32;

/**
 * Bytes of V and M (the transformed input and the GEMMs' output) a chunk of tile rows may fill
 * when a thread walks its share in chunks (winogradConv2d's `chunkBytes`): with the chunk's transformed input and
 * products in its core's L2, the output transform reads M from cache instead of memory (a band's
 * M is 1 MiB for SqueezeNet's and ResNet-50's 64-channel 56×56 convs), at the cost of reading the
 * transformed weights once per chunk. The builder times both ways (engine/cpu/winograd.ts).
 */
export const WINOGRAD_CHUNK_BYTES = 384 << 10;

/** One thread's share: tile rows [ti0, ti0 + rows) of output channels [m0, m0 + mc). */
interface WinogradPart {
  ti0: number;
  rows: number;
  m0: number;
  mc: number;
}

/**
 * Y[n, m, oh, ow] = conv(X[n, c, ih, iw], W) then the epilogue, for a conv winogradApplies to.
 * Addresses are bytes in the kernels' memory. On a pool, a plane with enough tile rows is split
 * into bands of tile rows, one per thread, each running its input transform, GEMMs and output
 * transform on V and M of its own (one fork-join, nothing crossing cores); smaller planes split
 * the output channels the same way (each thread transforms the whole input). `chunkBytes`: each
 * thread walks its tile rows a chunk at a time, a chunk's V and M within that many bytes (at least
 * one tile row; WINOGRAD_CHUNK_BYTES); without it, all at once.
 */
export function winogradConv2d(wasm: WasmKernels, s: ConvShape, x: number, w: PackedWinograd, y: number, ep?: Epilogue, chunkBytes?: number): void {
  const mark = wasm.mark();
  const { c, m } = s;
  const { xis, th, twp } = driverSetup(s, w, ep);
  const T = th * twp;
  const threads = threadsFor(wasm, xis * m * T * c);
  // two bands a thread where they stay wide enough (a thread that is done takes a slower one's last)
  const fine = splitWork(wasm, th, xis * m * T * c, 1, 2);
  const bands = fine.every(([, rows]) => rows * twp >= BAND_TILES) ? fine : splitRange(th, threads);
  const outRows = splitRange(m, threads, 4);
  let parts: WinogradPart[] | undefined;
  if (threads > 1 && bands.length > 1 && bands.every(([, rows]) => rows * twp >= BAND_TILES)) {
    parts = bands.map(([ti0, rows]) => ({ ti0, rows, m0: 0, mc: m }));
  } else if (threads > 1 && outRows.length > 1) {
    parts = outRows.map(([m0, mc]) => ({ ti0: 0, rows: th, m0, mc }));
  } else if (threads === 1) {
    parts = [{ ti0: 0, rows: th, m0: 0, mc: m }];
  }
  if (parts) {
    const most = Math.max(...parts.map((p) => p.rows));
    const chunk = chunkBytes ? Math.min(most, Math.max(1, Math.floor(chunkBytes / (xis * (c + m) * twp * 4)))) : most;
    winogradParts(wasm, s, x, w, y, parts, chunk, ep);
  } else {
    winogradStages(wasm, s, x, w, y, ep);
  }
  wasm.rewind(mark);
}

/** What the drivers derive first: transform points, tile rows, padded tile columns, kernels, epilogue operands. */
function driverSetup(s: ConvShape, w: PackedWinograd, ep?: Epilogue) {
  const { tile } = w;
  const [input, output] = tile === 2 ? ['winogradInput', 'winogradOutput'] : ['winograd4Input', 'winograd4Output'];
  return {
    tile,
    xis: (tile + 2) ** 2,
    th: Math.ceil(s.oh / tile),
    twp: Math.ceil(Math.ceil(s.ow / tile) / 4) * 4,
    P: s.oh * s.ow,
    input: input!,
    output: output!,
    bias: ep?.bias ?? 0,
    res: ep?.residual ?? 0,
  };
}

/**
 * winogradConv2d by parts (bands up to two a thread), one fork-join per image, each walking its
 * tile rows `chunk` rows at a time: a chunk [r0, r0 + rows) is the conv of the input rows from tile·r0 − ph
 * on (the transform's zero border supplies the pads) into output rows tile·r0 onwards, so each
 * stage's kernel runs unchanged on the chunk's row range. V, M and the scratch are the running
 * thread's own (thread-local arguments), a chunk big.
 */
function winogradParts(wasm: WasmKernels, s: ConvShape, x: number, w: PackedWinograd, y: number, parts: WinogradPart[], chunk: number, ep?: Epilogue): void {
  const { k } = wasm;
  const { n, c, m, ih, iw, ph, pw, oh, ow } = s;
  const { tile, xis, th, twp, P, input, output, bias, res } = driverSetup(s, w, ep);
  const V = scratchPerThread(wasm, xis * k.winogradXiFloats(c, chunk * twp));
  const M = scratchPerThread(wasm, xis * k.winogradXiFloats(m, chunk * twp));
  const pads = scratchPerThread(wasm, tile === 2 ? k.winogradPadFloats(th, twp) : k.winograd4PadFloats(th, twp));
  const scratch = scratchPerThread(wasm, k.gemmScratchFloats());
  for (let i = 0; i < n; i++) {
    const xAt = x + i * c * ih * iw * 4;
    const [vT, mT, padT, scratchT] = [threadLocal(0), threadLocal(1), threadLocal(2), threadLocal(3)];
    wasm.run(parts.map(({ ti0, rows, m0, mc }): KernelCall[] => {
      const calls: KernelCall[] = [];
      for (let r0 = ti0; r0 < ti0 + rows; r0 += chunk) {
        const r = Math.min(chunk, ti0 + rows - r0);
        const row0 = tile * r0;
        const at = (i * m * P + row0 * ow) * 4; // output row row0 of channel 0 of image i
        const epAt = writeEpilogue(wasm, ep, bias ? bias + m0 * 4 : 0, 0, res ? res + at + m0 * P * 4 : 0);
        calls.push(
          [input, [xAt, 0, c, c, ih, iw, ph - row0, pw, r, twp, vT, padT]],
          ['winogradGemms', [0, xis, m, m0, mc, r * twp, c, w.at, w.xiBytes, w.mPad, vT, mT, scratchT]],
          [output, [mT, m0, mc, m, r, twp, y + at, Math.min(oh - row0, tile * r), ow, P, epAt, ...(tile === 4 ? [scratchT] : [])]],
        );
      }
      return calls;
    }), [V, M, pads, scratch]);
  }
}

/**
 * winogradConv2d in three fork-joins (few output channels on a pool, where neither parts apply):
 * input transform split by channels, GEMMs by ξ, output transform by output channels.
 */
function winogradStages(wasm: WasmKernels, s: ConvShape, x: number, w: PackedWinograd, y: number, ep?: Epilogue): void {
  const { k } = wasm;
  const { n, c, m, ih, iw, ph, pw, oh, ow } = s;
  const { tile, xis, th, twp, P, input, output, bias, res } = driverSetup(s, w, ep);
  const T = th * twp;
  const V = wasm.alloc(xis * k.winogradXiFloats(c, T));
  const M = wasm.alloc(xis * k.winogradXiFloats(m, T));
  const pads = scratchPerThread(wasm, tile === 2 ? k.winogradPadFloats(th, twp) : k.winograd4PadFloats(th, twp));
  const scratch = scratchPerThread(wasm, k.gemmScratchFloats());
  // a transform costs about 8·α² multiply-adds' time per tile and channel (shuffles, adds, strided stores)
  const inParts = splitRange(c, threadsFor(wasm, 8 * c * T * xis));
  const gemmParts = splitRange(xis, threadsFor(wasm, xis * m * T * c));
  const outParts = splitRange(m, threadsFor(wasm, 8 * m * T * xis));
  for (let i = 0; i < n; i++) {
    const xAt = x + i * c * ih * iw * 4;
    wasm.run(inParts.map(([c0, cc], t) => [[input, [xAt, c0, cc, c, ih, iw, ph, pw, th, twp, V, pads[t]!]] as KernelCall]));
    wasm.run(gemmParts.map(([x0, xc], t) => [['winogradGemms', [x0, xc, m, 0, m, T, c, w.at, w.xiBytes, w.mPad, V, M, scratch[t]!]] as KernelCall]));
    const yAt = y + i * m * P * 4;
    wasm.run(outParts.map(([m0, mc], t) => {
      const epAt = writeEpilogue(wasm, ep, bias ? bias + m0 * 4 : 0, 0, res ? res + (i * m + m0) * P * 4 : 0);
      // F(4×4) needs a few vectors of scratch: the GEMM's, which is free again
      return [[output, [M, m0, mc, m, th, twp, yAt, oh, ow, P, epAt, ...(tile === 4 ? [scratch[t]!] : [])]] as KernelCall];
    }));
  }
}
