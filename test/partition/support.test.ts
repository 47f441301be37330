// The webgpu engine's support predicate: what it takes, and the reason for each decline. Also the
// predicate combinators it is built from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { engineSupports, pointwiseBroadcastOk } from '../../src/engine/support.js';
import { anyOf, chain, declineIf, type SupportContext } from '../../src/partition/predicate.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { typesOf } from './helpers.js';
import { elementCount } from '../../src/tensor/shape.js';

const zeros = (shape: number[]) => Tensor.fromArray(shape, new Array(elementCount(shape)).fill(0.1));
const int64 = (values: number[]) => Tensor.fromNumeric('int64', [values.length], values);

/** Verdict for every node of the graph, by node name. */
function verdicts(g: Graph): Record<string, true | string> {
  const types = typesOf(g);
  return Object.fromEntries(g.nodes.map((n) => [n.name, engineSupports(n, types, g)]));
}

test('supported: conv 2-D and 1-D with constant weights, grouped conv, BN, activations, per-channel Add, pools, Gemm, Softmax, Transpose', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 6, 6]);
  const c = b.op('Conv', [x, b.constant('w', zeros([4, 4, 3, 3])), b.constant('b', zeros([4]))], { pads: [1, 1, 1, 1] }, 'conv');
  const g = b.op('Conv', [c, b.constant('wg', zeros([4, 2, 1, 1]))], { group: 2 }, 'grouped');
  const bn = b.op('BatchNormalization', [g, ...['s', 'bb', 'm', 'v'].map((n) => b.constant(n, zeros([4])))], {}, 'bn');
  const r = b.op('Clip', [b.op('Relu', [bn], {}, 'relu'), b.constant('lo', Tensor.scalar('float32', 0)), b.constant('hi', Tensor.scalar('float32', 6))], {}, 'clip');
  const add = b.op('Add', [r, b.constant('perC', zeros([1, 4, 1, 1]))], {}, 'add_channel');
  const mul = b.op('Mul', [add, b.constant('one', zeros([1]))], {}, 'mul_scalar');
  const pool = b.op('GlobalAveragePool', [b.op('MaxPool', [mul], { kernel_shape: [2, 2] }, 'maxpool')], {}, 'gap');
  const flat = b.op('Flatten', [pool], {}, 'flatten');
  const fc = b.op('Gemm', [flat, b.constant('fw', zeros([3, 4])), b.constant('fb', zeros([3]))], { transB: 1 }, 'fc');
  b.output(b.op('Softmax', [fc], { axis: -1 }, 'softmax'));
  const x1 = b.input('x1', 'float32', [1, 4, 8]);
  b.output(b.op('Conv', [x1, b.constant('w1', zeros([2, 4, 3]))], {}, 'conv1d'));
  b.output(b.op('Transpose', [x1], { perm: [0, 2, 1] }, 'transpose'));
  const v = verdicts(b.graph);
  for (const [name, verdict] of Object.entries(v)) assert.equal(verdict, true, `${name}: ${verdict}`);
});

test('declined with a reason: unsupported op, non-constant weights, 3-D conv, dtype, attributes (and a numpy broadcast accepted)', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const w = b.input('w', 'float32', [2, 3, 3, 3]);
  const img = b.input('img', 'float32', [1, 3, 5, 5]);
  const vol = b.input('vol', 'float32', [1, 3, 4, 4, 4]);
  const i = b.input('i', 'int64', [2, 3]);
  b.output(b.op('Hardmax', [x], { axis: 1 }, 'hardmax'));
  b.output(b.op('Conv', [img, w], {}, 'conv_dynamic_w'));
  b.output(b.op('Conv', [vol, b.constant('w3', zeros([2, 3, 1, 1, 1]))], {}, 'conv3d'));
  b.output(b.op('Add', [b.input('row', 'float32', [2, 1]), x], {}, 'add_row'));
  b.output(b.op('Neg', [i], {}, 'neg_int'));
  b.output(b.op('Gemm', [x, b.constant('gb', zeros([3, 2])), b.input('c', 'float32', [2])], {}, 'gemm_dyn_c'));
  b.output(b.op('Gemm', [b.input('at', 'float32', [3, 2]), b.constant('gb2', zeros([3, 2]))], { transA: 1 }, 'gemm_transA'));
  b.output(b.op('Softmax', [img], { axis: 1 }, 'softmax_axis1'));
  b.output(b.op('Concat', [img, img], { axis: 2 }, 'concat_axis2'));
  b.output(b.ops('MaxPool', [img], { kernel_shape: [2, 2] }, 2, 'maxpool_idx')[1]!);
  b.output(b.op('MatMul', [x, b.input('mb', 'float32', [3, 4])], {}, 'matmul_dyn'));
  b.output(b.op('Concat', [img, b.constant('cc', zeros([1, 3, 1, 5]))], { axis: 2 }, 'concat_const'));
  b.output(b.op('MatMul', [b.constant('ma', zeros([4, 2])), x], {}, 'matmul_const_a'));
  const v = verdicts(b.graph);
  assert.equal(v.hardmax, 'op Hardmax is not supported by the webgpu engine');
  assert.equal(v.conv_dynamic_w, 'Conv: weights are not a constant');
  assert.equal(v.conv3d, 'Conv: 3-D convolution is not supported');
  assert.equal(v.add_row, true, 'a per-row operand broadcasts by the numpy rules');
  assert.match(String(v.neg_int), /^dtype int64/);
  assert.equal(v.gemm_dyn_c, 'Gemm: C is not a constant');
  assert.match(String(v.gemm_transA), /^Gemm: transA = 1 is not supported/);
  assert.equal(v.softmax_axis1, true, 'softmax over any axis (strided rows)');
  assert.equal(v.concat_axis2, true, 'concat along any axis');
  assert.equal(v.concat_const, true, 'a constant input (ViT class token) is an operand of the concat layer');
  assert.equal(v.maxpool_idx, 'MaxPool: the Indices output is not supported');
  assert.equal(v.matmul_dyn, true, 'a computed B (the matmul layer)');
  assert.equal(v.matmul_const_a, 'MatMul: a constant A with a computed B is not supported');
});

