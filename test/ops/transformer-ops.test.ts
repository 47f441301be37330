// Transformer-era ai.onnx ops (Attention, RotaryEmbedding, FlexAttention, LinearAttention,
// CausalConvWithState, the loss ops, DynamicQuantizeLinear): the ONNX backend node tests.
// The *_expanded folders are the ops' function bodies in primitive ops (Mod, GatherElements,
// Scan...), which other op families cover. FlexAttention's score_mod/prob_mod folders carry
// subgraph attributes, which nnrt's FlexAttention does not run (see its op definition).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionError, ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';

const OPS = /^test_(attention|rotary_embedding|flexattention|linear_attention|causal_conv_with_state|nllloss|sce|dynamicquantizelinear)(_|$)/;
const SUBGRAPH_ATTRS = /^test_flexattention_(causal_mask|prob_mod|relative_positional|score_mod|soft_cap)$/;

const folders = foldersMatching(OPS, FULL_FIXTURES).filter((d) => !d.includes('_expanded') && !SUBGRAPH_ATTRS.test(d));
conformanceTests('transformer ops', folders, 'cpu', FULL_FIXTURES);

test('bad inputs to the transformer ops give typed errors naming the node', async () => {
  const run = (spec: OneNodeSpec) => runNnrt(oneNodeModel(spec), spec.inputs);
  const at = (cls: new (...a: never[]) => Error) => (e: unknown) => e instanceof cls && /node 'n'/.test(String((e as { where?: string }).where));
  await assert.rejects(run({
    op: 'NegativeLogLikelihoodLoss', opset: 22, inputs: { x: randomTensor([2, 3], 1), t: Tensor.fromNumeric('int64', [2], [1, 7]) },
    inputOrder: ['x', 't'], outputs: ['loss'],
  }), at(ExecutionError));
  await assert.rejects(run({
    op: 'Attention', opset: 23, inputs: { q: randomTensor([1, 2, 8], 2), k: randomTensor([1, 2, 8], 3), v: randomTensor([1, 2, 8], 4) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }), at(ShapeError));
  await assert.rejects(run({
    op: 'LinearAttention', opset: 27, attrs: { q_num_heads: 2, kv_num_heads: 2 },
    inputs: { q: randomTensor([1, 2, 8], 5), k: randomTensor([1, 2, 8], 6), v: randomTensor([1, 2, 8], 7) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }), at(ShapeError));
  await assert.rejects(run({
    op: 'RotaryEmbedding', opset: 23, inputs: { x: randomTensor([1, 2, 2, 8], 8), pos: Tensor.fromNumeric('int64', [1, 2], [0, 99]) },
    initializers: { cos: randomTensor([4, 4], 9), sin: randomTensor([4, 4], 10) }, inputOrder: ['x', 'cos', 'sin', 'pos'], outputs: ['y'],
  }), at(ExecutionError));
});

test('DynamicQuantizeLinear matches onnxruntime on random data (mixed-sign, all-positive, all-negative ranges)', async () => {
  for (const [seed, lo, hi] of [[11, -3, 5], [12, 0.5, 4], [13, -6, -1]] as const) {
    const x = randomTensor([4, 33], seed, lo, hi);
    const model = oneNodeModel({ op: 'DynamicQuantizeLinear', opset: 11, inputs: { x }, inputOrder: ['x'], outputs: ['y', 'scale', 'zp'] });
    const want = await runOrt(model, { x });
    const got = await runNnrt(model, { x });
    for (const k of ['y', 'scale', 'zp']) assert.deepEqual(Array.from(got[k]!.numeric()), Array.from(want[k]!.numeric()), k);
  }
});
