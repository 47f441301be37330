// The error function in double precision (absolute error below 1e-14), for Erf and Gelu.
//
// |x| < 2.5: the Maclaurin series erf x = 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)); its largest term
//   is below 70 there, so cancellation costs at most two of double's sixteen digits.
// |x| ≥ 2.5: erf x = 1 − erfc x with Laplace's continued fraction
//   erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
//   evaluated bottom-up from a fixed depth that is ample at x = 2.5 and more so beyond.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const SERIES_LIMIT = 2.5;
const FRACTION_DEPTH = 60;

export function erf(x: number): number {
  const a = Math.abs(x);
  if (Number.isNaN(a)) return NaN;
  if (a < SERIES_LIMIT) {
    const x2 = x * x;
    let term = x; // (−1)ⁿ x²ⁿ⁺¹ / n!
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (a > 6) return Math.sign(x); // erfc(6) ≈ 2e-17
  let f = a;
  for (let k = FRACTION_DEPTH; k >= 1; k--) f = a + k / 2 / f;
  const erfc = (Math.exp(-a * a) * ONE_OVER_SQRT_PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}
