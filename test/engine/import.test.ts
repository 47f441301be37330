// The engine importer: every op family it translates computes what the CPU framework computes on
// the original graph (the network lowered back to IR), constant subgraphs are folded, unsupported
// nodes are refused with the support predicate's reason, and SqueezeNet 1.1 imported, optimized
// and lowered matches onnxruntime's reference output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { importNetwork } from '../../src/engine/import.js';
import type { ConvLayer, PoolLayer } from '../../src/engine/network.js';
import { foldConstantsPass } from '../../src/engine/passes/fold-constants.js';
import { runPipeline } from '../../src/engine/passes/pipeline.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { importAndRun, layerNamed, runGraph, structure } from './passes-harness.js';

const int64 = (v: number[]) => Tensor.fromNumeric('int64', [v.length], v);
const scalar = (v: number) => Tensor.scalar('float32', v);

test('1-D conv, pools with ceil_mode, global pools and activations match the CPU framework', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 11]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 2, 3], 1)), b.constant('B', uniformTensor([4], 2))],
    { strides: [2], pads: [1, 0], dilations: [1] }, 'Conv1d');
  const l = b.op('LeakyRelu', [c], { alpha: 0.2 }, 'Leaky');
  const p = b.op('MaxPool', [l], { kernel_shape: [2], strides: [2], ceil_mode: 1 }, 'Pool1d'); // 5 → 3 with ceil
  b.output(b.op('GlobalAveragePool', [p], {}, 'Gap1d'));
  const { before, after } = importAndRun(b.graph, {});
  const pool = layerNamed(before, 'Pool1d') as PoolLayer;
  assert.deepEqual(pool.pads, [0, 0, 0, 1], 'ceil_mode becomes one extra column of end padding');
  assert.deepEqual((layerNamed(before, 'Conv1d') as ConvLayer).weightShape, [4, 2, 1, 3]);
  assert.deepEqual(structure(after), ['conv Conv1d', 'pool Pool1d', 'pool Gap1d']);
});

test('2-D conv with auto_pad SAME_UPPER and groups, average pools, HardSigmoid/HardSwish/Tanh', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 4, 7, 7]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([6, 2, 3, 2], 1))], { auto_pad: 'SAME_UPPER', strides: [2, 2], group: 2 }, 'ConvSame');
  const h = b.op('HardSigmoid', [c], { alpha: 0.3, beta: 0.4 }, 'HSig');
  const a = b.op('AveragePool', [h], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }, 'AvgInc');
  const a2 = b.op('AveragePool', [a], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, 'AvgCeil');
  b.output(b.op('Tanh', [b.op('HardSwish', [a2], {}, 'HSwish')], {}, 'T'));
  const { before } = importAndRun(b.graph, {});
  assert.deepEqual((layerNamed(before, 'ConvSame') as ConvLayer).pads, [1, 0, 1, 1], 'SAME_UPPER puts the odd pad at the end');
  assert.equal((layerNamed(before, 'AvgInc') as PoolLayer).countIncludePad, true);
});

test('binary ops with per-channel, scalar and same-shape operands, and unary math', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3, 2, 2]);
  const y = b.input('y', 'float32', [2, 3, 2, 2]);
  const s = b.op('Sub', [x, b.constant('c1', uniformTensor([3, 1, 1], 1))], {}, 'Sub');
  const d = b.op('Div', [b.constant('c2', uniformTensor([1, 3, 1, 1], 2, 1, 2)), b.op('Add', [b.op('Abs', [s], {}, 'Abs'), scalarName(b, 1)], {}, 'AddOne')], {}, 'Div');
  const p = b.op('Pow', [d, b.constant('two', scalar(2))], {}, 'Pow');
  const mx = b.op('Max', [p, y], {}, 'Max');
  const mn = b.op('Min', [mx, b.constant('c3', uniformTensor([2, 3, 2, 2], 3))], {}, 'Min');
  const m = b.op('Mul', [mn, mn], {}, 'Square');
  const unary = ['Neg', 'Exp', 'Sqrt', 'Log', 'Reciprocal', 'Floor', 'Ceil', 'Erf', 'Sin', 'Cos'].reduce(
    (v, op) => b.op(op, [op === 'Sqrt' || op === 'Log' || op === 'Reciprocal' ? b.op('Add', [v, scalarName(b, 2)], {}, `Pos${op}`) : v], {}, op), m);
  b.output(unary);
  const { after } = importAndRun(b.graph, {});
  assert.deepEqual(structure(after), ['pointwise Sub'], 'the whole chain is one pointwise layer');
  importAndRun(b.graph, {}, { precision: 'fp16' });
});

function scalarName(b: GraphBuilder, v: number): string {
  return b.constant('k', scalar(v));
}

test('Gemm (transB, alpha, beta, [1,N] bias), MatMul, Softmax/LogSoftmax, Squeeze/Unsqueeze/Reshape/Concat', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3, 2, 2]);
  const pooled = b.op('Squeeze', [b.op('GlobalMaxPool', [x], {}, 'Gmp'), b.constant('axes', int64([2, 3]))], {}, 'Sq');
  const g = b.op('Gemm', [pooled, b.constant('W', uniformTensor([5, 3], 1)), b.constant('C', uniformTensor([1, 5], 2))],
    { transB: 1, alpha: 0.7, beta: -1.5 }, 'Fc');
  b.output(b.op('Softmax', [g], {}, 'Probs'));
  const mm = b.op('MatMul', [g, b.constant('M', uniformTensor([5, 4], 3))], {}, 'Mm');
  b.output(b.op('LogSoftmax', [mm], { axis: 1 }, 'LogProbs'));
  const u = b.op('Unsqueeze', [b.op('Reshape', [x, b.constant('shape', int64([2, -1]))], {}, 'Rs'), b.constant('ax', int64([1]))], {}, 'Unsq');
  b.output(b.op('Concat', [u, b.op('Relu', [u], {}, 'R')], { axis: 1 }, 'Cat'));
  const { after } = importAndRun(b.graph, {});
  assert.deepEqual(structure(after).filter((s) => !s.startsWith('convert')),
    ['pool Gmp', 'reshape Sq', 'gemm Fc', 'softmax Probs', 'gemm Mm', 'softmax LogProbs', 'reshape Rs', 'reshape Unsq', 'pointwise R', 'concat Cat']);
});

