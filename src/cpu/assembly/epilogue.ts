// Activations and the fused epilogue applied to an output block while it is hot in cache:
//   y = act(acc + rowBias[i] + colBias[j] + res[i][j])      (the default: ResNet order)
//   y = act(acc + rowBias[i] + colBias[j]) + res[i][j]      (flag ACT_FIRST)
// An epilogue is a descriptor in memory (i32 words): act, flags, p0 (f32), p1 (f32), rowBias,
// colBias, res (byte addresses, 0: none). The addresses are those of the block's row 0 / column 0
// / element (0, 0) for the call it is passed to; the residual has the output's leading dimension.
import { erfV, expV, sigmoidV, tanhV } from './math';

export const ACT_NONE = 0;
export const ACT_RELU = 1;
export const ACT_CLIP = 2; // min p0, max p1
export const ACT_LEAKY = 3; // alpha p0
export const ACT_SIGMOID = 4;
export const ACT_HARDSIGMOID = 5; // alpha p0, beta p1
export const ACT_HARDSWISH = 6;
export const ACT_SILU = 7;
export const ACT_GELU = 8; // erf form
export const ACT_GELU_TANH = 9;
export const ACT_TANH = 10;
export const ACT_EXP = 11;
export const ACT_FIRST = 1;

// @ts-ignore: decorator
@inline
export function activate(v: v128, act: i32, p0: f32, p1: f32): v128 {
  switch (act) {
    // pmax(v, a) = v < a ? a : v, pmin(v, a) = a < v ? a : v: one instruction each where max/min
    // take several (their NaN and ±0 rules); a NaN in v still comes out NaN
    case ACT_RELU: return f32x4.pmax(v, f32x4.splat(0));
    case ACT_CLIP: return f32x4.pmin(f32x4.pmax(v, f32x4.splat(p0)), f32x4.splat(p1));
    case ACT_LEAKY: return v128.bitselect(v, f32x4.mul(v, f32x4.splat(p0)), f32x4.ge(v, f32x4.splat(0)));
    case ACT_SIGMOID: return sigmoidV(v);
    case ACT_HARDSIGMOID: return hardSigmoid(v, p0, p1);
    case ACT_HARDSWISH: return f32x4.mul(v, hardSigmoid(v, 1.0 / 6.0, 0.5));
    case ACT_SILU: return f32x4.mul(v, sigmoidV(v));
    case ACT_GELU: return f32x4.mul(f32x4.mul(v, f32x4.splat(0.5)), f32x4.add(f32x4.splat(1), erfV(f32x4.mul(v, f32x4.splat(0.70710678)))));
    case ACT_GELU_TANH: {
      const inner = f32x4.mul(f32x4.splat(0.79788456), f32x4.add(v, f32x4.mul(f32x4.splat(0.044715), f32x4.mul(v, f32x4.mul(v, v)))));
      return f32x4.mul(f32x4.mul(v, f32x4.splat(0.5)), f32x4.add(f32x4.splat(1), tanhV(inner)));
    }
    case ACT_TANH: return tanhV(v);
    case ACT_EXP: return expV(v);
    default: return v;
  }
}

// @ts-ignore: decorator
@inline
function hardSigmoid(v: v128, alpha: f32, beta: f32): v128 {
  const t = f32x4.add(f32x4.mul(v, f32x4.splat(alpha)), f32x4.splat(beta));
  return f32x4.min(f32x4.max(t, f32x4.splat(0)), f32x4.splat(1));
}

/** y[0..count) = act(x[0..count)) (y may be x). */
export function activation(x: usize, y: usize, count: i32, act: i32, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(y + (<usize>i << 2), activate(v128.load(x + (<usize>i << 2)), act, p0, p1));
  for (; i < count; i++) {
    store<f32>(y + (<usize>i << 2), f32x4.extract_lane(activate(f32x4.splat(load<f32>(x + (<usize>i << 2))), act, p0, p1), 0));
  }
}

