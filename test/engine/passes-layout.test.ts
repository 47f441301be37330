// concat-in-place, layout and precision: which concats run in place, which format each tensor
// gets, where conversions are inserted; the rewritten network still computes the original outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { ConcatLayer, Network } from '../../src/engine/network.js';
import { concatInPlacePass } from '../../src/engine/passes/concat-in-place.js';
import { layoutPass } from '../../src/engine/passes/layout.js';
import { precisionPass } from '../../src/engine/passes/precision.js';
import { ENGINE_PIPELINE } from '../../src/engine/passes/pipeline.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { importAndRun, layerNamed, structure } from './passes-harness.js';

const int64 = (v: number[]) => Tensor.fromNumeric('int64', [v.length], v);

const format = (net: Network, t: string) => {
  const f = net.tensors.get(t);
  assert.ok(f, `tensor ${t} exists (tensors: ${[...net.tensors.keys()].join(', ')})`);
  return `${f.format.layout}/${f.format.storage}`;
};

/** A fire module: squeeze 1×1 → Relu → (expand 1×1, expand 3×3) → Relu each → Concat. */
function fire(opts: { extraReader?: boolean; expand?: [number, number] } = {}) {
  const [e1, e3] = opts.expand ?? [4, 6];
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3, 5, 5]);
  const s = b.op('Relu', [b.op('Conv', [x, b.constant('Ws', uniformTensor([2, 3, 1, 1], 1))], {}, 'Squeeze')], {}, 'SqueezeRelu');
  const a = b.op('Relu', [b.op('Conv', [s, b.constant('W1', uniformTensor([e1, 2, 1, 1], 2))], {}, 'Expand1')], {}, 'Relu1');
  const c = b.op('Relu', [b.op('Conv', [s, b.constant('W3', uniformTensor([e3, 2, 3, 3], 3))], { pads: [1, 1, 1, 1] }, 'Expand3')], {}, 'Relu3');
  const cat = b.op('Concat', [a, c], { axis: 1 }, 'Concat');
  b.output(b.op('MaxPool', [cat], { kernel_shape: [2, 2], strides: [2, 2] }, 'Pool'));
  if (opts.extraReader) b.output(b.op('Sigmoid', [a], {}, 'Extra'));
  return b.graph;
}

test('concat-in-place: a fire module\'s concat is written in place by its two convs', () => {
  const { after, changes } = importAndRun(fire(), {});
  assert.deepEqual(structure(after), ['conv Squeeze', 'conv Expand1', 'conv Expand3', 'concat Concat', 'pool Pool']);
  assert.equal((layerNamed(after, 'Concat') as ConcatLayer).inPlace, true);
  assert.ok(changes.includes('concat Concat in place: Expand1, Expand3 write into Concat'), changes.join('\n'));
});

test('concat-in-place declines when an input has another reader, or is not a 4-D image', () => {
  const { after } = importAndRun(fire({ extraReader: true }), {});
  assert.equal((layerNamed(after, 'Concat') as ConcatLayer).inPlace, undefined);

  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const a = b.op('Relu', [x], {}, 'A');
  const c = b.op('Tanh', [x], {}, 'B');
  b.output(b.op('Relu', [b.op('Concat', [a, c], { axis: 1 }, 'Cat')], {}, 'Out'));
  const rank2 = importAndRun(b.graph, {}, { stages: [concatInPlacePass] });
  assert.equal((layerNamed(rank2.after, 'Cat') as ConcatLayer).inPlace, undefined);
});

test('concat-in-place declines inputs written by a pool or that are network inputs', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const p = b.op('MaxPool', [x], { kernel_shape: [1, 1] }, 'P');
  b.output(b.op('Concat', [p, x], { axis: 1 }, 'Cat'));
  const { after } = importAndRun(b.graph, {}, { stages: [concatInPlacePass] });
  assert.equal((layerNamed(after, 'Cat') as ConcatLayer).inPlace, undefined);
});

/** conv → conv → (GlobalAveragePool → Flatten → Gemm) and (Flatten → Gemm) heads. */
function twoHeads() {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3, 4, 4]);
  const c1 = b.op('Relu', [b.op('Conv', [x, b.constant('W1', uniformTensor([4, 3, 3, 3], 1))], { pads: [1, 1, 1, 1] }, 'C1')], {}, 'R1');
  const c2 = b.op('Conv', [c1, b.constant('W2', uniformTensor([5, 4, 1, 1], 2))], {}, 'C2');
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [c2], {}, 'GAP')], {}, 'FlatPooled');
  b.output(b.op('Gemm', [pooled, b.constant('G1', uniformTensor([5, 3], 3))], {}, 'Head1'));
  const flat = b.op('Flatten', [c2], {}, 'FlatAll');
  b.output(b.op('Gemm', [flat, b.constant('G2', uniformTensor([80, 2], 4))], {}, 'Head2'));
  b.output(c2);
  return b.graph;
}

test('layout: NHWC inside, NCHW at the edges, a conversion before a reshape of an NHWC image', () => {
  const { after, changes } = importAndRun(twoHeads(), {}, { stages: [...ENGINE_PIPELINE.filter((p) => p.name !== 'precision')] });
  assert.equal(format(after, 'x'), 'nchw/f32');
  assert.equal(format(after, 'R1'), 'nhwc/f32');
  assert.equal(format(after, 'C2'), 'nchw/f32'); // a network output
  assert.equal(format(after, 'GAP'), 'nhwc/f32');
  assert.equal(format(after, 'FlatPooled'), 'plain/f32');
  assert.deepEqual(structure(after), ['conv C1', 'conv C2', 'pool GAP', 'reshape FlatPooled', 'gemm Head1', 'reshape FlatAll', 'gemm Head2']);
  assert.ok(!changes.some((c) => c.includes('convert')), 'C2 is NCHW already (an output): no conversion');
});

