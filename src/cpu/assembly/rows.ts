// Kernels over the last axis, one row of `cols` floats at a time: softmax, log-softmax, layer
// normalization (with an optional residual added first, whose sum can be written out too).
import { expV } from './math';
import { madd } from './madd';

// @ts-ignore: decorator
@inline
function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * ln s for s ≥ 1 (a softmax sum), from s = 2^e · m (m in [√½, √2)) and an atanh series of
 * (m − 1) / (m + 1). Written here because the library's log reads tables from static data, and
 * these kernels must own no memory (the host hands out every byte from address 64).
 */
function logSum(s: f32): f32 {
  if (!(s < Infinity)) return s; // NaN or ∞
  let x = <f64>s;
  let e = 0;
  while (x >= 1.4142135623730951) {
    x *= 0.5;
    e++;
  }
  const f = (x - 1) / (x + 1);
  const f2 = f * f;
  const series = f * (2 + f2 * (2.0 / 3 + f2 * (2.0 / 5 + f2 * (2.0 / 7 + f2 * (2.0 / 9 + f2 * (2.0 / 11))))));
  return <f32>(series + <f64>e * 0.6931471805599453);
}

/** y[r] = softmax(x[r]) (log ≠ 0: log-softmax) for `rows` rows of `cols` floats (y may be x). */
export function softmaxRows(x: usize, y: usize, rows: i32, cols: i32, log: i32): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>(r * cols) << 2);
    const dst = y + (<usize>(r * cols) << 2);
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    // pmax is one instruction; a NaN it skips still makes the row NaN through its exp below
    for (; j + 4 <= cols; j += 4) mv = f32x4.pmax(mv, v128.load(src + (<usize>j << 2)));
    let m = hmax(mv);
    for (; j < cols; j++) m = max(m, load<f32>(src + (<usize>j << 2)));
    const ms = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let s: f32 = 0;
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const e = expV(f32x4.sub(v128.load(src + (<usize>j << 2)), ms));
      sv = f32x4.add(sv, e);
      if (!log) v128.store(dst + (<usize>j << 2), e);
    }
    for (; j < cols; j++) {
      const e = f32x4.extract_lane(expV(f32x4.splat(load<f32>(src + (<usize>j << 2)) - m)), 0);
      s += e;
      if (!log) store<f32>(dst + (<usize>j << 2), e);
    }
    s += hsum(sv);
    if (log) {
      const shift = f32x4.splat(m + logSum(s));
      j = 0;
      for (; j + 4 <= cols; j += 4) v128.store(dst + (<usize>j << 2), f32x4.sub(v128.load(src + (<usize>j << 2)), shift));
      for (; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)) - f32x4.extract_lane(shift, 0));
    } else {
      const inv = f32x4.splat(1 / s);
      j = 0;
      for (; j + 4 <= cols; j += 4) v128.store(dst + (<usize>j << 2), f32x4.mul(v128.load(dst + (<usize>j << 2)), inv));
      for (; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) * f32x4.extract_lane(inv, 0));
    }
  }
}

/**
 * Layer normalization of `rows` rows of `cols` floats: s = x (+ res when res ≠ 0; written to
 * sum when sum ≠ 0), y = (s − mean) / sqrt(var + eps) · gamma (+ beta when beta ≠ 0). Two passes
 * over the row for the variance (no cancellation); y may be x.
 */
export function layerNormRows(
  x: usize, res: usize, sum: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, eps: f32,
): void {
  const n4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const off = <usize>(r * cols) << 2;
    let src = x + off;
    if (res) {
      // the residual sum goes to `sum`, or to y, and is read from there
      const dst = sum ? sum + off : y + off;
      let j = 0;
      for (; j < n4; j += 4) v128.store(dst + (<usize>j << 2), f32x4.add(v128.load(src + (<usize>j << 2)), v128.load(res + off + (<usize>j << 2))));
      for (; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)) + load<f32>(res + off + (<usize>j << 2)));
      src = dst;
    }
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < n4; j += 4) acc = f32x4.add(acc, v128.load(src + (<usize>j << 2)));
    let s = hsum(acc);
    for (; j < cols; j++) s += load<f32>(src + (<usize>j << 2));
    const mean = s / <f32>cols;
    const mv = f32x4.splat(mean);
    acc = f32x4.splat(0);
    j = 0;
    for (; j < n4; j += 4) {
      const d = f32x4.sub(v128.load(src + (<usize>j << 2)), mv);
      acc = madd(d, d, acc);
    }
    let q = hsum(acc);
    for (; j < cols; j++) {
      const d = load<f32>(src + (<usize>j << 2)) - mean;
      q += d * d;
    }
    const rstd: f32 = 1 / Mathf.sqrt(q / <f32>cols + eps);
    const rv = f32x4.splat(rstd);
    const dst = y + off;
    j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(src + o), mv), rv), v128.load(gamma + o));
      if (beta) v = f32x4.add(v, v128.load(beta + o));
      v128.store(dst + o, v);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      let v = (load<f32>(src + o) - mean) * rstd * load<f32>(gamma + o);
      if (beta) v += load<f32>(beta + o);
      store<f32>(dst + o, v);
    }
  }
}

/**
 * s[i][j] += factor · mask[i·mrs + j·mcs] for `rows` rows of `cols` floats: an additive attention
 * mask read through its strides (in floats; 0 on a broadcast axis).
 */
export function addMaskRows(s: usize, rows: i32, cols: i32, mask: usize, mrs: i32, mcs: i32, factor: f32): void {
  const fv = f32x4.splat(factor);
  for (let i = 0; i < rows; i++) {
    const dst = s + (<usize>(i * cols) << 2);
    const src = mask + (<usize>(i * mrs) << 2);
    let j = 0;
    if (mcs == 1) {
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(fv, v128.load(src + o))));
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(dst + o) + factor * load<f32>(src + (<usize>(j * mcs) << 2)));
    }
  }
}

/**
 * Softmax in place over `rows` rows of `cols` floats where row r keeps only its first
 * min(cols, r + offset + 1) entries (a causal limit); the entries past it become 0.
 */
export function softmaxRowsCausal(x: usize, rows: i32, cols: i32, offset: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    const last = min(cols, max(0, r + offset + 1));
    softmaxRows(row, row, 1, last, 0);
    for (let j = last; j < cols; j++) store<f32>(row + (<usize>j << 2), 0);
  }
}
