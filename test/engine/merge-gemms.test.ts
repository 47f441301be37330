// GEMMs with parts (GemmLayer.parts), which write column ranges of one product into several
// tensors. The merge-gemms pass makes them from products of one input by several weight matrices
// (attention's Q/K/V projections, a gated MLP's gate and up): which siblings merge (same input,
// K, rank and activation; even widths; no residual, no concat reading an output in place, no
// per-layer precision override). The split-gemm-outputs pass makes them from a GEMM whose output
// only a Split of the last axis reads (GPT-2's c_attn, through a reshape). Every tactic family of
// a GEMM with parts, and the engine with either rewrite, against onnxruntime in fp32 and fp16 on
// the device (lavapipe in CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { importNetwork } from '../../src/engine/import.js';
import type { GemmLayer } from '../../src/engine/network.js';
import { runPipeline } from '../../src/engine/passes/pipeline.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { expectEngineLikeOrt, patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const w = (shape: number[], seed: number) => randomTensor(shape, seed, -0.5, 0.5);

/** x [2, 6, 20] → q (+bias), k, v (+bias) and a GELU-less odd-width projection; q·kᵀ and v read on. */
const QKV: PatternSpec = {
  nodes: [
    { op: 'MatMul', inputs: ['x', 'wq'], outputs: ['q0'] },
    { op: 'Add', inputs: ['q0', 'bq'], outputs: ['q'] },
    { op: 'MatMul', inputs: ['x', 'wk'], outputs: ['k'] },
    { op: 'MatMul', inputs: ['x', 'wv'], outputs: ['v0'] },
    { op: 'Add', inputs: ['v0', 'bv'], outputs: ['v'] },
    { op: 'MatMul', inputs: ['x', 'wo'], outputs: ['odd'] },
    { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 1] } },
    { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
    { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: -1 } },
    { op: 'MatMul', inputs: ['p', 'v'], outputs: ['y'] },
  ],
  inputs: { x: randomTensor([2, 6, 20], 81) },
  initializers: { wq: w([20, 8], 82), bq: w([8], 83), wk: w([20, 8], 84), wv: w([20, 10], 85), bv: w([10], 86), wo: w([20, 7], 87) },
  outputs: ['y', 'odd'],
};

const gemms = (spec: PatternSpec, layerPrecision?: Record<string, 'fp32' | 'fp16'>) => {
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const { network } = runPipeline(importNetwork(importOnnx(patternModel(spec)).graph, shapes), { precision: 'fp32', ...(layerPrecision ? { layerPrecision } : {}) });
  return network.layers.filter((l): l is GemmLayer => l.kind === 'gemm');
};

test('Q, K and V projections of one input merge into one GEMM with three parts; an odd-width sibling stays alone', () => {
  const layers = gemms(QKV);
  const merged = layers.filter((l) => l.parts);
  assert.equal(merged.length, 1, layers.map((l) => l.name).join(', '));
  assert.deepEqual(merged[0]!.parts!.map((p) => p.n), [8, 8, 10]);
  assert.equal(merged[0]!.n, 26);
  assert.equal(merged[0]!.bias?.length, 26);
  assert.deepEqual([...merged[0]!.bias!.subarray(8, 16)], new Array(8).fill(0), 'no bias for k: zeros');
  assert.ok(layers.some((l) => !l.parts && l.n === 7), 'the 7-wide product is not merged');
});

test('siblings with different activations, a concat reader or a per-layer precision override do not merge', () => {
  const acts: PatternSpec = {
    ...QKV,
    nodes: [
      { op: 'MatMul', inputs: ['x', 'wq'], outputs: ['a0'] },
      { op: 'Relu', inputs: ['a0'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['x', 'wk'], outputs: ['b'] },
      { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] },
    ],
    outputs: ['y'],
  };
  assert.equal(gemms(acts).filter((l) => l.parts).length, 0, 'relu and none');
  const concat: PatternSpec = {
    ...QKV,
    nodes: [
      { op: 'MatMul', inputs: ['x', 'wq'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['x', 'wk'], outputs: ['b'] },
      { op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: -1 } },
    ],
    outputs: ['y'],
  };
  assert.equal(gemms(concat).filter((l) => l.parts).length, 0, 'concat reads them in place');
  const names = gemms(QKV).find((l) => l.parts)!.from;
  assert.equal(gemms(QKV, { [names[0]!]: 'fp32' }).filter((l) => l.parts?.length === 3).length, 0, 'an override on one sibling');
});

const skip = webgpuSkip();
const dawn = skip ? undefined : await createDawnGpu({ gpuFeatures: ['f16'] });
process.on('exit', () => void dawn); // keeps Dawn's GPU object alive as long as its devices

test('the merged projections through the engine agree with onnxruntime in fp32 and fp16', { skip }, async () => {
  const gpu = await sharedGpuDevice(dawn!);
  for (const [precision, tol] of [['fp32', { atol: 1e-4, rtol: 1e-3 }], ['fp16', { atol: 5e-3, rtol: 2e-2 }]] as const) {
    const plan = await expectEngineLikeOrt(gpu, QKV, precision, tol);
    const gemmLayers = plan.layers.filter((l) => l.kind === 'gemm');
    assert.equal(gemmLayers.length, 2, `one merged GEMM and the odd one: ${gemmLayers.map((l) => l.name).join(', ')}`);
  }
});

