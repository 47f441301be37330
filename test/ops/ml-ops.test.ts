// ai.onnx.ml Binarizer, ArrayFeatureExtractor, TreeEnsemble and LabelEncoder: the ONNX backend node tests, and
// onnxruntime-node on seeded inputs (modes, aggregates, post transforms, missing values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ShapeError } from '../../src/errors.js';
import { runConformanceCase } from '../../src/node/backend-test.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runNnrt, runOrt } from '../helpers/ort-reference.js';

const FULL = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const ML_TESTS = /^test_ai_onnx_ml_(binarizer|array_feature_extractor|tree_ensemble_|label_encoder_)/;
const folders = existsSync(FULL) ? readdirSync(FULL).filter((d) => ML_TESTS.test(d)).sort() : [];

if (folders.length === 0) test('ai.onnx.ml backend node tests', { skip: `${FULL} is absent` }, () => {});
for (const name of folders) {
  test(`conformance ${name}`, async () => {
    const r = await runConformanceCase(join(FULL, name), { device: 'cpu' }, undefined);
    assert.equal(r.status, 'pass', r.reason);
  });
}

const f32 = (name: string, values: number[]) => ({ name, type: ATTR_TYPE.TENSOR, t: { dims: [values.length], dataType: ONNX_DTYPE.FLOAT, floatData: values } });
const u8 = (name: string, values: number[]) => ({ name, type: ATTR_TYPE.TENSOR, t: { dims: [values.length], dataType: ONNX_DTYPE.UINT8, int32Data: values } });
const ints = (name: string, values: number[]) => ({ name, type: ATTR_TYPE.INTS, ints: values });
const int = (name: string, i: number) => ({ name, type: ATTR_TYPE.INT, i });

/** A one-node ai.onnx.ml model (the model imports only ai.onnx.ml, as the backend tests do). */
function mlModel(op: string, version: number, attribute: object[], inputs: Record<string, Tensor>): Uint8Array {
  const code = (t: Tensor) => (t.dtype === 'int64' ? ONNX_DTYPE.INT64 : ONNX_DTYPE.FLOAT);
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: 'ai.onnx.ml', version }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: op, domain: 'ai.onnx.ml', input: Object.keys(inputs), output: ['y'], attribute }],
      input: Object.entries(inputs).map(([name, t]) => ({ name, type: { tensorType: { elemType: code(t), shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } })),
      output: [{ name: 'y' }],
    },
  })).finish());
}

async function expectSameAsOrt(op: string, version: number, attribute: object[], inputs: Record<string, Tensor>): Promise<Tensor> {
  const m = mlModel(op, version, attribute, inputs);
  const want = (await runOrt(m, inputs)).y!;
  const got = (await runNnrt(m, inputs)).y!;
  const c = compareTensors(got, want, { atol: 1e-6, rtol: 1e-5 });
  assert.ok(c.pass, `${op} ${JSON.stringify(attribute).slice(0, 200)}: ${JSON.stringify(c)}`);
  return want;
}

test('Binarizer and ArrayFeatureExtractor (2-D, 3-D and 1-D data) match onnxruntime', async () => {
  await expectSameAsOrt('Binarizer', 1, [{ name: 'threshold', type: ATTR_TYPE.FLOAT, f: 0.25 }], { x: randomTensor([3, 7], 1) });
  for (const shape of [[4, 6], [2, 3, 6], [6]]) {
    await expectSameAsOrt('ArrayFeatureExtractor', 1, [], { x: randomTensor(shape, 2), i: Tensor.fromNumeric('int64', [3], [5, 0, 2]) });
  }
});

// Two trees over 3 features. Tree A (root 0): node0 x1 ≤ 0.1 → node1 else leaf 2; node1 x0 < -0.3 →
// leaf 0 else leaf 1. Tree B (root 2): node2 x2 mode M → leaf 3 else node3; node3 x0 mode M2 → leaf 4 else leaf 5.
function twoTrees(modeB: number, modeB2: number, aggregate: number, post: number, extra: object[] = []): object[] {
  return [
    int('aggregate_function', aggregate), int('post_transform', post), int('n_targets', 2),
    ints('tree_roots', [0, 2]),
    u8('nodes_modes', [0, 1, modeB, modeB2]),
    f32('nodes_splits', [0.1, -0.3, 0.2, -0.5]),
    ints('nodes_featureids', [1, 0, 2, 0]),
    ints('nodes_truenodeids', [1, 0, 3, 4]), ints('nodes_trueleafs', [0, 1, 1, 1]),
    ints('nodes_falsenodeids', [2, 1, 3, 5]), ints('nodes_falseleafs', [1, 1, 0, 1]),
    ints('leaf_targetids', [0, 1, 0, 1, 0, 1]),
    f32('leaf_weights', [1.5, -2, 0.75, 3, -1.25, 0.5]),
    ...extra,
  ];
}

