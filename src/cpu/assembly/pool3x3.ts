// 3×3 max pooling (dilation 1, column stride 1 or 2; any row stride, pads, ceil-mode overhang)
// read straight from the input planes, as depthwise3x3.ts reads them: a row outside the image
// points at a row of −∞, edge vectors set their outside lanes to −∞, so there is no padded copy.
// A NaN in the window gives NaN, as the reference kernel does.
import { colMask } from './depthwise3x3';

/** Floats of scratch maxPool3x3 needs: one row of −∞ as wide as any row the windows reach. */
// @ts-ignore: decorator
@inline
function rowFloats(ow: i32, sw: i32): i32 {
  return (ow - 1) * sw + 3;
}

export function maxPool3x3(
  x: usize, y: usize, planes: i32, ih: i32, iw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, scratch: usize,
): void {
  const ninf = f32x4.splat(-Infinity);
  const n = rowFloats(ow, sw);
  for (let i = 0; i < n; i++) store<f32>(scratch + (<usize>i << 2), -Infinity);
  const last = ow - 4;
  const lo = (pw + sw - 1) / sw;
  const rowBytes = <usize>iw << 2;
  let out = y;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * ih * iw) << 2);
    for (let oy = 0; oy < oh; oy++, out += <usize>ow << 2) {
      const iy = oy * sh - ph;
      const r0 = iy >= 0 && iy < ih ? plane + <usize>iy * rowBytes : scratch;
      const r1 = iy + 1 >= 0 && iy + 1 < ih ? plane + <usize>(iy + 1) * rowBytes : scratch;
      const r2 = iy + 2 >= 0 && iy + 2 < ih ? plane + <usize>(iy + 2) * rowBytes : scratch;
      if (last < 0) {
        for (let ox = 0; ox < ow; ox++) store<f32>(out + (<usize>ox << 2), edge(r0, r1, r2, ox * sw - pw, iw));
        continue;
      }
      for (let ox = 0; ; ox = min(ox + 4, last)) {
        const c = ox * sw - pw;
        const at = <usize>c << 2;
        // the window's nine taps, a, b, c per row
        let a0: v128, b0: v128, c0: v128, a1: v128, b1: v128, c1: v128, a2: v128, b2: v128, c2: v128;
        if (sw == 1) {
          a0 = v128.load(r0 + at); b0 = v128.load(r0 + at, 4); c0 = v128.load(r0 + at, 8);
          a1 = v128.load(r1 + at); b1 = v128.load(r1 + at, 4); c1 = v128.load(r1 + at, 8);
          a2 = v128.load(r2 + at); b2 = v128.load(r2 + at, 4); c2 = v128.load(r2 + at, 8);
        } else {
          a0 = even(r0 + at); b0 = odd(r0 + at); c0 = next(r0 + at, a0);
          a1 = even(r1 + at); b1 = odd(r1 + at); c1 = next(r1 + at, a1);
          a2 = even(r2 + at); b2 = odd(r2 + at); c2 = next(r2 + at, a2);
        }
        if (ox < lo || (ox + 3) * sw - pw + 2 >= iw) {
          const m0 = colMask(c, sw, iw), m1 = colMask(c + 1, sw, iw), m2 = colMask(c + 2, sw, iw);
          a0 = v128.bitselect(a0, ninf, m0); b0 = v128.bitselect(b0, ninf, m1); c0 = v128.bitselect(c0, ninf, m2);
          a1 = v128.bitselect(a1, ninf, m0); b1 = v128.bitselect(b1, ninf, m1); c1 = v128.bitselect(c1, ninf, m2);
          a2 = v128.bitselect(a2, ninf, m0); b2 = v128.bitselect(b2, ninf, m1); c2 = v128.bitselect(c2, ninf, m2);
        }
        // pmax (one instruction; it drops a NaN in its second operand) over the taps, and a NaN
        // mask of them OR-ed in after: all-ones lanes are NaN, so any NaN in the window wins
        let m = f32x4.pmax(f32x4.pmax(f32x4.pmax(a0, b0), f32x4.pmax(c0, a1)), f32x4.pmax(f32x4.pmax(b1, c1), f32x4.pmax(a2, b2)));
        m = f32x4.pmax(m, c2);
        const nan = v128.or(
          v128.or(v128.or(f32x4.ne(a0, a0), f32x4.ne(b0, b0)), v128.or(f32x4.ne(c0, c0), f32x4.ne(a1, a1))),
          v128.or(v128.or(v128.or(f32x4.ne(b1, b1), f32x4.ne(c1, c1)), v128.or(f32x4.ne(a2, a2), f32x4.ne(b2, b2))), f32x4.ne(c2, c2)),
        );
        v128.store(out + (<usize>ox << 2), v128.or(m, nan));
        if (ox == last) break;
      }
    }
  }
}

/** Columns p, p + 2, p + 4, p + 6 (tap 0 of four stride-2 outputs). */
// @ts-ignore: decorator
@inline
function even(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

/** Columns p + 1, p + 3, p + 5, p + 7 (tap 1). */
// @ts-ignore: decorator
@inline
function odd(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 1, 3, 5, 7);
}

/** Columns p + 2, p + 4, p + 6, p + 8 (tap 2), from tap 0's vector. */
// @ts-ignore: decorator
@inline
function next(p: usize, ev: v128): v128 {
  return v128.shuffle<f32>(ev, v128.load32_zero(p, 32), 1, 2, 3, 4);
}

/** One output whose first tap is input column c, with column checks (planes narrower than 4). */
// @ts-ignore: decorator
@inline
function edge(r0: usize, r1: usize, r2: usize, c: i32, iw: i32): f32 {
  let acc: f32 = -Infinity;
  for (let kx = 0; kx < 3; kx++) {
    const col = c + kx;
    if (col < 0 || col >= iw) continue;
    const o = <usize>col << 2;
    acc = max(max(acc, load<f32>(r0 + o)), max(load<f32>(r1 + o), load<f32>(r2 + o)));
  }
  return acc;
}
