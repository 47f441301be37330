import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { rowsOf } from '../_kernels/ml-labels.js';
import { probit, transformScores } from '../_kernels/ml-scores.js';
import { scoreRows } from '../ml-treeensemble/forest-v3.js';
import { regressorTrees, type TreeEnsembleRegressor } from './ml-treeensembleregressor.op.js';

export const treeEnsembleRegressorCpu: CpuKernel<typeof TreeEnsembleRegressor.attrs> = ([x], a, [y]) => {
  const [n, features] = rowsOf(x!.shape, 'TreeEnsembleRegressor', true);
  const t = regressorTrees(a, features);
  const T = a.n_targets;
  const { score, has } = scoreRows(t, x!.numeric(), n, features, T, a.aggregate_function, T === 1);
  const out = new Float64Array(n * T);
  for (let r = 0; r < n; r++) {
    const row = out.subarray(r * T, (r + 1) * T);
    for (let j = 0; j < T; j++) row[j] = has[r * T + j] ? Math.fround(score[r * T + j]! + (t.base[j] ?? 0)) : T === 1 ? (t.base[0] ?? 0) : 0;
    if (T > 1) transformScores(a.post_transform, row);
    else if (a.post_transform === 'PROBIT') row[0] = probit(row[0]!);
  }
  return [Tensor.fromNumeric('float32', y!.shape, out)];
};