test('shape/axes inputs folded by inference count as constants; a used Dropout mask does not pass', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3]);
  const shape = b.op('Shape', [x], {}, 'shape'); // value known statically: [1,2,3]
  const r = b.op('Reshape', [b.op('Relu', [x], {}, 'relu'), shape], {}, 'reshape');
  b.output(b.op('Unsqueeze', [r, b.constant('axes', int64([0]))], {}, 'unsqueeze'));
  const [d, mask] = b.ops('Dropout', [x], {}, 2, 'dropout');
  b.output(d!);
  b.output(mask!);
  const v = verdicts(b.graph);
  assert.equal(v.shape, 'op Shape is not supported by the webgpu engine');
  assert.equal(v.reshape, true);
  assert.equal(v.unsqueeze, true);
  assert.equal(v.dropout, 'Dropout: the mask output is used');
});

test('pointwise broadcast rule: any numpy broadcast (same shape, one element, per channel, trailing axes)', () => {
  assert.ok(pointwiseBroadcastOk([1, 8, 4, 4], [1, 8, 4, 4]));
  assert.ok(pointwiseBroadcastOk([], [1, 8, 4, 4]));
  assert.ok(pointwiseBroadcastOk([1, 1, 1, 1], [1, 8, 4, 4]));
  assert.ok(pointwiseBroadcastOk([8, 1, 1], [1, 8, 4, 4]));
  assert.ok(pointwiseBroadcastOk([1, 8, 1, 1], [2, 8, 4, 4]));
  assert.ok(pointwiseBroadcastOk([8, 1], [1, 8, 5]));
  assert.ok(pointwiseBroadcastOk([1, 8, 1], [1, 8, 5]));
  assert.ok(pointwiseBroadcastOk([4], [1, 8, 4, 4]), 'trailing-axis broadcast');
  assert.ok(pointwiseBroadcastOk([1, 8, 4, 1], [1, 8, 4, 4]));
  assert.ok(!pointwiseBroadcastOk([3], [1, 8, 4, 4]), 'a dim that is neither equal nor 1');
  assert.ok(pointwiseBroadcastOk([8], [2, 8]), 'rank 2: a bias along the last axis');
  assert.ok(pointwiseBroadcastOk([1, 8], [2, 8]));
  assert.ok(pointwiseBroadcastOk([2, 1], [2, 8]), 'rank 2: per row');
  assert.ok(!pointwiseBroadcastOk([1, 2, 8], [2, 8]), 'higher rank than the output');
});

test('combinators: chain stops at the first decline, anyOf joins reasons, declineIf', () => {
  const node: Node = { name: 'n', opType: 'Relu', domain: '', inputs: [], outputs: [], attrs: {} };
  const ctx = {} as SupportContext;
  const yes = () => true as const;
  const no = (why: string) => () => why;
  let calls = 0;
  const counted = () => (calls++, true as const);
  assert.equal(chain(yes, no('first'), counted, no('second'))(node, ctx), 'first');
  assert.equal(calls, 0, 'chain stops at the first decline');
  assert.equal(chain(yes, counted)(node, ctx), true);
  assert.equal(anyOf(no('a'), no('b'))(node, ctx), 'a or b');
  assert.equal(anyOf(no('a'), yes)(node, ctx), true);
  assert.equal(declineIf((n) => n.opType === 'Relu', 'no relu')(node, ctx), 'no relu');
  assert.equal(declineIf((n) => n.opType === 'Abs', 'no abs')(node, ctx), true);
});
