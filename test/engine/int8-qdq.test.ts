// Explicit quantization through the engine: QDQ graphs (QuantizeLinear/DequantizeLinear around
// Conv, MatMul and Gemm, as onnxruntime's quantizer writes them, with seeded weights) and
// QLinearConv/QLinearMatMul become int8 layers (dot4I8Packed, int32 accumulation, requantization
// in the epilogue); their output agrees with onnxruntime's on the same model within one output
// quantization step on ≥ 99% of elements. Every node must be taken by the engine (the build
// refuses otherwise) and the plan must hold int8 layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { FOLDED_REASON } from '../../src/partition/partition.js';
import { createSession } from '../../src/runtime/session.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { I8, QdqBuilder, qdqConv, U8 } from '../helpers/qdq-models.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

/**
 * Builds `spec` as one engine (fp32 or fp16 for the float layers) and compares each output with
 * onnxruntime: |got − want| ≤ step (+ a float rounding allowance) on ≥ 99% of elements.
 */
async function expectInt8LikeOrt(spec: PatternSpec, step: Record<string, number>, precision: 'fp32' | 'fp16' = 'fp32', log: string[] = []): Promise<EnginePlan> {
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const plan = await buildEnginePlan(gpu!, graph, shapes, { timeTactics: false, precision, log: (l) => log.push(l) });
  const engine = await Engine.load(gpu!, plan);
  const context = await engine.createExecutionContext();
  try {
    const got = await context.run(spec.inputs);
    for (const name of spec.outputs) {
      const g = got[name]!.data as Float32Array;
      const w = want[name]!.data as Float32Array;
      assert.equal(g.length, w.length, `${name}: element count`);
      const tol = step[name]! * 1.001 + 1e-6;
      let off = 0;
      let worst = 0;
      for (let i = 0; i < g.length; i++) {
        const d = Math.abs(g[i]! - w[i]!);
        if (!(d <= tol)) off++;
        worst = Math.max(worst, d);
      }
      assert.ok(off <= g.length * 0.01, `${name}: ${off} of ${g.length} elements more than one step (${step[name]}) from onnxruntime; worst ${worst}`);
      const exact = g.filter((v, i) => Math.abs(v - w[i]!) <= 1e-6 * Math.max(1, Math.abs(w[i]!))).length;
      assert.ok(exact >= g.length * 0.9, `${name}: only ${exact} of ${g.length} elements equal onnxruntime's (the int8 arithmetic is exact up to requantization ties)`);
    }
  } finally {
    context.dispose();
    engine.dispose();
  }
  return plan;
}

const int8Layers = (plan: EnginePlan) => plan.layers.filter((l) => l.kind === 'qlinear');

test('QDQ conv → relu → Q/DQ (uint8 asymmetric activations, per-channel weights, int32 bias) is one int8 layer', { skip }, async () => {
  const b = new QdqBuilder();
  const y = qdqConv(b, 'x', U8(0.02, 128), 3, 8, 3, 11, { relu: true, out: U8(0.015, 0) });
  const plan = await expectInt8LikeOrt(b.spec({ x: randomTensor([1, 3, 9, 9], 5, -2, 2) }, [y]), { [y]: 0.015 });
  const q = int8Layers(plan);
  assert.equal(q.length, 1, JSON.stringify(plan.layers.map((l) => [l.kind, l.tactic])));
  assert.ok(q[0]!.tactic.startsWith('int8-conv-'), q[0]!.tactic);
  assert.ok(q[0]!.from.some((n) => n.startsWith('Relu')) && q[0]!.from.some((n) => n.startsWith('QuantizeLinear')), `relu and requantization fused: ${q[0]!.from}`);
});

test('QDQ residual block (conv, conv, Add of a dequantized shortcut, relu) with int8 activations, fp32 and fp16, stored as bytes where whole words fit', { skip }, async () => {
  const build = () => {
    const b = new QdqBuilder();
    const a = qdqConv(b, 'x', I8(0.03), 4, 4, 3, 21, { relu: true, out: I8(0.02) });
    const c = qdqConv(b, 'x2', I8(0.02), 4, 4, 3, 23, { perChannel: false, out: I8(0.025) });
    // the second conv reads the first's dequantized output: rename its input
    b.nodes.forEach((n) => { n.inputs = n.inputs.map((v) => (v === 'x2' ? a : v)); });
    const sum = b.node('Add', [c, b.qdq('x', I8(0.03))]);
    const y = b.qdq(b.node('Relu', [sum]), U8(0.03, 0));
    return { b, y };
  };
  // Both convs store their requantized outputs as bytes, read as bytes by the second conv and by
  // the residual Add's dequantization: the images are channels-last, so a word is four output
  // channels of a pixel at 7×7 (49 pixels, no whole words of a channel's pixels) as at 8×8. The
  // quantize layers (of the input, and the requantization between the convs) write bytes too.
  for (const side of [7, 8]) {
    for (const precision of ['fp32', 'fp16'] as const) {
      const { b, y } = build();
      const log: string[] = [];
      const plan = await expectInt8LikeOrt(b.spec({ x: randomTensor([1, 4, side, side], 9, -2, 2) }, [y]), { [y]: 0.03 }, precision, log);
      assert.equal(int8Layers(plan).length, 2, `${precision}: ${JSON.stringify(plan.layers.map((l) => [l.kind, l.from]))}`);
      const bytes = log.filter((l) => l.includes('int8-storage'));
      assert.deepEqual(bytes, ['[int8-storage] 4 quantized tensors stored as bytes (written by 2 int8 and 2 pointwise layers)'], `${side}×${side} ${precision}`);
    }
  }
});