test('a GEMM with parts: every tile, split-K and GEMV tactic stores each part\'s columns, against onnxruntime\'s Gemm', { skip }, async () => {
  const { gemmTactics } = await import('../../src/engine/kernels/gemm.js');
  const { kernelContext } = await import('../helpers/kernel-context.js');
  const { ortOneNode, ortActivation } = await import('../helpers/ort-one-node.js');
  const { runTactic } = await import('../helpers/engine-kernel.js');
  const { compareTensors, FP32_TOLERANCE } = await import('../../src/tensor/compare.js');
  const gpu = await sharedGpuDevice(dawn!);
  for (const [m, k, widths, seed] of [[33, 70, [6, 10, 8], 90], [3, 150, [4, 2, 12], 95]] as const) {
    const n = widths.reduce((a, b) => a + b, 0);
    const xv = randomTensor([m, k], seed).data;
    const wv = randomTensor([k, n], seed + 1, -0.5, 0.5).data;
    const bv = randomTensor([n], seed + 2).data;
    const names = widths.map((_, i) => `y${i}`);
    const tensors = [{ name: 'x', shape: [m, k], format: { layout: 'plain' as const, storage: 'f32' as const } },
      ...widths.map((w, i) => ({ name: names[i]!, shape: [m, w], format: { layout: 'plain' as const, storage: 'f32' as const } }))];
    const layer: GemmLayer = {
      kind: 'gemm', name: 'fc', from: ['fc'], input: 'x', output: 'y0', weights: wv, k, n, bias: bv, act: { kind: 'relu' },
      parts: widths.map((w, i) => ({ output: names[i]!, n: w })),
    };
    const ctx = kernelContext(gpu, tensors);
    const tactics = gemmTactics(layer, ctx, { tiles: 99, splitK: 99 });
    if (typeof tactics === 'string') assert.fail(tactics);
    if (m <= 4) assert.ok(tactics.some((t) => t.name.includes('gemv')), 'GEMV tactics for few rows');
    assert.ok(tactics.some((t) => t.name.includes('-sk')) || m <= 4, 'split-K tactics');
    const full = await ortActivation({ kind: 'relu' }, [m, n], await ortOneNode('Gemm', { a: { shape: [m, k], data: xv }, b: { shape: [k, n], data: wv }, c: { shape: [n], data: bv } }));
    for (const t of tactics) {
      const got = await runTactic(gpu, t, ctx.tensors, { x: xv }, names);
      let start = 0;
      widths.forEach((w, i) => {
        const want = new Float32Array(m * w);
        for (let r = 0; r < m; r++) want.set(full.subarray(r * n + start, r * n + start + w), r * w);
        const cmp = compareTensors(new Tensor('float32', [m, w], got[names[i]!]!), new Tensor('float32', [m, w], want), FP32_TOLERANCE);
        assert.ok(cmp.pass, `${t.name} part ${i}: ${JSON.stringify(cmp)}`);
        start += w;
      });
    }
  }
});

const i64 = (v: number[]) => new Tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));

/** Gemm [6, 20]·[20, 24] → Reshape [1, 6, 24] → Split(last axis, 8 + 8 + 8) → q·kᵀ → softmax → ·v (GPT-2's c_attn). */
function splitSpec(through: 'reshape' | 'direct', sizes: number[]): PatternSpec {
  const reshape = through === 'reshape';
  return {
    nodes: [
      { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['h'] },
      ...(reshape ? [{ op: 'Reshape', inputs: ['h', 'shape'], outputs: ['h3'] }] : []),
      { op: 'Split', inputs: [reshape ? 'h3' : 'h', 'sizes'], outputs: ['q', 'k', 'v'], attrs: { axis: -1 } },
      { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: reshape ? [0, 2, 1] : [1, 0] } },
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
      { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'v'], outputs: ['y'] },
    ],
    inputs: { x: randomTensor([6, 20], 101) },
    initializers: {
      w: w([20, 24], 102), b: w([24], 103),
      shape: i64([1, 6, 24]),
      sizes: i64(sizes),
    },
    outputs: ['y'],
  };
}

test('a GEMM whose output only a Split of the last axis reads (directly or through a reshape) writes the three parts itself', () => {
  for (const through of ['direct', 'reshape'] as const) {
    const layers = gemms(splitSpec(through, [8, 8, 8]));
    const g = layers.find((l) => l.parts);
    assert.ok(g, `${through}: ${layers.map((l) => l.name).join(', ')}`);
    assert.deepEqual(g.parts!.map((p) => p.n), [8, 8, 8]);
  }
  // odd widths leave pairs straddling two outputs: the Split stays
  assert.equal(gemms(splitSpec('direct', [7, 7, 10])).filter((l) => l.parts).length, 0);
});

test('the split GEMM through the engine agrees with onnxruntime in fp32 and fp16', { skip }, async () => {
  const gpu = await sharedGpuDevice(dawn!);
  for (const through of ['direct', 'reshape'] as const) {
    for (const [precision, tol] of [['fp32', { atol: 1e-4, rtol: 1e-3 }], ['fp16', { atol: 5e-3, rtol: 2e-2 }]] as const) {
      const plan = await expectEngineLikeOrt(gpu, splitSpec(through, [8, 8, 8]), precision, tol);
      assert.ok(!plan.layers.some((l) => l.kind === 'slice'), `${through} ${precision}: no slice copies left (${plan.layers.map((l) => l.kind).join(', ')})`);
    }
  }
});
