// Winograd F(2×2, 3×3) convolution on raw addresses (see kernel-api.ts), for 3×3, stride-1,
// undilated, ungrouped 2-D convs: 2.25× fewer multiply-adds than im2col + GEMM, the GEMMs smaller
// (one per ξ of the 4×4 transform domain: [m × c] · [c × tiles]). Weights are transformed
// (U = G·g·Gᵀ) and packed for the GEMM once; a run transforms the input tiles (assembly/winograd.ts),
// runs the 16 GEMMs spread over the thread pool by ξ, and transforms back with the epilogue fused.
import { scratchPerThread, splitRange, threadsFor } from './parallel.js';
import { writeEpilogue, type Epilogue } from './epilogue.js';
import type { ConvShape } from './api-conv.js';
import type { KernelCall } from './thread-pool.js';
import type { ReservedBlock, WasmKernels } from './wasm-kernels.js';

/** The 16 transformed weight matrices U[ξ] [m × c], each packed as gemmEx's A. */
export interface PackedWinograd {
  readonly at: number;
  readonly block: ReservedBlock;
  readonly m: number;
  readonly c: number;
  /** Bytes between U[ξ] and U[ξ + 1]. */
  readonly xiBytes: number;
  /** Rows of each packed U[ξ] (m rounded up to the GEMM's panel height). */
  readonly mPad: number;
}

/** Whether F(2×2, 3×3) computes this conv. */
export function winogradApplies(s: ConvShape): boolean {
  return s.group === 1 && s.kh === 3 && s.kw === 3 && s.sh === 1 && s.sw === 1 && s.dh === 1 && s.dw === 1;
}

/** U = G·g·Gᵀ of every (output, input) channel pair of OIHW weights, as [16][m][c]. */
export function winogradWeights(w: Float32Array, m: number, c: number): Float32Array {
  const u = new Float32Array(16 * m * c);
  const plane = m * c;
  const gg = new Float64Array(12); // G·g, 4 × 3
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < c; i++) {
      const g = (o * c + i) * 9;
      for (let k = 0; k < 3; k++) {
        const g0 = w[g + k]!, g1 = w[g + 3 + k]!, g2 = w[g + 6 + k]!;
        gg[k] = g0;
        gg[3 + k] = (g0 + g1 + g2) / 2;
        gg[6 + k] = (g0 - g1 + g2) / 2;
        gg[9 + k] = g2;
      }
      for (let r = 0; r < 4; r++) {
        const a = gg[r * 3]!, b = gg[r * 3 + 1]!, d = gg[r * 3 + 2]!;
        const row = [a, (a + b + d) / 2, (a - b + d) / 2, d];
        for (let k = 0; k < 4; k++) u[(r * 4 + k) * plane + o * c + i] = row[k]!;
      }
    }
  }
  return u;
}

/** Transforms and packs OIHW 3×3 weights [m, c, 3, 3] into a persistent block (release it when done). */
export function packWinogradWeights(wasm: WasmKernels, w: Float32Array, m: number, c: number): PackedWinograd {
  const xiFloats = wasm.k.packedAFloats(m, c);
  const block = wasm.reserve(16 * xiFloats);
  const mark = wasm.mark();
  const u = wasm.put(winogradWeights(w, m, c));
  for (let xi = 0; xi < 16; xi++) wasm.k.packAPanels(u + xi * m * c * 4, c, 1, m, c, 1, block.at + xi * xiFloats * 4);
  wasm.rewind(mark);
  return { at: block.at, block, m, c, xiBytes: xiFloats * 4, mPad: xiFloats / c };
}

/**
 * Y[n, m, oh, ow] = conv(X[n, c, ih, iw], W) then the epilogue, for a conv winogradApplies to.
 * Addresses are bytes in the kernels' memory.
 */
export function winogradConv2d(wasm: WasmKernels, s: ConvShape, x: number, w: PackedWinograd, y: number, ep?: Epilogue): void {
  const mark = wasm.mark();
  const { k } = wasm;
  const { n, c, m, ih, iw, ph, pw, oh, ow } = s;
  const th = Math.ceil(oh / 2);
  const twp = Math.ceil(Math.ceil(ow / 2) / 4) * 4;
  const T = th * twp;
  const P = oh * ow;
  const V = wasm.alloc(16 * c * T);
  const M = wasm.alloc(16 * m * T);
  const pads = scratchPerThread(wasm, k.winogradPadFloats(th, twp));
  const scratch = scratchPerThread(wasm, k.gemmScratchFloats());
  const bias = ep?.bias ?? 0;
  const res = ep?.residual ?? 0;
  // the transforms do ~16 adds per tile and channel: split them like that much work
  const inParts = splitRange(c, threadsFor(wasm, c * T * 16));
  const gemmParts = splitRange(16, threadsFor(wasm, 16 * m * T * c));
  const outParts = splitRange(m, threadsFor(wasm, m * T * 16));
  for (let i = 0; i < n; i++) {
    const xAt = x + i * c * ih * iw * 4;
    wasm.run(inParts.map(([c0, cc], t) => [['winogradInput', [xAt, c0, cc, c, ih, iw, ph, pw, th, twp, V, pads[t]!]] as KernelCall]));
    wasm.run(gemmParts.map(([x0, xc], t) => Array.from({ length: xc }, (_, j): KernelCall => {
      const xi = x0 + j;
      return ['gemmEx', [m, T, c, w.at + xi * w.xiBytes, w.mPad, 0, 1, V + xi * c * T * 4, T, 1, 0, M + xi * m * T * 4, T, 0, 1, scratch[t]!, 0]];
    })));
    const yAt = y + i * m * P * 4;
    wasm.run(outParts.map(([m0, mc]) => {
      const epAt = writeEpilogue(wasm, ep, bias ? bias + m0 * 4 : 0, 0, res ? res + (i * m + m0) * P * 4 : 0);
      return [['winogradOutput', [M, m0, mc, m, th, twp, yAt, oh, ow, epAt]] as KernelCall];
    }));
  }
  wasm.rewind(mark);
}
