// One-dimensional discrete Fourier transforms on float64 (direct O(n·m) sums: a reference, not
// a fast path). A signal is (re, im) of some length; shorter inputs are zero-padded, longer ones
// truncated to the transform length n.

/** X[k] = Σ_t x[t]·e^{∓2πi·kt/n} for k < bins (sign − forward, + inverse; inverse also divides by n). */
export function dft(re: Float64Array, im: Float64Array, n: number, bins: number, inverse: boolean): [Float64Array, Float64Array] {
  const outRe = new Float64Array(bins);
  const outIm = new Float64Array(bins);
  const len = Math.min(n, re.length);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < bins; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < len; t++) {
      // reduce k·t modulo n first so the angle stays small and exact
      const angle = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[t]! * c - im[t]! * s;
      si += re[t]! * s + im[t]! * c;
    }
    outRe[k] = inverse ? sr / n : sr;
    outIm[k] = inverse ? si / n : si;
  }
  return [outRe, outIm];
}

/**
 * The real signal of length n whose one-sided spectrum is (re, im) (numpy's irfft): the missing
 * half is the conjugate mirror; the imaginary parts of the DC and Nyquist bins are ignored.
 */
export function inverseRealDft(re: Float64Array, im: Float64Array, n: number): Float64Array {
  const half = Math.floor(n / 2) + 1;
  const fullRe = new Float64Array(n);
  const fullIm = new Float64Array(n);
  for (let k = 0; k < half && k < re.length; k++) {
    fullRe[k] = re[k]!;
    fullIm[k] = k === 0 || (n % 2 === 0 && k === n / 2) ? 0 : im[k]!;
  }
  for (let k = half; k < n; k++) {
    fullRe[k] = fullRe[n - k]!;
    fullIm[k] = -fullIm[n - k]!;
  }
  return dft(fullRe, fullIm, n, n, true)[0];
}
