// Blocked, packed single-precision GEMM in WebAssembly SIMD (the GotoBLAS/BLIS loop nest):
//   NC-wide column blocks of B → KC-deep slices (B packed into NR-wide panels)
//   → MC-tall row blocks of A (packed into MR-tall panels, alpha folded in) → MR×NR micro-tiles.
// Operands are strided views (element (i, j) at base + i*rowStride + j*colStride, in floats), so a
// transpose costs nothing beyond the packing. All pointers are byte addresses in linear memory.
// Constant operands (weights) can be packed once (packAPanels / packBPanels) and reused by gemmEx.
// The register tile is 5×8 (gemm-tiles.ts says why) on A packed here, in 5-row panels; A packed
// ahead (packAPanels: conv weights) keeps 4-row panels, the layout other kernels read too
// (gemv-packed.ts) and that threads split at any multiple of 4, and runs 4×8 tiles. Rows left over at
// the bottom run a tile of just those rows; right edges (1 to 7 columns) run into a buffer.
import { epilogueBlock } from './epilogue';
import { tile1x8, tile2x8, tile3x8, tile4x8, tile4x8p, tile5x4, tile5x8 } from './gemm-tiles';
import { madd } from './madd';

/** Panel height of A packed per call (the 5×8 tile's rows). */
const MR = 5;
/** Panel height of A packed ahead by packAPanels. */
const MR_AHEAD = 4;
const NR = 8;
/** Depth of a packed slice; conv.ts's im2colPacked writes packed B with this same KC. */
const KC = 256;
/** Rows of A packed at a time (a multiple of MR and MR_AHEAD): MC × KC floats = 120 KiB (240 at KC_RAW), inside a 1 MiB L2. */
const MC = 120;
const NC = 4096;
/**
 * Slice depth and column block when neither operand was packed ahead (their layouts fix KC): deeper
 * slices mean fewer passes over C, whose tiles each pass loads from L3 (wasm has no prefetch).
 */
const KC_RAW = 512;
const NC_RAW = 2048;
/** Columns of C the epilogue takes at a time (mc × EB floats stay in cache). */
const EB = 64;

/** Floats of scratch that gemm needs for its packed panels. */
export function gemmScratchFloats(): i32 {
  return MC * KC_RAW + max(KC * NC, KC_RAW * NC_RAW) + MR * NR;
}

/**
 * C[m×n] (row-major, leading dimension ldc) = alpha · A · B, or += when accumulate ≠ 0.
 * `scratch` holds gemmScratchFloats() floats.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: i32, alpha: f32, scratch: usize,
): void {
  gemmEx(m, n, k, a, ars, acs, 0, b, brs, bcs, 0, c, ldc, accumulate, alpha, scratch, 0);
}

/** Floats packAPanels writes for an m×k A. */
export function packedAFloats(m: i32, k: i32): i32 {
  return ((m + MR_AHEAD - 1) / MR_AHEAD) * MR_AHEAD * k;
}

/** Floats packBPanels writes for a k×n B. */
export function packedBFloats(k: i32, n: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k;
}

/**
 * Packs all of the strided m×k A (times alpha) once, as gemmEx reads it with aPacked: per KC slice
 * of k, MR_AHEAD-tall panels of every row (rows padded to a multiple of MR_AHEAD with zeros).
 */
export function packAPanels(a: usize, ars: i32, acs: i32, m: i32, k: i32, alpha: f32, out: usize): void {
  const mPad = ((m + MR_AHEAD - 1) / MR_AHEAD) * MR_AHEAD;
  for (let pc = 0; pc < k; pc += KC) packA(a, ars, acs, 0, pc, m, min(KC, k - pc), alpha, out + (<usize>(pc * mPad) << 2), MR_AHEAD);
}

