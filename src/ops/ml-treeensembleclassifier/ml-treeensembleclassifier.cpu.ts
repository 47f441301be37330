import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { labelTensor, rowsOf } from '../_kernels/ml-labels.js';
import { transformScores } from '../_kernels/ml-scores.js';
import { scoreRows } from '../ml-treeensemble/forest-v3.js';
import { binaryRow } from './classifier-binary.js';
import { classifierTrees, type TreeEnsembleClassifier } from './ml-treeensembleclassifier.op.js';

export const treeEnsembleClassifierCpu: CpuKernel<typeof TreeEnsembleClassifier.attrs> = ([x], a, outs) => {
  const [n, features] = rowsOf(x!.shape, 'TreeEnsembleClassifier', true);
  const { labels, trees } = classifierTrees(a, features);
  const C = labels.count;
  const { score, has } = scoreRows(trees, x!.numeric(), n, features, C, 'SUM');
  const z = new Float64Array(n * C);
  const picked: (bigint | string)[] = [];
  const binary = { labels, base: trees.base, post: a.post_transform, oneClass: trees.distinctTargets === 1, allPositive: trees.allPositive };
  for (let r = 0; r < n; r++) {
    const row = z.subarray(r * C, (r + 1) * C);
    if (C === 2) {
      picked.push(binaryRow(binary, [score[r * 2]!, score[r * 2 + 1]!], [!!has[r * 2], !!has[r * 2 + 1]], row));
      continue;
    }
    let best = -1;
    for (let k = 0; k < C; k++) {
      const at = r * C + k;
      if (k < trees.base.length) {
        score[at] = has[at] ? Math.fround(score[at]! + trees.base[k]!) : trees.base[k]!;
        has[at] = 1;
      }
      row[k] = has[at] ? score[at]! : 0;
      if (has[at] && (best < 0 || score[at]! > score[r * C + best]!)) best = k;
    }
    picked.push(labels.at(Math.max(best, 0)));
    transformScores(a.post_transform, row);
  }
  return [labelTensor(labels, picked), Tensor.fromNumeric('float32', [n, C], z)].slice(0, outs.length);
};
