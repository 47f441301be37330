// Two-class tree ensembles, as onnxruntime scores them (converters that emit them are tested
// against it). The votes of class 0 and class 1 (s0, s1; h0, h1: whether any vote reached them)
// combine with base_values; when class 1 got no vote the row has one score s, which becomes two
// by a rule picked from the votes: if they all name one class ("binary case") and all weights are
// ≥ 0, [1 − s, s] and the second label where s > 0.5; otherwise [−s, s] (under LOGISTIC either
// is [logistic(−s), logistic(s)]) and the second label where s > 0. When the votes name both
// classes the label is the second where s1 (or s) > 0 — for int64 labels onnxruntime writes the
// literal 1 or 0 there rather than a label, which nnrt copies.
import type { ClassLabels } from '../_kernels/ml-labels.js';
import { probit, transformScores, twoScores, type PostTransform, type SecondClass } from '../_kernels/ml-scores.js';
import type { TreesV3 } from '../ml-treeensemble/forest-v3.js';

/**
 * Why two-class trees would leave Z's second column undefined (onnxruntime writes nothing there:
 * PROBIT of a lone score, or one base value with votes for both classes), or undefined when they
 * do not. A row has a lone score when it reaches no vote for class 1 and there are < 2 base values.
 */
export function undefinedSecondScore(trees: TreesV3, post: PostTransform): string | undefined {
  if (trees.base.length >= 2) return undefined;
  const modes = trees.forest.modes;
  let lone = false;
  for (let i = 0; i < modes.length && !lone; i++) {
    if (modes[i] !== -1) continue; // an interior node
    let votesFor1 = false;
    for (let k = trees.voteStart[i]!; k < trees.voteStart[i + 1]!; k++) votesFor1 ||= trees.voteTarget[k] === 1;
    lone = !votesFor1;
  }
  if (!lone) return undefined;
  if (post === 'PROBIT') return 'post_transform PROBIT on a lone binary score';
  if (trees.base.length === 1 && trees.distinctTargets > 1) return 'one base value with votes for both classes';
  return undefined;
}

export interface BinaryContext {
  labels: ClassLabels;
  base: readonly number[];
  post: PostTransform;
  /** Every vote names the same class. */
  oneClass: boolean;
  allPositive: boolean;
}

/** Label and the two scores (written to z) of one row. */
export function binaryRow(c: BinaryContext, score: [number, number], has: [boolean, boolean], z: Float64Array): bigint | string {
  const f = Math.fround;
  let [s0, s1] = score;
  const h0 = has[0];
  let h1 = has[1];
  if (c.base.length === 2) {
    if (h1) {
      s1 = f(c.base[1]! + s0); // base_values[0] is unused here, as in onnxruntime
      s0 = -s1;
    } else {
      s0 = f(s0 + c.base[0]!);
      s1 = f(s1 + c.base[1]!);
    }
  } else if (c.base.length === 1) {
    s0 = f(s0 + c.base[0]!);
  }
  // fewer than two base values and no vote for class 1: one score (refused at inference where
  // onnxruntime would leave the second column unwritten: see undefinedSecondScore)
  const lone = c.base.length < 2 && !h1;
  if (lone) [s1, h1] = [0, false];
  const positive = h1 ? s1 : h0 ? s0 : 0;
  const second = c.oneClass && c.allPositive ? positive > 0.5 : positive > 0;
  const label = c.oneClass || c.labels.dtype === 'string' ? c.labels.at(second ? 1 : 0) : BigInt(second ? 1 : 0);
  const s = h0 ? s0 : 0;
  if (lone) {
    const rule: SecondClass = c.oneClass && c.allPositive ? 'complement' : 'negate';
    z.set(c.post === 'PROBIT' ? [probit(s), 0] : twoScores(s, rule, c.post));
  } else {
    z[0] = s;
    z[1] = h1 ? s1 : 0;
    transformScores(c.post, z);
  }
  return label;
}