test('constant subgraphs are folded on the host before import (fold-constants)', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3, 3]);
  const wT = b.op('Transpose', [b.constant('Wt', uniformTensor([3, 3, 2, 3], 1))], { perm: [3, 2, 0, 1] }, 'TransposeW');
  const bias = b.op('Identity', [b.constant('B', uniformTensor([3], 2))], {}, 'IdentityB');
  b.output(b.op('Conv', [x, wT, bias], { pads: [1, 1, 1, 1] }, 'Conv'));
  const lines: string[] = [];
  const net = importNetwork(b.graph, {}, { log: (l) => lines.push(l) });
  assert.deepEqual(structure(net), ['conv Conv']);
  assert.deepEqual(lines, [
    'fold-constants: folded TransposeW (Transpose) → constant TransposeW',
    'fold-constants: folded IdentityB (Identity) → constant IdentityB',
  ]);
  const folded = foldConstantsPass.run(b.graph, { change: () => {} });
  assert.deepEqual(folded.nodes.map((n) => n.name), ['Conv']);
  assert.ok(!folded.initializers.has('Wt'), 'initializers only folded nodes read are dropped');
  assert.equal(b.graph.nodes.length, 3, 'the input graph is left as it was');
  importAndRun(b.graph, {});
});

test('shape values known from inference (Shape → Concat → Reshape) are constants, not layers', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', ['batch', 3, 4]);
  const shape = b.op('Concat', [b.op('Shape', [x], { start: 0, end: 1 }, 'Shape'), b.constant('rest', int64([-1]))], { axis: 0 }, 'ShapeCat');
  b.output(b.op('Reshape', [b.op('Relu', [x], {}, 'R'), shape], {}, 'Flat'));
  const { after } = importAndRun(b.graph, { x: [2, 3, 4] });
  assert.deepEqual(structure(after), ['pointwise R', 'reshape Flat']);
  assert.deepEqual(after.tensors.get('Flat')!.shape, [2, 12]);
});

test('unsupported nodes are refused with the support predicate\'s reason, naming the node', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3]);
  b.output(b.op('Hardmax', [b.op('Relu', [x], {}, 'R')], {}, 'MyHardmax'));
  assert.throws(() => importNetwork(b.graph, {}), (e: unknown) =>
    e instanceof UnsupportedError && /Hardmax/.test(e.message) && /MyHardmax/.test(e.message));

  const w = new GraphBuilder();
  const input = w.input('x', 'float32', [1, 2, 3, 3]);
  const weights = w.input('w', 'float32', [2, 2, 1, 1]);
  w.output(w.op('Conv', [input, weights], {}, 'DynamicConv'));
  assert.throws(() => importNetwork(w.graph, {}), (e: unknown) =>
    e instanceof UnsupportedError && /weights/.test(e.message) && /DynamicConv/.test(e.message));
});

const squeezenet = new URL('../../../shared/models/squeezenet1_1/', import.meta.url).pathname;

test('SqueezeNet 1.1: import, the full pipeline and lowering match onnxruntime\'s output', { skip: existsSync(squeezenet) ? false : `${squeezenet} is absent` }, () => {
  const { graph } = loadOnnxFile(join(squeezenet, 'model.onnx'));
  const input = readTensorPb(join(squeezenet, 'test_data_set_0', 'input_0.pb'));
  const want = readTensorPb(join(squeezenet, 'test_data_set_0', 'output_0.pb'));
  const folded: string[] = [];
  const net = importNetwork(graph, { [graph.inputs[0]!.name]: [...input.tensor.shape] }, { log: (l) => folded.push(l) });
  assert.equal(folded.length, 18, 'the 18 Identity nodes on shared biases are folded');
  const { network, passes } = runPipeline(net, { precision: 'fp32' });
  const kinds = (k: string) => network.layers.filter((l) => l.kind === k);
  assert.equal(kinds('conv').length, 26);
  assert.equal(kinds('pointwise').length, 0, 'every Relu is fused into its conv');
  assert.ok(kinds('conv').every((l) => (l as ConvLayer).act.kind === 'relu'));
  assert.equal(kinds('concat').length, 8);
  assert.ok(kinds('concat').every((l) => l.kind === 'concat' && l.inPlace), 'every fire module concat is in place');
  assert.deepEqual(kinds('pool').map((l) => (l as PoolLayer).op), ['max', 'max', 'max', 'avg']);
  assert.equal(passes.find((p) => p.pass === 'fuse-epilogue')!.changes.length, 26);

  const got = runGraph(lowerNetwork(network), { [graph.inputs[0]!.name]: input.tensor });
  const out = got[graph.outputs[0]!.name]!;
  const c = compareTensors(out, want.tensor, FP32_TOLERANCE);
  assert.ok(c.pass, `max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches`);

  const half = runPipeline(net, { precision: 'fp16' }).network;
  const f32 = [...half.tensors.values()].filter((t) => t.format.storage === 'f32').map((t) => t.name);
  // Every internal tensor has an even channel count; the pooled [1,1000,1,1] is a view of the f32 output.
  assert.deepEqual(f32, ['input', '/classifier/classifier.3/GlobalAveragePool_output_0', 'logits']);
});
