// The elementwise passes of the recurrent cells (assembly/rnn.ts) over ranges of floats: f32x4
// lanes, then a tail of up to 3 floats. Sigmoid and tanh are math.ts's (no lookup tables: static
// data would sit in the imported memory, which the host's arena reuses). Pointers are byte
// addresses; counts are floats.
import { sigmoidV, tanhV } from './math';

// @ts-ignore: decorator
@inline
function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

export const SIGMOID = 0;
export const TANH = 1;

// @ts-ignore: decorator
@inline
function activateV(x: v128, lo: v128, hi: v128, act: i32): v128 {
  const c = f32x4.min(f32x4.max(x, lo), hi);
  return act == SIGMOID ? sigmoidV(c) : tanhV(c);
}

/** p[0..n) = act(clamp(p, ±clip)) in place; act is SIGMOID or TANH. */
export function activateRange(p: usize, n: i32, clip: f32, act: i32): void {
  const lo = f32x4.splat(-clip), hi = f32x4.splat(clip);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(p, j), activateV(v128.load(at(p, j)), lo, hi, act));
  const k = n - j;
  if (k == 0) return;
  // the last 1–3 floats through lanes of one vector (reading or writing past n would touch the next row)
  let v = f32x4.splat(load<f32>(at(p, j)));
  if (k > 1) v = f32x4.replace_lane(v, 1, load<f32>(at(p, j + 1)));
  if (k > 2) v = f32x4.replace_lane(v, 2, load<f32>(at(p, j + 2)));
  v = activateV(v, lo, hi, act);
  store<f32>(at(p, j), f32x4.extract_lane(v, 0));
  if (k > 1) store<f32>(at(p, j + 1), f32x4.extract_lane(v, 1));
  if (k > 2) store<f32>(at(p, j + 2), f32x4.extract_lane(v, 2));
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
