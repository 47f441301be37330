// 3×3 max pooling (dilation 1, column stride 1 or 2; any row stride, pads, ceil-mode overhang)
// read straight from the input planes, as depthwise3x3.ts reads them: a row outside the image
// points at a row of −∞, edge vectors set their outside lanes to −∞, so there is no padded copy.
// f32x4.max propagates NaN, as the reference kernel does.
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
        let v: v128;
        if (ox >= lo && (ox + 3) * sw - pw + 2 < iw) {
          v = sw == 1
            ? f32x4.max(f32x4.max(row1(r0 + at), row1(r1 + at)), row1(r2 + at))
            : f32x4.max(f32x4.max(row2(r0 + at), row2(r1 + at)), row2(r2 + at));
        } else {
          const m0 = colMask(c, sw, iw), m1 = colMask(c + 1, sw, iw), m2 = colMask(c + 2, sw, iw);
          v = sw == 1
            ? f32x4.max(f32x4.max(row1Masked(r0 + at, m0, m1, m2, ninf), row1Masked(r1 + at, m0, m1, m2, ninf)), row1Masked(r2 + at, m0, m1, m2, ninf))
            : f32x4.max(f32x4.max(row2Masked(r0 + at, m0, m1, m2, ninf), row2Masked(r1 + at, m0, m1, m2, ninf)), row2Masked(r2 + at, m0, m1, m2, ninf));
        }
        v128.store(out + (<usize>ox << 2), v);
        if (ox == last) break;
      }
    }
  }
}

/** Max of taps (0, 1, 2) of four stride-1 outputs whose first tap is at p. */
// @ts-ignore: decorator
@inline
function row1(p: usize): v128 {
  return f32x4.max(f32x4.max(v128.load(p), v128.load(p, 4)), v128.load(p, 8));
}

// @ts-ignore: decorator
@inline
function row1Masked(p: usize, ma: v128, mb: v128, mc: v128, ninf: v128): v128 {
  const a = v128.bitselect(v128.load(p), ninf, ma);
  const b = v128.bitselect(v128.load(p, 4), ninf, mb);
  return f32x4.max(f32x4.max(a, b), v128.bitselect(v128.load(p, 8), ninf, mc));
}

/** Max of taps (0, 1, 2) of four stride-2 outputs whose first tap is at p: columns p + 0..8. */
// @ts-ignore: decorator
@inline
function row2(p: usize): v128 {
  const a = v128.load(p);
  const b = v128.load(p, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  return f32x4.max(f32x4.max(even, odd), v128.shuffle<f32>(even, v128.load32_zero(p, 32), 1, 2, 3, 4));
}

// @ts-ignore: decorator
@inline
function row2Masked(p: usize, ma: v128, mb: v128, mc: v128, ninf: v128): v128 {
  const a = v128.load(p);
  const b = v128.load(p, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, v128.load32_zero(p, 32), 1, 2, 3, 4);
  return f32x4.max(f32x4.max(v128.bitselect(even, ninf, ma), v128.bitselect(odd, ninf, mb)), v128.bitselect(next, ninf, mc));
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
