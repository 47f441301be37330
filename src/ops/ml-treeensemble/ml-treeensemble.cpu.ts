import { ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { AGGREGATES, POST_TRANSFORMS, type TreeEnsemble } from './ml-treeensemble.op.js';
import { leafOf, type Forest } from './tree-walk.js';
import { transformScores } from '../_kernels/ml-scores.js';

type Attrs = Parameters<CpuKernel<typeof TreeEnsemble.attrs>>[1];

/** The member set of each BRANCH_MEMBER node: membership_values lists them in node order, NaN-separated. */
function memberSets(a: Attrs, modes: number[]): (Set<number> | undefined)[] {
  const values = a.membership_values?.toNumbers() ?? [];
  let at = 0;
  return modes.map((mode, i) => {
    if (mode !== 6) return undefined;
    if (at >= values.length) throw new ShapeError(`membership_values lists no set for node ${i} (BRANCH_MEMBER)`);
    const set = new Set<number>();
    while (at < values.length && !Number.isNaN(values[at]!)) set.add(values[at++]!);
    at++; // the NaN delimiter
    return set;
  });
}

/** The leaf a row reaches from `root`: a root whose true and false branches are the same leaf is itself that leaf (ONNX reference). */
function leafFrom(a: Attrs, forest: Forest, root: number, row: ArrayLike<number>, rowAt: number): number {
  if (a.nodes_trueleafs[root] && a.nodes_falseleafs[root] && a.nodes_truenodeids[root] === a.nodes_falsenodeids[root]) return root;
  return leafOf(forest, root, row, rowAt);
}

export const treeEnsembleCpu: CpuKernel<typeof TreeEnsemble.attrs> = ([x], a, [out]) => {
  const [n, features] = x!.shape as [number, number];
  const modes = a.nodes_modes.toNumbers();
  const splits = a.nodes_splits.toNumbers();
  const weights = a.leaf_weights.toNumbers();
  const forest: Forest = {
    modes, splits, featureIds: a.nodes_featureids, trueIds: a.nodes_truenodeids, falseIds: a.nodes_falsenodeids,
    trueLeafs: a.nodes_trueleafs, falseLeafs: a.nodes_falseleafs, missingTracksTrue: a.nodes_missing_value_tracks_true,
    sets: memberSets(a, modes),
  };
  if (a.nodes_featureids.some((f) => f < 0 || f >= features)) throw new ShapeError(`nodes_featureids must lie in 0..${features - 1} (X has ${features} features)`);
  const aggregate = AGGREGATES[a.aggregate_function]!;
  const T = a.n_targets;
  const y = new Float64Array(n * T);
  const hit = new Uint8Array(n * T); // a column no leaf reached stays 0, for MIN and MAX too (as onnxruntime)
  const xs = x!.numeric();
  for (let r = 0; r < n; r++) {
    for (const root of a.tree_roots) {
      const leaf = leafFrom(a, forest, root, xs, r * features);
      const w = weights[leaf];
      if (w === undefined) throw new ShapeError(`leaf index ${leaf} is outside leaf_weights (${weights.length})`);
      const at = r * T + a.leaf_targetids[leaf]!;
      if (aggregate === 'MIN') y[at] = hit[at] ? Math.min(y[at]!, w) : w;
      else if (aggregate === 'MAX') y[at] = hit[at] ? Math.max(y[at]!, w) : w;
      else y[at]! += aggregate === 'AVERAGE' ? w / a.tree_roots.length : w;
      hit[at] = 1;
    }
  }
  // every row, a single target too (the spec; onnxruntime leaves a single target as it is)
  const post = POST_TRANSFORMS[a.post_transform]!;
  if (post !== 'NONE') for (let r = 0; r < y.length; r += T) transformScores(post, y.subarray(r, r + T));
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
