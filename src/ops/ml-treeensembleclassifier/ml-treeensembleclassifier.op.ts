import { GraphError, ShapeError, UnsupportedError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { classifierOutputs, classLabels, rowsOf, type ClassLabels } from '../_kernels/ml-labels.js';
import { TREE_V3_ATTRS, treesV3, type TreesV3 } from '../ml-treeensemble/forest-v3.js';
import { undefinedSecondScore } from './classifier-binary.js';

const attrs = {
  ...TREE_V3_ATTRS,
  class_ids: attr.ints([]),
  class_nodeids: attr.ints([]),
  class_treeids: attr.ints([]),
  class_weights: attr.optional(attr.floats()),
  class_weights_as_tensor: attr.optional(attr.tensor()),
  classlabels_int64s: attr.optional(attr.ints()),
  classlabels_strings: attr.optional(attr.strings()),
};
export type TreeEnsembleClassifierAttrs = AttrsOf<typeof attrs>;

/** The checked labels and trees of a classifier; X's feature count checked when given. */
export function classifierTrees(a: TreeEnsembleClassifierAttrs, features?: number): { labels: ClassLabels; trees: TreesV3 } {
  const labels = classLabels(a.classlabels_int64s, a.classlabels_strings, 'classlabels_int64s');
  if (labels.count < 2) throw new ShapeError(`a tree classifier needs two or more class labels, got ${labels.count}`);
  const trees = treesV3(a, { prefix: 'class', ids: a.class_ids, nodeids: a.class_nodeids, treeids: a.class_treeids, weights: a.class_weights, weightsTensor: a.class_weights_as_tensor }, labels.count);
  if (trees.roots.length === 0) throw new GraphError('the ensemble has no trees (nodes_nodeids is empty)');
  const base = trees.base.length;
  if (base !== 0 && base !== labels.count && !(labels.count === 2 && base === 1)) {
    throw new ShapeError(`base_values has ${base} values for ${labels.count} classes (it needs one per class${labels.count === 2 ? ', or one' : ''})`);
  }
  const why = labels.count === 2 ? undefinedSecondScore(trees, a.post_transform) : undefined;
  if (why) {
    throw new UnsupportedError(`two-class trees with ${why} are not supported: some rows would get one score, and onnxruntime leaves the second score undefined`, {
      hint: "onnxruntime's output for such rows is not defined either; a vote for class 1 on every leaf, or two base_values, avoids them",
    });
  }
  if (features !== undefined && trees.maxFeature >= features) throw new ShapeError(`nodes_featureids reads feature ${trees.maxFeature} but X has ${features} features`);
  return { labels, trees };
}

// ai.onnx.ml TreeEnsembleClassifier (opsets 1 and 3): every tree routes a row of X to a leaf whose
// votes (class_ids, class_weights) add up per class, plus base_values; the label is the class of
// the highest score, and Z the scores after post_transform. Two classes follow onnxruntime's
// binary rules (classifier-binary.ts). X [N, F] → Y [N] labels, Z [N, classes] float32.
export const TreeEnsembleClassifier = defineOp({
  type: 'TreeEnsembleClassifier',
  domain: ML_DOMAIN,
  attrs,
  inputs: [1, 1],
  outputs: [1, 2],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a, outputCount) => {
    const [n, features] = rowsOf(x!.shape, 'TreeEnsembleClassifier', true);
    const { labels } = classifierTrees(a, features);
    return classifierOutputs(n, labels.dtype, labels.count, outputCount);
  },
});
