// The zoo-vs-torchvision check: torchvision's SqueezeNet export (onnxruntime's output as reference)
// through the check; and a small torchvision-style ONNX model, built here both as the TorchScript
// exporter writes it (BatchNorms folded into the convs before them) and unfolded, whose weights the
// check must carry into a zoo-style net so that it reproduces onnxruntime's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/ir/builder.js';
import { HybridSequential } from '../../src/nn/block.js';
import { Activation, BatchNorm, Dense } from '../../src/nn/layers/basic.js';
import { Conv2D } from '../../src/nn/layers/conv.js';
import { GlobalAvgPool2D } from '../../src/nn/layers/pool.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { ReLU6 } from '../../src/zoo/mobilenet.js';
import { BasicBlockV1 } from '../../src/zoo/resnet.js';
import { checkAgainstTorchvision, CHECK_EXIT_CODES, formatCheckReport, type TorchvisionCheckOptions } from '../../src/zoo/torchvision-check.js';
import { onnxLayers } from '../../src/zoo/torchvision-onnx-layers.js';
import { checkTarget, type CheckTarget } from '../../src/zoo/torchvision-variants.js';
import { vision } from '../../src/zoo/vision.js';
import { runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

type F32 = Tensor<'float32'>;
const dir = new URL('../../../shared/models/squeezenet1_1/', import.meta.url).pathname;
const haveSqueezenet = existsSync(dir) ? false : `${dir} is absent`;

function squeezenetCase(zoo: string): TorchvisionCheckOptions {
  return {
    zoo, source: 'squeezenet1_1', graph: loadOnnxFile(join(dir, 'model.onnx')).graph,
    input: readTensorPb(join(dir, 'test_data_set_0/input_0.pb')).tensor,
    expected: readTensorPb(join(dir, 'test_data_set_0/output_0.pb')).tensor,
  };
}

test('zoo squeezenet1_1 with torchvision weights matches onnxruntime through the check', { skip: haveSqueezenet }, async () => {
  const r = await checkAgainstTorchvision(squeezenetCase('squeezenet1_1'));
  assert.equal(r.status, 'match', formatCheckReport(r));
  assert.ok(r.maxAbsError! < 1e-4);
  assert.deepEqual(r.mapping, { onnxLayers: 26, foldedBatchNorms: 0, identityLayers: 0 });
  assert.deepEqual(r.differences, []);
});

test('a different architecture fails the mapping with the parameter and shapes that do not line up', { skip: haveSqueezenet }, async () => {
  const r = await checkAgainstTorchvision(squeezenetCase('squeezenet1_0'));
  assert.equal(r.status, 'mapping-failed');
  assert.equal(CHECK_EXIT_CODES[r.status], 2);
  // SqueezeNet 1.0's stem is a 7×7 conv with 96 channels, 1.1's a 3×3 with 64
  assert.match(r.reason!, /_conv0_weight' has shape \[96,3,7,7\], ONNX Conv '[^']+' \[64,3,3,3\] gives \[64,3,3,3\]/);
});

// ---- a small torchvision-style model -------------------------------------------------------

interface Bn { scale: F32; bias: F32; mean: F32; variance: F32; eps: number }
let seed = 100;
const rnd = (shape: number[], lo = -1, hi = 1) => uniformTensor(shape, seed++, lo, hi);
const bn = (c: number, eps = 1e-5): Bn => ({ scale: rnd([c], 0.5, 1.5), bias: rnd([c], -0.3, 0.3), mean: rnd([c], -0.3, 0.3), variance: rnd([c], 0.4, 1.6), eps });

/** torchvision's side: conv/linear weights and BatchNorm statistics (nothing here comes from nnrt). */
const tv = {
  w1: rnd([4, 3, 3, 3]), b1: rnd([4], -0.2, 0.2), bn1: bn(4),
  w2: rnd([6, 4, 1, 1]), b2: rnd([6], -0.2, 0.2), bn2: bn(6),
  bn3: bn(6, 0.1), w3: rnd([8, 6, 3, 3]), // an epsilon far from the zoo's 1e-5, so that ignoring it shows
  w4: rnd([8, 8, 1, 1]), b4: rnd([8], -0.2, 0.2), bn4: bn(8),
  w5: rnd([5, 8]), b5: rnd([5], -0.2, 0.2),
};
const x = rnd([1, 3, 16, 16]);

/** What the exporter does in eval mode: W·s and beta + (b − mean)·s with s = gamma / sqrt(var + eps). */
function fold(w: F32, b: F32, n: Bn): [F32, F32] {
  const c = w.shape[0]!;
  const per = w.size / c;
  const s = Array.from(n.scale.data, (g, i) => g / Math.sqrt(n.variance.data[i]! + n.eps));
  return [
    new Tensor('float32', w.shape, w.data.map((v, i) => v * s[Math.floor(i / per)]!)),
    new Tensor('float32', [c], n.bias.data.map((beta, i) => beta + (b.data[i]! - n.mean.data[i]!) * s[i]!)),
  ];
}

/**
 * conv(s2)+BN, ReLU, conv+BN, Clip(0,6), pre-activation BN, ReLU, conv, conv+BN (kept: nothing to
 * fold it into in the zoo net), global pool, flatten, Gemm(transB=1). `folded`: the first two
 * BatchNorms folded into their convs (weights routed through Identity nodes, as TorchScript does).
 */
function torchvisionStyleModel(folded: boolean): Uint8Array {
  const b = new GraphBuilder('tiny_tv', 17);
  const c = (name: string, t: Tensor) => b.constant(name, t);
  const batchNorm = (v: string, n: Bn, name: string) =>
    b.op('BatchNormalization', [v, c(`${name}.weight`, n.scale), c(`${name}.bias`, n.bias), c(`${name}.running_mean`, n.mean), c(`${name}.running_var`, n.variance)], { epsilon: n.eps });
  const conv = (v: string, w: F32, bias: F32 | undefined, name: string, attrs: Record<string, number[]> = {}) =>
    b.op('Conv', [v, c(`${name}.weight`, w), ...(bias ? [c(`${name}.bias`, bias)] : [])], attrs);
  let v = b.input('input', 'float32', [...x.shape]);
  if (folded) {
    const [w1, b1] = fold(tv.w1, tv.b1, tv.bn1);
    const [w2, b2] = fold(tv.w2, tv.b2, tv.bn2);
    v = b.op('Conv', [v, b.op('Identity', [c('onnx::Conv_1', w1)]), c('onnx::Conv_2', b1)], { strides: [2, 2], pads: [1, 1, 1, 1] });
    v = b.op('Relu', [v]);
    v = b.op('Conv', [v, c('onnx::Conv_3', w2), b.op('Identity', [c('onnx::Conv_4', b2)])]);
  } else {
    v = b.op('Relu', [batchNorm(conv(v, tv.w1, tv.b1, 'conv1', { strides: [2, 2], pads: [1, 1, 1, 1] }), tv.bn1, 'bn1')]);
    v = batchNorm(conv(v, tv.w2, tv.b2, 'conv2'), tv.bn2, 'bn2');
  }
  v = b.op('Clip', [v, c('clip_min', Tensor.scalar('float32', 0)), c('clip_max', Tensor.scalar('float32', 6))]);
  v = b.op('Relu', [batchNorm(v, tv.bn3, 'bn3')]);
  v = conv(v, tv.w3, undefined, 'conv3', { pads: [1, 1, 1, 1] });
  v = batchNorm(conv(v, tv.w4, tv.b4, 'conv4'), tv.bn4, 'bn4');
  v = b.op('Flatten', [b.op('GlobalAveragePool', [v])], { axis: 1 });
  b.output(b.op('Gemm', [v, c('fc.weight', tv.w5), c('fc.bias', tv.b5)], { transB: 1 }));
  return exportOnnx(b.graph, { opset: 17 });
}

/**
 * The zoo's version: Gluon layers, the first conv without a bias, and a 1×1 conv + BN + ReLU6 that
 * torchvision lacks (after a ReLU6, so the identity there computes nothing).
 */
function zooStyleTarget(o: { firstStride?: number; secondChannels?: number } = {}): CheckTarget {
  const net = new HybridSequential();
  const extra = new Conv2D({ channels: 6, kernelSize: 1, useBias: false });
  net.scoped(() => net.add(
    new Conv2D({ channels: 4, kernelSize: 3, strides: o.firstStride ?? 2, padding: 1, useBias: false }), new BatchNorm(), new Activation('relu'),
    new Conv2D({ channels: o.secondChannels ?? 6, kernelSize: 1 }), new BatchNorm(), new ReLU6(),
    extra, new BatchNorm(), new ReLU6(),
    new BatchNorm(), new Activation('relu'), new Conv2D({ channels: 8, kernelSize: 3, padding: 1, useBias: false }),
    new Conv2D({ channels: 8, kernelSize: 1 }),
    new GlobalAvgPool2D(), new Dense({ units: 5 }),
  ));
  return { net, identityConvs: () => new Set([extra]), notes: [] };
}

async function tinyCase(folded: boolean, target: CheckTarget, device: 'cpu' | 'webgpu' = 'cpu') {
  const model = torchvisionStyleModel(folded);
  const expected = Object.values(await runOrt(model, { input: x }))[0]!;
  return checkAgainstTorchvision({ zoo: 'tiny', target, graph: importOnnx(model).graph, input: x, expected, device });
}

test('the folded and the unfolded export compute the same in onnxruntime (the test\'s folding is right)', async () => {
  const [a, b] = await Promise.all([runOrt(torchvisionStyleModel(true), { input: x }), runOrt(torchvisionStyleModel(false), { input: x })]);
  const ya = Object.values(a)[0]!.numeric();
  const yb = Object.values(b)[0]!.numeric();
  assert.equal(ya.length, 5);
  ya.forEach((v, i) => assert.ok(Math.abs(v - yb[i]!) < 1e-5, `${v} vs ${yb[i]}`));
});

test('folded BatchNorms become identities carrying the bias; the zoo net reproduces onnxruntime', async () => {
  const r = await tinyCase(true, zooStyleTarget());
  assert.equal(r.status, 'match', formatCheckReport(r));
  // ONNX: conv1, conv2, bn3, conv3, conv4 (+ its kept bn4), gemm
  assert.deepEqual(r.mapping, { onnxLayers: 7, foldedBatchNorms: 2, identityLayers: 1 });
  assert.ok(r.notes.some((n) => n.includes("ONNX BatchNormalization") && n.includes('folded into')), r.notes.join('\n'));
});

test('kept BatchNorms are copied (epsilon adjusted, a conv bias the zoo conv lacks moved into the mean)', async () => {
  const r = await tinyCase(false, zooStyleTarget());
  assert.equal(r.status, 'match', formatCheckReport(r));
  assert.deepEqual(r.mapping, { onnxLayers: 9, foldedBatchNorms: 0, identityLayers: 1 });
});

test('a stride difference maps but is reported and fails the comparison', async () => {
  const r = await tinyCase(true, zooStyleTarget({ firstStride: 1 }));
  assert.equal(r.status, 'mismatch');
  assert.equal(CHECK_EXIT_CODES[r.status], 1);
  assert.equal(r.differences.length, 1);
  assert.match(r.differences[0]!, /strides \[1,1\], torchvision's ONNX Conv '[^']+' \[4,3,3,3\] \[2,2\]/);
});

test('a channel difference is a mapping failure naming the zoo parameter', async () => {
  const r = await tinyCase(true, zooStyleTarget({ secondChannels: 7 }));
  assert.equal(r.status, 'mapping-failed');
  assert.match(r.reason!, /conv1_weight' has shape \[7,4,1,1\], ONNX Conv '[^']+' \[6,4,1,1\] gives \[6,4,1,1\]/);
});

/** A residual block with a strided 1×1 downsample, folded, its branches in either order; pool, Gemm. */
function residualModel(downsampleFirst: boolean): Uint8Array {
  const b = new GraphBuilder('residual_tv', 17);
  const w = (shape: number[]) => b.constant('w', rnd(shape));
  const bias = (c: number) => b.constant('b', rnd([c], -0.2, 0.2));
  const x0 = b.input('input', 'float32', [...x.shape]);
  const downsample = () => b.op('Conv', [x0, w([8, 3, 1, 1]), bias(8)], { strides: [2, 2] });
  const ds = downsampleFirst ? downsample() : undefined;
  let v = b.op('Relu', [b.op('Conv', [x0, w([8, 3, 3, 3]), bias(8)], { strides: [2, 2], pads: [1, 1, 1, 1] })]);
  v = b.op('Conv', [v, w([8, 8, 3, 3]), bias(8)], { pads: [1, 1, 1, 1] });
  v = b.op('Relu', [b.op('Add', [v, ds ?? downsample()])]);
  b.output(b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [v])]), w([4, 8]), bias(4)], { transB: 1 }));
  return exportOnnx(b.graph, { opset: 17 });
}

