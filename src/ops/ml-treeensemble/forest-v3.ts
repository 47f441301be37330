// The per-node attribute form of tree ensembles (TreeEnsembleClassifier and TreeEnsembleRegressor,
// ai.onnx.ml 1 and 3, with the *_as_tensor attributes of 3): nodes named by (tree id, node id),
// leaves marked by the mode LEAF, and votes (a target or class and a weight) attached to leaves by
// (tree id, node id). Checked and laid out once per node into the Forest that tree-walk.ts routes
// rows through, then scored: each tree's leaf adds its votes to the row's targets.
import { GraphError, ShapeError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import type { Tensor } from '../../tensor/tensor.js';
import { POST_TRANSFORM_NAMES } from '../_kernels/ml-scores.js';
import { BRANCH_MODES, leafOf, type Forest } from './tree-walk.js';

export const NODE_MODES = [...BRANCH_MODES.slice(0, 6), 'LEAF'] as const;
const LEAF = NODE_MODES.indexOf('LEAF');

/** The attributes both old-form ensembles take (hit rates are read and ignored, as by onnxruntime). */
export const TREE_V3_ATTRS = {
  base_values: attr.optional(attr.floats()),
  base_values_as_tensor: attr.optional(attr.tensor()),
  nodes_falsenodeids: attr.ints([]),
  nodes_featureids: attr.ints([]),
  nodes_hitrates: attr.optional(attr.floats()),
  nodes_hitrates_as_tensor: attr.optional(attr.tensor()),
  nodes_missing_value_tracks_true: attr.ints([]),
  nodes_modes: attr.strings([]),
  nodes_nodeids: attr.ints([]),
  nodes_treeids: attr.ints([]),
  nodes_truenodeids: attr.ints([]),
  nodes_values: attr.optional(attr.floats()),
  nodes_values_as_tensor: attr.optional(attr.tensor()),
  post_transform: attr.string('NONE', POST_TRANSFORM_NAMES),
};
type NodeAttrs = AttrsOf<typeof TREE_V3_ATTRS>;

/** The votes as the op names them: target_* (regressor) or class_* (classifier). */
export interface Votes {
  prefix: 'target' | 'class';
  ids: readonly number[];
  nodeids: readonly number[];
  treeids: readonly number[];
  weights: readonly number[] | undefined;
  weightsTensor: Tensor | undefined;
}

export interface TreesV3 {
  forest: Forest;
  /** Node index of each tree's root: the first node listed of each tree. */
  roots: number[];
  /** The votes of the leaf at node index i are voteStart[i] ..< voteStart[i + 1]. */
  voteStart: Int32Array;
  voteTarget: Int32Array;
  voteWeight: Float64Array;
  /** The largest feature index an interior node reads (−1 when none). */
  maxFeature: number;
  base: number[];
  /** How many distinct targets the votes name, and whether every weight is ≥ 0. */
  distinctTargets: number;
  allPositive: boolean;
}

/** One of a list attribute and its *_as_tensor twin (double weights and thresholds), as numbers. */
function eitherList(list: readonly number[] | undefined, tensor: Tensor | undefined, name: string): number[] | undefined {
  if (list && tensor) throw new GraphError(`both ${name} and ${name}_as_tensor are set; give one`);
  return tensor ? tensor.toNumbers() : list ? [...list] : undefined;
}

const built = new WeakMap<object, TreesV3>();

/** The checked layout of the trees of `a` (cached per parsed attributes). */
export function treesV3(a: NodeAttrs, votes: Votes, targets: number): TreesV3 {
  const cached = built.get(a);
  if (cached) return cached;
  const t = build(a, votes, targets);
  built.set(a, t);
  return t;
}

function build(a: NodeAttrs, v: Votes, targets: number): TreesV3 {
  const n = a.nodes_nodeids.length;
  const values = eitherList(a.nodes_values, a.nodes_values_as_tensor, 'nodes_values') ?? [];
  const lists: [string, readonly unknown[]][] = [['nodes_treeids', a.nodes_treeids], ['nodes_featureids', a.nodes_featureids], ['nodes_modes', a.nodes_modes],
    ['nodes_truenodeids', a.nodes_truenodeids], ['nodes_falsenodeids', a.nodes_falsenodeids], ['nodes_values', values]];
  for (const [name, list] of lists) if (list.length !== n) throw new ShapeError(`${name} has ${list.length} entries for ${n} nodes (nodes_nodeids)`);
  const tracks = a.nodes_missing_value_tracks_true;
  if (tracks.length !== 0 && tracks.length !== n) throw new ShapeError(`nodes_missing_value_tracks_true has ${tracks.length} entries for ${n} nodes`);
  const modes = a.nodes_modes.map((m, i) => {
    const code = (NODE_MODES as readonly string[]).indexOf(m);
    if (code < 0) throw new GraphError(`nodes_modes[${i}] is '${m}'; modes are ${NODE_MODES.join(', ')}`);
    return code;
  });
  const index = new Map<string, number>();
  const key = (tree: number, node: number) => `${tree}:${node}`;
  for (let i = 0; i < n; i++) {
    const k = key(a.nodes_treeids[i]!, a.nodes_nodeids[i]!);
    if (index.has(k)) throw new GraphError(`node ${a.nodes_nodeids[i]} of tree ${a.nodes_treeids[i]} is listed twice (nodes_nodeids[${index.get(k)}] and [${i}])`);
    index.set(k, i);
  }
  const child = (i: number, name: 'nodes_truenodeids' | 'nodes_falsenodeids') => {
    const at = index.get(key(a.nodes_treeids[i]!, a[name][i]!));
    if (at === undefined) throw new GraphError(`${name}[${i}] names node ${a[name][i]} of tree ${a.nodes_treeids[i]}, which does not exist`);
    if (at === i) throw new GraphError(`${name}[${i}]: node ${a.nodes_nodeids[i]} of tree ${a.nodes_treeids[i]} branches to itself`);
    return at;
  };
  const trueIds = new Int32Array(n);
  const falseIds = new Int32Array(n);
  const trueLeafs = new Uint8Array(n);
  const falseLeafs = new Uint8Array(n);
  let maxFeature = -1;
  for (let i = 0; i < n; i++) {
    if (modes[i] === LEAF) continue;
    trueIds[i] = child(i, 'nodes_truenodeids');
    falseIds[i] = child(i, 'nodes_falsenodeids');
    trueLeafs[i] = modes[trueIds[i]!] === LEAF ? 1 : 0;
    falseLeafs[i] = modes[falseIds[i]!] === LEAF ? 1 : 0;
    const feature = a.nodes_featureids[i]!;
    if (feature < 0) throw new ShapeError(`nodes_featureids[${i}] is ${feature}; feature indices are ≥ 0`);
    maxFeature = Math.max(maxFeature, feature);
  }
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || a.nodes_treeids[i] !== a.nodes_treeids[i - 1]) roots.push(i);
  const forest: Forest = { modes: modes.map((m) => (m === LEAF ? -1 : m)), splits: values, featureIds: a.nodes_featureids, trueIds, falseIds, trueLeafs, falseLeafs, missingTracksTrue: tracks };
  const weights = eitherList(v.weights, v.weightsTensor, `${v.prefix}_weights`) ?? [];
  for (const [name, list] of [['nodeids', v.nodeids], ['treeids', v.treeids], ['weights', weights]] as const) {
    if (list.length !== v.ids.length) throw new ShapeError(`${v.prefix}_${name} has ${list.length} entries for ${v.ids.length} votes (${v.prefix}_ids)`);
  }
  // votes grouped by leaf, each leaf's in the order listed; votes for interior nodes are ignored
  // (old onnxmltools wrote some; onnxruntime skips them too)
  const byLeaf: number[][] = Array.from({ length: n }, () => []);
  v.ids.forEach((target, k) => {
    const at = index.get(key(v.treeids[k]!, v.nodeids[k]!));
    if (at === undefined) throw new GraphError(`${v.prefix}_nodeids[${k}] names node ${v.nodeids[k]} of tree ${v.treeids[k]}, which does not exist`);
    if (target < 0 || target >= targets) throw new ShapeError(`${v.prefix}_ids[${k}] is ${target}, outside 0..${targets - 1}`);
    if (modes[at] === LEAF) byLeaf[at]!.push(k);
  });
  const voteStart = new Int32Array(n + 1);
  byLeaf.forEach((list, i) => {
    if (modes[i] === LEAF && list.length === 0) throw new GraphError(`leaf ${a.nodes_nodeids[i]} of tree ${a.nodes_treeids[i]} has no ${v.prefix}_* vote`);
    voteStart[i + 1] = voteStart[i]! + list.length;
  });
  const order = byLeaf.flat();
  return {
    forest, roots, maxFeature, voteStart,
    voteTarget: Int32Array.from(order, (k) => v.ids[k]!),
    voteWeight: Float64Array.from(order, (k) => Math.fround(weights[k]!)),
    base: (eitherList(a.base_values, a.base_values_as_tensor, 'base_values') ?? []).map(Math.fround),
    distinctTargets: new Set(v.ids).size,
    allPositive: weights.every((w) => w >= 0),
  };
}

