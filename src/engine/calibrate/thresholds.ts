// Choosing a tensor's clipping threshold amax from its |x| histogram. Entropy is TensorRT's
// EntropyCalibration2: for each candidate number of kept bins i (from 128 to all), P is the
// histogram cut at i with everything beyond folded into bin i-1, Q is the first i bins merged into
// 128 int8 levels and spread back over the non-empty bins of each level; the i whose Q loses the
// least information about P (smallest KL(P‖Q)) sets amax at the upper edge of bin i-1.
// Percentile keeps the smallest amax under which the given share of the values lies.
import type { AbsHistogram } from './histogram.js';

/** Levels of the positive half of int8. */
const LEVELS = 128;
/** Mass moved into empty bins of Q where P has some, so that KL stays finite. */
const EPSILON = 1e-4;

export function entropyAmax(h: AbsHistogram): number {
  const counts = h.counts;
  const bins = counts.length;
  // prefix sums of the counts and of the non-empty bins: every sum below is O(1)
  const sum = new Float64Array(bins + 1);
  const filled = new Float64Array(bins + 1);
  for (let j = 0; j < bins; j++) {
    sum[j + 1] = sum[j]! + counts[j]!;
    filled[j + 1] = filled[j]! + (counts[j] !== 0 ? 1 : 0);
  }
  const total = sum[bins]!;
  if (total === 0) return 0;
  let best = bins;
  let bestKl = Infinity;
  for (let i = LEVELS; i <= bins; i++) {
    const kept = sum[i]!; // Q's mass; P's is the total (outliers folded into bin i-1)
    if (kept === 0) continue;
    const empty = i - filled[i]!;
    const take = filled[i]! ? (EPSILON * empty) / filled[i]! : 0;
    let kl = 0;
    for (let g = 0; g < LEVELS; g++) {
      const start = Math.floor((g * i) / LEVELS);
      const end = g === LEVELS - 1 ? i : Math.floor(((g + 1) * i) / LEVELS);
      const n = filled[end]! - filled[start]!;
      const share = n ? (sum[end]! - sum[start]!) / n / kept : 0;
      for (let j = start; j < end; j++) {
        const pj = (counts[j]! + (j === i - 1 ? total - kept : 0)) / total;
        if (pj === 0) continue;
        const qj = counts[j] !== 0 ? share - take : EPSILON;
        kl += pj * Math.log(pj / Math.max(qj, 1e-300));
      }
    }
    if (kl < bestKl) { bestKl = kl; best = i; }
  }
  return best * h.width;
}

/** The upper edge of the first bin at which `percent` of the values lie at or below. */
export function percentileAmax(h: AbsHistogram, percent: number): number {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${percent}`);
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const want = (total * percent) / 100;
  let seen = 0;
  for (let j = 0; j < h.counts.length; j++) {
    seen += h.counts[j]!;
    if (seen >= want) return (j + 1) * h.width;
  }
  return h.amax;
}
