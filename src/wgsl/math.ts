// WGSL building blocks shared by the framework's op kernels (src/ops/*/X.wgsl.ts, src/devices/webgpu)
// and the engine's kernels (src/engine/kernels): math WGSL lacks or gets wrong at the edges.
// Each is a module-scope WGSL snippet; emit it once per shader module.

/** erf by Abramowitz–Stegun 7.1.26 refined: |error| < 1.5e-7. */
export const ERF = `
fn erf_(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return sign(x) * y;
}
`;

/** The logistic function, 1 / (1 + e^(−x)). */
export const SIGMOID = `
fn sigmoid_(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
`;

/** tanh without overflow for large |x| (some drivers return NaN from the builtin there). */
export const TANH = `
fn tanh_(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
`;

/** pow with C semantics for a negative base and an integral exponent (WGSL's pow gives NaN there). */
export const POW = `
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { return pow(a, b); }
  if (floor(b) != b) { return bitcast<f32>(NAN_BITS); }
  let m = pow(-a, b);
  return select(m, -m, (abs(b) % 2.0) == 1.0);
}
`;

/**
 * ±infinity for initial values of max/min: a module-scope variable, because WGSL rejects an
 * infinite constant expression (bitcast of a literal included) at compile time.
 */
export const INFINITY = 'var<private> INF_BITS: u32 = 0x7f800000u;\n';
export const POS_INF = 'bitcast<f32>(INF_BITS)';
export const NEG_INF = '(-bitcast<f32>(INF_BITS))';

/**
 * max/min that return NaN when an operand is NaN, as numpy and the CPU kernels do: WGSL's builtins
 * may return the other operand (max(NaN, 0.0) is 0.0 on common drivers). The NaN test works on
 * the bits, so a compiler that assumes no NaNs cannot remove it.
 */
export const NAN_MINMAX = `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn nmax_(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, isnan_(a) || isnan_(b)); }
fn nmin_(a: f32, b: f32) -> f32 { return select(min(a, b), a + b, isnan_(a) || isnan_(b)); }
fn nmax2_(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return vec2<f32>(nmax_(a.x, b.x), nmax_(a.y, b.y)); }
fn nmin2_(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return vec2<f32>(nmin_(a.x, b.x), nmin_(a.y, b.y)); }
`;

/** A WGSL f32 literal; infinities (which WGSL cannot spell) become ±the largest f32. */
export function f32Literal(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '3.402823e38' : '-3.402823e38';
  const s = String(Math.fround(x));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