/**
 * Applies the epilogue `ep` to the rows×cols block at c (leading dimension ldc, in floats), whose
 * row 0 is row `i0` and column 0 is column `j0` of the call's output, and whose first element is
 * `off` bytes past the call's output (to find the residual).
 */
export function epilogueBlock(c: usize, ldc: i32, rows: i32, cols: i32, i0: i32, j0: i32, off: usize, ep: usize): void {
  if (ep == 0) return;
  const act = load<i32>(ep);
  const first = (load<i32>(ep, 4) & ACT_FIRST) != 0;
  const p0 = load<f32>(ep, 8);
  const p1 = load<f32>(ep, 12);
  const rowBias = <usize>load<i32>(ep, 16);
  const colBias = <usize>load<i32>(ep, 20);
  const resBase = <usize>load<i32>(ep, 24);
  const cb = colBias ? colBias + (<usize>j0 << 2) : 0;
  const rb = rowBias ? rowBias + (<usize>i0 << 2) : 0;
  const res = resBase ? resBase + off : 0;
  // one loop per activation, so that the activation's switch folds away inside it
  switch (act) {
    case ACT_NONE: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_NONE, p0, p1); break;
    case ACT_RELU: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_RELU, p0, p1); break;
    case ACT_CLIP: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_CLIP, p0, p1); break;
    case ACT_LEAKY: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_LEAKY, p0, p1); break;
    case ACT_SIGMOID: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_SIGMOID, p0, p1); break;
    case ACT_HARDSIGMOID: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_HARDSIGMOID, p0, p1); break;
    case ACT_HARDSWISH: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_HARDSWISH, p0, p1); break;
    case ACT_SILU: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_SILU, p0, p1); break;
    case ACT_GELU: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_GELU, p0, p1); break;
    case ACT_GELU_TANH: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_GELU_TANH, p0, p1); break;
    case ACT_TANH: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_TANH, p0, p1); break;
    default: rowsOf(c, ldc, rows, cols, rb, cb, res, first, ACT_EXP, p0, p1); break;
  }
}

// @ts-ignore: decorator
@inline
function rowsOf(
  c: usize, ldc: i32, rows: i32, cols: i32, rb: usize, cb: usize, res: usize, first: bool, act: i32, p0: f32, p1: f32,
): void {
  const ld = <usize>ldc << 2;
  const resAfter = res != 0 && !first;
  const resBefore = res != 0 && first;
  for (let i = 0; i < rows; i++) {
    const row = c + <usize>i * ld;
    const r = res + <usize>i * ld;
    const bias = f32x4.splat(rb ? load<f32>(rb + (<usize>i << 2)) : 0);
    let j = 0;
    if (!cb && !res) {
      // the common conv case: a row bias and the activation
      for (; j + 4 <= cols; j += 4) {
        const o = row + (<usize>j << 2);
        v128.store(o, activate(f32x4.add(v128.load(o), bias), act, p0, p1));
      }
    } else {
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        let v = f32x4.add(v128.load(row + o), bias);
        if (cb) v = f32x4.add(v, v128.load(cb + o));
        if (resAfter) v = f32x4.add(v, v128.load(r + o));
        v = activate(v, act, p0, p1);
        if (resBefore) v = f32x4.add(v, v128.load(r + o));
        v128.store(row + o, v);
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      let v = f32x4.add(f32x4.splat(load<f32>(row + o)), bias);
      if (cb) v = f32x4.add(v, f32x4.splat(load<f32>(cb + o)));
      if (resAfter) v = f32x4.add(v, f32x4.splat(load<f32>(r + o)));
      v = activate(v, act, p0, p1);
      if (resBefore) v = f32x4.add(v, f32x4.splat(load<f32>(r + o)));
      store<f32>(row + o, f32x4.extract_lane(v, 0));
    }
  }
}
