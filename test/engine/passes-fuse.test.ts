// remove-identity, fold-batchnorm, fuse-epilogue and fuse-pointwise on tiny graphs: the layers
// before and after, what was fused into what, and the same outputs as the original graph on the
// CPU framework (before and after the passes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { ConvLayer, GemmLayer, PointwiseLayer } from '../../src/engine/network.js';
import { removeIdentityPass } from '../../src/engine/passes/remove-identity.js';
import { foldBatchNormPass } from '../../src/engine/passes/fold-batchnorm.js';
import { fuseEpiloguePass } from '../../src/engine/passes/fuse-epilogue.js';
import { fusePointwisePass } from '../../src/engine/passes/fuse-pointwise.js';
import { showExpr } from '../../src/engine/passes/pw-expr.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { importAndRun, layerNamed, structure } from './passes-harness.js';

/** The layer's expression with operand names in place of input indices. */
const named = (l: PointwiseLayer) => showExpr(l.expr).replace(/in(\d+)/g, (_, i: string) => l.inputs[Number(i)]!);

const positive = (shape: number[], seed: number) => uniformTensor(shape, seed, 0.5, 1.5);

/** x → Conv_0 (3→4, 3×3, pad 1) → BatchNormalization_1 → Relu_2 → y. */
function convBnRelu() {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3, 6, 5]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 3, 3, 3], 1)), b.constant('B', uniformTensor([4], 2))], { pads: [1, 1, 1, 1] }, 'Conv_0');
  const bn = b.op('BatchNormalization', [c, b.constant('scale', uniformTensor([4], 3)), b.constant('bias', uniformTensor([4], 4)),
    b.constant('mean', uniformTensor([4], 5)), b.constant('var', positive([4], 6))], { epsilon: 1e-3 }, 'BatchNormalization_1');
  b.output(b.op('Relu', [bn], {}, 'Relu_2'));
  return b.graph;
}

test('fold-batchnorm + fuse-epilogue: Conv + BatchNorm + Relu become one conv', () => {
  const { before, after, changes } = importAndRun(convBnRelu(), {});
  assert.deepEqual(structure(before), ['conv Conv_0', 'pointwise BatchNormalization_1', 'pointwise Relu_2']);
  assert.deepEqual(structure(after), ['conv Conv_0']);
  const conv = after.layers[0] as ConvLayer;
  assert.deepEqual(conv.from, ['Conv_0', 'BatchNormalization_1', 'Relu_2']);
  assert.equal(conv.act.kind, 'relu');
  assert.equal(conv.output, 'Relu_2');
  assert.ok(changes.includes('folded BatchNormalization_1 into conv Conv_0'), changes.join('\n'));
  assert.ok(changes.includes('fused Conv_0 + BatchNormalization_1 + Relu_2 → conv Conv_0'), changes.join('\n'));
});

test('fold-batchnorm alone keeps the activation as its own layer', () => {
  const { after } = importAndRun(convBnRelu(), {}, { stages: [foldBatchNormPass] });
  assert.deepEqual(structure(after), ['conv Conv_0', 'pointwise Relu_2']);
});

test('fold-batchnorm leaves a BatchNorm whose conv output is read twice', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([2, 2, 1, 1], 1))], {}, 'Conv_0');
  const bn = b.op('BatchNormalization', [c, b.constant('s', uniformTensor([2], 2)), b.constant('b', uniformTensor([2], 3)),
    b.constant('m', uniformTensor([2], 4)), b.constant('v', positive([2], 5))], {}, 'BN_1');
  b.output(b.op('Add', [bn, c], {}, 'Add_2'));
  const { after } = importAndRun(b.graph, {}, { stages: [foldBatchNormPass] });
  assert.deepEqual(structure(after), ['conv Conv_0', 'pointwise BN_1', 'pointwise Add_2']);
});

test('fold-batchnorm folds BatchNorm after Gemm (transB, alpha, beta) into its columns', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [3, 5]);
  const g = b.op('Gemm', [x, b.constant('W', uniformTensor([4, 5], 1)), b.constant('C', uniformTensor([4], 2))],
    { transB: 1, alpha: 0.5, beta: 2 }, 'Gemm_0');
  const bn = b.op('BatchNormalization', [g, b.constant('s', uniformTensor([4], 3)), b.constant('b', uniformTensor([4], 4)),
    b.constant('m', uniformTensor([4], 5)), b.constant('v', positive([4], 6))], {}, 'BN_1');
  b.output(b.op('Sigmoid', [bn], {}, 'Sigmoid_2'));
  const { after } = importAndRun(b.graph, {});
  assert.deepEqual(structure(after), ['gemm Gemm_0']);
  assert.equal((after.layers[0] as GemmLayer).act.kind, 'sigmoid');
});

