import { ShapeError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';
import { classifierOutputs, classLabels, rowsOf, type ClassLabels } from '../_kernels/ml-labels.js';
import { POST_TRANSFORM_NAMES } from '../_kernels/ml-scores.js';
import { SVM_KERNELS } from '../_kernels/ml-svm.js';

const attrs = {
  classlabels_ints: attr.optional(attr.ints()),
  classlabels_strings: attr.optional(attr.strings()),
  coefficients: attr.floats([]),
  kernel_params: attr.floats([]),
  kernel_type: attr.string('LINEAR', SVM_KERNELS),
  post_transform: attr.string('NONE', POST_TRANSFORM_NAMES),
  prob_a: attr.floats([]),
  prob_b: attr.floats([]),
  rho: attr.floats([]),
  support_vectors: attr.floats([]),
  vectors_per_class: attr.ints([]),
};
export type SvmClassifierAttrs = AttrsOf<typeof attrs>;

/** How the classifier is laid out, checked against X's feature count. */
export interface SvmClassifierPlan {
  labels: ClassLabels;
  classes: number;
  /** One-vs-one with support vectors (LIBSVM), or one linear score per class (LIBLINEAR). */
  svc: boolean;
  /** Probabilities from prob_a and prob_b (SVC), instead of decision values. */
  proba: boolean;
  /** Index of each class's first support vector, and the total count. */
  starts: number[];
  vectors: number;
  /** Z's columns. */
  width: number;
}

export function svmClassifierPlan(a: SvmClassifierAttrs, features: number): SvmClassifierPlan {
  const labels = classLabels(a.classlabels_ints, a.classlabels_strings, 'classlabels_ints');
  const classes = labels.count;
  if (a.prob_a.length !== a.prob_b.length) throw new ShapeError(`prob_a has ${a.prob_a.length} values and prob_b ${a.prob_b.length}; they must have the same length`);
  if (a.coefficients.length === 0) throw new ShapeError('coefficients is empty');
  if (a.rho.length === 0) throw new ShapeError('rho is empty');
  const starts: number[] = [];
  let vectors = 0;
  for (const v of a.vectors_per_class) {
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`vectors_per_class holds ${v}; counts are ≥ 0`);
    starts.push(vectors);
    vectors += v;
  }
  const proba = a.prob_a.length > 0;
  if (vectors === 0) {
    if (a.coefficients.length !== classes * features) throw new ShapeError(`coefficients has ${a.coefficients.length} values; a linear SVM needs ${classes} classes × ${features} features`);
    return { labels, classes, svc: false, proba, starts, vectors, width: classes };
  }
  const pairs = (classes * (classes - 1)) / 2;
  if (classes < 2) throw new ShapeError(`an SVM with support vectors needs two or more class labels, got ${classes}`);
  if (a.vectors_per_class.length !== classes) throw new ShapeError(`vectors_per_class has ${a.vectors_per_class.length} entries for ${classes} classes`);
  if (a.support_vectors.length !== vectors * features) throw new ShapeError(`support_vectors has ${a.support_vectors.length} values; ${vectors} vectors × ${features} features need ${vectors * features}`);
  if (a.coefficients.length !== (classes - 1) * vectors) throw new ShapeError(`coefficients has ${a.coefficients.length} values; ${classes - 1} rows × ${vectors} support vectors need ${(classes - 1) * vectors}`);
  if (a.rho.length < pairs) throw new ShapeError(`rho has ${a.rho.length} values for ${pairs} one-vs-one classifiers`);
  if (proba && a.prob_a.length < pairs) throw new ShapeError(`prob_a has ${a.prob_a.length} values for ${pairs} one-vs-one classifiers`);
  return { labels, classes, svc: true, proba, starts, vectors, width: proba ? classes : classes > 2 ? pairs : 2 };
}

// ai.onnx.ml SVMClassifier. With support vectors (vectors_per_class), each pair of classes i < j
// has a decision value Σ coefficients·kernel(X, support vectors of i and j) + rho, a vote for i
// when > 0 else for j, and the label is the class with most votes; Z holds the decision values
// (two classes, as onnxruntime: [−s, s]; LOGISTIC [logistic(−s), logistic(s)]; PROBIT
// [probit(s), s]; the softmaxes [1 − s, s]) or, with prob_a and prob_b, the class
// probabilities. Without support vectors it is linear: one score X·coefficients + rho[0] per
// class, the label the highest. X [N, F] or [F] → Y [N] labels, Z [N, width] float32.
export const SVMClassifier = defineOp({
  type: 'SVMClassifier',
  domain: ML_DOMAIN,
  attrs,
  inputs: [1, 1],
  outputs: [1, 2],
  dtypes: ['float32', 'int32', 'int64'],
  infer: ([x], a, outputCount) => {
    const [n, features] = rowsOf(x!.shape, 'SVMClassifier');
    const plan = svmClassifierPlan(a, features);
    return classifierOutputs(n, plan.labels.dtype, plan.width, outputCount);
  },
});
