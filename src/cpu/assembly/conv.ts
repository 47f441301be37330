// Convolution helpers for 2-D images: im2col (feeding the GEMM) and a direct depthwise kernel.
// Pointers are byte addresses; sizes are in elements. Pads are the leading (top, left) pads: the
// trailing ones follow from the output size.
import { depthwise3x3 } from './depthwise3x3';
import { epilogueBlock } from './epilogue';

/**
 * col[(ch·kh + ky)·kw + kx][oy·ow + ox] = x[ch][oy·sh − ph + ky·dh][ox·sw − pw + kx·dw], 0 outside.
 */
export function im2col2d(
  x: usize, channels: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, col: usize,
): void {
  let row = col;
  const rowBytes = <usize>(oh * ow) << 2;
  for (let ch = 0; ch < channels; ch++) {
    const plane = x + (<usize>(ch * ih * iw) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, row += rowBytes) colRow(plane, ih, iw, ky, kx, sh, sw, dh, dw, ph, pw, oh, ow, row);
    }
  }
}

/** Floats per KC-deep slice of k that the GEMM packs B in (gemm.ts's KC). */
const KC = 256;

/**
 * im2col straight into the GEMM's packed-B layout (gemm.ts packBPanels over the K×P col matrix),
 * for `channels` input channels whose first col row is `k0` of K: each col row is built in `row`
 * (P rounded up to 8, + slack) and scattered into its NR = 8 wide panels, so the col matrix never
 * exists in full and the GEMM packs nothing.
 */
export function im2colPacked(
  x: usize, channels: i32, k0: i32, K: i32, ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, out: usize, row: usize,
): void {
  const P = oh * ow;
  const nPad = (P + 7) & ~7;
  memory.fill(row + (<usize>P << 2), 0, <usize>(nPad - P) << 2);
  let k = k0;
  for (let ch = 0; ch < channels; ch++) {
    const plane = x + (<usize>(ch * ih * iw) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, k++) {
        colRow(plane, ih, iw, ky, kx, sh, sw, dh, dw, ph, pw, oh, ow, row);
        const pc = k / KC * KC;
        const kc = min(KC, K - pc);
        let dst = out + (<usize>(pc * nPad + (k - pc) * 8) << 2);
        const step = <usize>(kc * 8) << 2;
        for (let j = 0; j < nPad; j += 8, dst += step) {
          const src = row + (<usize>j << 2);
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      }
    }
  }
}

/** The first output column (≤ ow) whose input column first + ox·sw is inside the image (≥ 0). */
// @ts-ignore: decorator
@inline
export function insideFrom(first: i32, sw: i32, ow: i32): i32 {
  const lo = first >= 0 ? 0 : (-first + sw - 1) / sw;
  return lo > ow ? ow : lo;
}

/** One past the last output column (in [lo, ow]) whose input column first + ox·sw is inside (< iw). */
// @ts-ignore: decorator
@inline
export function insideTo(first: i32, iw: i32, sw: i32, ow: i32, lo: i32): i32 {
  let hi = first > iw - 1 ? 0 : (iw - 1 - first) / sw + 1;
  if (hi > ow) hi = ow;
  return hi < lo ? lo : hi;
}

/** One col row: tap (ky, kx) of every output position of one input plane, 0 where it falls outside. */
// @ts-ignore: decorator
@inline
function colRow(
  plane: usize, ih: i32, iw: i32, ky: i32, kx: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, oh: i32, ow: i32, row: usize,
): void {
  const first = kx * dw - pw;
  const lo = insideFrom(first, sw, ow);
  const hi = insideTo(first, iw, sw, ow, lo);
  for (let oy = 0; oy < oh; oy++) {
    const dst = row + (<usize>(oy * ow) << 2);
    const iy = oy * sh - ph + ky * dh;
    if (iy < 0 || iy >= ih) {
      memory.fill(dst, 0, <usize>ow << 2);
      continue;
    }
    if (lo > 0) memory.fill(dst, 0, <usize>lo << 2);
    if (hi < ow) memory.fill(dst + (<usize>hi << 2), 0, <usize>(ow - hi) << 2);
    const src = plane + (<usize>(iy * iw + first) << 2);
    if (sw == 1) memory.copy(dst + (<usize>lo << 2), src + (<usize>lo << 2), <usize>(hi - lo) << 2);
    else {
      let ox = lo;
      // stride 2: the even lanes of two vectors; the last output stays scalar (no read past column 2·(hi − 1))
      if (sw == 2) for (; ox + 4 < hi; ox += 4) {
        const p = src + (<usize>ox << 3);
        v128.store(dst + (<usize>ox << 2), v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
      }
      for (; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>(ox * sw) << 2)));
    }
  }
}

/** Floats of scratch depthwise2d needs: one zero-padded input plane. */
export function depthwiseScratchFloats(oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32): i32 {
  return paddedHeight(oh, kh, sh, dh) * paddedWidth(ow, kw, sw, dw);
}

