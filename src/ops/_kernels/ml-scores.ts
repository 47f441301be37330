// Score post-transforms of the ai.onnx.ml classifiers and regressors (their string attribute
// post_transform), as onnxruntime computes them: logistic, softmax, a softmax that leaves zero
// scores at zero, and PROBIT (√2·erfinv(2p − 1), erfinv by Winitzki's approximation with
// a = 0.147, the one onnxruntime uses, so results agree with it rather than with an exact probit).
// Also the rules that turn one binary score into two class scores.

export const POST_TRANSFORM_NAMES = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'] as const;
export type PostTransform = (typeof POST_TRANSFORM_NAMES)[number];

const f = Math.fround;

/** 1 / (1 + e^−v), computed from −|v| so that it never overflows. */
export function logistic(v: number): number {
  const e = f(1 / f(1 + f(Math.exp(-Math.abs(v)))));
  return v < 0 ? f(1 - e) : e;
}

function erfinv(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const w = f(f(1 - x) * f(1 + x));
  const ln = f(Math.log(w));
  const v = f(f(2 / f(Math.PI * 0.147)) + f(0.5 * ln));
  const v2 = f(f(1 / 0.147) * ln);
  return sign * f(Math.sqrt(f(-v + f(Math.sqrt(f(f(v * v) - v2))))));
}

/** The probit of a probability p (NaN outside [0, 1], ±Infinity at 0 and 1). */
export function probit(p: number): number {
  return f(Math.SQRT2 * erfinv(f(2 * p - 1)));
}

/** Softmax of `row` in place (max subtracted first). */
function softmax(row: Float64Array): void {
  const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += (row[i] = Math.exp(row[i]! - max));
  for (let i = 0; i < row.length; i++) row[i] = row[i]! / sum;
}

/**
 * Softmax over the non-zero scores of `row` in place; zeros (|v| ≤ 1e-7, onnxruntime's test) stay
 * zero. A row of only zeros stays zeros (onnxruntime divides 0 by 0 there and gives NaN).
 */
function softmaxZero(row: Float64Array): void {
  const keep = (v: number) => v > 1e-7 || v < -1e-7;
  const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += (row[i] = keep(row[i]!) ? Math.exp(row[i]! - max) : 0);
  if (sum > 0) for (let i = 0; i < row.length; i++) row[i] = row[i]! / sum;
}

/** Applies `kind` to one row of scores, in place (a row of one gets it too: see transformRows for onnxruntime's rule). */
export function transformScores(kind: PostTransform, row: Float64Array): void {
  if (kind === 'LOGISTIC') row.forEach((v, i) => { row[i] = logistic(v); });
  else if (kind === 'PROBIT') row.forEach((v, i) => { row[i] = probit(v); });
  else if (kind === 'SOFTMAX') softmax(row);
  else if (kind === 'SOFTMAX_ZERO') softmaxZero(row);
}

/**
 * Applies `kind` to every row of `scores` ([rows, width], in place), as onnxruntime does for
 * LinearRegressor, LinearClassifier and the tree ensembles: a row of one score takes PROBIT only
 * (the other transforms leave a lone score as it is).
 */
export function transformRows(kind: PostTransform, scores: Float64Array, width: number): void {
  if (kind === 'NONE' || width === 0) return;
  for (let r = 0; r < scores.length; r += width) {
    const row = scores.subarray(r, r + width);
    if (width > 1) transformScores(kind, row);
    else if (kind === 'PROBIT') row[0] = probit(row[0]!);
  }
}

/**
 * How one binary score s becomes the scores of two classes: 'complement' [1 − s, s], 'negate'
 * [−s, s]; under post_transform LOGISTIC either is [logistic(−s), logistic(s)] (onnxruntime).
 */
export type SecondClass = 'complement' | 'negate';

export function twoScores(s: number, rule: SecondClass, post: PostTransform): [number, number] {
  if (post === 'LOGISTIC') return [logistic(-s), logistic(s)];
  return rule === 'complement' ? [1 - s, s] : [-s, s];
}
