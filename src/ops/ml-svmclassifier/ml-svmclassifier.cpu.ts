import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { labelTensor, rowsOf } from '../_kernels/ml-labels.js';
import { probit, transformScores, twoScores } from '../_kernels/ml-scores.js';
import { coupleProbabilities, pairProbability, svmKernel } from '../_kernels/ml-svm.js';
import { svmClassifierPlan, type SVMClassifier } from './ml-svmclassifier.op.js';

const f = Math.fround;

/** The first index of the largest value (std::max_element). */
function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export const svmClassifierCpu: CpuKernel<typeof SVMClassifier.attrs> = ([x], a, outs) => {
  const [n, features] = rowsOf(x!.shape, 'SVMClassifier');
  const plan = svmClassifierPlan(a, features);
  const { classes, width, labels } = plan;
  const xs = x!.numeric();
  const kernel = svmKernel(plan.svc ? a.kernel_type : 'LINEAR', a.kernel_params);
  const coef = a.coefficients;
  const allPositive = coef.every((c) => c >= 0);
  const z = new Float64Array(n * width);
  const picked: (bigint | string)[] = [];
  const kv = new Float64Array(plan.vectors);
  const pairs = new Float64Array((classes * (classes - 1)) / 2);
  for (let r = 0; r < n; r++) {
    const row = z.subarray(r * width, (r + 1) * width);
    let best: number;
    let maxWeight = 0;
    if (!plan.svc) {
      for (let c = 0; c < classes; c++) row[c] = f(kernel(xs, r * features, coef, c * features, features) + a.rho[0]!);
      best = argmax(row);
      maxWeight = row[best]!;
    } else {
      for (let v = 0; v < plan.vectors; v++) kv[v] = f(kernel(xs, r * features, a.support_vectors, v * features, features));
      const votes = new Int32Array(classes);
      const V = plan.vectors;
      let at = 0;
      for (let i = 0; i < classes - 1; i++) {
        for (let j = i + 1; j < classes; j++) {
          let sum = 0;
          for (let m = plan.starts[i]!; m < plan.starts[i]! + a.vectors_per_class[i]!; m++) sum += f(coef[(j - 1) * V + m]! * kv[m]!);
          for (let m = plan.starts[j]!; m < plan.starts[j]! + a.vectors_per_class[j]!; m++) sum += f(coef[i * V + m]! * kv[m]!);
          sum += a.rho[at]!;
          pairs[at++] = f(sum);
          votes[sum > 0 ? i : j]!++;
        }
      }
      best = argmax(votes);
      if (plan.proba) {
        const pr = new Float32Array(classes * classes);
        at = 0;
        for (let i = 0; i < classes - 1; i++) {
          for (let j = i + 1; j < classes; j++, at++) {
            const p = pairProbability(pairs[at]!, a.prob_a[at]!, a.prob_b[at]!);
            pr[i * classes + j] = p;
            pr[j * classes + i] = 1 - p;
          }
        }
        row.set(coupleProbabilities(classes, pr));
      } else if (classes === 2) {
        const s = pairs[0]!;
        const post = a.post_transform;
        row.set(post === 'PROBIT' ? [probit(s), s] : twoScores(s, post === 'NONE' ? 'negate' : 'complement', post));
      } else {
        row.set(pairs);
      }
    }
    // two classes and decision values: onnxruntime picks the second label by the top score's sign
    const second = classes === 2 && !plan.proba && ((allPositive && maxWeight >= 0.5) || (!allPositive && maxWeight > 0));
    picked.push(labels.at(second ? 1 : best));
    if (plan.svc && !plan.proba && classes === 2) continue; // already the two class scores
    if (width > 1) transformScores(a.post_transform, row);
    else if (a.post_transform === 'PROBIT') row[0] = probit(row[0]!);
  }
  const out = [labelTensor(labels, picked), Tensor.fromNumeric('float32', [n, width], z)];
  return out.slice(0, outs.length);
};
