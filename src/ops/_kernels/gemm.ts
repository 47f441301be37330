// Blocked, packed single-precision matrix product (the GotoBLAS/BLIS loop nest):
//
//   for each NC-wide column block of B          (B block stays in L2/L3)
//     for each KC-deep slice of K               (pack B[kc×nc] into NR-wide panels)
//       for each MC-tall row block of A         (pack A[mc×kc] into MR-tall panels, alpha folded in)
//         for each NR panel × MR panel: micro-kernel, an MR×NR tile of accumulators in locals
//
// Packing makes the micro-kernel read both operands with unit stride whatever their layout, so a
// transposed operand is just another stride (no copy besides the packing itself). The micro-kernel
// is WebAssembly SIMD where the engine has it (gemm-simd.ts: float32 accumulation, as in BLAS) and
// otherwise the JavaScript one below (float64 accumulation, rounded to float32 at the store).
import { createSimdKernel, SIMD_MR, SIMD_NR } from './gemm-simd.js';

/** A strided 2-D view of a Float32Array: element (i, j) is `data[offset + i*rowStride + j*colStride]`. */
export interface MatRef {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** A row-major matrix view (leading dimension `ld`). */
export function rowMajor(data: Float32Array, offset: number, ld: number): MatRef {
  return { data, offset, rowStride: ld, colStride: 1 };
}

/** The transpose of a view (no copy). */
export function transposed(m: MatRef): MatRef {
  return { data: m.data, offset: m.offset, rowStride: m.colStride, colStride: m.rowStride };
}

const MR = SIMD_MR;
const NR = SIMD_NR;
const KC = 256;
const MC = 128; // multiple of MR
const NC = 2048; // multiple of NR

// Packing buffers reused across calls; the kernel is single-threaded. With WebAssembly SIMD they
// live in the SIMD module's memory, so its micro-kernel reads them in place.
const simdKernel = createSimdKernel(MC * KC + KC * NC);
const panels = simdKernel ? simdKernel.floats : new Float32Array(MC * KC + KC * NC);
const panelsAt = simdKernel ? simdKernel.panelsAt : 0;
const packA = panels.subarray(panelsAt, panelsAt + MC * KC);
const packB = panels.subarray(panelsAt + MC * KC, panelsAt + MC * KC + KC * NC);
const edgeTile = new Float32Array(MR * NR);
let simd = simdKernel;

/**
 * Chooses the SIMD micro-kernel (default, when the engine has WebAssembly SIMD) or the JavaScript
 * one (for tests and benchmarks of the fallback). Returns whether SIMD is now in use.
 */
export function useSimdGemm(on: boolean): boolean {
  simd = on ? simdKernel : undefined;
  return simd !== undefined;
}

/**
 * C[m×n] = alpha · A[m×k] · B[k×n], or C += alpha · A · B when `accumulate`.
 * C is row-major at `c[cOffset + i*ldc + j]`.
 */
export function gemm(
  m: number, n: number, k: number, a: MatRef, b: MatRef,
  c: Float32Array, cOffset: number, ldc: number, accumulate: boolean, alpha = 1,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  if (m === 1 || n === 1) {
    gemv(m, n, k, a, b, c, cOffset, ldc, accumulate, alpha);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(b, pc, jc, kc, nc, packB);
      const overwrite = pc === 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelsA(a, ic, pc, mc, kc, alpha, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const cAt = cOffset + (ic + ir) * ldc + jc + jr;
            if (simd) {
              simd.tile(kc, panelsAt + ir * kc, panelsAt + MC * KC + jr * kc);
              storeTile(simd.floats, 0, c, cAt, ldc, mr, nr, overwrite);
            } else if (mr === MR && nr === NR) {
              microKernel(kc, packA, ir * kc, packB, jr * kc, c, cAt, ldc, overwrite);
            } else {
              microKernel(kc, packA, ir * kc, packB, jr * kc, edgeTile, 0, NR, true);
              storeTile(edgeTile, 0, c, cAt, ldc, mr, nr, overwrite);
            }
          }
        }
      }
    }
  }
}

/** Writes (or adds) the top-left mr×nr of a row-major MR×NR tile into C. */
function storeTile(
  tile: Float32Array, tileAt: number, c: Float32Array, cAt: number, ldc: number, mr: number, nr: number, overwrite: boolean,
): void {
  for (let i = 0; i < mr; i++, cAt += ldc, tileAt += NR) {
    if (overwrite) for (let j = 0; j < nr; j++) c[cAt + j] = tile[tileAt + j]!;
    else for (let j = 0; j < nr; j++) c[cAt + j] += tile[tileAt + j]!;
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** A[rows ic.., cols pc..] → MR-tall panels, each k-major (MR values per k), zero-padded, times alpha. */
function packPanelsA(a: MatRef, ic: number, pc: number, mc: number, kc: number, alpha: number, out: Float32Array): void {
  const { data, rowStride: rs, colStride: cs } = a;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    const dst = ir * kc;
    const base = a.offset + (ic + ir) * rs + pc * cs;
    for (let i = 0; i < MR; i++) {
      let o = dst + i;
      if (i >= mr) {
        for (let p = 0; p < kc; p++, o += MR) out[o] = 0;
        continue;
      }
      let src = base + i * rs;
      for (let p = 0; p < kc; p++, o += MR, src += cs) out[o] = alpha * data[src]!;
    }
  }
}

/** B[rows pc.., cols jc..] → NR-wide panels, each k-major (NR values per k), zero-padded. */
function packPanelsB(b: MatRef, pc: number, jc: number, kc: number, nc: number, out: Float32Array): void {
  const { data, rowStride: rs, colStride: cs } = b;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const dst = jr * kc;
    let src = b.offset + pc * rs + (jc + jr) * cs;
    if (nr === NR && cs === 1) {
      for (let p = 0, o = dst; p < kc; p++, o += NR, src += rs) {
        out[o] = data[src]!; out[o + 1] = data[src + 1]!; out[o + 2] = data[src + 2]!; out[o + 3] = data[src + 3]!;
        out[o + 4] = data[src + 4]!; out[o + 5] = data[src + 5]!; out[o + 6] = data[src + 6]!; out[o + 7] = data[src + 7]!;
      }
      continue;
    }
    for (let p = 0, o = dst; p < kc; p++, o += NR, src += rs) {
      let j = 0;
      for (; j < nr; j++) out[o + j] = data[src + j * cs]!;
      for (; j < NR; j++) out[o + j] = 0;
    }
  }
}

