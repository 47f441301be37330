// A conv of K = channels · kh · kw ≤ 256 (the stems: 3 channels, 3×3 or 7×7) in chunks of output
// positions: im2col of one chunk into a packed-panel buffer that stays in L2, then conv1x1Direct
// on it. Writing the whole col matrix first (ResNet's 7×7 stem: 147 × 12,544 floats, 7.4 MB) sends
// it out to memory and back; and each thread runs its own positions' im2col, so one fork-join
// covers the layer.
import { insideFrom, insideTo } from './conv';
import { conv1x1Direct } from './conv1x1';

/** Floats of the im2col buffer convChunks needs per thread (a chunk of positions, + a row). */
export function convChunkFloats(k: i32): i32 {
  const chunk = chunkPositions(k);
  return chunk * k + chunk + 8;
}

/** Positions per chunk: its packed col (k × chunk floats) about 256 KiB. */
// @ts-ignore: decorator
@inline
function chunkPositions(k: i32): i32 {
  return max(8, (65536 / k) & ~7);
}

/**
 * y[r][j] for every output channel r of m and positions [j0, j0 + cols) (j0 a multiple of 8) of
 * the conv of x ([channels][ih][iw]) with the packed weights `a` (packAPanels, mPad rows, K ≤ 256),
 * then bias, residual and activation as conv1x1Direct applies them. `buf`: convChunkFloats(K)
 * floats; `scratch`: conv1x1ScratchFloats(K).
 */
export function convChunks(
  x: usize, channels: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, a: usize, mPad: i32, m: i32, j0: i32, cols: i32,
  y: usize, bias: usize, res: usize, act: i32, p0: f32, p1: f32, buf: usize, scratch: usize,
): void {
  const K = channels * kh * kw;
  const P = oh * ow;
  const chunk = chunkPositions(K);
  const row = buf + (<usize>(chunk * K) << 2);
  for (let jc = j0; jc < j0 + cols; jc += chunk) {
    const n = min(chunk, j0 + cols - jc);
    const nPad = (n + 7) & ~7;
    memory.fill(row + (<usize>n << 2), 0, <usize>(nPad - n) << 2);
    let k = 0;
    for (let ch = 0; ch < channels; ch++) {
      const plane = x + (<usize>(ch * ih * iw) << 2);
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++, k++) {
          colRange(plane, ih, iw, ky, kx, sh, sw, dh, dw, ph, pw, ow, jc, n, row);
          // row k of the chunk's panels: 8 floats per panel, panels K · 8 floats apart
          let dst = buf + (<usize>(k * 8) << 2);
          const step = <usize>(K * 8) << 2;
          for (let j = 0; j < nPad; j += 8, dst += step) {
            const src = row + (<usize>j << 2);
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
          }
        }
      }
    }
    conv1x1Direct(a, mPad, m, K, 0, m, buf, 0, jc, n, P, y, bias, res, act, p0, p1, scratch); // panels from jc
  }
}

/**
 * Tap (ky, kx) of one input plane at output positions [j0, j0 + n) into row[0..n), 0 where it
 * falls outside: the positions' output rows one segment at a time.
 */
function colRange(
  plane: usize, ih: i32, iw: i32, ky: i32, kx: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32,
  ow: i32, j0: i32, n: i32, row: usize,
): void {
  const first = kx * dw - pw;
  const lo = insideFrom(first, sw, ow);
  const hi = insideTo(first, iw, sw, ow, lo);
  let j = j0;
  const end = j0 + n;
  while (j < end) {
    const oy = j / ow;
    const a = j - oy * ow;
    const b = min(ow, a + end - j);
    const base = j - j0 - a; // row[base + ox] is output column ox of this output row
    const iy = oy * sh - ph + ky * dh;
    if (iy < 0 || iy >= ih) memory.fill(row + (<usize>(base + a) << 2), 0, <usize>(b - a) << 2);
    else {
      const l = max(a, lo), h = max(l, min(b, hi));
      if (l > a) memory.fill(row + (<usize>(base + a) << 2), 0, <usize>(l - a) << 2);
      if (b > h) memory.fill(row + (<usize>(base + h) << 2), 0, <usize>(b - h) << 2);
      const src = plane + (<usize>(iy * iw + first) << 2);
      if (sw == 1) memory.copy(row + (<usize>(base + l) << 2), src + (<usize>l << 2), <usize>(h - l) << 2);
      else {
        let ox = l;
        // stride 2: the even lanes of two vectors; the last output stays scalar (no read past column 2·(h − 1))
        if (sw == 2) for (; ox + 4 < h; ox += 4) {
          const p = src + (<usize>ox << 3);
          v128.store(row + (<usize>(base + ox) << 2), v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
        }
        for (; ox < h; ox++) store<f32>(row + (<usize>(base + ox) << 2), load<f32>(src + (<usize>(ox * sw) << 2)));
      }
    }
    j += b - a;
  }
}
