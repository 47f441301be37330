// Winograd F(2×2, 3×3) for 3×3, stride-1, undilated convolutions: each 2×2 block of outputs from a
// 4×4 block of inputs with 16 multiplies per (input, output channel) pair instead of 36. The host
// (src/cpu/winograd.ts) transforms the weights once (U = G·g·Gᵀ, packed per ξ for the GEMM), then a
// run is: the input transform V = Bᵀ·d·B of every tile (winogradInput), 16 GEMMs M[ξ] = U[ξ]·V[ξ]
// (gemmEx), and the output transform Y = Aᵀ·M·A with the epilogue (winogradOutput).
//
// Tiles: th × twp, twp a multiple of 4 (tile columns past the output's are computed and dropped),
// numbered t = ti·twp + tj; both transforms take 4 neighbouring tile columns per f32x4.
// V is [16][channels][tiles] and M [16][outChannels][tiles] (floats, row-major), V[ξ] and M[ξ]
// winogradXiFloats apart: a whole number of 4 KiB pages plus 64 bytes, so that a tile's 16 (36)
// stores or loads, one per ξ, fall in different L1 sets (4 KiB apart they all map to one set of
// 12 ways: a 64-channel 56×56 input transform ran 4-6× slower per tile).
import { epilogueBlock } from './epilogue';
import { gemmEx } from './gemm';

// @ts-ignore: decorator
@inline
function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

/** Floats from V[ξ] (rows = channels) or M[ξ] (rows = output channels) to the next ξ's. */
export function winogradXiFloats(rows: i32, tiles: i32): i32 {
  return (((rows * tiles + 1023) >> 10) << 10) + 16;
}

/** Floats of the padded plane winogradInput needs as scratch (one per thread). */
export function winogradPadFloats(th: i32, twp: i32): i32 {
  return (2 * th + 2) * (2 * twp + 4);
}

/**
 * Copies an ih×iw plane into the rows×width plane `pad` at (ph, pw), clipping what falls outside.
 * The rest of `pad` is the zero border, the same for every plane: zero it once before the first.
 */
export function padPlane(plane: usize, ih: i32, iw: i32, ph: i32, pw: i32, rows: i32, width: i32, pad: usize): void {
  const r0 = max(0, ph), r1 = min(rows, ih + ph);
  const q0 = max(0, pw), q1 = min(width, iw + pw);
  if (q1 <= q0) return;
  for (let r = r0; r < r1; r++) memory.copy(at(pad, r * width + q0), at(plane, (r - ph) * iw + q0 - pw), <usize>(q1 - q0) << 2);
}

/**
 * V for channels c0..c0+cc of the image at x ([channels, ih, iw]); `v` is V's base (channel 0),
 * `channels` its channel count. Each plane is first copied into `pad`, inside a zero border.
 */
export function winogradInput(
  x: usize, c0: i32, cc: i32, channels: i32, ih: i32, iw: i32, ph: i32, pw: i32,
  th: i32, twp: i32, v: usize, pad: usize,
): void {
  const rows = 2 * th + 2;
  const width = 2 * twp + 4;
  const tiles = th * twp;
  const xiStride = <usize>winogradXiFloats(channels, tiles) << 2; // bytes between V[ξ] and V[ξ + 1]
  // the input rows and columns that land inside the padded plane
  memory.fill(pad, 0, <usize>(rows * width) << 2);
  for (let c = c0; c < c0 + cc; c++) {
    padPlane(at(x, c * ih * iw), ih, iw, ph, pw, rows, width, pad);
    const vc = at(v, c * tiles);
    for (let ti = 0; ti < th; ti++) {
      for (let tj = 0; tj < twp; tj += 4) {
        // d[r][k] for 4 tiles: columns 2·tj + k + 2q of row 2·ti + r, q the tile
        let p = at(pad, 2 * ti * width + 2 * tj);
        const rowStep = <usize>width << 2;
        // t[r][k] = (d·B)[r][k]
        let a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 32);
        let d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        let d2 = v128.shuffle<f32>(d0, e, 1, 2, 3, 4), d3 = v128.shuffle<f32>(d1, e, 1, 2, 3, 5);
        const t00 = f32x4.sub(d0, d2), t01 = f32x4.add(d1, d2), t02 = f32x4.sub(d2, d1), t03 = f32x4.sub(d1, d3);
        p += rowStep;
        a = v128.load(p); b = v128.load(p, 16); e = v128.load(p, 32);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(d0, e, 1, 2, 3, 4); d3 = v128.shuffle<f32>(d1, e, 1, 2, 3, 5);
        const t10 = f32x4.sub(d0, d2), t11 = f32x4.add(d1, d2), t12 = f32x4.sub(d2, d1), t13 = f32x4.sub(d1, d3);
        p += rowStep;
        a = v128.load(p); b = v128.load(p, 16); e = v128.load(p, 32);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(d0, e, 1, 2, 3, 4); d3 = v128.shuffle<f32>(d1, e, 1, 2, 3, 5);
        const t20 = f32x4.sub(d0, d2), t21 = f32x4.add(d1, d2), t22 = f32x4.sub(d2, d1), t23 = f32x4.sub(d1, d3);
        p += rowStep;
        a = v128.load(p); b = v128.load(p, 16); e = v128.load(p, 32);
        d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6); d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        d2 = v128.shuffle<f32>(d0, e, 1, 2, 3, 4); d3 = v128.shuffle<f32>(d1, e, 1, 2, 3, 5);
        const t30 = f32x4.sub(d0, d2), t31 = f32x4.add(d1, d2), t32 = f32x4.sub(d2, d1), t33 = f32x4.sub(d1, d3);
        // V = Bᵀ·t, row ξ = 4·i + k
        let o = at(vc, ti * twp + tj);
        v128.store(o, f32x4.sub(t00, t20)); o += xiStride;
        v128.store(o, f32x4.sub(t01, t21)); o += xiStride;
        v128.store(o, f32x4.sub(t02, t22)); o += xiStride;
        v128.store(o, f32x4.sub(t03, t23)); o += xiStride;
        v128.store(o, f32x4.add(t10, t20)); o += xiStride;
        v128.store(o, f32x4.add(t11, t21)); o += xiStride;
        v128.store(o, f32x4.add(t12, t22)); o += xiStride;
        v128.store(o, f32x4.add(t13, t23)); o += xiStride;
        v128.store(o, f32x4.sub(t20, t10)); o += xiStride;
        v128.store(o, f32x4.sub(t21, t11)); o += xiStride;
        v128.store(o, f32x4.sub(t22, t12)); o += xiStride;
        v128.store(o, f32x4.sub(t23, t13)); o += xiStride;
        v128.store(o, f32x4.sub(t10, t30)); o += xiStride;
        v128.store(o, f32x4.sub(t11, t31)); o += xiStride;
        v128.store(o, f32x4.sub(t12, t32)); o += xiStride;
        v128.store(o, f32x4.sub(t13, t33));
      }
    }
  }
}

