import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { classifierOutputs, classLabels, rowsOf, type ClassLabels } from '../_kernels/ml-labels.js';
import { POST_TRANSFORM_NAMES } from '../_kernels/ml-scores.js';

const attrs = {
  classlabels_ints: attr.optional(attr.ints()),
  classlabels_strings: attr.optional(attr.strings()),
  coefficients: attr.floats(),
  intercepts: attr.optional(attr.floats()),
  multi_class: attr.int(0),
  post_transform: attr.string('NONE', POST_TRANSFORM_NAMES),
};
export type LinearClassifierAttrs = AttrsOf<typeof attrs>;

/** The classes (score rows: one per intercept) and labels, checked against X's feature count. */
export function linearPlan(a: LinearClassifierAttrs, features: number): { classes: number; labels: ClassLabels | undefined } {
  const classes = a.intercepts?.length ?? (features > 0 ? a.coefficients.length / features : 0);
  if (!Number.isInteger(classes) || classes < 1 || a.coefficients.length !== classes * features) {
    throw new ShapeError(`coefficients has ${a.coefficients.length} entries; it must hold ${a.intercepts ? `${classes} classes (one per intercept)` : 'one row per class'} × ${features} features`);
  }
  const labels = classLabels(a.classlabels_ints, a.classlabels_strings, 'classlabels_ints', true);
  if (classes === 1) {
    if (labels && labels.count !== 2) throw new ShapeError(`one score row (binary) needs exactly 2 class labels, got ${labels.count}`);
    if (labels && a.post_transform === 'PROBIT') {
      throw new UnsupportedError('post_transform PROBIT on one score row with two class labels is not supported (onnxruntime leaves half of Z unwritten)');
    }
  } else {
    if (!labels) throw new ShapeError(`${classes} classes need classlabels_ints or classlabels_strings`);
    if (labels.count < classes) throw new ShapeError(`there are ${classes} classes (intercepts) but ${labels.count} class labels`);
  }
  return { classes, labels };
}

// ai.onnx.ml LinearClassifier: scores = X·coefficientsᵀ + intercepts, one column per class; the
// label is the class of the highest score. One score row is binary: the label is the second
// class where the score is > 0 (1 / 0 when no labels are given) and, with two labels, the scores
// become [1 − s, s] ([logistic(−s), logistic(s)] under LOGISTIC), as onnxruntime writes them. X [N, F] or [F] → Y [N] (int64 or string
// labels), Z [N, classes] float32. multi_class is not used (by onnxruntime either).
export const LinearClassifier = defineOp({
  type: 'LinearClassifier',
  domain: ML_DOMAIN,
  attrs,
  inputs: [1, 1],
  outputs: [1, 2],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a, outputCount) => {
    const [n, features] = rowsOf(x!.shape, 'LinearClassifier');
    const { classes, labels } = linearPlan(a, features);
    const width = classes === 1 && labels ? 2 : classes;
    return classifierOutputs(n, labels?.dtype ?? 'int64', width, outputCount);
  },
});