test('conv → Q → DQ → conv (no op between, as quantize_static writes Conv chains): both convs are int8, the tensor between them bytes', { skip }, async () => {
  const b = new QdqBuilder();
  const a = qdqConv(b, 'x', U8(0.02, 128), 4, 8, 3, 61, { relu: true, out: U8(0.02, 0) });
  const y = qdqConv(b, a, U8(0.02, 0), 8, 4, 1, 63, { out: U8(0.03, 100), inputDequantized: true });
  const log: string[] = [];
  const plan = await expectInt8LikeOrt(b.spec({ x: randomTensor([1, 4, 8, 8], 65, -2, 2) }, [y]), { [y]: 0.03 }, 'fp32', log);
  assert.equal(int8Layers(plan).length, 2, JSON.stringify(plan.layers.map((l) => [l.kind, l.from])));
  assert.ok(log.some((l) => /int8-storage\] \d+ quantized tensors stored as bytes \(written by 2 int8/.test(l)), log.filter((l) => /int8|stays/.test(l)).join('\n'));
});

test('QDQ MatMul (rank-3 input, per-tensor weights, K and N not multiples of 4) and Gemm (transB, per-channel) are int8 layers', { skip }, async () => {
  const b = new QdqBuilder();
  const [w1] = b.weight(randomTensor([18, 10], 31, -0.4, 0.4), undefined);
  const h = b.qdq(b.node('MatMul', [b.qdq('x', U8(0.01, 100)), w1]), I8(0.02));
  const [w2, ws2] = b.weight(randomTensor([6, 10], 33, -0.4, 0.4), 0);
  const flat = b.node('Reshape', [h, 'shape']);
  const g = b.node('Gemm', [b.qdq(flat, I8(0.02)), w2, b.bias(randomTensor([6], 34, -0.1, 0.1).data, 0.02, ws2)], { transB: 1 });
  const y = b.qdq(g, I8(0.01));
  const spec = b.spec({ x: randomTensor([2, 5, 18], 7, -1, 1.5) }, [y]);
  spec.initializers!.shape = new Tensor('int64', [2], BigInt64Array.of(10n, 10n));
  const plan = await expectInt8LikeOrt(spec, { [y]: 0.01 });
  assert.deepEqual(int8Layers(plan).map((l) => l.tactic.split('-')[1]), ['gemm', 'gemm']);
});

test('weights of real size (over 65,536 int8 values, as in ResNet-50\'s 3×3 convs and BERT\'s MatMuls) are int8 layers too', { skip }, async () => {
  // onnxruntime's quantizer writes every weight as DequantizeLinear(int8 initializer): a conv of
  // 64 → 128 channels, 3×3 (73,728 weights) and a MatMul of 128 × 640 (81,920)
  const b = new QdqBuilder();
  const c = qdqConv(b, 'x', U8(0.02, 128), 64, 128, 3, 51, { relu: true, out: U8(0.02, 0) });
  const pooled = b.node('GlobalAveragePool', [c]);
  const flat = b.node('Flatten', [pooled], { axis: 1 });
  const [w] = b.weight(randomTensor([128, 640], 53, -0.2, 0.2), 1);
  const m = b.node('MatMul', [b.qdq(flat, U8(0.02, 0)), w]);
  const y = b.qdq(m, I8(0.05));
  const spec = b.spec({ x: randomTensor([1, 64, 6, 6], 55, -2, 2) }, [c, y]);
  const plan = await expectInt8LikeOrt(spec, { [c]: 0.02, [y]: 0.05 });
  assert.equal(int8Layers(plan).length, 2, JSON.stringify(plan.layers.map((l) => [l.kind, l.tactic])));
  // and a session's partitioner hands them to the engine: the weights' DequantizeLinear folds to a
  // constant (it was declined as 'per-axis quantization of a computed tensor', and its Conv and
  // MatMul with it, past 65,536 weights)
  const session = await createSession(importOnnx(patternModel(spec)).graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false });
  try {
    await session.run(spec.inputs);
    const p = session.stats().engine!.partition;
    const run = p.declined.filter((d) => d.reason !== FOLDED_REASON);
    assert.deepEqual(run, [], 'nodes the engine should take');
    assert.equal(p.subgraphs.length, 1);
  } finally {
    session.dispose();
  }
});

