// 2-D max pooling. Each plane is copied into a scratch plane padded with −∞ (covering ceil-mode
// windows too), so the window loop has no bounds checks and runs four outputs per f32x4. The max
// propagates NaN, as the reference kernel does.

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
            let v: v128;
            if (sw == 1) v = v128.load(p);
            else if (sw == 2) v = v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
            else v = f32x4(load<f32>(p), load<f32>(p + (<usize>sw << 2)), load<f32>(p + (<usize>(2 * sw) << 2)), load<f32>(p + (<usize>(3 * sw) << 2)));
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