/** Stores 8 output floats of one row, or the first `n` of them. */
// @ts-ignore: decorator
@inline
function storeRow(p: usize, lo: v128, hi: v128, n: i32): void {
  if (n >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  for (let j = 0; j < n; j++) {
    const v = j < 4 ? lo : hi;
    const lane = j & 3;
    const f = lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(at(p, j), f);
  }
}

/**
 * Y [outChannels][oh × ow] (channels `plane` floats apart) for channels m0..m0+mc from M (`mBase`
 * is M's base, `outChannels` its channel count), then the epilogue `ep` (its addresses for channel
 * m0 at y: row bias, residual) per channel. A band of rows of a larger output passes its first
 * row as y, its row count as oh and the whole output's plane size as `plane`.
 */
export function winogradOutput(
  mBase: usize, m0: i32, mc: i32, outChannels: i32, th: i32, twp: i32,
  y: usize, oh: i32, ow: i32, plane: i32, ep: usize,
): void {
  const tiles = th * twp;
  const xiStride = <usize>winogradXiFloats(outChannels, tiles) << 2;
  const P = oh * ow;
  for (let m = m0; m < m0 + mc; m++) {
    const mm = at(mBase, m * tiles);
    const ym = at(y, m * plane);
    for (let ti = 0; ti < th; ti++) {
      for (let tj = 0; tj < twp; tj += 4) {
        let p = at(mm, ti * twp + tj);
        const m00 = v128.load(p); p += xiStride;
        const m01 = v128.load(p); p += xiStride;
        const m02 = v128.load(p); p += xiStride;
        const m03 = v128.load(p); p += xiStride;
        const m10 = v128.load(p); p += xiStride;
        const m11 = v128.load(p); p += xiStride;
        const m12 = v128.load(p); p += xiStride;
        const m13 = v128.load(p); p += xiStride;
        const m20 = v128.load(p); p += xiStride;
        const m21 = v128.load(p); p += xiStride;
        const m22 = v128.load(p); p += xiStride;
        const m23 = v128.load(p); p += xiStride;
        const m30 = v128.load(p); p += xiStride;
        const m31 = v128.load(p); p += xiStride;
        const m32 = v128.load(p); p += xiStride;
        const m33 = v128.load(p);
        // s = Aᵀ·M (rows), then y = s·A (columns); Aᵀ = [1 1 1 0; 0 1 −1 −1]
        const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
        const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
        const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
        const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
        const col = 2 * tj;
        const n = ow - col;
        if (n <= 0) continue;
        const row = 2 * ti;
        storeRow(at(ym, row * ow + col), v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), n);
        if (row + 1 < oh) storeRow(at(ym, (row + 1) * ow + col), v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), n);
      }
    }
    // while the channel is in cache
    epilogueBlock(ym, P, 1, P, m - m0, 0, <usize>((m - m0) * plane) << 2, ep);
  }
}

/**
 * M[ξ] = U[ξ]·V[ξ] for ξ = xi0..xi0+count, output rows (channels) r0..r0+rows of m (r0 a multiple
 * of 4): one call per thread whatever the count (a thread's list of kernel calls has a bounded
 * size). U[ξ] is packed (gemmEx's aPacked) at u + ξ·uBytes with mPad rows; V[ξ] is [c × tiles],
 * M[ξ] [m × tiles], both row-major, winogradXiFloats apart.
 */
export function winogradGemms(
  xi0: i32, count: i32, m: i32, r0: i32, rows: i32, tiles: i32, c: i32, u: usize, uBytes: i32, mPad: i32, v: usize, mOut: usize, scratch: usize,
): void {
  for (let xi = xi0; xi < xi0 + count; xi++) {
    gemmEx(
      rows, tiles, c, u + <usize>xi * uBytes, mPad, r0, 1, at(v, xi * winogradXiFloats(c, tiles)), tiles, 1, 0,
      at(mOut, xi * winogradXiFloats(m, tiles) + r0 * tiles), tiles, 0, 1, scratch, 0,
    );
  }
}