test('weights written as Q → DQ of the float weights (TensorRT explicit quantization, int8 symmetric activations), over 65,536 values: one engine, int8 layers', { skip }, async () => {
  const b = new QdqBuilder();
  const w = b.floatWeight(randomTensor([128, 64, 3, 3], 71, -0.2, 0.2), 0); // 73,728 weights
  const c = b.node('Conv', [b.qdq('x', I8(0.02)), w], { pads: [1, 1, 1, 1] });
  const pooled = b.node('GlobalAveragePool', [b.node('Relu', [c])]);
  const m = b.node('MatMul', [b.qdq(b.node('Flatten', [pooled], { axis: 1 }), I8(0.05)), b.floatWeight(randomTensor([128, 520], 73, -0.2, 0.2), 1)]); // 66,560
  const spec = b.spec({ x: randomTensor([1, 64, 6, 6], 75, -2, 2) }, [m]);
  const session = await createSession(importOnnx(patternModel(spec)).graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false });
  try {
    const got = (await session.run(spec.inputs))[m]!.data as Float32Array;
    const want = (await runOrt(patternModel(spec), spec.inputs))[m]!.data as Float32Array;
    const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
    assert.ok(worst <= 1e-3 * Math.max(...want.map(Math.abs)), `${worst} from onnxruntime`);
    const p = session.stats().engine!.partition;
    assert.deepEqual(p.declined.filter((d) => d.reason !== FOLDED_REASON).map((d) => `${d.node}: ${d.reason}`), [], 'the weights\' Q and DQ fold to constants');
    assert.equal(p.subgraphs.length, 1);
  } finally {
    session.dispose();
  }
  const log: string[] = [];
  await buildEnginePlan(gpu!, importOnnx(patternModel(spec)).graph, { x: [1, 64, 6, 6] }, { timeTactics: false, log: (l) => log.push(l) });
  assert.equal(log.filter((l) => /→ int8 (conv|gemm)/.test(l)).length, 2, log.filter((l) => /int8|stays/.test(l)).join('\n'));
});

test('depthwise and strided QDQ convolutions', { skip }, async () => {
  const b = new QdqBuilder();
  const d = qdqConv(b, 'x', U8(0.02, 120), 6, 6, 3, 41, { group: 6, relu: true, out: U8(0.01, 0) });
  const y = qdqConv(b, 'h', U8(0.01, 0), 6, 5, 3, 43, { strides: [2, 2], out: I8(0.02) });
  b.nodes.forEach((n) => { n.inputs = n.inputs.map((v) => (v === 'h' ? d : v)); });
  const plan = await expectInt8LikeOrt(b.spec({ x: randomTensor([2, 6, 10, 10], 3, -2, 2) }, [y]), { [y]: 0.02 });
  assert.equal(int8Layers(plan).length, 2);
});

test('QLinearConv and QLinearMatMul between QuantizeLinear and DequantizeLinear are int8 layers', { skip }, async () => {
  const b = new QdqBuilder();
  const sc = (name: string, v: number) => { b.inits[name] = Tensor.fromArray([], [v]); return name; };
  const zp = (name: string, v: number) => { b.inits[name] = new Tensor('uint8', [], Uint8Array.of(v)); return name; };
  b.inits.cw = new Tensor('int8', [4, 3, 3, 3], Int8Array.from({ length: 108 }, (_, i) => ((i * 37) % 255) - 127));
  b.inits.cws = new Tensor('float32', [4], Float32Array.of(0.004, 0.003, 0.005, 0.002));
  b.inits.cwz = new Tensor('int8', [4], new Int8Array(4));
  b.inits.cb = new Tensor('int32', [4], Int32Array.of(100, -200, 300, 0));
  const xq = b.node('QuantizeLinear', ['x', sc('xs', 0.02), zp('xz', 128)]);
  const cq = b.node('QLinearConv', [xq, 'xs', 'xz', 'cw', 'cws', 'cwz', sc('cs', 0.05), zp('cz', 120), 'cb'], { pads: [1, 1, 1, 1] });
  const flat = b.node('Reshape', [b.node('DequantizeLinear', [cq, 'cs', 'cz']), 'shape']);
  b.inits.mw = new Tensor('uint8', [36, 5], Uint8Array.from({ length: 180 }, (_, i) => 100 + ((i * 53) % 57)));
  const mq = b.node('QLinearMatMul', [b.node('QuantizeLinear', [flat, 'cs', 'cz']), 'cs', 'cz', 'mw', sc('ms', 0.01), zp('mz', 128), sc('ys', 0.1), zp('yz', 10)]);
  const y = b.node('DequantizeLinear', [mq, 'ys', 'yz']);
  const spec = b.spec({ x: randomTensor([1, 3, 6, 6], 2, -2, 2) }, [y]);
  spec.initializers!.shape = new Tensor('int64', [2], BigInt64Array.of(4n, 36n));
  const plan = await expectInt8LikeOrt(spec, { [y]: 0.1 });
  assert.equal(int8Layers(plan).length, 2, JSON.stringify(plan.layers.map((l) => [l.kind, l.from])));
});