test('fuse-epilogue: per-channel bias Add, residual Add and activation in one conv', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 5, 5]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 4, 3, 3], 1))], { pads: [1, 1, 1, 1] }, 'Conv_0');
  const biased = b.op('Add', [c, b.constant('bias', uniformTensor([4, 1, 1], 2))], {}, 'Add_1');
  const res = b.op('Add', [b.input('r', 'float32', [1, 4, 5, 5]), biased], {}, 'Add_2');
  b.output(b.op('Clip', [res, b.constant('lo', Tensor.scalar('float32', 0)), b.constant('hi', Tensor.scalar('float32', 0.5))], {}, 'Clip_3'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.deepEqual(structure(after), ['conv Conv_0']);
  const conv = after.layers[0] as ConvLayer;
  assert.equal(conv.residual, 'r');
  assert.deepEqual(conv.act, { kind: 'clip', min: 0, max: 0.5 });
  assert.ok(conv.bias);
  assert.deepEqual(changes, ['fused Conv_0 + Add_1 + Add_2 + Clip_3 → conv Conv_0']);
});

test('fuse-epilogue: a scale by one constant after a biased MatMul goes into its weights and bias (Whisper\'s Q scaling)', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [6, 8]);
  const w = uniformTensor([8, 8], 1);
  const bias = uniformTensor([8], 2);
  const q = b.op('Add', [b.op('MatMul', [x, b.constant('W', w)], {}, 'MatMul_0'), b.constant('B', bias)], {}, 'Add_1');
  const scaled = b.op('Mul', [q, b.constant('s', Tensor.scalar('float32', 0.125))], {}, 'Mul_2');
  const kt = b.op('Transpose', [b.input('k', 'float32', [6, 8])], { perm: [1, 0] }, 'Transpose_3');
  b.output(b.op('MatMul', [scaled, kt], {}, 'MatMul_4'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  const gemm = layerNamed(after, 'MatMul_0') as GemmLayer;
  assert.ok(!after.layers.some((l) => l.kind === 'pointwise'), structure(after).join(', '));
  assert.deepEqual([...gemm.weights.slice(0, 4)], [...w.data.slice(0, 4)].map((v) => v * 0.125));
  assert.deepEqual([...gemm.bias!], [...bias.data].map((v) => v * 0.125));
  assert.ok(changes.includes('fused MatMul_0 + Add_1 + Mul_2 → gemm MatMul_0'), changes.join('; '));
});

test('fuse-epilogue: a scale after an activation stays a layer of its own', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 5, 5]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 4, 3, 3], 1))], { pads: [1, 1, 1, 1] }, 'Conv_0');
  b.output(b.op('Mul', [b.op('Tanh', [c], {}, 'Tanh_1'), b.constant('s', Tensor.scalar('float32', 3))], {}, 'Mul_2'));
  const { after } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.deepEqual(structure(after), ['conv Conv_0', 'pointwise Mul_2']);
});

test('fuse-epilogue: a residual that is the conv\'s own input stays a separate layer (no aliased bindings)', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 5, 5]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 4, 3, 3], 1))], { pads: [1, 1, 1, 1] }, 'Conv_0');
  b.output(b.op('Relu', [b.op('Add', [x, c], {}, 'Add_1')], {}, 'Relu_2'));
  const { after } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.equal((after.layers[0] as ConvLayer).residual, undefined);
  assert.ok(after.layers.length >= 2, 'the Add runs as its own layer');
});

test('fuse-epilogue: an activation before a residual Add stops the fusion at the activation', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3, 3]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([2, 2, 1, 1], 1))], {}, 'Conv_0');
  const r = b.op('Relu', [c], {}, 'Relu_1');
  b.output(b.op('Add', [r, x], {}, 'Add_2'));
  const { after } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.deepEqual(structure(after), ['conv Conv_0', 'pointwise Add_2']);
  assert.equal((after.layers[0] as ConvLayer).act.kind, 'relu');
  assert.equal((after.layers[0] as ConvLayer).residual, undefined);
});

test('fuse-epilogue: x·sigmoid(x) after a conv becomes its silu activation', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3, 4, 4]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([6, 3, 1, 1], 1)), b.constant('B', uniformTensor([6], 2))], {}, 'Conv_0');
  const s = b.op('Sigmoid', [c], {}, 'Sigmoid_1');
  b.output(b.op('Mul', [c, s], {}, 'Mul_2'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.deepEqual(structure(after), ['conv Conv_0']);
  assert.equal((after.layers[0] as ConvLayer).act.kind, 'silu');
  assert.ok(changes.includes('recognised Sigmoid_1 + Mul_2 as silu'), changes.join('\n'));
});

test('fuse-epilogue: a conv output that is also a network output is not fused', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3, 3]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([2, 2, 1, 1], 1))], {}, 'Conv_0');
  b.output(c);
  b.output(b.op('Relu', [c], {}, 'Relu_1'));
  const { after } = importAndRun(b.graph, {}, { stages: [fuseEpiloguePass] });
  assert.deepEqual(structure(after), ['conv Conv_0', 'pointwise Relu_1']);
});

