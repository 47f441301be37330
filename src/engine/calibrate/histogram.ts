// Per-tensor statistics a calibrator gathers over batches: the range (first pass) and, for the
// entropy and percentile algorithms, a histogram of |x| over [0, amax] with TensorRT's 2048 bins
// (second pass, once amax is known, so every batch lands in the same bins).
export const HISTOGRAM_BINS = 2048;

export class RangeStat {
  min = Infinity;
  max = -Infinity;
  /** NaN values seen (they do not count towards the range). */
  nans = 0;

  add(values: ArrayLike<number>): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) { this.nans++; continue; }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }

  /** The largest magnitude seen (0 before any finite value; ±Infinity stays). */
  get amax(): number {
    return this.min > this.max ? 0 : Math.max(Math.abs(this.min), Math.abs(this.max));
  }
}

export class AbsHistogram {
  readonly counts: Float64Array;
  /** Width of one bin; bin j covers [j·width, (j+1)·width). */
  readonly width: number;

  constructor(readonly amax: number, bins = HISTOGRAM_BINS) {
    if (!(amax > 0) || !Number.isFinite(amax)) throw new RangeError(`a histogram needs a finite positive range, got ${amax}`);
    this.counts = new Float64Array(bins);
    this.width = amax / bins;
  }

  /** Counts |v| of each value; values beyond amax (none, when amax came from the same data) go to the last bin. */
  add(values: ArrayLike<number>): void {
    const bins = this.counts.length;
    const perUnit = bins / this.amax;
    for (let i = 0; i < values.length; i++) {
      const v = Math.abs(values[i]!);
      if (v !== v) continue;
      this.counts[Math.min(bins - 1, Math.floor(v * perUnit))]! += 1;
    }
  }
}
