// Transformer-era ai.onnx ops (Attention, RotaryEmbedding, FlexAttention, LinearAttention,
// CausalConvWithState, the loss ops, DynamicQuantizeLinear): the ONNX backend node tests.
// The *_expanded folders are the ops' function bodies in primitive ops (Mod, GatherElements,
// Scan...), which other op families cover. FlexAttention's score_mod/prob_mod folders carry
// subgraph attributes, which its kernel runs (src/ops/_kernels/subgraph-eval.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionError, GraphError, ShapeError, UnsupportedError } from '../../src/errors.js';
import type { AttrValue } from '../../src/ir/attr.js';
import { Graph, type Node } from '../../src/ir/graph.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';

const OPS = /^test_(attention|rotary_embedding|flexattention|linear_attention|causal_conv_with_state|nllloss|sce|dynamicquantizelinear)(_|$)/;
const folders = foldersMatching(OPS, FULL_FIXTURES).filter((d) => !d.includes('_expanded'));
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

// A FlexAttention modifier: y = x <op> c, with c a scalar initializer of the subgraph; `edit` spoils it.
function modifier(op: string, c: number, edit?: (g: Graph) => void): AttrValue {
  const g = new Graph({
    name: 'mod', inputs: [{ name: 'x', dtype: 'float32', shape: ['B', 'H', 'L', 'S'] }], outputs: [{ name: 'y' }],
    initializers: new Map([['c', Tensor.fromNumeric('float32', [], [c])]]),
    nodes: [{ name: 'm', opType: op, domain: '', inputs: ['x', 'c'], outputs: ['y'], attrs: {} }],
  });
  edit?.(g);
  return { type: 'graph', value: g };
}

async function flexAttention(attrs: Record<string, AttrValue>, q: Tensor, k: Tensor, v: Tensor): Promise<Tensor> {
  const node: Node = { name: 'fa', opType: 'FlexAttention', domain: 'ai.onnx.preview', inputs: ['q', 'k', 'v'], outputs: ['y'], attrs };
  const g = new Graph({
    opsets: new Map([['', 26], ['ai.onnx.preview', 1]]), nodes: [node], outputs: [{ name: 'y' }],
    inputs: Object.entries({ q, k, v }).map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] })),
  });
  return (await (await createSession(g, { device: 'cpu' })).run({ q, k, v })).y!;
}

test('FlexAttention runs score_mod and prob_mod on grouped-query heads (against a direct computation)', async () => {
  const [q, k, v] = [randomTensor([2, 4, 3, 8], 21), randomTensor([2, 2, 5, 8], 22), randomTensor([2, 2, 5, 6], 23)];
  const y = await flexAttention({ score_mod: modifier('Add', 0.25), prob_mod: modifier('Mul', 3) }, q, k, v);
  const [Q, K, V] = [q.numeric(), k.numeric(), v.numeric()];
  const want: number[] = [];
  for (let bh = 0; bh < 8; bh++) {
    const kvh = Math.floor(bh / 4) * 2 + Math.floor((bh % 4) / 2);
    for (let i = 0; i < 3; i++) {
      const s = Array.from({ length: 5 }, (_, j) => {
        let d = 0;
        for (let e = 0; e < 8; e++) d += Q[(bh * 3 + i) * 8 + e]! * K[(kvh * 5 + j) * 8 + e]!;
        return d / Math.sqrt(8) + 0.25;
      });
      const ex = s.map((x) => Math.exp(x - Math.max(...s)));
      const p = ex.map((x) => (3 * x) / ex.reduce((a, b) => a + b, 0));
      for (let e = 0; e < 6; e++) want.push(p.reduce((acc, pj, j) => acc + pj * V[(kvh * 5 + j) * 6 + e]!, 0));
    }
  }
  assert.deepEqual(y.shape, [2, 4, 3, 6]);
  y.numeric().forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-5, `element ${i}: ${x} vs ${want[i]}`));
});

test('FlexAttention refuses mask_mod and malformed modifier subgraphs with typed errors naming the node', async () => {
  const [q, k, v] = [randomTensor([1, 2, 3, 4], 31), randomTensor([1, 2, 3, 4], 32), randomTensor([1, 2, 3, 4], 33)];
  const refused = (attrs: Record<string, AttrValue>, cls: new (...a: never[]) => Error, says: RegExp) =>
    assert.rejects(flexAttention(attrs, q, k, v), (e: unknown) =>
      e instanceof cls && /node 'fa'/.test(String((e as { where?: string }).where)) && says.test((e as Error).message));
  await refused({ mask_mod: modifier('Add', 0) }, UnsupportedError, /'mask_mod' is not part of FlexAttention/);
  // the hint once, after the node (re-thrown with a location, an error keeps its hint but does not repeat it)
  await assert.rejects(flexAttention({ mask_mod: modifier('Add', 0) }, q, k, v), (e: unknown) =>
    (e as Error).message.split('write the mask into score_mod').length === 2 && /\(at node 'fa' .*\) — write the mask/.test((e as Error).message));
  await refused({ score_mod: modifier('Add', 0, (g) => g.inputs.push({ name: 'z', dtype: 'float32', shape: [] })) }, GraphError, /2 input\(s\)/);
  await refused({ prob_mod: modifier('Add', 0, (g) => g.outputs.push({ name: 'x' })) }, GraphError, /2 output\(s\)/);
  await refused({ score_mod: modifier('Add', 0, (g) => g.initializers.set('c', Tensor.fromNumeric('float32', [2, 1, 1, 1, 1], [1, 2]))) },
    ShapeError, /score_mod returns float32\[2,1,2,3,3\]; it must return what it is given, float32\[1,2,3,3\]/);
  await refused({ score_mod: modifier('Add', 0, (g) => { g.nodes[0]!.inputs[1] = 'q'; }) }, GraphError, /score_mod reads 'q' from the enclosing graph/);
  await refused({ prob_mod: modifier('Add', 0, (g) => g.initializers.set('c', Tensor.fromNumeric('float32', [2], [1, 2]))) }, ShapeError, /prob_mod, node 'm' \(Add\)/);
  const branch = () => ({ type: 'graph' as const, value: new Graph({ outputs: [{ name: 'c' }] }) });
  await refused({ score_mod: modifier('Add', 0, (g) => g.nodes.push({ name: 'if', opType: 'If', domain: '', inputs: ['c'], outputs: ['w'], attrs: { then_branch: branch(), else_branch: branch() } })) },
    UnsupportedError, /score_mod, node 'if' \(If\): If is a host op/);
});