// @ts-ignore: decorator
@inline
function paddedHeight(oh: i32, kh: i32, sh: i32, dh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

// @ts-ignore: decorator
@inline
function paddedWidth(ow: i32, kw: i32, sw: i32, dw: i32): i32 {
  return (ow - 1) * sw + (kw - 1) * dw + 1 + 8; // slack: a stride-2 vector load reads one past
}

/**
 * Depthwise conv (one input channel per group, `mult` outputs per input channel), n images:
 * y[i][ch] = bias[ch] + Σ w[ch][ky][kx] · xpad[ch / mult][oy·sh + ky·dh][ox·sw + kx·dw]. Each input
 * plane is first copied into a zero-padded scratch plane, so the inner loop has no bounds checks and
 * runs four output columns per f32x4 (3×3 kernels of column stride 1 or 2 run depthwise3x3.ts,
 * which needs no padded copy). Output rows [oy0, oy0 + rows) of each plane (a thread's band; the
 * padded copy is of the whole plane). `ep`: a fused epilogue (epilogue.ts) over each output plane,
 * its residual addressed like y.
 */
export function depthwise2d(
  x: usize, w: usize, bias: usize, hasBias: i32, y: usize, n: i32, channels: i32, mult: i32,
  ih: i32, iw: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, oy0: i32, rows: i32, scratch: usize, ep: usize,
): void {
  if (kh == 3 && kw == 3 && dh == 1 && dw == 1 && (sw == 1 || sw == 2)) {
    depthwise3x3(x, w, bias, hasBias, y, n, channels, mult, ih, iw, sh, sw, ph, pw, oh, ow, oy0, rows, scratch, ep);
    return;
  }
  const hp = paddedHeight(oh, kh, sh, dh);
  const wp = paddedWidth(ow, kw, sw, dw);
  const rowBytes = <usize>wp << 2;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      padPlane(x + (<usize>((i * channels + c) * ih * iw) << 2), ih, iw, ph, pw, hp, wp, scratch);
      for (let m = 0; m < mult; m++) {
        const ch = c * mult + m;
        const wAt = w + (<usize>(ch * kh * kw) << 2);
        const b: f32 = hasBias ? load<f32>(bias + (<usize>ch << 2)) : 0;
        const planeOff = <usize>((i * channels * mult + ch) * oh * ow + oy0 * ow) << 2;
        let out = y + planeOff;
        for (let oy = oy0; oy < oy0 + rows; oy++) {
          const top = scratch + <usize>(oy * sh) * rowBytes;
          let ox = 0;
          for (; ox + 4 <= ow; ox += 4) {
            let acc = f32x4.splat(b);
            for (let ky = 0; ky < kh; ky++) {
              const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
              const wl = wAt + (<usize>(ky * kw) << 2);
              for (let kx = 0; kx < kw; kx++) {
                const p = line + (<usize>(kx * dw) << 2);
                const v = loadColumns4(p, sw);
                acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(wl + (<usize>kx << 2)), v));
              }
            }
            v128.store(out + (<usize>ox << 2), acc);
          }
          for (; ox < ow; ox++) {
            let acc = b;
            for (let ky = 0; ky < kh; ky++) {
              const line = top + <usize>(ky * dh) * rowBytes + (<usize>(ox * sw) << 2);
              for (let kx = 0; kx < kw; kx++) acc += load<f32>(wAt + (<usize>(ky * kw + kx) << 2)) * load<f32>(line + (<usize>(kx * dw) << 2));
            }
            store<f32>(out + (<usize>ox << 2), acc);
          }
          out += <usize>ow << 2;
        }
        epilogueBlock(y + planeOff, ow, rows, ow, oy0, 0, planeOff, ep); // the band is still in cache
      }
    }
  }
}

/** Copies an ih×iw plane into a zeroed hp×wp plane at (ph, pw), clipping what falls outside. */
export function padPlane(x: usize, ih: i32, iw: i32, ph: i32, pw: i32, hp: i32, wp: i32, out: usize): void {
  memory.fill(out, 0, <usize>(hp * wp) << 2);
  const c0 = max(0, -pw);
  const c1 = min(iw, wp - pw);
  if (c1 <= c0) return;
  for (let r = max(0, -ph); r < ih && r + ph < hp; r++) {
    memory.copy(out + (<usize>((r + ph) * wp + pw + c0) << 2), x + (<usize>(r * iw + c0) << 2), <usize>(c1 - c0) << 2);
  }
}

/** Four floats at p, p + sw, p + 2·sw, p + 3·sw (columns of four outputs at column stride sw). */
// @ts-ignore: decorator
@inline
export function loadColumns4(p: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(p);
  if (sw == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  return f32x4(load<f32>(p), load<f32>(p + (<usize>sw << 2)), load<f32>(p + (<usize>(2 * sw) << 2)), load<f32>(p + (<usize>(3 * sw) << 2)));
}
