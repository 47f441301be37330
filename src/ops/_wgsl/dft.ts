// What DFT and STFT share on the device: the twiddle factor e^{±2πi·kt/n} of a direct DFT sum.
// k·t is reduced modulo n in u32 before the angle is formed, so the angle stays within ±π and
// exact to f32 rounding of (kt mod n)/n (the CPU reference does the same in float64).

/** Transform lengths past this would overflow k·t in u32. */
export const MAX_DIRECT_DFT_LENGTH = 65535;

/** `twiddle(kt, n, sign)` = (cos, sin) of sign·2π·(kt mod n)/n, the angle folded into [−π, π]. */
export const TWIDDLE = `
fn twiddle(kt: u32, n: u32, sign: f32) -> vec2<f32> {
  let r = kt % n;
  let folded = select(f32(r), f32(r) - f32(n), 2u * r > n);
  let a = sign * 6.283185307179586 * folded / f32(n);
  return vec2<f32>(cos(a), sin(a));
}
`;