for (const downsampleFirst of [false, true]) {
  test(`zoo BasicBlockV1 takes a folded residual block whose downsample runs ${downsampleFirst ? 'first' : 'last'}`, async () => {
    seed = 500; // the same weights for both orders
    const model = residualModel(downsampleFirst);
    const net = new HybridSequential();
    net.scoped(() => net.add(new BasicBlockV1({ channels: 8, stride: 2, downsample: true, inChannels: 3 }), new GlobalAvgPool2D(), new Dense({ units: 4 })));
    const expected = Object.values(await runOrt(model, { input: x }))[0]!;
    const r = await checkAgainstTorchvision({ zoo: 'block', target: { net, identityConvs: () => new Set(), notes: [] }, graph: importOnnx(model).graph, input: x, expected });
    assert.equal(r.status, 'match', formatCheckReport(r));
    assert.deepEqual(r.mapping, { onnxLayers: 4, foldedBatchNorms: 3, identityLayers: 0 });
    // Gluon registers the body before the downsample but computes the downsample first
    assert.equal(r.notes.some((n) => n.includes('forward pass\'s order')), downsampleFirst);
  });
}

test('the check runs the zoo net on WebGPU', { skip: webgpuSkip() ?? false }, async () => {
  await import('../../src/node/webgpu.js');
  const r = await tinyCase(true, zooStyleTarget(), 'webgpu');
  assert.equal(r.device, 'webgpu');
  assert.equal(r.status, 'match', formatCheckReport(r));
});

