// The engine's fp16 on a device with shader-f16 (lavapipe offers it when asked): internal tensors
// in native f16 storage, matrix weights in f16, half tiles (f16 products, f32 accumulators) as the
// first tactic; against onnxruntime on small graphs covering the layer kinds (conv igemm / 1×1 /
// depthwise / grouped, pool, concat, convert, gemm, attention, norm, softmax, reduce, reshape,
// slice), odd channel counts included (f16x2 leaves those f32; native f16 does
// not). The same graphs on the same adapter with shader-f16 left off take the f16x2 path. A plan
// built with f16 is refused, naming the feature, by a device without it.
// A Gemm compiled on native f16 tensors runs one tactic of each family (half and f32 tiles,
// their split-K forms, GEMV) against onnxruntime on the same half-rounded operands.
// Tolerance: every stored value is rounded to half (2^-11 relative) about ten times on a path,
// and half tiles round each product and sum a slice of up to 32 of them in f16 before the f32
// accumulator; Softmax and LayerNormalization pass relative logit errors through: atol 5e-3, rtol 2e-2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { PlanError } from '../../src/errors.js';
import { compileGemm } from '../../src/engine/kernels/gemm.js';
import type { GemmLayer, NetTensor } from '../../src/engine/network.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { ortOneNode } from '../helpers/ort-one-node.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import type { Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt, patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const dawn = webgpuSkip() ? undefined : await createDawnGpu({ gpuFeatures: ['f16'] });
process.on('exit', () => void dawn); // keeps Dawn's GPU object alive as long as its devices
const half = dawn && (await sharedGpuDevice(dawn));
const noHalf = dawn && (await sharedGpuDevice(dawn, { disableFeatures: ['shader-f16'] }));
const skip = !half ? 'no WebGPU device' : !deviceCaps(half).shaderF16 ? 'the adapter does not offer shader-f16' : false;
// loaded once Dawn has defined the WebGPU globals these modules read at load
const { oneOfEachFamily, runTactic } = await import('../helpers/engine-kernel.js');
const FP16: Tolerance = { atol: 5e-3, rtol: 2e-2 };
const i64 = (v: number[]) => new Tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));
const scalar = (v: number) => new Tensor('float32', [], Float32Array.of(v));

