// Element-wise kernels over broadcast forms the host has classified: y[o][m][i] = a[o][m][i] ∘ b
// where b is the same shape (mode 0: b[o][m][i]), one value per middle index (mode 1: b[m], e.g. a
// per-channel NCHW operand), a scalar (mode 2: b[0]) or a last-axis vector (mode 3: b[i]). swap ≠ 0
// computes b ∘ a. And a per-channel affine map (inference batch normalization) with an epilogue.
import { activate, epilogueBlock } from './epilogue';

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;

// @ts-ignore: decorator
@inline
function apply(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case OP_ADD: return f32x4.add(x, y);
    case OP_SUB: return f32x4.sub(x, y);
    case OP_MUL: return f32x4.mul(x, y);
    default: return f32x4.div(x, y);
  }
}

/** One row: y[i] = a[i] ∘ b[i·bStep] (bStep 0: b splat), or b ∘ a when swap. */
// @ts-ignore: decorator
@inline
function row(op: i32, a: usize, b: usize, bStep: i32, y: usize, len: i32, swap: i32): void {
  let i = 0;
  const bs = f32x4.splat(load<f32>(b));
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const av = v128.load(a + o);
    const bv = bStep ? v128.load(b + o) : bs;
    v128.store(y + o, swap ? apply(op, bv, av) : apply(op, av, bv));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const av = f32x4.splat(load<f32>(a + o));
    const bv = bStep ? f32x4.splat(load<f32>(b + o)) : bs;
    store<f32>(y + o, f32x4.extract_lane(swap ? apply(op, bv, av) : apply(op, av, bv), 0));
  }
}

export function binary(op: i32, a: usize, b: usize, y: usize, outer: i32, mid: i32, inner: i32, mode: i32, swap: i32): void {
  if (mode == 0 || mode == 2) {
    row(op, a, b, mode == 0 ? 1 : 0, y, outer * mid * inner, swap);
    return;
  }
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let m = 0; m < mid; m++) {
      const at = <usize>(o * mid + m) * rowBytes;
      row(op, a + at, mode == 1 ? b + (<usize>m << 2) : b, mode == 1 ? 0 : 1, y + at, inner, swap);
    }
  }
}

/**
 * y[i][c][p] = x[i][c][p] · scale[c] + shift[c] for n images of `channels` planes of `plane`
 * floats, then the epilogue `ep` (residual and activation; its residual addressed like y).
 */
export function channelAffine(x: usize, y: usize, n: i32, channels: i32, plane: i32, scale: usize, shift: usize, ep: usize): void {
  const act = ep ? load<i32>(ep) : 0;
  const simple = ep == 0 || (load<i32>(ep, 24) == 0 && load<i32>(ep, 16) == 0 && load<i32>(ep, 20) == 0);
  const p0 = ep ? load<f32>(ep, 8) : 0;
  const p1 = ep ? load<f32>(ep, 12) : 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const off = <usize>((i * channels + c) * plane) << 2;
      const s = f32x4.splat(load<f32>(scale + (<usize>c << 2)));
      const t = f32x4.splat(load<f32>(shift + (<usize>c << 2)));
      let j = 0;
      for (; j + 4 <= plane; j += 4) {
        const o = off + (<usize>j << 2);
        let v = f32x4.add(f32x4.mul(v128.load(x + o), s), t);
        if (simple) v = activate(v, act, p0, p1);
        v128.store(y + o, v);
      }
      for (; j < plane; j++) {
        const o = off + (<usize>j << 2);
        let v = f32x4.add(f32x4.mul(f32x4.splat(load<f32>(x + o)), s), t);
        if (simple) v = activate(v, act, p0, p1);
        store<f32>(y + o, f32x4.extract_lane(v, 0));
      }
      if (!simple) epilogueBlock(y + off, plane, 1, plane, 0, 0, off, ep);
    }
  }
}