test('layout: an internal NHWC image read by Flatten gets one NCHW conversion; [N,C,1,1] stays a view', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3, 3]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([4, 2, 1, 1], 1))], {}, 'C');
  const f1 = b.op('Flatten', [c], {}, 'F1');
  const f2 = b.op('Reshape', [c, b.constant('shape', int64([1, -1]))], {}, 'R');
  b.output(b.op('Add', [f1, b.op('Relu', [f2], {}, 'Relu')], {}, 'Sum'));
  const g = b.op('GlobalMaxPool', [c], {}, 'G');
  b.output(b.op('Flatten', [g], {}, 'F3'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [layoutPass] });
  assert.equal(format(after, 'C'), 'nhwc/f32');
  assert.equal(format(after, 'C:nchw'), 'nchw/f32');
  assert.deepEqual(structure(after), ['conv C', 'convert F1:to-nchw', 'reshape F1', 'reshape R', 'pointwise Relu', 'pointwise Sum', 'pool G', 'reshape F3']);
  assert.deepEqual(changes, ['convert C nhwc → nchw before reshape F1']);
  assert.equal(format(after, 'G'), 'nhwc/f32');
});

test('layout: a reshape writes row-major NCHW, and a 4-D image only reshapes read is written NCHW', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 18]);
  const img = b.op('Reshape', [x, b.constant('shape', int64([1, 2, 3, 3]))], {}, 'ToImage');
  const c = b.op('Conv', [img, b.constant('W', uniformTensor([2, 2, 3, 3], 1))], { pads: [1, 1, 1, 1] }, 'C');
  const p = b.op('MaxPool', [c], { kernel_shape: [2, 2], strides: [1, 1] }, 'P');
  b.output(b.op('Flatten', [p], {}, 'F'));
  const { after, changes } = importAndRun(b.graph, {}, { stages: [layoutPass] });
  assert.deepEqual(structure(after), ['reshape ToImage', 'conv C', 'pool P', 'reshape F']);
  assert.deepEqual(changes, [], 'no conversions');
  assert.equal(format(after, 'ToImage'), 'nchw/f32');
  assert.equal(format(after, 'C'), 'nhwc/f32');
  assert.equal(format(after, 'P'), 'nchw/f32');
});

test('precision fp16: f16x2 where the innermost physical axis is even, f32 at the edges and elsewhere', () => {
  const { after } = importAndRun(fire({ expand: [4, 6] }), {}, { precision: 'fp16' });
  assert.equal(format(after, 'x'), 'nchw/f32');
  assert.equal(format(after, 'SqueezeRelu'), 'nhwc/f16x2'); // 2 channels
  assert.equal(format(after, 'Concat'), 'nhwc/f16x2'); // 10 channels, inputs 4 + 6
  assert.equal(format(after, 'Relu1'), 'nhwc/f16x2');
  assert.equal(format(after, 'Pool'), 'nchw/f32');

  const odd = importAndRun(fire({ expand: [3, 5] }), {}, { precision: 'fp16' }).after;
  // 3 + 5 = 8 channels would pair, but a pair would straddle the two in-place inputs.
  assert.equal(format(odd, 'Concat'), 'nhwc/f32');
  assert.equal(format(odd, 'Relu1'), 'nhwc/f32');
});

test('precision fp32 stores everything as f32; layerPrecision keeps tensors only fp32 layers touch in f32', () => {
  const all32 = importAndRun(fire(), {}, { precision: 'fp32' }).after;
  assert.ok([...all32.tensors.values()].every((t) => t.format.storage === 'f32'));

  const { after, changes } = importAndRun(fire(), {}, { precision: 'fp16', layerPrecision: { Squeeze: 'fp32', Expand1: 'fp32', Expand3: 'fp32' } });
  assert.equal(layerNamed(after, 'Squeeze').precision, 'fp32');
  assert.equal(format(after, 'SqueezeRelu'), 'nhwc/f32'); // written by Squeeze, read by Expand1 and Expand3: all fp32
  assert.equal(format(after, 'Concat'), 'nhwc/f16x2'); // also read by Pool (fp16)
  assert.ok(changes.includes('layer Squeeze runs in fp32 (override for Squeeze)'), changes.join('\n'));

  // An override names a node fused into a layer: it applies to that layer.
  const byNode = importAndRun(fire(), {}, { precision: 'fp16', layerPrecision: { Relu3: 'fp32', Nope: 'fp32' } });
  assert.equal(layerNamed(byNode.after, 'Expand3').precision, 'fp32');
  assert.ok(byNode.changes.includes('precision override for Nope: no such layer (ignored)'));
});

test('precision: a reshape view keeps one storage for its input and output', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3, 4, 4]);
  const c = b.op('Conv', [x, b.constant('W', uniformTensor([6, 3, 1, 1], 1))], {}, 'C');
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [c], {}, 'GAP')], {}, 'Flat');
  b.output(b.op('Gemm', [flat, b.constant('G', uniformTensor([6, 3], 2))], {}, 'Fc'));
  const { after } = importAndRun(b.graph, {}, { precision: 'fp16', stages: [layoutPass, precisionPass] });
  assert.equal(format(after, 'GAP'), 'nhwc/f16x2');
  assert.equal(format(after, 'Flat'), 'plain/f16x2');
  assert.equal(format(after, 'C'), 'nhwc/f16x2');
});