/** Packs all of the strided k×n B once, as gemmEx reads it with bPacked: per KC slice, NR-wide panels. */
export function packBPanels(b: usize, brs: i32, bcs: i32, k: i32, n: i32, out: usize): void {
  const nPad = ((n + NR - 1) / NR) * NR;
  for (let pc = 0; pc < k; pc += KC) packB(b, brs, bcs, pc, 0, min(KC, k - pc), n, out + (<usize>(pc * nPad) << 2));
}

/**
 * gemm with operands packed ahead and a fused epilogue (epilogue.ts; ep 0: none).
 * aPacked ≠ 0: `a` is a packAPanels block, ars its padded row count (a multiple of 4) and acs the
 * row (a multiple of 4) this call's row 0 is; alpha was folded in when packing.
 * bPacked ≠ 0: `b` is a packBPanels block, brs its padded column count and bcs the column (a
 * multiple of NR) this call's column 0 is.
 */
export function gemmEx(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, acs: i32, aPacked: i32, b: usize, brs: i32, bcs: i32, bPacked: i32,
  c: usize, ldc: i32, accumulate: i32, alpha: f32, scratch: usize, ep: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
    epilogueBlock(c, ldc, m, n, 0, 0, 0, ep);
    return;
  }
  if (m == 1 && !aPacked) {
    if (bPacked) gemvPacked(n, k, a, acs, b, brs, bcs, c, accumulate, alpha);
    else gemvRow(n, k, a, acs, b, brs, bcs, c, accumulate, alpha);
    epilogueBlock(c, ldc, 1, n, 0, 0, 0, ep);
    return;
  }
  const raw = !aPacked && !bPacked;
  // panel height and bytes of A per k step
  const h = aPacked ? MR_AHEAD : MR;
  const aStep = <usize>h << 2;
  const kcMax = raw ? KC_RAW : KC;
  const ncMax = raw ? NC_RAW : NC;
  const pa = scratch;
  const pb = scratch + (<usize>(MC * KC_RAW) << 2);
  const edge = pb + (<usize>max(KC * NC, KC_RAW * NC_RAW) << 2);
  // With one row block, each B panel is used once, right away: packed one panel at a time it stays
  // in L1, where a whole packed slice (up to KC × NC floats, 4 MiB) would go out to L3 and back.
  const panelwise = !bPacked && m <= MC;
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = min(ncMax, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      const last = pc + kc >= k;
      let bBase = pb;
      if (bPacked) bBase = b + (<usize>(pc * brs + (bcs + jc) * kc) << 2);
      else if (!panelwise) packB(b, brs, bcs, pc, jc, kc, nc, pb);
      const overwrite = pc == 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        let aBase = pa;
        if (aPacked) aBase = a + (<usize>(pc * ars + (acs + ic) * kc) << 2);
        else packA(a, ars, acs, ic, pc, mc, kc, alpha, pa, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let bp = bBase + (<usize>(jr * kc) << 2);
          if (panelwise) {
            packB(b, brs, bcs, pc, jc + jr, kc, nr, pb);
            bp = pb;
          }
          for (let ir = 0; ir < mc; ir += h) {
            const mr = min(h, mc - ir);
            const ap = aBase + (<usize>(ir * kc) << 2);
            const cp = c + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (nr == NR && mr == 5) tile5x8(kc, ap, bp, cp, ldc, overwrite);
            else if (nr == NR && mr == 4 && h == 4) tile4x8p(kc, ap, bp, cp, ldc, overwrite);
            else if (nr == NR && mr == 4) tile4x8(kc, ap, bp, cp, ldc, overwrite);
            else if (nr == NR && mr == 3) tile3x8(kc, ap, aStep, bp, cp, ldc, overwrite);
            else if (nr == NR && mr == 2) tile2x8(kc, ap, aStep, bp, cp, ldc, overwrite);
            else if (nr == NR) tile1x8(kc, ap, aStep, bp, cp, overwrite);
            else {
              // the right edge: into a buffer, then the mr×nr that exist
              if (h == 4) tile4x8p(kc, ap, bp, edge, NR, true);
              else if (nr <= 4) tile5x4(kc, ap, bp, edge, NR);
              else tile5x8(kc, ap, bp, edge, NR, true);
              storeEdge(edge, cp, ldc, mr, nr, overwrite);
            }
          }
          // every EB columns (and at the end) the mc×EB block is final and still in cache: fuse the epilogue
          const done = jr + nr;
          if (last && ep && (done % EB == 0 || done == nc)) {
            const j0 = (done - 1) / EB * EB;
            const off = <usize>(ic * ldc + jc + j0) << 2;
            epilogueBlock(c + off, ldc, mc, done - j0, ic, jc + j0, off, ep);
          }
        }
      }
    }
  }
}

