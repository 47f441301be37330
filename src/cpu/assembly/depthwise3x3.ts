// The depthwise 3×3 conv (dilation 1, column stride 1 or 2; any row stride and pads) of MobileNet
// and ShuffleNet, read straight from the input planes: each output row takes three input row
// pointers, a row outside the image pointing at a zero row instead, so rows need no checks; output
// columns run four per f32x4 with the nine weights held in registers, the edge vectors (taps left
// or right of the row) with those lanes masked to zero, so there is no padded copy and no scalar
// tail (planes narrower than 4 run scalar). Bias and a plain activation (none, relu, clip: one
// clamp) are applied in registers; another epilogue runs over each plane after. (V8 keeps about
// half the weights in registers and reloads the rest: ~20 GFLOP/s, a third of the wasm peak.)
import { ACT_CLIP, ACT_NONE, ACT_RELU, epilogueBlock } from './epilogue';
import { madd } from './madd';

/**
 * y[i][ch] = bias[ch] + Σ w[ch][ky][kx] · x[i][ch / mult][oy·sh − ph + ky][ox·sw − pw + kx] (0
 * outside), sw ∈ {1, 2}, for the output rows oy in [oy0, oy0 + rows) of every plane (a thread's
 * band). `zeros`: scratch of at least (ow − 1)·sw + 3 floats (a zero row). `ep`: a fused epilogue
 * (epilogue.ts) without bias, its residual addressed like y.
 */
export function depthwise3x3(
  x: usize, w: usize, bias: usize, hasBias: i32, y: usize, n: i32, channels: i32, mult: i32,
  ih: i32, iw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, oy0: i32, rows: i32, zeros: usize, ep: usize,
): void {
  memory.fill(zeros, 0, <usize>((ow - 1) * sw + 3) << 2);
  // none, relu and clip as one clamp to [lo, hi] in registers; another epilogue runs as its own
  // pass over each plane
  let lo: f32 = -Infinity;
  let hi: f32 = Infinity;
  let after = false;
  if (ep != 0) {
    const act = load<i32>(ep);
    after = load<i32>(ep, 24) != 0 || (act != ACT_NONE && act != ACT_RELU && act != ACT_CLIP);
    if (!after && act == ACT_RELU) lo = 0;
    if (!after && act == ACT_CLIP) {
      lo = load<f32>(ep, 8);
      hi = load<f32>(ep, 12);
    }
  }
  const P = oh * ow;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const plane = x + (<usize>((i * channels + c) * ih * iw) << 2);
      for (let m = 0; m < mult; m++) {
        const ch = c * mult + m;
        const b: f32 = hasBias ? load<f32>(bias + (<usize>ch << 2)) : 0;
        const wAt = w + (<usize>(ch * 9) << 2);
        const off = <usize>((i * channels * mult + ch) * P + oy0 * ow) << 2;
        const out = y + off;
        if (sw == 1) planeOf(plane, wAt, b, out, ih, iw, sh, 1, ph, pw, oy0, rows, ow, zeros, lo, hi);
        else planeOf(plane, wAt, b, out, ih, iw, sh, 2, ph, pw, oy0, rows, ow, zeros, lo, hi);
        if (after) epilogueBlock(out, ow, rows, ow, oy0, 0, off, ep); // the band is still in cache
      }
    }
  }
}

/**
 * v clamped to [lo, hi] with pmax(v, lo) = v < lo ? lo : v and pmin(v, hi) = hi < v ? hi : v: one
 * instruction each, and a NaN in v stays NaN (±∞ bounds: no clamp).
 */
// @ts-ignore: decorator
@inline
function clamp(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Output rows [oy0, oy0 + rows) of one plane, the first at y; `sw` is a constant at each (inlined) call site. */
// @ts-ignore: decorator
@inline
function planeOf(
  x: usize, w: usize, b: f32, y: usize, ih: i32, iw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oy0: i32, rows: i32, ow: i32,
  zeros: usize, lo: f32, hi: f32,
): void {
  const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4), w2 = v128.load32_splat(w, 8);
  const w3 = v128.load32_splat(w, 12), w4 = v128.load32_splat(w, 16), w5 = v128.load32_splat(w, 20);
  const w6 = v128.load32_splat(w, 24), w7 = v128.load32_splat(w, 28), w8 = v128.load32_splat(w, 32);
  const bv = f32x4.splat(b);
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  // vectors of four output columns: masked ones (taps left or right of the row read as 0) at
  // 0, 4, … below `first` and from `mid` on (the last one overlapping at ow − 4), plain ones between
  const first = (pw + sw - 1) / sw;
  const last = ow - 4;
  const left = (first + 3) & ~3;
  let mid = left;
  while (mid + 4 <= ow && (mid + 3) * sw - pw + 2 < iw) mid += 4;
  const rowBytes = <usize>iw << 2;
  let out = y;
  for (let oy = oy0; oy < oy0 + rows; oy++, out += <usize>ow << 2) {
    const iy = oy * sh - ph;
    const r0 = iy >= 0 && iy < ih ? x + <usize>iy * rowBytes : zeros;
    const r1 = iy + 1 >= 0 && iy + 1 < ih ? x + <usize>(iy + 1) * rowBytes : zeros;
    const r2 = iy + 2 >= 0 && iy + 2 < ih ? x + <usize>(iy + 2) * rowBytes : zeros;
    if (last < 0) {
      for (let ox = 0; ox < ow; ox++) store<f32>(out + (<usize>ox << 2), min(max(edge(r0, r1, r2, w, b, ox * sw - pw, iw), lo), hi));
      continue;
    }
    for (let ox = 0; ox < left; ox += 4) {
      const at = min(ox, last);
      v128.store(out + (<usize>at << 2), clamp(maskedVector(r0, r1, r2, at * sw - pw, iw, sw, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv), lov, hiv));
    }
    for (let ox = left; ox < mid; ox += 4) {
      const at = <usize>(ox * sw - pw) << 2;
      let s0: v128, s1: v128, s2: v128;
      if (sw == 1) {
        s0 = taps1(r0 + at, w0, w1, w2);
        s1 = taps1(r1 + at, w3, w4, w5);
        s2 = taps1(r2 + at, w6, w7, w8);
      } else {
        s0 = taps2(r0 + at, w0, w1, w2);
        s1 = taps2(r1 + at, w3, w4, w5);
        s2 = taps2(r2 + at, w6, w7, w8);
      }
      v128.store(out + (<usize>ox << 2), clamp(f32x4.add(f32x4.add(bv, s0), f32x4.add(s1, s2)), lov, hiv));
    }
    for (let ox = mid; ox < ow; ox += 4) {
      const at = min(ox, last);
      v128.store(out + (<usize>at << 2), clamp(maskedVector(r0, r1, r2, at * sw - pw, iw, sw, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv), lov, hiv));
    }
  }
}

