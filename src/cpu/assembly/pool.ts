// 2-D max pooling. Each plane is copied into a scratch plane padded with −∞ (covering ceil-mode
// windows too), so the window loop has no bounds checks and runs four outputs per f32x4. The max
// propagates NaN, as the reference kernel does. Average pooling pads with zeros instead. 3×3 max
// pools of column stride 1 or 2 run pool3x3.ts, which reads the planes directly.
import { loadColumns4, padPlane } from './conv';
import { maxPool3x3 } from './pool3x3';

// @ts-ignore: decorator
@inline
function extent(o: i32, k: i32, s: i32, d: i32): i32 {
  return (o - 1) * s + (k - 1) * d + 1;
}

/** Floats of scratch maxPool2d needs: one padded plane (+8 columns of slack for stride-2 loads). */
export function poolScratchFloats(oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32): i32 {
  return extent(oh, kh, sh, dh) * (extent(ow, kw, sw, dw) + 8);
}

export function maxPool2d(
  x: usize, y: usize, planes: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, scratch: usize,
): void {
  if (kh == 3 && kw == 3 && dh == 1 && dw == 1 && (sw == 1 || sw == 2)) {
    maxPool3x3(x, y, planes, ih, iw, sh, sw, ph, pw, oh, ow, scratch); // no padded copy
    return;
  }
  const hp = extent(oh, kh, sh, dh);
  const wp = extent(ow, kw, sw, dw) + 8;
  const rowBytes = <usize>wp << 2;
  let out = y;
  for (let plane = 0; plane < planes; plane++) {
    fillPlane(x + (<usize>(plane * ih * iw) << 2), ih, iw, ph, pw, hp, wp, scratch);
    for (let oy = 0; oy < oh; oy++) {
      const top = scratch + <usize>(oy * sh) * rowBytes;
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        let acc = f32x4.splat(-Infinity);
        for (let ky = 0; ky < kh; ky++) {
          const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
          for (let kx = 0; kx < kw; kx++) {
            const p = line + (<usize>(kx * dw) << 2);
            const v = loadColumns4(p, sw);
            acc = f32x4.max(acc, v);
          }
        }
        v128.store(out + (<usize>ox << 2), acc);
      }
      for (; ox < ow; ox++) {
        let acc: f32 = -Infinity;
        for (let ky = 0; ky < kh; ky++) {
          const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
          for (let kx = 0; kx < kw; kx++) acc = max(acc, load<f32>(line + (<usize>(kx * dw) << 2)));
        }
        store<f32>(out + (<usize>ox << 2), acc);
      }
      out += <usize>ow << 2;
    }
  }
}

/** Copies an ih×iw plane into an hp×wp plane of −∞ at (ph, pw), clipping what falls outside. */
function fillPlane(x: usize, ih: i32, iw: i32, ph: i32, pw: i32, hp: i32, wp: i32, out: usize): void {
  const ninf = f32x4.splat(-Infinity);
  const end = out + (<usize>(hp * wp) << 2);
  let p = out;
  for (; p + 16 <= end; p += 16) v128.store(p, ninf);
  for (; p < end; p += 4) store<f32>(p, -Infinity);
  const c0 = max(0, -pw);
  const c1 = min(iw, wp - pw);
  if (c1 <= c0) return;
  for (let r = max(0, -ph); r < ih && r + ph < hp; r++) {
    memory.copy(out + (<usize>((r + ph) * wp + pw + c0) << 2), x + (<usize>(r * iw + c0) << 2), <usize>(c1 - c0) << 2);
  }
}

/**
 * 2-D average pooling: each output is the window's sum over a zero-padded plane times
 * rowScale[oy] · colScale[ox] (the host computes 1 / count per row and column, with or without the
 * pads counted: the window is a rectangle, so its count is a product).
 */
export function avgPool2d(
  x: usize, y: usize, planes: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, rowScale: usize, colScale: usize, scratch: usize,
): void {
  const hp = extent(oh, kh, sh, dh);
  const wp = extent(ow, kw, sw, dw) + 8;
  const rowBytes = <usize>wp << 2;
  let out = y;
  for (let plane = 0; plane < planes; plane++) {
    padPlane(x + (<usize>(plane * ih * iw) << 2), ih, iw, ph, pw, hp, wp, scratch);
    for (let oy = 0; oy < oh; oy++) {
      const top = scratch + <usize>(oy * sh) * rowBytes;
      const rs = f32x4.splat(load<f32>(rowScale + (<usize>oy << 2)));
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        let acc = f32x4.splat(0);
        for (let ky = 0; ky < kh; ky++) {
          const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
          for (let kx = 0; kx < kw; kx++) {
            const p = line + (<usize>(kx * dw) << 2);
            const v = loadColumns4(p, sw);
            acc = f32x4.add(acc, v);
          }
        }
        v128.store(out + (<usize>ox << 2), f32x4.mul(f32x4.mul(acc, rs), v128.load(colScale + (<usize>ox << 2))));
      }
      for (; ox < ow; ox++) {
        let acc: f32 = 0;
        for (let ky = 0; ky < kh; ky++) {
          const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
          for (let kx = 0; kx < kw; kx++) acc += load<f32>(line + (<usize>(kx * dw) << 2));
        }
        store<f32>(out + (<usize>ox << 2), acc * f32x4.extract_lane(rs, 0) * load<f32>(colScale + (<usize>ox << 2)));
      }
      out += <usize>ow << 2;
    }
  }
}

/** y[p] = the mean (isMax 0) or the max (isMax 1) of plane p's `size` floats. */
export function globalPool(x: usize, y: usize, planes: i32, size: i32, isMax: i32): void {
  for (let plane = 0; plane < planes; plane++) {
    const src = x + (<usize>(plane * size) << 2);
    let acc = f32x4.splat(isMax ? -Infinity : 0);
    let i = 0;
    for (; i + 4 <= size; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
    }
    let r: f32;
    if (isMax) {
      r = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
      for (; i < size; i++) r = max(r, load<f32>(src + (<usize>i << 2)));
    } else {
      r = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; i < size; i++) r += load<f32>(src + (<usize>i << 2));
      r /= <f32>size;
    }
    store<f32>(y + (<usize>plane << 2), r);
  }
}