/** One MR×NR (4×8) tile: 32 accumulators in locals over kc packed steps, then store or add into C. */
function microKernel(
  kc: number, pa: Float32Array, aAt: number, pb: Float32Array, bAt: number,
  c: Float32Array, cAt: number, ldc: number, overwrite: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  for (let p = 0, ai = aAt, bi = bAt; p < kc; p++, ai += MR, bi += NR) {
    const a0 = pa[ai]!, a1 = pa[ai + 1]!, a2 = pa[ai + 2]!, a3 = pa[ai + 3]!;
    const b0 = pb[bi]!, b1 = pb[bi + 1]!, b2 = pb[bi + 2]!, b3 = pb[bi + 3]!;
    const b4 = pb[bi + 4]!, b5 = pb[bi + 5]!, b6 = pb[bi + 6]!, b7 = pb[bi + 7]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }
  if (overwrite) {
    c[cAt] = c00; c[cAt + 1] = c01; c[cAt + 2] = c02; c[cAt + 3] = c03; c[cAt + 4] = c04; c[cAt + 5] = c05; c[cAt + 6] = c06; c[cAt + 7] = c07;
    cAt += ldc;
    c[cAt] = c10; c[cAt + 1] = c11; c[cAt + 2] = c12; c[cAt + 3] = c13; c[cAt + 4] = c14; c[cAt + 5] = c15; c[cAt + 6] = c16; c[cAt + 7] = c17;
    cAt += ldc;
    c[cAt] = c20; c[cAt + 1] = c21; c[cAt + 2] = c22; c[cAt + 3] = c23; c[cAt + 4] = c24; c[cAt + 5] = c25; c[cAt + 6] = c26; c[cAt + 7] = c27;
    cAt += ldc;
    c[cAt] = c30; c[cAt + 1] = c31; c[cAt + 2] = c32; c[cAt + 3] = c33; c[cAt + 4] = c34; c[cAt + 5] = c35; c[cAt + 6] = c36; c[cAt + 7] = c37;
    return;
  }
  c[cAt] += c00; c[cAt + 1] += c01; c[cAt + 2] += c02; c[cAt + 3] += c03; c[cAt + 4] += c04; c[cAt + 5] += c05; c[cAt + 6] += c06; c[cAt + 7] += c07;
  cAt += ldc;
  c[cAt] += c10; c[cAt + 1] += c11; c[cAt + 2] += c12; c[cAt + 3] += c13; c[cAt + 4] += c14; c[cAt + 5] += c15; c[cAt + 6] += c16; c[cAt + 7] += c17;
  cAt += ldc;
  c[cAt] += c20; c[cAt + 1] += c21; c[cAt + 2] += c22; c[cAt + 3] += c23; c[cAt + 4] += c24; c[cAt + 5] += c25; c[cAt + 6] += c26; c[cAt + 7] += c27;
  cAt += ldc;
  c[cAt] += c30; c[cAt + 1] += c31; c[cAt + 2] += c32; c[cAt + 3] += c33; c[cAt + 4] += c34; c[cAt + 5] += c35; c[cAt + 6] += c36; c[cAt + 7] += c37;
}

/** Matrix–vector shapes (m = 1 or n = 1), where tiles would be mostly padding. */
function gemv(
  m: number, n: number, k: number, a: MatRef, b: MatRef,
  c: Float32Array, cOffset: number, ldc: number, accumulate: boolean, alpha: number,
): void {
  const { data: ad, rowStride: ars, colStride: acs } = a;
  const { data: bd, rowStride: brs, colStride: bcs } = b;
  if (m === 1 && bcs === 1) {
    // Row vector × row-major B: sweep B's rows contiguously (axpy form).
    const acc = new Float64Array(n);
    for (let p = 0, ai = a.offset, bi = b.offset; p < k; p++, ai += acs, bi += brs) {
      const av = ad[ai]!;
      for (let j = 0; j < n; j++) acc[j] += av * bd[bi + j]!;
    }
    for (let j = 0; j < n; j++) c[cOffset + j] = accumulate ? c[cOffset + j]! + alpha * acc[j]! : alpha * acc[j]!;
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0, ai = a.offset + i * ars, bi = b.offset + j * bcs; p < k; p++, ai += acs, bi += brs) s += ad[ai]! * bd[bi]!;
      const at = cOffset + i * ldc + j;
      c[at] = accumulate ? c[at]! + alpha * s : alpha * s;
    }
  }
}