test('remove-identity: Identity and Dropout vanish; an output Identity makes its producer write the output', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const r = b.op('Relu', [x], {}, 'Relu_0');
  const i = b.op('Identity', [r], {}, 'Identity_1');
  const d = b.op('Dropout', [i], {}, 'Dropout_2');
  const t = b.op('Tanh', [d], {}, 'Tanh_3');
  b.output(b.op('Identity', [t], {}, 'out'));
  const { before, after, changes } = importAndRun(b.graph, {}, { stages: [removeIdentityPass] });
  assert.deepEqual(structure(before), ['pointwise Relu_0', 'reshape Identity_1', 'reshape Dropout_2', 'pointwise Tanh_3', 'reshape out']);
  assert.deepEqual(structure(after), ['pointwise Relu_0', 'pointwise Tanh_3']);
  assert.deepEqual((after.layers[1] as PointwiseLayer).inputs, ['Relu_0']);
  assert.equal(after.layers[1]!.output, 'out');
  assert.equal(changes.length, 3);
  assert.ok(!after.tensors.has('Identity_1') && !after.tensors.has('Tanh_3'));
});

test('remove-identity keeps an input → output Identity (a copy) and real reshapes', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  b.output(b.op('Identity', [x], {}, 'copy'));
  const f = b.op('Flatten', [b.op('Relu', [x], {}, 'Relu_0')], { axis: 0 }, 'Flatten_1');
  b.output(f);
  const { after } = importAndRun(b.graph, {}, { stages: [removeIdentityPass] });
  assert.deepEqual(structure(after), ['reshape copy', 'pointwise Relu_0', 'reshape Flatten_1']);
});

test('fuse-pointwise: a chain of pointwise ops becomes one expression', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 3, 3]);
  const y = b.input('y', 'float32', [1, 4, 3, 3]);
  const m = b.op('Mul', [x, b.constant('two', Tensor.scalar('float32', 2))], {}, 'Mul_0');
  const a = b.op('Add', [m, y], {}, 'Add_1');
  const s = b.op('Sub', [a, b.constant('shift', uniformTensor([1, 4, 1, 1], 7))], {}, 'Sub_2');
  const e = b.op('Exp', [b.op('Neg', [s], {}, 'Neg_3')], {}, 'Exp_4');
  b.output(b.op('Sigmoid', [e], {}, 'Sigmoid_5'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [fusePointwisePass] });
  assert.deepEqual(structure(after), ['pointwise Mul_0']);
  const l = after.layers[0] as PointwiseLayer;
  assert.deepEqual(l.from, ['Mul_0', 'Add_1', 'Sub_2', 'Neg_3', 'Exp_4', 'Sigmoid_5']);
  assert.deepEqual([...l.inputs].sort(), ['const:0', 'x', 'y']);
  assert.equal(named(l), 'sigmoid(Exp(Neg(sub(add(mul(x, 2), y), const:0))))');
  assert.deepEqual(changes, ['fused Mul_0 + Add_1 + Sub_2 + Neg_3 + Exp_4 + Sigmoid_5 → pointwise Mul_0']);
});

test('fuse-pointwise stops where an intermediate has two readers, is an output, or is broadcast', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3, 2, 2]);
  const c = b.input('c', 'float32', [1, 3, 1, 1]);
  const shared = b.op('Relu', [x], {}, 'Relu_0'); // read by Exp_1 and Add_2
  const e = b.op('Exp', [shared], {}, 'Exp_1'); // a network output
  b.output(e);
  const a = b.op('Add', [shared, e], {}, 'Add_2');
  const perChannel = b.op('Abs', [c], {}, 'Abs_3'); // [1,3,1,1]: broadcast by Mul_4, not fused into it
  b.output(b.op('Mul', [a, perChannel], {}, 'Mul_4'));
  const { after } = importAndRun(b.graph, {}, { stages: [fusePointwisePass] });
  assert.deepEqual(structure(after), ['pointwise Relu_0', 'pointwise Exp_1', 'pointwise Abs_3', 'pointwise Add_2']);
  const last = layerNamed(after, 'Add_2') as PointwiseLayer;
  assert.deepEqual(last.from, ['Add_2', 'Mul_4']);
  assert.equal(last.output, 'Mul_4');
  assert.equal(named(last), 'mul(add(Relu_0, Exp_1), Abs_3)');
});

test('fuse-pointwise: a value read twice by one layer is fused into both leaves', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const r = b.op('Relu', [x], {}, 'Relu_0');
  b.output(b.op('Mul', [r, r], {}, 'Mul_1'));
  const { after } = importAndRun(b.graph, {}, { stages: [fusePointwisePass] });
  assert.deepEqual(structure(after), ['pointwise Relu_0']);
  assert.equal(named(after.layers[0] as PointwiseLayer), 'mul(relu(x), relu(x))');
});
