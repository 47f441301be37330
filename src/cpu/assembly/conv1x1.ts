// A 1×1 conv (y = W · x per image, x as a K × P matrix with rows of stride ldx) straight from the
// input, for layers whose packed weights are small enough to stay in L2 (SqueezeNet's squeeze and
// expand convs, ResNet's bottleneck 1×1s), and convs of K ≤ 256 from im2col's packed panels (the
// stems, where K = 27 or 147): per 8-column panel of x, every 4-row panel of the weights
// (gemm.ts's packAPanels layout) multiplies it in a 4×8 register tile reading x's rows in place,
// and the tile leaves with its bias, residual and ReLU / Clip applied in registers. The GEMM instead
// packs x's panels first and applies the epilogue in a second pass over C: for few output channels
// or a short K that is a large share of the work.
import { ACT_CLIP, ACT_RELU } from './epilogue';
import { madd } from './madd';

/** Floats per KC-deep slice of k that packAPanels writes A in (gemm.ts's KC). */
const KC = 256;

/** Floats of scratch conv1x1Direct needs: a zero-padded K × 8 panel of the right edge, and a 4 × 8 tile. */
export function conv1x1ScratchFloats(k: i32): i32 {
  return k * 8 + 32;
}

/**
 * y[r][j] = act(Σ_k A[r][k] · x[k][j] + bias[r] + res[r][j]) for rows [r0, r0 + rows) of m and
 * columns [j0, j0 + cols) of P (j0 a multiple of 8, r0 of 4). `a`: a packAPanels block of mPad rows;
 * x: [K][ldx] floats, or with ldx = 0 the GEMM's packed B of K ≤ 256 from column j0 on (conv.ts's
 * im2colPacked: zero-padded 8-column panels of K × 8, one after the other); y and res: [m][P]. bias 0: none;
 * res 0: none; act: ACT_NONE, ACT_RELU or ACT_CLIP (p0, p1) applied after the residual add.
 */
export function conv1x1Direct(
  a: usize, mPad: i32, m: i32, k: i32, r0: i32, rows: i32, x: usize, ldx: i32, j0: i32, cols: i32, P: i32,
  y: usize, bias: usize, res: usize, act: i32, p0: f32, p1: f32, scratch: usize,
): void {
  const edge = scratch;
  const tmp = scratch + (<usize>(k * 8) << 2);
  const end = j0 + cols;
  for (let j = j0; j < end; j += 8) {
    const nr = min(8, end - j);
    let bp = ldx ? x + (<usize>j << 2) : x + (<usize>((j - j0) * k) << 2);
    let ldb = ldx ? ldx : 8;
    if (nr < 8 && ldx) {
      // the right edge: its columns, zero-padded to 8, as a panel of its own
      for (let p = 0; p < k; p++) {
        const dst = edge + (<usize>(p * 8) << 2);
        v128.store(dst, f32x4.splat(0));
        v128.store(dst, f32x4.splat(0), 16);
        memory.copy(dst, bp + (<usize>(p * ldx) << 2), <usize>nr << 2);
      }
      bp = edge;
      ldb = 8;
    }
    for (let r = r0; r < r0 + rows; r += 4) {
      const mr = min(4, min(m, r0 + rows) - r);
      const full = mr == 4 && nr == 8;
      const c = full ? y + (<usize>(r * P + j) << 2) : tmp;
      tile4x8(a, mPad, k, r, bp, ldb, c, full ? P : 8, bias, mr, full, res ? res + (<usize>(r * P + j) << 2) : 0, act, p0, p1);
      if (!full) {
        for (let i = 0; i < mr; i++) {
          const row = (r + i) * P + j;
          for (let q = 0; q < nr; q++) {
            let v = load<f32>(tmp + (<usize>(i * 8 + q) << 2));
            if (res) v += load<f32>(res + (<usize>(row + q) << 2));
            if (act == ACT_RELU) v = max(v, 0);
            else if (act == ACT_CLIP) v = min(max(v, p0), p1);
            store<f32>(y + (<usize>(row + q) << 2), v);
          }
        }
      }
    }
  }
}

/**
 * One 4×8 tile: rows r..r+3 of the packed A times the 8 columns at bp (rows of stride ldb floats),
 * plus the bias of the mr real rows; `finish` (a full tile) adds the residual at res (stride ldc,
 * 0: none) and applies the activation, otherwise the caller does.
 */
// @ts-ignore: decorator
@inline
function tile4x8(
  a: usize, mPad: i32, k: i32, r: i32, bp: usize, ldb: i32, c: usize, ldc: i32, bias: usize, mr: i32,
  finish: bool, res: usize, act: i32, p0: f32, p1: f32,
): void {
  const bRow = <usize>ldb << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (bias) {
    const rb = bias + (<usize>r << 2);
    c00 = v128.load32_splat(rb); c01 = c00;
    if (mr > 1) { c10 = v128.load32_splat(rb, 4); c11 = c10; }
    if (mr > 2) { c20 = v128.load32_splat(rb, 8); c21 = c20; }
    if (mr > 3) { c30 = v128.load32_splat(rb, 12); c31 = c30; }
  }
  let b = bp;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    let ap = a + (<usize>(pc * mPad + r * kc) << 2);
    for (let p = 0; p < kc; p++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let s = v128.load32_splat(ap);
      c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
      s = v128.load32_splat(ap, 4);
      c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
      s = v128.load32_splat(ap, 8);
      c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
      s = v128.load32_splat(ap, 12);
      c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
      ap += 16;
      b += bRow;
    }
  }
  const ld = <usize>ldc << 2;
  if (finish) {
    if (res) {
      c00 = f32x4.add(c00, v128.load(res)); c01 = f32x4.add(c01, v128.load(res, 16));
      c10 = f32x4.add(c10, v128.load(res + ld)); c11 = f32x4.add(c11, v128.load(res + ld, 16));
      c20 = f32x4.add(c20, v128.load(res + 2 * ld)); c21 = f32x4.add(c21, v128.load(res + 2 * ld, 16));
      c30 = f32x4.add(c30, v128.load(res + 3 * ld)); c31 = f32x4.add(c31, v128.load(res + 3 * ld, 16));
    }
    if (act == ACT_RELU) {
      const z = f32x4.splat(0);
      c00 = f32x4.pmax(c00, z); c01 = f32x4.pmax(c01, z); c10 = f32x4.pmax(c10, z); c11 = f32x4.pmax(c11, z);
      c20 = f32x4.pmax(c20, z); c21 = f32x4.pmax(c21, z); c30 = f32x4.pmax(c30, z); c31 = f32x4.pmax(c31, z);
    } else if (act == ACT_CLIP) {
      const lo = f32x4.splat(p0), hi = f32x4.splat(p1);
      c00 = f32x4.pmin(f32x4.pmax(c00, lo), hi); c01 = f32x4.pmin(f32x4.pmax(c01, lo), hi);
      c10 = f32x4.pmin(f32x4.pmax(c10, lo), hi); c11 = f32x4.pmin(f32x4.pmax(c11, lo), hi);
      c20 = f32x4.pmin(f32x4.pmax(c20, lo), hi); c21 = f32x4.pmin(f32x4.pmax(c21, lo), hi);
      c30 = f32x4.pmin(f32x4.pmax(c30, lo), hi); c31 = f32x4.pmin(f32x4.pmax(c31, lo), hi);
    }
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
}
