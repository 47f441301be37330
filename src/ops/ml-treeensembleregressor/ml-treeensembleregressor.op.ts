import { ShapeError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { rowsOf } from '../_kernels/ml-labels.js';
import { TREE_V3_ATTRS, treesV3, type TreesV3 } from '../ml-treeensemble/forest-v3.js';

const attrs = {
  ...TREE_V3_ATTRS,
  aggregate_function: attr.string('SUM', ['AVERAGE', 'SUM', 'MIN', 'MAX'] as const),
  n_targets: attr.int(),
  target_ids: attr.ints([]),
  target_nodeids: attr.ints([]),
  target_treeids: attr.ints([]),
  target_weights: attr.optional(attr.floats()),
  target_weights_as_tensor: attr.optional(attr.tensor()),
};
export type TreeEnsembleRegressorAttrs = AttrsOf<typeof attrs>;

/** The checked trees of a regressor; X's feature count checked when given. */
export function regressorTrees(a: TreeEnsembleRegressorAttrs, features?: number): TreesV3 {
  if (a.n_targets < 1) throw new ShapeError(`n_targets must be ≥ 1, got ${a.n_targets}`);
  const t = treesV3(a, { prefix: 'target', ids: a.target_ids, nodeids: a.target_nodeids, treeids: a.target_treeids, weights: a.target_weights, weightsTensor: a.target_weights_as_tensor }, a.n_targets);
  if (t.base.length !== 0 && t.base.length !== a.n_targets) throw new ShapeError(`base_values has ${t.base.length} values for ${a.n_targets} targets (n_targets)`);
  if (features !== undefined && t.maxFeature >= features) throw new ShapeError(`nodes_featureids reads feature ${t.maxFeature} but X has ${features} features`);
  return t;
}

// ai.onnx.ml TreeEnsembleRegressor (opsets 1 and 3): every tree routes a row of X to a leaf, whose
// votes (target_ids, target_weights) aggregate per target (aggregate_function SUM, AVERAGE, MIN or
// MAX), plus base_values, then post_transform. As in onnxruntime: a target no vote reached is 0, a
// single target counts each leaf's first vote and takes PROBIT only of the transforms.
// X [N, F] → Y [N, n_targets] float32.
export const TreeEnsembleRegressor = defineOp({
  type: 'TreeEnsembleRegressor',
  domain: ML_DOMAIN,
  attrs,
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a) => {
    const [n, features] = rowsOf(x!.shape, 'TreeEnsembleRegressor', true);
    regressorTrees(a, features);
    return [{ dtype: 'float32', shape: [n, a.n_targets] }];
  },
});