/** Conv 3×3 (5 channels from 3) → ReLU → depthwise 3×3 → 1×1 (+bias) → Concat → grouped 1×1 → pools → Gemm → Softmax. */
const CNN: PatternSpec = {
  nodes: [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'Conv', inputs: ['r1', 'wd'], outputs: ['dw'], attrs: { group: 5, pads: [1, 1, 1, 1] } },
    { op: 'Conv', inputs: ['dw', 'w3', 'b3'], outputs: ['pw'] },
    { op: 'Concat', inputs: ['dw', 'pw'], outputs: ['cat'], attrs: { axis: 1 } },
    { op: 'Conv', inputs: ['cat', 'wg'], outputs: ['gc'], attrs: { group: 2 } },
    { op: 'MaxPool', inputs: ['gc'], outputs: ['mp'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'AveragePool', inputs: ['mp'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'GlobalAveragePool', inputs: ['ap'], outputs: ['gp'] },
    { op: 'Flatten', inputs: ['gp'], outputs: ['f'] },
    { op: 'Gemm', inputs: ['f', 'wf', 'bf'], outputs: ['logits'] },
    { op: 'Softmax', inputs: ['logits'], outputs: ['y'] },
  ],
  inputs: { x: randomTensor([1, 3, 9, 9], 1) },
  initializers: {
    w1: randomTensor([5, 3, 3, 3], 2, -0.5, 0.5), wd: randomTensor([5, 1, 3, 3], 3, -0.5, 0.5),
    w3: randomTensor([7, 5, 1, 1], 4, -0.5, 0.5), b3: randomTensor([7], 5),
    wg: randomTensor([6, 6, 1, 1], 6, -0.5, 0.5), wf: randomTensor([6, 9], 7), bf: randomTensor([9], 8),
  },
  outputs: ['y', 'cat'],
};

/**
 * A transformer block on [2, 5, 12]: LayerNorm → Q, K, V projections → heads (Reshape, Transpose)
 * → Q·Kᵀ scaled → Softmax → ·V → merge → output projection + residual → GELU MLP (22 hidden:
 * K = 22 is no multiple of a tile) + residual; a Slice and a ReduceMean of the result as outputs.
 */
function block(): PatternSpec {
  const w = (k: number, n: number, seed: number) => randomTensor([k, n], seed, -0.4, 0.4);
  return {
    nodes: [
      { op: 'LayerNormalization', inputs: ['x', 'g', 'b'], outputs: ['ln'], attrs: { axis: -1 } },
      ...['q', 'k', 'v'].flatMap((p) => [
        { op: 'MatMul', inputs: ['ln', `w${p}`], outputs: [`${p}m`] },
        { op: 'Add', inputs: [`${p}m`, `b${p}`], outputs: [`${p}a`] },
        { op: 'Reshape', inputs: [`${p}a`, 'heads'], outputs: [`${p}r`] },
      ]),
      { op: 'Transpose', inputs: ['qr'], outputs: ['qt'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Transpose', inputs: ['kr'], outputs: ['kt'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Transpose', inputs: ['vr'], outputs: ['vt'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'MatMul', inputs: ['qt', 'kt'], outputs: ['s'] },
      { op: 'Mul', inputs: ['s', 'scale'], outputs: ['ss'] },
      { op: 'Softmax', inputs: ['ss'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'vt'], outputs: ['o'] },
      { op: 'Transpose', inputs: ['o'], outputs: ['ot'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['ot', 'merged'], outputs: ['om'] },
      { op: 'MatMul', inputs: ['om', 'wo'], outputs: ['proj'] },
      { op: 'Add', inputs: ['proj', 'x'], outputs: ['h'] },
      { op: 'MatMul', inputs: ['h', 'w1'], outputs: ['f1'] },
      { op: 'Add', inputs: ['f1', 'b1'], outputs: ['f1b'] },
      { op: 'Div', inputs: ['f1b', 'sqrt2'], outputs: ['gd'] },
      { op: 'Erf', inputs: ['gd'], outputs: ['ge'] },
      { op: 'Add', inputs: ['ge', 'one'], outputs: ['ga'] },
      { op: 'Mul', inputs: ['f1b', 'ga'], outputs: ['gm'] },
      { op: 'Mul', inputs: ['gm', 'half'], outputs: ['gelu'] },
      { op: 'MatMul', inputs: ['gelu', 'w2'], outputs: ['f2'] },
      { op: 'Add', inputs: ['f2', 'h'], outputs: ['y'] },
      { op: 'Slice', inputs: ['y', 'starts', 'ends', 'axes'], outputs: ['sl'] },
      { op: 'ReduceMean', inputs: ['y', 'raxes'], outputs: ['mean'], attrs: { keepdims: 1 } },
    ],
    inputs: { x: randomTensor([2, 5, 12], 11) },
    initializers: {
      g: randomTensor([12], 12, 0.5, 1.5), b: randomTensor([12], 13),
      wq: w(12, 12, 14), wk: w(12, 12, 15), wv: w(12, 12, 16), bq: randomTensor([12], 17), bk: randomTensor([12], 18), bv: randomTensor([12], 19),
      heads: i64([2, 5, 3, 4]), merged: i64([2, 5, 12]), scale: scalar(0.5),
      wo: w(12, 12, 20), w1: w(12, 22, 21), b1: randomTensor([22], 22), w2: w(22, 12, 23),
      sqrt2: scalar(Math.SQRT2), one: scalar(1), half: scalar(0.5),
      starts: i64([1]), ends: i64([4]), axes: i64([1]), raxes: i64([-1]),
    },
    outputs: ['y', 'sl', 'mean'],
  };
}

const MATRIX_KINDS = new Set(['conv', 'gemm', 'matmul']);

/** Kernels of the plan that declare native f16 buffers. */
const nativeKernels = (plan: EnginePlan) => plan.kernels.filter((k) => /array<(vec[24]<)?f16>/.test(k)).length;

for (const [name, spec, kinds] of [
  ['small CNN', CNN, ['conv', 'pool', 'concat', 'gemm', 'softmax']],
  // Q·Kᵀ → Softmax → ·V fuses into one attention layer, the GELU and residual Adds into gemm epilogues
  ['transformer block', block(), ['norm', 'gemm', 'attention', 'slice', 'reduce']],
] as const) {
  test(`fp16 with shader-f16, ${name}: native f16 storage and half tiles, equal to onnxruntime within atol ${FP16.atol}, rtol ${FP16.rtol}`, { skip }, async () => {
    const plan = await expectEngineLikeOrt(half!, spec, 'fp16', FP16);
    assert.deepEqual(plan.header.features, ['shader-f16']);
    for (const k of kinds) assert.ok(plan.layers.some((l) => l.kind === k), `a ${k} layer in ${plan.layers.map((l) => l.kind).join(', ')}`);
    assert.ok(nativeKernels(plan) > 0, 'kernels read and write array<f16>');
    const matrix = plan.layers.filter((l) => MATRIX_KINDS.has(l.kind) && !l.tactic.includes('direct') && !l.tactic.includes('gemv'));
    assert.ok(matrix.length > 0 && matrix.every((l) => l.tactic.endsWith('-f16')), `half tiles first: ${matrix.map((l) => l.tactic).join(', ')}`);
    assert.ok(!plan.kernels.some((k) => k.includes('unpack2x16float')), 'no packed f16x2 left');
  });

  test(`fp16 without shader-f16, ${name}: the f16x2 path, equal to onnxruntime`, { skip }, async () => {
    const plan = await expectEngineLikeOrt(noHalf!, spec, 'fp16', FP16);
    assert.deepEqual(plan.header.features, []);
    assert.equal(nativeKernels(plan), 0);
    assert.ok(plan.kernels.some((k) => k.includes('unpack2x16float')), 'packed halves are read');
    assert.ok(!plan.layers.some((l) => l.tactic.endsWith('-f16')), 'no half tiles');
  });
}

test('a plan built with shader-f16 is refused by a device without it (PlanError naming the feature); fp32 plans need nothing', { skip }, async () => {
  const { graph } = importOnnx(patternModel(CNN));
  const shapes = { x: [1, 3, 9, 9] };
  const plan = await buildEnginePlan(half!, graph, shapes, { precision: 'fp16', timeTactics: false });
  const bytes = serializePlan(plan);
  await assert.rejects(Engine.load(noHalf!, bytes), (e: unknown) => e instanceof PlanError
    && /plan needs device feature 'shader-f16', which this device lacks/.test(e.message) && /--gpu-features f16|NNRT_GPU_FEATURES=f16/.test(e.hint ?? ''));
  (await Engine.load(half!, bytes)).dispose();
  const fp32 = await buildEnginePlan(half!, graph, shapes, { precision: 'fp32', timeTactics: false });
  assert.deepEqual(fp32.header.features, []);
  (await Engine.load(noHalf!, serializePlan(fp32))).dispose();
});

test('Gemm on native f16 tensors: half and f32 tiles, split-K and GEMV tactics equal onnxruntime on the half-rounded operands', { skip }, async () => {
  for (const [m, k, n, seed] of [[33, 70, 45, 30], [2, 150, 21, 31]] as const) {
    const x = randomTensor([m, k], seed).data;
    const w = randomTensor([k, n], seed + 1, -0.5, 0.5).data;
    const bias = randomTensor([n], seed + 2).data;
    const r = randomTensor([m, n], seed + 3).data;
    const t = (name: string, shape: number[]): NetTensor => ({ name, shape, format: { layout: 'plain', storage: 'f16' } });
    const ctx = kernelContext(half!, [t('x', [m, k]), t('y', [m, n]), t('r', [m, n])]);
    const layer: GemmLayer = { kind: 'gemm', name: 'fc', from: ['fc'], input: 'x', output: 'y', weights: w, k, n, bias, residual: 'r', act: { kind: 'relu' } };
    const tactics = compileGemm(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    const names = tactics.map((c) => c.name);
    assert.ok(names.some((c) => c.endsWith('-f16')) && names.some((c) => /\d$/.test(c)), `half and f32 tiles: ${names.join(', ')}`);
    if (m <= 4) assert.ok(names.some((c) => c.includes('gemv')), names.join(', '));
    let want = await ortOneNode('Gemm', { a: { shape: [m, k], data: roundHalf(x) }, b: { shape: [k, n], data: roundHalf(w) }, c: { shape: [n], data: bias } });
    want = await ortOneNode('Add', { a: { shape: [m, n], data: want }, b: { shape: [m, n], data: roundHalf(r) } });
    want = await ortOneNode('Relu', { x: { shape: [m, n], data: want } });
    for (const tactic of oneOfEachFamily(tactics)) {
      const got = (await runTactic(half!, tactic, ctx.tensors, { x, r }, ['y'])).y!;
      const c = compareTensors(new Tensor('float32', [m, n], got), new Tensor('float32', [m, n], want), FP16);
      assert.ok(c.pass, `${tactic.name}: ${JSON.stringify(c)}`);
    }
  }
});
