// Routing one row of X through one decision tree, shared by TreeEnsemble (ai.onnx.ml 5) and the
// older TreeEnsembleClassifier / TreeEnsembleRegressor, whose nodes are laid out into this form.
import { ShapeError } from '../../errors.js';

/** Branch modes by code: BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, BRANCH_MEMBER. */
export const BRANCH_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'BRANCH_MEMBER'] as const;

type Compare = (v: number, split: number, members: ReadonlySet<number> | undefined) => boolean;
const COMPARE: Compare[] = [
  (v, s) => v <= s, (v, s) => v < s, (v, s) => v >= s, (v, s) => v > s, (v, s) => v === s, (v, s) => v !== s,
  (v, _s, m) => m!.has(v),
];

/**
 * Interior nodes by index: the comparison (mode code, split, feature, member set), where true and
 * false lead (the index of the next interior node, or of a leaf where the *Leafs flag is set), and
 * whether a missing (NaN) feature takes the true branch.
 */
export interface Forest {
  readonly modes: ArrayLike<number>;
  readonly splits: ArrayLike<number>;
  readonly featureIds: ArrayLike<number>;
  readonly trueIds: ArrayLike<number>;
  readonly falseIds: ArrayLike<number>;
  readonly trueLeafs: ArrayLike<number>;
  readonly falseLeafs: ArrayLike<number>;
  readonly missingTracksTrue: ArrayLike<number>;
  readonly sets?: readonly (ReadonlySet<number> | undefined)[];
}

/** Routes the row of `row` starting at `rowAt` from interior node `root` to a leaf; returns the leaf's index. */
export function leafOf(f: Forest, root: number, row: ArrayLike<number>, rowAt: number): number {
  const nodes = f.modes.length;
  let node = root;
  for (let depth = 0; depth <= nodes; depth++) {
    const compare = COMPARE[f.modes[node]!];
    if (!compare) throw new ShapeError(`nodes_modes[${node}] = ${f.modes[node]} is not a branch mode (0..6)`);
    const v = row[rowAt + f.featureIds[node]!]!;
    const goTrue = compare(v, f.splits[node]!, f.sets?.[node]) || (Number.isNaN(v) && f.missingTracksTrue[node] === 1);
    const next = goTrue ? f.trueIds[node]! : f.falseIds[node]!;
    if (goTrue ? f.trueLeafs[node] : f.falseLeafs[node]) return next;
    if (next < 0 || next >= nodes) throw new ShapeError(`node ${node} branches to node ${next}, outside 0..${nodes - 1}`);
    node = next;
  }
  throw new ShapeError(`the tree at root ${root} has a cycle`);
}