// ---- pieces ---------------------------------------------------------------------------------

test('linear layers: Gemm transB = 0 with alpha/beta and MatMul + Add give [out, in] weights', () => {
  const b = new GraphBuilder('lin', 17);
  const w = Tensor.fromArray([2, 3], [1, 2, 3, 4, 5, 6]); // [in = 2, out = 3]
  let v = b.input('x', 'float32', [1, 2]);
  v = b.op('Gemm', [v, b.constant('w', w), b.constant('c', Tensor.fromArray([1, 3], [1, 1, 1]))], { alpha: 2, beta: 0.5 });
  v = b.op('Add', [b.op('MatMul', [v, b.constant('m', Tensor.fromArray([3, 1], [7, 8, 9]))]), b.constant('a', Tensor.fromArray([1], [3]))]);
  b.output(v);
  const layers = onnxLayers(b.graph);
  assert.deepEqual(layers.map((l) => l.kind), ['linear', 'linear']);
  const [g, m] = layers as [Extract<(typeof layers)[number], { kind: 'linear' }>, Extract<(typeof layers)[number], { kind: 'linear' }>];
  assert.deepEqual(g.weight.shape, [3, 2]);
  assert.deepEqual([...g.weight.data], [2, 8, 4, 10, 6, 12]);
  assert.deepEqual([...g.bias!.data], [0.5, 0.5, 0.5]);
  assert.deepEqual(m.weight.shape, [1, 3]);
  assert.deepEqual([...m.weight.data], [7, 8, 9]);
  assert.deepEqual([...m.bias!.data], [3]);
});