test('TreeEnsemble: every branch mode, aggregate, SOFTMAX_ZERO and PROBIT matches onnxruntime', async () => {
  const x = randomTensor([16, 3], 3);
  for (const [m1, m2] of [[2, 3], [3, 2], [4, 5], [5, 4]]) await expectSameAsOrt('TreeEnsemble', 5, twoTrees(m1, m2, 1, 0), { x });
  for (const aggregate of [0, 1, 2, 3]) await expectSameAsOrt('TreeEnsemble', 5, twoTrees(2, 3, aggregate, 0), { x });
  await expectSameAsOrt('TreeEnsemble', 5, twoTrees(2, 3, 1, 3), { x }); // SOFTMAX_ZERO
  // PROBIT (4 in both numberings) maps a probability: leaf weights whose two-tree sums stay in (0, 1)
  const probabilities = twoTrees(2, 3, 1, 4).map((a) => ((a as { name?: string }).name === 'leaf_weights' ? f32('leaf_weights', [0.05, 0.3, 0.45, 0.2, 0.1, 0.35]) : a));
  await expectSameAsOrt('TreeEnsemble', 5, probabilities, { x });
});

test('TreeEnsemble: SOFTMAX (1) and LOGISTIC (2) transform onnxruntime\'s raw scores as the spec numbers them', async () => {
  // onnxruntime 1.30 reads post_transform 1 as LOGISTIC and 2 as SOFTMAX (its own enum order), so
  // the reference is its untransformed (NONE) output with the transform applied here, per row.
  const x = randomTensor([16, 3], 5);
  const raw = Array.from((await runOrt(mlModel('TreeEnsemble', 5, twoTrees(2, 3, 1, 0), { x }), { x })).y!.numeric());
  const softmax = raw.map((_, i) => {
    const [a, b] = [raw[i - (i % 2)]!, raw[i - (i % 2) + 1]!];
    return Math.exp(raw[i]!) / (Math.exp(a) + Math.exp(b));
  });
  const logistic = raw.map((v) => 1 / (1 + Math.exp(-v)));
  for (const [post, want] of [[1, softmax], [2, logistic]] as const) {
    const got = (await runNnrt(mlModel('TreeEnsemble', 5, twoTrees(2, 3, 1, post), { x }), { x })).y!;
    const c = compareTensors(got, Tensor.fromNumeric('float32', [16, 2], want), { atol: 1e-6, rtol: 1e-5 });
    assert.ok(c.pass, `post_transform ${post}: ${JSON.stringify(c)}`);
  }
});

test('TreeEnsemble: set membership and missing values that track the true branch match onnxruntime', async () => {
  const x = Tensor.fromNumeric('float32', [5, 3], [1, 2, 3, -1, 0, 7, 2, NaN, 4, NaN, 1, NaN, 0.5, 0.5, 8]);
  const member = [f32('membership_values', [3, 4, NaN, 2, 0.5, NaN])];
  await expectSameAsOrt('TreeEnsemble', 5, twoTrees(6, 6, 1, 0, member), { x });
  await expectSameAsOrt('TreeEnsemble', 5, twoTrees(2, 3, 1, 0, [ints('nodes_missing_value_tracks_true', [1, 0, 1, 1])]), { x });
});

test('TreeEnsemble: a branch to a missing node or a feature past X gives a typed error', async () => {
  const x = randomTensor([2, 3], 4);
  const bad = twoTrees(2, 3, 1, 0).map((a) => ((a as { name: string }).name === 'nodes_featureids' ? ints('nodes_featureids', [1, 0, 9, 0]) : a));
  await assert.rejects(runNnrt(mlModel('TreeEnsemble', 5, bad, { x }), { x }), (e: unknown) => e instanceof ShapeError && /nodes_featureids/.test((e as Error).message));
});

test('LabelEncoder: float keys to int64 and int64 keys to floats, with defaults, match onnxruntime', async () => {
  const floats = (name: string, values: number[]) => ({ name, type: ATTR_TYPE.FLOATS, floats: values });
  const x = Tensor.fromArray([2, 3], [0.5, 2, -1, 7, 0.5, 3.25]);
  await expectSameAsOrt('LabelEncoder', 2, [floats('keys_floats', [0.5, 2, 3.25]), ints('values_int64s', [10, 20, 30]), int('default_int64', -7)], { x });
  const ids = Tensor.fromNumeric('int64', [5], [4, 1, 9, 4, 0]);
  await expectSameAsOrt('LabelEncoder', 2, [ints('keys_int64s', [0, 1, 4]), floats('values_floats', [0.25, -1.5, 8]), { name: 'default_float', type: ATTR_TYPE.FLOAT, f: 42 }], { x: ids });
});
