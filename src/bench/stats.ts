// Latency statistics of timed runs: median and 90th percentile (nearest rank), mean, extremes.

export interface Summary {
  runs: number;
  median: number;
  p90: number;
  mean: number;
  min: number;
  max: number;
}

function sorted(xs: readonly number[]): number[] {
  if (xs.length === 0) throw new RangeError('no samples to summarize');
  return [...xs].sort((a, b) => a - b);
}

/** The middle sample; for an even count, the mean of the two middle samples. */
export function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The p-th percentile by nearest rank: the smallest sample with at least p% of the samples at or
 * below it (so it is always a measured value, never an interpolation).
 */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const s = sorted(xs);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return {
    runs: s.length,
    median: median(s),
    p90: percentile(s, 90),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}

/**
 * How much a row's speed changed while it was timed: the median of the first half of its runs (in
 * the order they ran) over the median of the second half. 1 is steady; 1.4 means the later runs
 * were 1.4× faster (a GPU still raising its clocks). Undefined below 10 runs.
 */
export function drift(timesInOrder: readonly number[]): number | undefined {
  if (timesInOrder.length < 10) return undefined;
  const half = timesInOrder.length >> 1;
  return median(timesInOrder.slice(0, half)) / median(timesInOrder.slice(timesInOrder.length - half));
}

/**
 * The longest run of final runs (at least `minRuns`) at one speed: nine in ten of them within
 * `tolerance` of their median, so a stray slow run does not end it. For a row whose device changed
 * speed while it was timed (a GPU stepping its clocks up), this is the speed it ended at.
 */
export function lastSteady(timesInOrder: readonly number[], tolerance = 0.03, minRuns = 5): { runs: number; median: number } | undefined {
  for (let k = timesInOrder.length; k >= minRuns; k--) {
    const tail = timesInOrder.slice(timesInOrder.length - k);
    const m = median(tail);
    const inside = tail.filter((t) => Math.abs(t / m - 1) <= tolerance).length;
    if (inside >= 0.9 * k) return { runs: k, median: m };
  }
  return undefined;
}
