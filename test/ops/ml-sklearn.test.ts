// The ai.onnx.ml ops skl2onnx and onnxmltools emit (linear models, Normalizer, Scaler, the per-node
// tree ensembles, SVMs, OneHotEncoder, Imputer, FeatureVectorizer): nnrt's CPU kernels against
// onnxruntime-node on seeded random inputs and attributes, small pipelines as skl2onnx chains
// them, and the typed errors for malformed models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionError, GraphError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { DType } from '../../src/tensor/dtype.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { attrProto, randomTensor, runNnrt, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const ML = 'ai.onnx.ml';
const TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };
const POSTS = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'] as const;
const CODE: Partial<Record<DType, number>> = { float32: ONNX_DTYPE.FLOAT, int32: ONNX_DTYPE.INT32, int64: ONNX_DTYPE.INT64, string: ONNX_DTYPE.STRING };

interface MlNode { op: string; in: string[]; out: string[]; attrs: Record<string, AttrSpec> }

/** A model of ai.onnx.ml nodes at ml opset `mlOpset` (graph outputs untyped: both runtimes infer them). */
function mlModel(nodes: MlNode[], inputs: Record<string, Tensor>, outputs: string[], mlOpset = 3): Uint8Array {
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }, { domain: ML, version: mlOpset }],
    graph: {
      name: 'g',
      node: nodes.map((n, i) => ({ name: `n${i}`, opType: n.op, domain: ML, input: n.in, output: n.out, attribute: Object.entries(n.attrs).map(([k, v]) => attrProto(k, v)) })),
      input: Object.entries(inputs).map(([name, t]) => ({ name, type: { tensorType: { elemType: CODE[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } })),
      output: outputs.map((name) => ({ name })),
    },
  })).finish());
}

/** One node X → outputs. */
const one = (op: string, attrs: Record<string, AttrSpec>, x: Tensor, outputs = ['y'], mlOpset = 3) =>
  mlModel([{ op, in: ['x'], out: outputs, attrs }], { x }, outputs, mlOpset);

/** Runs `m` in both runtimes and asserts every output agrees: dtype, shape, labels exactly, scores within `tol`. */
async function sameAsOrt(m: Uint8Array, inputs: Record<string, Tensor>, outputs: string[], what: string, tol = TOL): Promise<Record<string, Tensor>> {
  const want = await runOrt(m, inputs);
  const got = await runNnrt(m, inputs);
  for (const name of outputs) {
    const [g, w] = [got[name]!, want[name]!];
    assert.ok(w, `${what}: onnxruntime produced ${name}`);
    assert.equal(g.dtype, w.dtype, `${what} ${name} dtype`);
    assert.deepEqual([...g.shape], [...w.shape], `${what} ${name} shape`);
    const c = compareTensors(g, w, w.dtype === 'float32' ? tol : { atol: 0, rtol: 0 });
    if (!c.pass) assert.fail(`${what} ${name}: ${JSON.stringify(c)} ${process.env.DUMP ? `\n${Array.from(w.numeric()).map((v) => v.toFixed(4))}\n${Array.from(g.numeric()).map((v) => v.toFixed(4))}` : ''}`);
  }
  return want;
}

/** Seeded random numbers (float32 values) and integers. */
function rand(seed: number) {
  const r = mulberry32(seed);
  return {
    float: (lo = -1, hi = 1) => Math.fround(lo + (hi - lo) * r()),
    floats: (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r())),
    int: (n: number) => Math.floor(r() * n),
    shuffle<T>(a: T[]): T[] { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; } return a; },
  };
}

const distinct = (t: Tensor) => new Set<string | number>(t.dtype === 'string' ? (t.data as string[]) : Array.from(t.numeric())).size;