/** Writes (or adds) the top-left mr×nr of a row-major MR×NR tile into C. */
function storeEdge(t: usize, c: usize, ldc: i32, mr: i32, nr: i32, overwrite: bool): void {
  for (let i = 0; i < mr; i++) {
    const row = c + (<usize>(i * ldc) << 2);
    const src = t + (<usize>(i * NR) << 2);
    for (let j = 0; j < nr; j++) {
      const o = row + (<usize>j << 2);
      const v = load<f32>(src + (<usize>j << 2));
      store<f32>(o, overwrite ? v : load<f32>(o) + v);
    }
  }
}

/** A[ic.., pc..] → h-tall panels of kc steps each, k-major (h floats per k), zero-padded rows, times alpha. */
function packA(a: usize, rs: i32, cs: i32, ic: i32, pc: i32, mc: i32, kc: i32, alpha: f32, out: usize, h: i32): void {
  for (let ir = 0; ir < mc; ir += h) {
    const mr = min(h, mc - ir);
    const dst = out + (<usize>(ir * kc) << 2);
    const hop = <usize>h << 2;
    for (let i = 0; i < h; i++) {
      let o = dst + (<usize>i << 2);
      if (i >= mr) {
        for (let p = 0; p < kc; p++, o += hop) store<f32>(o, 0);
        continue;
      }
      let src = a + (<usize>((ic + ir + i) * rs + pc * cs) << 2);
      const step = <usize>cs << 2;
      for (let p = 0; p < kc; p++, o += hop, src += step) store<f32>(o, alpha * load<f32>(src));
    }
  }
}

/** B[pc.., jc..] → NR-wide panels, k-major (NR floats per k), zero-padded columns. */
function packB(b: usize, rs: i32, cs: i32, pc: i32, jc: i32, kc: i32, nc: i32, out: usize): void {
  const rowStep = <usize>rs << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let o = out + (<usize>(jr * kc) << 2);
    let src = b + (<usize>(pc * rs + (jc + jr) * cs) << 2);
    if (nr == NR && cs == 1) {
      for (let p = 0; p < kc; p++, o += NR << 2, src += rowStep) {
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
      }
      continue;
    }
    const colStep = <usize>cs << 2;
    for (let p = 0; p < kc; p++, o += NR << 2, src += rowStep) {
      let j = 0;
      for (; j < nr; j++) store<f32>(o + (<usize>j << 2), load<f32>(src + <usize>j * colStep));
      for (; j < NR; j++) store<f32>(o + (<usize>j << 2), 0);
    }
  }
}

