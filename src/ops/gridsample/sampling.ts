// One spatial dim of GridSample: normalized coordinate → pixel coordinate, the border rules,
// and interpolation taps (pixel index, weight). Follows PyTorch's grid_sampler semantics.
export type Padding = 'zeros' | 'border' | 'reflection';

export function denormalize(v: number, n: number, alignCorners: boolean): number {
  return alignCorners ? ((v + 1) / 2) * (n - 1) : ((v + 1) * n - 1) / 2;
}

/** Reflects x into [lo, hi] by bouncing off the nearer border as often as needed. */
export function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x >= lo && x <= hi) return x;
  const dx = x < lo ? lo - x : x - hi;
  const k = Math.floor(dx / range);
  const rest = dx - k * range;
  const fromLow = (x < lo) === (k % 2 === 0);
  return fromLow ? lo + rest : hi - rest;
}

/** Round half to even (the nearest-mode rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const CUBIC_A = -0.75;
function cubicWeights(t: number): number[] {
  const w = (d: number) => {
    const x = Math.abs(d);
    if (x <= 1) return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
    if (x < 2) return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

export interface Tap { index: number; weight: number }

/** The taps that sample coordinate x (already bordered) of a dim of size n in `mode`. */
export function taps(x: number, mode: 'linear' | 'nearest' | 'cubic'): Tap[] {
  if (mode === 'nearest') return [{ index: x, weight: 1 }];
  const x0 = Math.floor(x);
  const t = x - x0;
  if (mode === 'linear') return [{ index: x0, weight: 1 - t }, { index: x0 + 1, weight: t }];
  return cubicWeights(t).map((weight, k) => ({ index: x0 - 1 + k, weight }));
}

/** The pixel a tap index reads under the padding rule, or -1 for a zero. */
export function pixelIndex(i: number, n: number, padding: Padding, lo: number, hi: number): number {
  if (padding === 'zeros') return i >= 0 && i < n ? i : -1;
  if (padding === 'border') return Math.min(Math.max(i, 0), n - 1);
  return Math.min(Math.max(Math.trunc(reflect(i, lo, hi)), 0), n - 1);
}