test('mobilenet v2: the check sets exactly the t = 1 expansion conv to the identity', () => {
  const t = checkTarget('mobilenet_v2_0_25');
  t.net.initialize().trace({ dtype: 'float32', shape: [1, 3, 32, 32] });
  const ids = [...t.identityConvs()];
  assert.equal(ids.length, 1);
  assert.deepEqual(ids[0]!.weight.shape, [8, 8, 1, 1]); // 32 · 0.25 channels, square
  assert.match(ids[0]!.weight.name, /linearbottleneck0_/);
});

test('resnet50_v1+stride3x3: Gluon v1 parameters, with the stride on the bottleneck 3×3 convs', () => {
  const variant = checkTarget('resnet50_v1+stride3x3').net.initialize();
  const gluon = vision.resnet50_v1().initialize();
  const spec = { dtype: 'float32' as const, shape: [1, 3, 64, 64] };
  const strided = (g: ReturnType<typeof variant.trace>) => g.nodes
    .filter((n) => n.opType === 'Conv' && n.attrs.strides?.type === 'ints' && n.attrs.strides.value[0] === 2)
    .map((n) => `${g.initializers.get(n.inputs[1]!)!.shape.slice(2).join('x')}${n.inputs.length > 2 ? '+bias' : ''}`);
  // stem 7×7, then per stage 2–4 the downsample 1×1 and a body conv: the 3×3 here, a 1×1 with bias in Gluon
  assert.deepEqual(strided(variant.trace(spec)).sort(), ['1x1', '1x1', '1x1', '3x3', '3x3', '3x3', '7x7']);
  assert.deepEqual(strided(gluon.trace(spec)).sort(), ['1x1', '1x1', '1x1', '1x1+bias', '1x1+bias', '1x1+bias', '7x7']);
  const shapes = (n: typeof gluon) => [...n.collectParams().values()].map((p) => p.shape.join(','));
  assert.deepEqual(shapes(variant), shapes(gluon));
});