/** One row of A times B: c[0..n) (=|+=) alpha · Σ_p a[p] · B[p][·]. */
function gemvRow(n: i32, k: i32, a: usize, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, accumulate: i32, alpha: f32): void {
  const aStep = <usize>acs << 2;
  if (bcs == 1) {
    // rows of B are contiguous: c += a[p] · B[p][·], four columns per lane group
    if (!accumulate) memory.fill(c, 0, <usize>n << 2);
    const n4 = n & ~3;
    for (let p = 0; p < k; p++) {
      const s = alpha * load<f32>(a + <usize>p * aStep);
      const sv = f32x4.splat(s);
      const row = b + (<usize>(p * brs) << 2);
      let j = 0;
      for (; j < n4; j += 4) {
        const o = c + (<usize>j << 2);
        v128.store(o, f32x4.add(v128.load(o), f32x4.mul(sv, v128.load(row + (<usize>j << 2)))));
      }
      for (; j < n; j++) {
        const o = c + (<usize>j << 2);
        store<f32>(o, load<f32>(o) + s * load<f32>(row + (<usize>j << 2)));
      }
    }
    return;
  }
  // columns of B are contiguous when brs == 1 (a transposed B): one dot product per column
  for (let j = 0; j < n; j++) {
    const col = b + (<usize>(j * bcs) << 2);
    let sum: f32 = 0;
    if (brs == 1 && acs == 1) {
      let acc = f32x4.splat(0);
      const k4 = k & ~3;
      let p = 0;
      for (; p < k4; p += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>p << 2)), v128.load(col + (<usize>p << 2))));
      sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; p < k; p++) sum += load<f32>(a + (<usize>p << 2)) * load<f32>(col + (<usize>p << 2));
    } else {
      for (let p = 0; p < k; p++) sum += load<f32>(a + <usize>p * aStep) * load<f32>(col + (<usize>(p * brs) << 2));
    }
    const o = c + (<usize>j << 2);
    store<f32>(o, accumulate ? load<f32>(o) + alpha * sum : alpha * sum);
  }
}

/**
 * One row of A times a packBPanels B (brs its padded column count, bcs the column this call's
 * column 0 is): c[0..n) (=|+=) alpha · Σ_p a[p] · B[p][·], one 8-wide panel at a time over every
 * KC slice, two accumulator pairs (even and odd p) so that the adds overlap.
 */
function gemvPacked(n: i32, k: i32, a: usize, acs: i32, b: usize, brs: i32, bcs: i32, c: usize, accumulate: i32, alpha: f32): void {
  const aStep = <usize>acs << 2;
  const scale = f32x4.splat(alpha);
  for (let jr = 0; jr < n; jr += NR) {
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), o0 = f32x4.splat(0), o1 = f32x4.splat(0);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      let bp = b + (<usize>(pc * brs + (bcs + jr) * kc) << 2);
      let ap = a + <usize>pc * aStep;
      let p = 0;
      for (; p + 1 < kc; p += 2, bp += 64, ap += 2 * aStep) {
        const s = f32x4.splat(load<f32>(ap));
        const t = f32x4.splat(load<f32>(ap + aStep));
        e0 = madd(s, v128.load(bp), e0);
        e1 = madd(s, v128.load(bp, 16), e1);
        o0 = madd(t, v128.load(bp, 32), o0);
        o1 = madd(t, v128.load(bp, 48), o1);
      }
      if (p < kc) {
        const s = f32x4.splat(load<f32>(ap));
        e0 = madd(s, v128.load(bp), e0);
        e1 = madd(s, v128.load(bp, 16), e1);
      }
    }
    const cp = c + (<usize>jr << 2);
    const r0 = f32x4.mul(scale, f32x4.add(e0, o0));
    const r1 = f32x4.mul(scale, f32x4.add(e1, o1));
    if (n - jr >= NR) {
      v128.store(cp, accumulate ? f32x4.add(v128.load(cp), r0) : r0);
      v128.store(cp, accumulate ? f32x4.add(v128.load(cp, 16), r1) : r1, 16);
      continue;
    }
    // the last, partial panel: lane by lane
    for (let j = 0; j < n - jr; j++) {
      const v = j < 4 ? extractLane(r0, j) : extractLane(r1, j - 4);
      const o = cp + (<usize>j << 2);
      store<f32>(o, accumulate ? load<f32>(o) + v : v);
    }
  }
}

/** Lane `j` (0..3) of `v`, for a lane index only known at run time. */
function extractLane(v: v128, j: i32): f32 {
  if (j == 0) return f32x4.extract_lane(v, 0);
  if (j == 1) return f32x4.extract_lane(v, 1);
  if (j == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}
