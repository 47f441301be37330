import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { rowsOf } from '../_kernels/ml-labels.js';
import { transformRows, twoScores } from '../_kernels/ml-scores.js';
import { linearPlan, type LinearClassifier } from './ml-linearclassifier.op.js';

export const linearClassifierCpu: CpuKernel<typeof LinearClassifier.attrs> = ([x], a, outs) => {
  const [n, features] = rowsOf(x!.shape, 'LinearClassifier');
  const { classes, labels } = linearPlan(a, features);
  const xs = x!.numeric();
  const w = a.coefficients;
  const scores = new Float64Array(n * classes);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < classes; c++) {
      let s = a.intercepts?.[c] ?? 0;
      for (let k = 0; k < features; k++) s += xs[r * features + k]! * w[c * features + k]!;
      scores[r * classes + c] = s;
    }
  }
  const best = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    if (classes === 1) best[r] = scores[r]! > 0 ? 1 : 0;
    else for (let c = 1; c < classes; c++) if (scores[r * classes + c]! > scores[r * classes + best[r]!]!) best[r] = c;
  }
  const y = labels
    ? (labels.dtype === 'string' ? new Tensor('string', [n], Array.from(best, (i) => labels.at(i) as string)) : new Tensor('int64', [n], BigInt64Array.from(best, (i) => labels.at(i) as bigint)))
    : new Tensor('int64', [n], BigInt64Array.from(best, (i) => BigInt(i)));
  let z = scores;
  if (classes === 1 && labels) {
    z = new Float64Array(n * 2);
    for (let r = 0; r < n; r++) z.set(twoScores(scores[r]!, 'complement', a.post_transform), r * 2);
  } else {
    transformRows(a.post_transform, z, classes);
  }
  return outs.length === 1 ? [y] : [y, Tensor.fromNumeric('float32', outs[1]!.shape, z)];
};