/** Four outputs whose first tap is input column c, taps outside [0, iw) read as 0. */
// @ts-ignore: decorator
@inline
function maskedVector(
  r0: usize, r1: usize, r2: usize, c: i32, iw: i32, sw: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128,
): v128 {
  const at = <usize>c << 2;
  const m0 = colMask(c, sw, iw), m1 = colMask(c + 1, sw, iw), m2 = colMask(c + 2, sw, iw);
  let s0: v128, s1: v128, s2: v128;
  if (sw == 1) {
    s0 = taps1Masked(r0 + at, w0, w1, w2, m0, m1, m2);
    s1 = taps1Masked(r1 + at, w3, w4, w5, m0, m1, m2);
    s2 = taps1Masked(r2 + at, w6, w7, w8, m0, m1, m2);
  } else {
    s0 = taps2Masked(r0 + at, w0, w1, w2, m0, m1, m2);
    s1 = taps2Masked(r1 + at, w3, w4, w5, m0, m1, m2);
    s2 = taps2Masked(r2 + at, w6, w7, w8, m0, m1, m2);
  }
  return f32x4.add(f32x4.add(bv, s0), f32x4.add(s1, s2));
}

/** Lanes whose input column (c, c + sw, c + 2·sw, c + 3·sw) lies in [0, iw): all ones, else 0. */
// @ts-ignore: decorator
@inline
export function colMask(c: i32, sw: i32, iw: i32): v128 {
  const lanes = sw == 1 ? i32x4(0, 1, 2, 3) : i32x4(0, 2, 4, 6);
  return i32x4.lt_u(i32x4.add(i32x4.splat(c), lanes), i32x4.splat(iw));
}

/** taps1 with each tap's outside lanes zeroed (before the multiply: they may hold anything). */
// @ts-ignore: decorator
@inline
function taps1Masked(p: usize, wa: v128, wb: v128, wc: v128, ma: v128, mb: v128, mc: v128): v128 {
  const a = f32x4.mul(wa, v128.and(v128.load(p), ma));
  const b = f32x4.mul(wb, v128.and(v128.load(p, 4), mb));
  return f32x4.add(f32x4.add(a, b), f32x4.mul(wc, v128.and(v128.load(p, 8), mc)));
}

/** taps2 with each tap's outside lanes zeroed. */
// @ts-ignore: decorator
@inline
function taps2Masked(p: usize, wa: v128, wb: v128, wc: v128, ma: v128, mb: v128, mc: v128): v128 {
  const a = v128.load(p);
  const b = v128.load(p, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, v128.load32_zero(p, 32), 1, 2, 3, 4);
  const s = f32x4.add(f32x4.mul(wa, v128.and(even, ma)), f32x4.mul(wb, v128.and(odd, mb)));
  return madd(wc, v128.and(next, mc), s);
}

/** Taps (0, 1, 2) of four stride-1 outputs whose first tap is at p. */
// @ts-ignore: decorator
@inline
function taps1(p: usize, wa: v128, wb: v128, wc: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.mul(wa, v128.load(p)), f32x4.mul(wb, v128.load(p, 4))), f32x4.mul(wc, v128.load(p, 8)));
}

/** Taps (0, 1, 2) of four stride-2 outputs whose first tap is at p: columns p + 0..8. */
// @ts-ignore: decorator
@inline
function taps2(p: usize, wa: v128, wb: v128, wc: v128): v128 {
  const a = v128.load(p);
  const b = v128.load(p, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, v128.load32_zero(p, 32), 1, 2, 3, 4);
  return f32x4.add(f32x4.add(f32x4.mul(wa, even), f32x4.mul(wb, odd)), f32x4.mul(wc, next));
}

/** One output whose first tap is input column c, with column checks (planes narrower than 4). */
// @ts-ignore: decorator
@inline
function edge(r0: usize, r1: usize, r2: usize, w: usize, b: f32, c: i32, iw: i32): f32 {
  let acc = b;
  for (let kx = 0; kx < 3; kx++) {
    const col = c + kx;
    if (col < 0 || col >= iw) continue;
    const o = <usize>col << 2;
    const wk = w + (<usize>kx << 2);
    acc += load<f32>(wk) * load<f32>(r0 + o) + load<f32>(wk, 12) * load<f32>(r1 + o) + load<f32>(wk, 24) * load<f32>(r2 + o);
  }
  return acc;
}
