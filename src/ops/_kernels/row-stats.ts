// Mean and 1/√(var + ε) of `size` contiguous values from `at` (biased variance, two passes so no
// cancellation): the statistics of LayerNormalization and GroupNormalization.
export function rowStats(X: Float32Array, at: number, size: number, epsilon: number): { mean: number; inv: number } {
  let sum = 0;
  for (let j = 0; j < size; j++) sum += X[at + j]!;
  const mean = sum / size;
  let sq = 0;
  for (let j = 0; j < size; j++) sq += (X[at + j]! - mean) ** 2;
  return { mean, inv: 1 / Math.sqrt(sq / size + epsilon) };
}