export type Aggregate = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';

/**
 * Per row and target, the aggregate of the votes of the leaves the row reaches (score) and whether
 * any vote reached it (has). `firstVoteOnly` counts only each leaf's first vote (onnxruntime's
 * one-target regressor).
 */
export function scoreRows(t: TreesV3, xs: ArrayLike<number>, rows: number, features: number, targets: number, aggregate: Aggregate, firstVoteOnly = false) {
  const score = new Float64Array(rows * targets);
  const has = new Uint8Array(rows * targets);
  const modes = t.forest.modes;
  for (let r = 0; r < rows; r++) {
    for (const root of t.roots) {
      const leaf = modes[root] === -1 ? root : leafOf(t.forest, root, xs, r * features);
      const end = firstVoteOnly ? t.voteStart[leaf]! + 1 : t.voteStart[leaf + 1]!;
      for (let k = t.voteStart[leaf]!; k < end; k++) {
        const at = r * targets + t.voteTarget[k]!;
        const w = t.voteWeight[k]!;
        if (aggregate === 'MIN') score[at] = has[at] && score[at]! <= w ? score[at]! : w;
        else if (aggregate === 'MAX') score[at] = has[at] && score[at]! >= w ? score[at]! : w;
        else score[at] = Math.fround(score[at]! + w); // float32 sums, as onnxruntime (PROBIT near 0.5 magnifies any difference)
        has[at] = 1;
      }
    }
  }
  if (aggregate === 'AVERAGE') for (let i = 0; i < score.length; i++) score[i] = Math.fround(score[i]! / t.roots.length);
  return { score, has };
}