test('LinearClassifier: every post_transform, 3 classes and binary, int64 and string labels, match onnxruntime', async () => {
  const g = rand(1);
  const x = randomTensor([9, 4], 11, -2, 2);
  for (const post of POSTS) {
    for (const labels of [{ classlabels_ints: [3, 7, 9] }, { classlabels_strings: ['cat', 'dog', 'eel'] }] as Record<string, AttrSpec>[]) {
      const want = await sameAsOrt(one('LinearClassifier', { ...labels, coefficients: { floats: g.floats(12) }, intercepts: { floats: g.floats(3) }, post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `3 classes ${post}`);
      assert.ok(distinct(want.y!) > 1, 'the labels vary');
    }
    // binary as skl2onnx writes it: two rows (−w, w)
    await sameAsOrt(one('LinearClassifier', { classlabels_ints: [0, 1], coefficients: { floats: g.floats(8) }, intercepts: { floats: g.floats(2) }, post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `2 rows ${post}`);
    // one score row: two labels make two score columns; no labels give labels 1 / 0 and one column
    if (post !== 'PROBIT') await sameAsOrt(one('LinearClassifier', { classlabels_strings: ['no', 'yes'], coefficients: { floats: g.floats(4) }, intercepts: { floats: [0.1] }, post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `1 row ${post}`);
    await sameAsOrt(one('LinearClassifier', { coefficients: { floats: g.floats(4) }, intercepts: { floats: [-0.2] }, post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `1 row, no labels ${post}`);
  }
});

test('LinearClassifier: int64, int32 and 1-D X match onnxruntime; no intercepts means zero intercepts', async () => {
  const g = rand(2);
  const coefficients = { floats: g.floats(6) };
  for (const x of [Tensor.fromNumeric('int64', [5, 2], [1, -2, 3, 0, -1, 4, 2, 2, -3, 1]), Tensor.fromNumeric('int32', [3, 2], [1, 5, -2, 0, 3, -3]), Tensor.fromArray([2], [0.5, -1.5])]) {
    await sameAsOrt(one('LinearClassifier', { classlabels_ints: [0, 1, 2], coefficients, intercepts: { floats: [0.5, -0.5, 0] }, post_transform: 'SOFTMAX' }, x, ['y', 'z']), { x }, ['y', 'z'], x.dtype);
  }
  const x = randomTensor([6, 2], 12);
  const want = await runOrt(one('LinearClassifier', { classlabels_ints: [0, 1, 2], coefficients, intercepts: { floats: [0, 0, 0] } }, x, ['y', 'z']), { x });
  const got = await runNnrt(one('LinearClassifier', { classlabels_ints: [0, 1, 2], coefficients }, x, ['y', 'z']), { x });
  assert.ok(compareTensors(got.z!, want.z!, TOL).pass && compareTensors(got.y!, want.y!, { atol: 0, rtol: 0 }).pass);
});

test('LinearRegressor: 1 and 3 targets, every post_transform, with and without intercepts, match onnxruntime', async () => {
  const g = rand(3);
  const x = randomTensor([7, 5], 13);
  for (const post of POSTS) {
    for (const targets of [1, 3]) {
      await sameAsOrt(one('LinearRegressor', { coefficients: { floats: g.floats(5 * targets) }, intercepts: { floats: g.floats(targets) }, targets, post_transform: post }, x), { x }, ['y'], `${targets} targets ${post}`);
    }
  }
  await sameAsOrt(one('LinearRegressor', { coefficients: { floats: g.floats(10) }, targets: 2, post_transform: 'SOFTMAX_ZERO' }, x), { x }, ['y'], 'no intercepts');
});

test('Normalizer MAX, L1, L2 on rows with negatives and zeros, 1-D and int64 X match onnxruntime', async () => {
  const rows = Tensor.fromArray([5, 4], [1, -2, 3, 0.5, 0, 0, 0, 0, -1, -3, -0.5, -2, 4, 0, -4, 2, 0.25, 0.5, 0.125, -0.75]);
  for (const norm of ['MAX', 'L1', 'L2']) {
    for (const x of [rows, randomTensor([6], 14, -3, 3), Tensor.fromNumeric('int64', [2, 3], [3, -1, 2, 0, 5, -5])]) {
      await sameAsOrt(one('Normalizer', { norm }, x), { x }, ['y'], `${norm} ${x.dtype}[${x.shape}]`);
    }
  }
});

test('Scaler per feature and for all features, on float, int32 and 1-D X, matches onnxruntime', async () => {
  const g = rand(4);
  const x = randomTensor([6, 3], 16, -5, 5);
  await sameAsOrt(one('Scaler', { offset: { floats: g.floats(3) }, scale: { floats: g.floats(3, 0.5, 2) } }, x), { x }, ['y'], 'per feature');
  await sameAsOrt(one('Scaler', { offset: { floats: [0.25] }, scale: { floats: [-1.5] } }, x), { x }, ['y'], 'one value');
  const xi = Tensor.fromNumeric('int32', [2, 3], [1, 2, 3, -4, 5, 60]);
  await sameAsOrt(one('Scaler', { offset: { floats: [1, 2, 3] }, scale: { floats: [0.5, 0.25, 0.125] } }, xi), { x: xi }, ['y'], 'int32');
  const v = randomTensor([3], 17);
  await sameAsOrt(one('Scaler', { offset: { floats: [1, 2, 3] }, scale: { floats: [2, 3, 4] } }, v), { x: v }, ['y'], '1-D');
});

/** A random SVM over `features` features: per class support vectors, one-vs-one coefficients and rho. */
function svm(seed: number, classes: number, features: number, kernel: string) {
  const g = rand(seed);
  const perClass = Array.from({ length: classes }, () => 1 + g.int(3));
  const vectors = perClass.reduce((a, b) => a + b, 0);
  const pairs = (classes * (classes - 1)) / 2;
  return {
    kernel_type: kernel, kernel_params: { floats: [g.float(0.2, 0.8), g.float(-0.5, 0.5), kernel === 'POLY' ? 3 : 0] },
    vectors_per_class: perClass, support_vectors: { floats: g.floats(vectors * features) },
    coefficients: { floats: g.floats((classes - 1) * vectors, -2, 2) }, rho: { floats: g.floats(pairs) },
    proba: { prob_a: { floats: g.floats(pairs, -3, -0.5) }, prob_b: { floats: g.floats(pairs, -0.3, 0.3) } } as Record<string, AttrSpec>,
    vectors,
  };
}

test('SVMClassifier: every kernel, 2 and 4 classes, with and without probabilities, every post_transform, match onnxruntime', async () => {
  const x = randomTensor([10, 3], 18, -1.5, 1.5);
  let seed = 100;
  for (const kernel of ['LINEAR', 'POLY', 'RBF', 'SIGMOID']) {
    for (const classes of [2, 4]) {
      for (const proba of [false, true]) {
        for (const post of POSTS) {
          if (post === 'PROBIT' && classes === 2 && !proba) continue; // refused below: onnxruntime leaves a score unwritten
          const { proba: pab, vectors: _v, ...s } = svm(seed++, classes, 3, kernel);
          const labels: Record<string, AttrSpec> = seed % 2 ? { classlabels_ints: Array.from({ length: classes }, (_, i) => 10 + i) } : { classlabels_strings: Array.from({ length: classes }, (_, i) => `c${i}`) };
          await sameAsOrt(one('SVMClassifier', { ...s, ...labels, ...(proba ? pab : {}), post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `${kernel} ${classes} ${proba} ${post}`, { atol: 1e-4, rtol: 1e-3 });
        }
      }
    }
  }
  // no support vectors: a linear score per class (LIBLINEAR form)
  const g = rand(5);
  for (const classes of [2, 3]) {
    await sameAsOrt(one('SVMClassifier', { classlabels_ints: Array.from({ length: classes }, (_, i) => i), coefficients: { floats: g.floats(classes * 3) }, rho: { floats: [0.1] }, kernel_params: { floats: [0, 0, 0] }, post_transform: 'LOGISTIC' }, x, ['y', 'z']), { x }, ['y', 'z'], `linear ${classes}`);
  }
});

test('SVMRegressor: every kernel, support vectors and linear, one-class, every post_transform, matches onnxruntime', async () => {
  const x = randomTensor([8, 3], 19, -1.5, 1.5);
  let seed = 200;
  for (const kernel of ['LINEAR', 'POLY', 'RBF', 'SIGMOID']) {
    for (const oneClass of [0, 1]) {
      const { vectors_per_class: _c, proba: _p, rho, vectors, ...s } = svm(seed++, 2, 3, kernel);
      await sameAsOrt(one('SVMRegressor', { ...s, rho: { floats: [rho.floats[0]!] }, n_supports: vectors, one_class: oneClass }, x), { x }, ['y'], `${kernel} one_class=${oneClass}`);
    }
  }
  await sameAsOrt(one('SVMRegressor', { coefficients: { floats: [0.5, -1.25, 2] }, rho: { floats: [0.3] }, kernel_params: { floats: [0, 0, 0] } }, x), { x }, ['y'], 'linear');
  // onnxruntime reads post_transform and does not apply it; nnrt follows
  for (const post of POSTS) {
    await sameAsOrt(one('SVMRegressor', { coefficients: { floats: [0.5, -1.25, 2] }, rho: { floats: [0.3] }, kernel_params: { floats: [0, 0, 0] }, post_transform: post }, x), { x }, ['y'], `post_transform ${post}`);
  }
});

test('a 1-D X is one row for the linear and SVM models, as in onnxruntime', async () => {
  const x = randomTensor([3], 44);
  await sameAsOrt(one('LinearRegressor', { coefficients: { floats: [1, -2, 0.5, 2, 1, 1] }, targets: 2 }, x), { x }, ['y'], 'LinearRegressor');
  await sameAsOrt(one('SVMRegressor', { coefficients: { floats: [1, -2, 0.5] }, rho: { floats: [0.5] }, kernel_params: { floats: [0, 0, 0] } }, x), { x }, ['y'], 'SVMRegressor');
  const { proba: _p, vectors: _v, ...s } = svm(45, 3, 3, 'RBF');
  await sameAsOrt(one('SVMClassifier', { ...s, classlabels_ints: [7, 8, 9] }, x, ['y', 'z']), { x }, ['y', 'z'], 'SVMClassifier');
});

test('OneHotEncoder: int64 categories over int64 and float X, string categories, zeros = 1 and 0, match onnxruntime', async () => {
  const cats = { cats_int64s: [7, 1, 4, 0] };
  for (const zeros of [0, 1]) {
    const known = Tensor.fromNumeric('int64', [2, 3], [7, 1, 4, 0, 0, 7]);
    await sameAsOrt(one('OneHotEncoder', { ...cats, zeros }, known), { x: known }, ['y'], `int64 zeros=${zeros}`);
    const strs = new Tensor('string', [3], ['b', 'a', 'c']);
    await sameAsOrt(one('OneHotEncoder', { cats_strings: ['a', 'b', 'c'], zeros }, strs), { x: strs }, ['y'], `strings zeros=${zeros}`);
  }
  const unknown = Tensor.fromNumeric('int64', [4], [7, 3, 4, -1]);
  await sameAsOrt(one('OneHotEncoder', { ...cats, zeros: 1 }, unknown), { x: unknown }, ['y'], 'unknown int64 zeros=1');
  const floats = Tensor.fromArray([2, 2], [7.9, 1.2, -0.5, 4]); // truncated to 7, 1, 0, 4
  await sameAsOrt(one('OneHotEncoder', { ...cats, zeros: 1 }, floats), { x: floats }, ['y'], 'float');
  const strs = new Tensor('string', [2, 2], ['a', 'z', 'c', 'a']);
  await sameAsOrt(one('OneHotEncoder', { cats_strings: ['a', 'b', 'c'], zeros: 1 }, strs), { x: strs }, ['y'], 'unknown strings zeros=1');
  const m = one('OneHotEncoder', { ...cats, zeros: 0 }, unknown);
  await assert.rejects(runOrt(m, { x: unknown }));
  await assert.rejects(runNnrt(m, { x: unknown }), (e: unknown) => e instanceof ExecutionError && /zeros = 0/.test((e as Error).message));
});

test('Imputer: NaN and a value replaced, one or per-feature imputed values, float and int64, match onnxruntime', async () => {
  const x = Tensor.fromArray([3, 3], [1, NaN, 3, NaN, 5, -1, 7, 8, NaN]);
  await sameAsOrt(one('Imputer', { imputed_value_floats: { floats: [0.5, 1.5, 2.5] }, replaced_value_float: { float: NaN } }, x), { x }, ['y'], 'NaN per feature');
  await sameAsOrt(one('Imputer', { imputed_value_floats: { floats: [9.5] }, replaced_value_float: { float: -1 } }, x), { x }, ['y'], '-1');
  const xi = Tensor.fromNumeric('int64', [2, 3], [0, 4, 0, 5, 0, 6]);
  await sameAsOrt(one('Imputer', { imputed_value_int64s: [10, 20, 30], replaced_value_int64: 0 }, xi), { x: xi }, ['y'], 'int64');
});

test('FeatureVectorizer concatenates float and int64 inputs, dropping and padding columns, as onnxruntime', async () => {
  const floats = { a: randomTensor([3, 2], 20), b: randomTensor([3, 3], 21), c: randomTensor([3, 1], 22) };
  await sameAsOrt(mlModel([{ op: 'FeatureVectorizer', in: ['a', 'b', 'c'], out: ['y'], attrs: { inputdimensions: [2, 2, 3] } }], floats, ['y'], 1), floats, ['y'], 'float');
  const ints = { a: Tensor.fromNumeric('int64', [2, 3], [1, 2, 3, 4, 5, 6]), b: Tensor.fromNumeric('int64', [2, 2], [-1, -2, -3, -4]) };
  await sameAsOrt(mlModel([{ op: 'FeatureVectorizer', in: ['a', 'b'], out: ['y'], attrs: { inputdimensions: [3, 1] } }], ints, ['y'], 1), ints, ['y'], 'int64');
});

interface ForestOptions {
  trees: number;
  depth: number;
  features: number;
  targets: number;
  /** Branch modes to draw from. */
  modes: readonly string[];
  /** Split thresholds to draw from (else uniform in [−1, 1)). */
  splits?: readonly number[];
  /** Votes per leaf (distinct targets), weights in [lo, hi). */
  votes: number;
  weights: [number, number];
  /** Only these targets get votes. */
  voteTargets?: readonly number[];
  missing?: boolean;
  /** Make every fifth tree a lone leaf. */
  stumps?: boolean;
}

/**
 * Random trees in the per-node form: node ids a shuffled permutation per tree, nodes listed root
 * first then shuffled, votes listed in shuffled order, some trees a lone leaf.
 */
function randomForest(seed: number, o: ForestOptions, prefix: 'target' | 'class'): Record<string, AttrSpec> {
  const g = rand(seed);
  const cols: Record<string, (number | string)[]> = { treeids: [], nodeids: [], featureids: [], modes: [], values: [], trues: [], falses: [], missing: [] };
  const votes: [number, number, number, number][] = []; // tree, node, target, weight
  for (let t = 0; t < o.trees; t++) {
    type N = { leaf: boolean; mode: string; feature: number; value: number; kids: number[] };
    const nodes: N[] = [];
    const grow = (d: number): number => {
      const at = nodes.length;
      const leaf = d === 0 || (d < o.depth && g.float(0, 1) < 0.2) || (d === o.depth && !!o.stumps && t % 5 === 4);
      nodes.push({ leaf, mode: 'LEAF', feature: 0, value: 0, kids: [] });
      if (!leaf) Object.assign(nodes[at]!, { mode: o.modes[g.int(o.modes.length)], feature: g.int(o.features), value: o.splits ? o.splits[g.int(o.splits.length)] : g.float(), kids: [grow(d - 1), grow(d - 1)] });
      return at;
    };
    grow(o.depth);
    const ids = g.shuffle(nodes.map((_, i) => i));
    const order = [0, ...g.shuffle(nodes.map((_, i) => i).slice(1))];
    for (const i of order) {
      const nd = nodes[i]!;
      cols.treeids!.push(t); cols.nodeids!.push(ids[i]!); cols.featureids!.push(nd.feature); cols.modes!.push(nd.mode); cols.values!.push(nd.value);
      cols.trues!.push(nd.leaf ? 0 : ids[nd.kids[0]!]!); cols.falses!.push(nd.leaf ? 0 : ids[nd.kids[1]!]!); cols.missing!.push(nd.leaf ? 0 : g.int(2));
      if (nd.leaf) {
        const pool = g.shuffle([...(o.voteTargets ?? Array.from({ length: o.targets }, (_, k) => k))]);
        for (const target of pool.slice(0, o.votes)) votes.push([t, ids[i]!, target, g.float(...o.weights)]);
      }
    }
  }
  g.shuffle(votes);
  return {
    nodes_treeids: cols.treeids as number[], nodes_nodeids: cols.nodeids as number[], nodes_featureids: cols.featureids as number[],
    nodes_modes: cols.modes as string[], nodes_values: { floats: cols.values as number[] },
    nodes_truenodeids: cols.trues as number[], nodes_falsenodeids: cols.falses as number[],
    ...(o.missing ? { nodes_missing_value_tracks_true: cols.missing as number[] } : {}),
    [`${prefix}_treeids`]: votes.map((v) => v[0]), [`${prefix}_nodeids`]: votes.map((v) => v[1]),
    [`${prefix}_ids`]: votes.map((v) => v[2]), [`${prefix}_weights`]: { floats: votes.map((v) => v[3]) },
  };
}

const ALL_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];
const GRID = [-0.5, 0, 0.5];
/** X on a grid (so that EQ and NEQ splits are hit) with some NaNs. */
function gridX(seed: number, rows: number, features: number): Tensor {
  const g = rand(seed);
  return Tensor.fromArray([rows, features], Array.from({ length: rows * features }, () => (g.float(0, 1) < 0.12 ? NaN : GRID[g.int(3)]!)));
}

test('TreeEnsembleRegressor: every aggregate, branch mode and post_transform, missing values, base values, 1 and 3 targets, match onnxruntime', async () => {
  const x = gridX(30, 24, 4);
  let seed = 300;
  for (const aggregate_function of ['SUM', 'AVERAGE', 'MIN', 'MAX']) {
    for (const targets of [1, 3]) {
      for (const post of POSTS) {
        // PROBIT takes probabilities: keep the scores in (0, 1)
        const weights: [number, number] = post === 'PROBIT' ? [0, 0.12] : [-1, 1];
        const forest = randomForest(seed++, { trees: 6, depth: 3, features: 4, targets, modes: ALL_MODES, splits: GRID, votes: targets === 1 ? 1 : 2, weights, missing: true, stumps: aggregate_function === 'SUM' }, 'target');
        const base: Record<string, AttrSpec> = seed % 2 ? { base_values: { floats: rand(seed).floats(targets, 0, 0.1) } } : {};
        const want = await sameAsOrt(one('TreeEnsembleRegressor', { ...forest, ...base, n_targets: targets, aggregate_function, post_transform: post }, x), { x }, ['y'], `${aggregate_function} ${targets} ${post}`);
        if (post === 'NONE') assert.ok(distinct(want.y!) > 2, `${aggregate_function} ${targets}: the scores vary`);
      }
    }
  }
});

test('TreeEnsembleRegressor: one mode throughout, opset 1, NaN with the default missing rule, *_as_tensor attributes, several votes per leaf, match onnxruntime', async () => {
  const x = Tensor.fromArray([20, 3], Array.from(randomTensor([60], 31).numeric(), (v, i) => (i % 7 === 3 ? NaN : v)));
  for (const mode of ALL_MODES.slice(0, 4)) {
    const forest = randomForest(40, { trees: 4, depth: 4, features: 3, targets: 2, modes: [mode], votes: 2, weights: [0, 2] }, 'target');
    await sameAsOrt(one('TreeEnsembleRegressor', { ...forest, n_targets: 2 }, x, ['y'], 1), { x }, ['y'], `${mode} opset 1`);
  }
  const forest = randomForest(41, { trees: 5, depth: 3, features: 3, targets: 2, modes: ALL_MODES.slice(0, 4), votes: 2, weights: [-1, 1] }, 'target');
  const { nodes_values, target_weights, ...rest } = forest as Record<string, { floats: number[] }>;
  const tensors = { nodes_values_as_tensor: Tensor.fromArray([nodes_values!.floats.length], nodes_values!.floats), target_weights_as_tensor: Tensor.fromArray([target_weights!.floats.length], target_weights!.floats), base_values_as_tensor: Tensor.fromArray([2], [0.25, -0.5]) };
  await sameAsOrt(one('TreeEnsembleRegressor', { ...rest, ...tensors, n_targets: 2, aggregate_function: 'AVERAGE' }, x), { x }, ['y'], 'as_tensor');
  // a single target counts each leaf's first vote only, as onnxruntime does
  const doubled = randomForest(42, { trees: 3, depth: 2, features: 3, targets: 1, modes: ['BRANCH_LT'], votes: 1, weights: [-1, 1] }, 'target') as Record<string, number[] & { floats: number[] }>;
  const twice = { ...doubled, target_ids: [...doubled.target_ids!, ...doubled.target_ids!], target_nodeids: [...doubled.target_nodeids!, ...doubled.target_nodeids!], target_treeids: [...doubled.target_treeids!, ...doubled.target_treeids!], target_weights: { floats: [...doubled.target_weights!.floats, ...doubled.target_weights!.floats.map((w) => w + 1)] } };
  await sameAsOrt(one('TreeEnsembleRegressor', { ...twice, n_targets: 1 }, x), { x }, ['y'], 'two votes per leaf, one target');
});

test('TreeEnsembleClassifier: 3 and 5 classes, base values, every post_transform, int64 and string labels, match onnxruntime', async () => {
  const x = gridX(32, 30, 4);
  let seed = 500;
  for (const classes of [3, 5]) {
    for (const post of POSTS) {
      const forest = randomForest(seed++, { trees: 5, depth: 3, features: 4, targets: classes, modes: ALL_MODES, splits: GRID, votes: 2, weights: post === 'PROBIT' ? [0, 0.09] : [0, 1], missing: true, stumps: true }, 'class');
      const labels: Record<string, AttrSpec> = seed % 2 ? { classlabels_int64s: Array.from({ length: classes }, (_, i) => 100 + i) } : { classlabels_strings: Array.from({ length: classes }, (_, i) => `k${i}`) };
      const base: Record<string, AttrSpec> = seed % 3 === 0 ? { base_values: { floats: rand(seed).floats(classes, -0.2, 0.2) } } : {};
      const want = await sameAsOrt(one('TreeEnsembleClassifier', { ...forest, ...labels, ...base, post_transform: post }, x, ['y', 'z']), { x }, ['y', 'z'], `${classes} classes ${post}`);
      if (post === 'NONE') assert.ok(distinct(want.y!) > 1, `${classes} classes: the labels vary`);
    }
  }
});

test('TreeEnsembleClassifier over int64 and int32 X matches onnxruntime', async () => {
  const forest = randomForest(600, { trees: 4, depth: 3, features: 3, targets: 3, modes: ALL_MODES, splits: [-1, 0, 1], votes: 1, weights: [0, 1] }, 'class');
  for (const dtype of ['int64', 'int32'] as const) {
    const x = Tensor.fromNumeric(dtype, [8, 3], [0, 1, -1, 2, 0, 0, -1, -1, 1, 1, 1, 1, 0, 0, 0, -2, 2, 1, 1, 0, 1, -1, 0, -1]);
    await sameAsOrt(one('TreeEnsembleClassifier', { ...forest, classlabels_int64s: [1, 2, 3], post_transform: 'SOFTMAX' }, x, ['y', 'z']), { x }, ['y', 'z'], dtype);
  }
});

test('TreeEnsembleClassifier with 2 classes: votes for both or one class, signed or positive weights, 0 to 2 base values, match onnxruntime', async () => {
  const x = gridX(33, 30, 3);
  let seed = 700;
  const cases = [
    { name: 'both classes (scikit-learn forests)', voteTargets: [0, 1], votes: 2, weights: [0, 1] as [number, number] },
    { name: 'class 1 only, positive weights', voteTargets: [1], votes: 1, weights: [0, 1] as [number, number] },
    { name: 'class 0 only, positive weights', voteTargets: [0], votes: 1, weights: [0, 1] as [number, number] },
    { name: 'class 0 only, signed weights (boosting)', voteTargets: [0], votes: 1, weights: [-1, 1] as [number, number] },
    { name: 'either class, one vote per leaf', voteTargets: [0, 1], votes: 1, weights: [-1, 1] as [number, number] },
  ];
  for (const c of cases) {
    for (const baseCount of [0, 1, 2]) {
      for (const post of POSTS) {
        const forest = randomForest(seed++, { trees: 4, depth: 3, features: 3, targets: 2, modes: ALL_MODES, splits: GRID, votes: c.votes, weights: post === 'PROBIT' ? [0, 0.2] : c.weights, voteTargets: c.voteTargets, missing: true, stumps: true }, 'class');
        const labels: Record<string, AttrSpec> = seed % 2 ? { classlabels_int64s: [0, 1] } : { classlabels_strings: ['neg', 'pos'] };
        const base: Record<string, AttrSpec> = baseCount ? { base_values: { floats: rand(seed).floats(baseCount, 0, 0.1) } } : {};
        const m = one('TreeEnsembleClassifier', { ...forest, ...labels, ...base, post_transform: post }, x, ['y', 'z']);
        const lone = !c.voteTargets.includes(1) || c.votes === 1 && c.voteTargets.length === 2; // some leaf has no vote for class 1
        if (lone && baseCount < 2 && (post === 'PROBIT' || (baseCount === 1 && c.voteTargets.length === 2))) {
          // onnxruntime leaves the second score of such rows unwritten
          await assert.rejects(runNnrt(m, { x }), (e: unknown) => e instanceof UnsupportedError && /second score undefined/.test((e as Error).message));
          continue;
        }
        await sameAsOrt(m, { x }, ['y', 'z'], `${c.name}, ${baseCount} base, ${post}`);
      }
    }
  }
});

test('pipelines as skl2onnx chains them match onnxruntime: Scaler → LinearClassifier → Normalizer; Imputer → TreeEnsembleRegressor; OneHotEncoder + Scaler → FeatureVectorizer → LinearRegressor', async () => {
  const g = rand(6);
  const x = randomTensor([12, 4], 34, -3, 3);
  const logistic = mlModel([
    { op: 'Scaler', in: ['x'], out: ['scaled'], attrs: { offset: { floats: g.floats(4) }, scale: { floats: g.floats(4, 0.5, 1.5) } } },
    { op: 'LinearClassifier', in: ['scaled'], out: ['label', 'raw'], attrs: { classlabels_strings: ['setosa', 'versicolor', 'virginica'], coefficients: { floats: g.floats(12, -2, 2) }, intercepts: { floats: g.floats(3) }, post_transform: 'LOGISTIC' } },
    { op: 'Normalizer', in: ['raw'], out: ['probabilities'], attrs: { norm: 'L1' } },
  ], { x }, ['label', 'probabilities'], 1);
  const want = await sameAsOrt(logistic, { x }, ['label', 'probabilities'], 'logistic regression');
  assert.ok(distinct(want.label!) > 1, 'the labels vary');

  const holes = Tensor.fromArray([10, 3], Array.from(randomTensor([30], 35).numeric(), (v, i) => (i % 4 === 1 ? NaN : v)));
  const forest = randomForest(36, { trees: 5, depth: 3, features: 3, targets: 1, modes: ['BRANCH_LEQ'], votes: 1, weights: [-1, 1] }, 'target');
  const imputed = mlModel([
    { op: 'Imputer', in: ['x'], out: ['filled'], attrs: { imputed_value_floats: { floats: [0.1, -0.2, 0.3] }, replaced_value_float: { float: NaN } } },
    { op: 'TreeEnsembleRegressor', in: ['filled'], out: ['y'], attrs: { ...forest, n_targets: 1, aggregate_function: 'AVERAGE', base_values: { floats: [0.5] } } },
  ], { x: holes }, ['y'], 1);
  await sameAsOrt(imputed, { x: holes }, ['y'], 'random forest regressor');

  const inputs = { num: randomTensor([6, 2], 37), cat: new Tensor('string', [6, 1], ['red', 'blue', 'green', 'blue', 'mauve', 'red']) };
  const columns = mlModel([
    { op: 'Scaler', in: ['num'], out: ['scaled'], attrs: { offset: { floats: [0.1, -0.1] }, scale: { floats: [2, 0.5] } } },
    { op: 'OneHotEncoder', in: ['cat'], out: ['onehot'], attrs: { cats_strings: ['blue', 'green', 'red'], zeros: 1 } },
    { op: 'FeatureVectorizer', in: ['scaled', 'onehot'], out: ['features'], attrs: { inputdimensions: [2, 3] } },
    { op: 'LinearRegressor', in: ['features'], out: ['y'], attrs: { coefficients: { floats: g.floats(5) }, intercepts: { floats: [1.5] } } },
  ], inputs, ['features', 'y'], 1);
  await sameAsOrt(columns, inputs, ['features', 'y'], 'column transformer');
});

const STUMP: Record<string, AttrSpec> = {
  nodes_treeids: [0, 0, 0], nodes_nodeids: [0, 1, 2], nodes_featureids: [1, 0, 0], nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'],
  nodes_values: { floats: [0.5, 0, 0] }, nodes_truenodeids: [1, 0, 0], nodes_falsenodeids: [2, 0, 0],
  target_treeids: [0, 0], target_nodeids: [1, 2], target_ids: [0, 0], target_weights: { floats: [1, 2] }, n_targets: 1,
};

/** Asserts that nnrt refuses the one-node model with an error of `type` whose message matches `pattern`. */
async function refuses(op: string, attrs: Record<string, AttrSpec>, x: Tensor, type: new (...a: never[]) => Error, pattern: RegExp, outputs = ['y']): Promise<void> {
  await assert.rejects(runNnrt(one(op, attrs, x, outputs), { x }), (e: unknown) => {
    assert.ok(e instanceof type, `${op}: ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('malformed ai.onnx.ml nodes fail with typed errors that name the attribute', async () => {
  const x = randomTensor([3, 2], 38);
  await sameAsOrt(one('TreeEnsembleRegressor', STUMP, x), { x }, ['y'], 'stump');
  await refuses('TreeEnsembleRegressor', { ...STUMP, nodes_featureids: [1, 0] }, x, ShapeError, /nodes_featureids has 2 entries for 3 nodes/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, nodes_truenodeids: [7, 0, 0] }, x, GraphError, /nodes_truenodeids\[0\] names node 7 of tree 0, which does not exist/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, nodes_nodeids: [0, 1, 1] }, x, GraphError, /listed twice/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, target_nodeids: [1, 1] }, x, GraphError, /leaf 2 of tree 0 has no target_\* vote/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, target_ids: [0, 3] }, x, ShapeError, /target_ids\[1\] is 3/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, nodes_modes: ['BRANCH_MEMBER', 'LEAF', 'LEAF'] }, x, GraphError, /nodes_modes\[0\] is 'BRANCH_MEMBER'/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, nodes_featureids: [5, 0, 0] }, x, ShapeError, /reads feature 5 but X has 2 features/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, post_transform: 'SIGMOID' }, x, GraphError, /post_transform.*one of NONE, SOFTMAX/);
  await refuses('TreeEnsembleRegressor', { ...STUMP, base_values: { floats: [1, 2] } }, x, ShapeError, /base_values has 2 values for 1 targets/);
  await refuses('TreeEnsembleRegressor', STUMP, randomTensor([2, 3, 2], 39), ShapeError, /\[N, features\]/);
  await refuses('TreeEnsembleRegressor', STUMP, randomTensor([2], 39), ShapeError, /\[N, features\], got \[2\]/); // as ONNX's shape inference
  const lin = { classlabels_ints: [0, 1, 2], coefficients: { floats: [1, 2, 3, 4, 5, 6] }, intercepts: { floats: [0, 0, 0] } };
  await refuses('LinearClassifier', { ...lin, coefficients: { floats: [1, 2, 3, 4, 5] } }, x, ShapeError, /coefficients has 5 entries/, ['y', 'z']);
  await refuses('LinearClassifier', { ...lin, classlabels_strings: ['a', 'b', 'c'] }, x, GraphError, /exactly one of classlabels_ints and classlabels_strings/, ['y', 'z']);
  await refuses('LinearClassifier', { ...lin, classlabels_ints: [0, 1] }, x, ShapeError, /3 classes .* but 2 class labels/, ['y', 'z']);
  await refuses('LinearClassifier', { classlabels_ints: [0, 1], coefficients: { floats: [1, 2] }, intercepts: { floats: [0] }, post_transform: 'PROBIT' }, x, UnsupportedError, /PROBIT/, ['y', 'z']);
  await refuses('LinearClassifier', lin, randomTensor([1, 2, 2], 40), ShapeError, /\[N, features\]/, ['y', 'z']);
  await refuses('LinearRegressor', { coefficients: { floats: [1, 2] }, intercepts: { floats: [0, 1] } }, x, ShapeError, /intercepts has 2 entries/);
  const { proba: _p, vectors: _v, ...rbf } = svm(41, 2, 2, 'RBF');
  await refuses('SVMClassifier', { ...rbf, classlabels_ints: [0, 1], support_vectors: { floats: [1, 2, 3] } }, x, ShapeError, /support_vectors has 3 values/, ['y', 'z']);
  await refuses('SVMClassifier', { classlabels_ints: [0, 1], coefficients: { floats: [1, 2, 3, 4] }, rho: { floats: [0] }, kernel_type: 'CUBIC' }, x, GraphError, /kernel_type/, ['y', 'z']);
  await refuses('Normalizer', { norm: 'L3' }, x, GraphError, /norm.*MAX, L1, L2/);
  await refuses('Normalizer', { norm: 'L2' }, randomTensor([2, 2, 2], 42), ShapeError, /\[N, C\] or \[C\]/);
  await refuses('Scaler', { offset: { floats: [1, 2, 3] }, scale: { floats: [1, 2, 3] } }, x, ShapeError, /X has 2 features/);
  await refuses('OneHotEncoder', { cats_int64s: [1, 2] }, new Tensor('string', [2], ['a', 'b']), ShapeError, /string X needs cats_strings/);
  await refuses('Imputer', { imputed_value_int64s: [1], replaced_value_int64: 0 }, x, ShapeError, /needs imputed_value_floats/);
  const two = { a: x, b: x };
  await assert.rejects(runNnrt(mlModel([{ op: 'FeatureVectorizer', in: ['a', 'b'], out: ['y'], attrs: { inputdimensions: [2] } }], two, ['y']), two), ShapeError);
});

test('ZipMap, CastMap and DictVectorizer are refused by name: nnrt has no map values', async () => {
  const x = randomTensor([2, 2], 43);
  const m = mlModel([
    { op: 'LinearClassifier', in: ['x'], out: ['label', 'probabilities'], attrs: { classlabels_ints: [0, 1], coefficients: { floats: [1, 2, 3, 4] }, intercepts: { floats: [0, 0] }, post_transform: 'SOFTMAX' } },
    { op: 'ZipMap', in: ['probabilities'], out: ['zipped'], attrs: { classlabels_int64s: [0, 1] } },
  ], { x }, ['label', 'zipped']);
  await assert.rejects(runNnrt(m, { x }), (e: unknown) => {
    assert.ok(e instanceof UnsupportedError, String(e));
    assert.match((e as Error).message, /ZipMap.*not supported: nnrt has no map values/);
    assert.match((e as Error).message, /options=\{id\(model\): \{'zipmap': False\}\}/);
    return true;
  });
  // as skl2onnx writes it, ZipMap's output is a graph output declared seq(map(int64, float)): the
  // importer refuses that type first, with the same advice
  const declared = ModelProto.decode(m);
  declared.graph!.output[1]!.type = { sequenceType: { elemType: { mapType: { keyType: 7, valueType: { tensorType: { elemType: 1 } } } } } } as never;
  await assert.rejects(runNnrt(new Uint8Array(ModelProto.encode(declared).finish()), { x }), (e: unknown) =>
    e instanceof UnsupportedError && /map values .*not supported/.test((e as Error).message) && /graph output 'zipped'/.test((e as Error).message) && /'zipmap': False/.test((e as Error).message));
  for (const op of ['CastMap', 'DictVectorizer']) {
    await assert.rejects(runNnrt(one(op, {}, x), { x }), (e: unknown) => e instanceof UnsupportedError && new RegExp(`${op}.*no map values`).test((e as Error).message));
  }
});
