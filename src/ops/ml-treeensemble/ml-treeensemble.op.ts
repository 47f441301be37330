import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

export const AGGREGATES = ['AVERAGE', 'SUM', 'MIN', 'MAX'] as const;
// opset 5 numbers post_transform in the order of the older ops' names
export { POST_TRANSFORM_NAMES as POST_TRANSFORMS } from '../_kernels/ml-scores.js';
import { POST_TRANSFORM_NAMES as POST_TRANSFORMS } from '../_kernels/ml-scores.js';

// ai.onnx.ml TreeEnsemble (opset 5): each tree of `tree_roots` routes a row of X from its root
// through interior nodes (compare X[feature] with the node's split by its mode: ≤ < ≥ > = ≠ or set
// membership; true → nodes_truenodeids, false → nodes_falsenodeids, each naming a leaf when the
// matching *_leafs flag is set) to one leaf, whose weight goes to output column leaf_targetids.
// The trees' weights per column are aggregated (AVERAGE, SUM, MIN, MAX), then post-transformed.
// X [N, F] → Y [N, n_targets].
export const TreeEnsemble = defineOp({
  type: 'TreeEnsemble',
  domain: ML_DOMAIN,
  attrs: {
    aggregate_function: attr.int(1),
    leaf_targetids: attr.ints(),
    leaf_weights: attr.tensor(),
    membership_values: attr.optional(attr.tensor()),
    n_targets: attr.int(),
    nodes_falseleafs: attr.ints(),
    nodes_falsenodeids: attr.ints(),
    nodes_featureids: attr.ints(),
    nodes_hitrates: attr.optional(attr.tensor()),
    nodes_missing_value_tracks_true: attr.ints([]),
    nodes_modes: attr.tensor(),
    nodes_splits: attr.tensor(),
    nodes_trueleafs: attr.ints(),
    nodes_truenodeids: attr.ints(),
    post_transform: attr.int(0),
    tree_roots: attr.ints(),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x], a) => {
    if (x!.shape.length !== 2) throw new ShapeError(`X must be [N, features], got [${x!.shape.join(',')}]`);
    if (!AGGREGATES[a.aggregate_function]) throw new ShapeError(`aggregate_function must be 0..3 (${AGGREGATES.join(', ')}), got ${a.aggregate_function}`);
    const post = POST_TRANSFORMS[a.post_transform];
    if (!post) throw new ShapeError(`post_transform must be 0..4 (${POST_TRANSFORMS.join(', ')}), got ${a.post_transform}`);
    const n = a.nodes_modes.size;
    for (const [name, v] of [['nodes_featureids', a.nodes_featureids], ['nodes_truenodeids', a.nodes_truenodeids], ['nodes_falsenodeids', a.nodes_falsenodeids],
      ['nodes_trueleafs', a.nodes_trueleafs], ['nodes_falseleafs', a.nodes_falseleafs]] as const) {
      if (v.length !== n) throw new ShapeError(`${name} has ${v.length} entries for ${n} nodes`);
    }
    if (a.nodes_splits.size !== n) throw new ShapeError(`nodes_splits has ${a.nodes_splits.size} entries for ${n} nodes`);
    if (a.leaf_targetids.length !== a.leaf_weights.size) throw new ShapeError(`leaf_targetids has ${a.leaf_targetids.length} entries for ${a.leaf_weights.size} leaf weights`);
    if (a.leaf_targetids.some((t) => t < 0 || t >= a.n_targets)) throw new ShapeError(`leaf_targetids must lie in 0..${a.n_targets - 1}`);
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, a.n_targets] }];
  },
});
