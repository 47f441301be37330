// y = A · x for A packed as the GEMM packs weights (gemm.ts packAPanels: per KC slice of k, MR = 4
// tall panels, k-major): a 1×1 conv on a 1×1 plane (a classifier head, a squeeze-and-excitation
// block). The GEMM would run its 4×8 tile on one real column of 8; here each k is one f32x4
// multiply-add of a panel's 4 weights by x[k], so the cost is streaming the weights once.
import { epilogueBlock } from './epilogue';
import { madd } from './madd';

/** Floats per KC-deep slice of k that the GEMM packs A in (gemm.ts's KC). */
const KC = 256;

/**
 * y[i] = Σ_k A[r0 + i][k] · x[k] for i in [0, rows), r0 a multiple of 4, then the epilogue `ep`
 * (its row bias and residual addressed from row r0). `a`: a packAPanels block of mPad rows.
 */
export function gemvPackedA(a: usize, mPad: i32, k: i32, r0: i32, rows: i32, x: usize, y: usize, ep: usize): void {
  for (let r = r0; r < r0 + rows; r += 4) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      let p = a + (<usize>(pc * mPad + r * kc) << 2);
      let xp = x + (<usize>pc << 2);
      let kk = 0;
      // two accumulators: consecutive k do not wait on each other's add
      for (; kk + 2 <= kc; kk += 2, p += 32, xp += 8) {
        acc0 = madd(v128.load(p), v128.load32_splat(xp), acc0);
        acc1 = madd(v128.load(p, 16), v128.load32_splat(xp, 4), acc1);
      }
      if (kk < kc) acc0 = madd(v128.load(p), v128.load32_splat(xp), acc0);
    }
    const acc = f32x4.add(acc0, acc1);
    const out = y + (<usize>(r - r0) << 2);
    const left = r0 + rows - r;
    if (left >= 4) v128.store(out, acc);
    else {
      store<f32>(out, f32x4.extract_lane(acc, 0));
      if (left > 1) store<f32>(out, f32x4.extract_lane(acc, 1), 4);
      if (left > 2) store<f32>(out, f32x4.extract_lane(acc, 2), 8);
    }
  }
  epilogueBlock(y, 1, rows, 1, 0, 0, 0, ep);
}
