// From a classifier's output rows to the top-k classes with probabilities and names.

/** Softmax of one row, computed in float64 with the maximum subtracted (no overflow). */
export function softmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  const out = new Float64Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += out[i] = Math.exp(row[i]! - max);
  for (let i = 0; i < row.length; i++) out[i]! /= sum;
  return out;
}

/** True when every value is in [0, 1] and the row sums to 1 (within `tol`): a softmax already applied. */
export function isProbabilityRow(row: ArrayLike<number>, tol = 1e-3): boolean {
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) <= tol;
}

export interface ClassScore {
  index: number;
  probability: number;
  label?: string;
}

/** The `k` highest entries, highest first (ties: the lower index first). */
export function topK(values: ArrayLike<number>, k: number, labels?: readonly string[]): ClassScore[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b]! - values[a]! || a - b);
  return order.slice(0, Math.max(0, k)).map((index) => ({ index, probability: values[index]!, ...(labels ? { label: labels[index] } : {}) }));
}

/** How the scores of a batch of output rows were made: taken as they are, or through softmax. */
export type ScoreSource = 'probabilities' | 'softmax';

/**
 * Per-row class probabilities: the rows as they are when every row already is a probability
 * distribution (the model ends in a softmax), otherwise the softmax of each row (logits).
 */
export function classProbabilities(rows: readonly ArrayLike<number>[]): { source: ScoreSource; rows: ArrayLike<number>[] } {
  if (rows.length && rows.every((r) => isProbabilityRow(r))) return { source: 'probabilities', rows: [...rows] };
  return { source: 'softmax', rows: rows.map(softmax) };
}
