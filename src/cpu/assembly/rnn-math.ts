// The elementwise passes of the recurrent cells (assembly/rnn.ts) over ranges of floats: f32x4
// lanes, then a scalar tail. Sigmoid and tanh come from one exp that uses no lookup tables: the
// standard library's would be static data in the imported memory, which the host's arena reuses.
// Pointers are byte addresses; counts are floats.

// e^x = 2^n · e^r with n = round(x / ln2), r = x − n·ln2 (ln2 split in two for precision), e^r by a
// degree-6 polynomial (|r| ≤ ln2/2: relative error about 2e-7), 2^n through the exponent bits.
const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.428606765330187e-6;
const C2: f32 = 0.5, C3: f32 = 0.16666666666666666, C4: f32 = 0.041666666666666664;
const C5: f32 = 0.008333333333333333, C6: f32 = 0.001388888888888889;

// @ts-ignore: decorator
@inline
function expS(x: f32): f32 {
  x = min(max(x, -87), 88);
  const n: f32 = nearest<f32>(x * LOG2E);
  const r: f32 = x - n * LN2_HI - n * LN2_LO;
  const p: f32 = 1 + r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * C6)))));
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

// @ts-ignore: decorator
@inline
function expV(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87)), f32x4.splat(88));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.splat(C5), f32x4.mul(r, f32x4.splat(C6)));
  p = f32x4.add(f32x4.splat(C4), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(C3), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(C2), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  return f32x4.mul(p, i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23));
}

// @ts-ignore: decorator
@inline
function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

export const SIGMOID = 0;
export const TANH = 1;

/** p[0..n) = act(clamp(p, ±clip)) in place; act is Sigmoid or Tanh (1 − 2/(e^{2x} + 1), saturating at ±1). */
export function activateRange(p: usize, n: i32, clip: f32, act: i32): void {
  const lo = f32x4.splat(-clip), hi = f32x4.splat(clip), one = f32x4.splat(1), two = f32x4.splat(2);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = f32x4.min(f32x4.max(v128.load(at(p, j)), lo), hi);
    const y = act == SIGMOID
      ? f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))))
      : f32x4.sub(one, f32x4.div(two, f32x4.add(expV(f32x4.mul(two, x)), one)));
    v128.store(at(p, j), y);
  }
  for (; j < n; j++) {
    const x = min(max(load<f32>(at(p, j)), -clip), clip);
    store<f32>(at(p, j), act == SIGMOID ? <f32>1 / (1 + expS(-x)) : <f32>1 - 2 / (expS(2 * x) + 1));
  }
}

/** dst[0..n) += src. */
export function addRange(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), v128.load(at(src, j))));
  for (; j < n; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + load<f32>(at(src, j)));
}

/** dst[0..n) += a ⊙ b. */
export function mulAddRange(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), f32x4.mul(v128.load(at(a, j)), v128.load(at(b, j)))));
  for (; j < n; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + load<f32>(at(a, j)) * load<f32>(at(b, j)));
}

/** dst[0..n) = a ⊙ b. */
export function mulRange(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(dst, j), f32x4.mul(v128.load(at(a, j)), v128.load(at(b, j))));
  for (; j < n; j++) store<f32>(at(dst, j), load<f32>(at(a, j)) * load<f32>(at(b, j)));
}

/** dst[0..n) = 1 − src. */
export function oneMinusRange(dst: usize, src: usize, n: i32): void {
  const one = f32x4.splat(1);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(dst, j), f32x4.sub(one, v128.load(at(src, j))));
  for (; j < n; j++) store<f32>(at(dst, j), 1 - load<f32>(at(src, j)));
}

/** LSTM's cell: c = f ⊙ c + i ⊙ g. */
export function cellRange(i: usize, f: usize, g: usize, c: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const cj = at(c, j);
    v128.store(cj, f32x4.add(f32x4.mul(v128.load(at(f, j)), v128.load(cj)), f32x4.mul(v128.load(at(i, j)), v128.load(at(g, j)))));
  }
  for (; j < n; j++) store<f32>(at(c, j), load<f32>(at(f, j)) * load<f32>(at(c, j)) + load<f32>(at(i, j)) * load<f32>(at(g, j)));
}

/** LSTM's output: h = o ⊙ tanh(c), through `t` (n floats of scratch). */
export function hiddenRange(o: usize, c: usize, h: usize, t: usize, n: i32): void {
  memory.copy(t, c, <usize>n << 2);
  activateRange(t, n, Infinity, TANH);
  mulRange(h, o, t, n);
}

/** GRU's update: h = (1 − z) ⊙ hNew + z ⊙ h = hNew + z ⊙ (h − hNew). */
export function blendRange(h: usize, z: usize, hNew: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const hn = v128.load(at(hNew, j));
    v128.store(at(h, j), f32x4.add(hn, f32x4.mul(v128.load(at(z, j)), f32x4.sub(v128.load(at(h, j)), hn))));
  }
  for (; j < n; j++) {
    const hn = load<f32>(at(hNew, j));
    store<f32>(at(h, j), hn + load<f32>(at(z, j)) * (load<f32>(at(h, j)) - hn));
  }
}
