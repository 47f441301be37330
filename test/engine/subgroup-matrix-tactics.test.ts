// Subgroup-matrix (tensor-core) tactics: when they are offered, what a plan that uses them records
// and how a device without them refuses it, and the tactic-sources knob. Lavapipe has no subgroup
// matrices, so the offers are checked on described devices (the capabilities an NVIDIA adapter
// reports with allow_unsafe_apis); the kernels themselves are checked on the GPU machine
// (bench/gpu-mma-check.sh: the engine with only these tactics against onnxruntime's outputs).
// Here, on lavapipe: a session asked for subgroup-matrix tactics only builds every layer from
// what the device has and agrees with onnxruntime, and a plan needing the feature is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_CAPS, type DeviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { tileName, tileUnfit } from '../../src/devices/webgpu/matmul-tile.js';
import { buildEnginePlan, kernelFeatures } from '../../src/engine/builder.js';
import { checkBuilderConfig } from '../../src/engine/config.js';
import { matmulChoices, mmaTileConfigs } from '../../src/engine/kernels/matrix/choices.js';
import { serializePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { PlanError, UsageError } from '../../src/errors.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import '../../src/ops/index.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const F16_MMA = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 };
/** An H100 as Dawn describes it with f16 and allow_unsafe_apis (limits as nnrt requests them). */
const H100: DeviceCaps = {
  ...BASELINE_CAPS, maxWorkgroupStorage: 49152, maxStorageBuffersPerStage: 16, maxInvocationsPerWorkgroup: 1024,
  shaderF16: true, subgroupSize: 32, subgroupMatrix: [{ componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 }, F16_MMA],
};

test('subgroup-matrix tiles come first for fp16 matrix layers where the device multiplies 16×16×16 f16 matrices, and nowhere else', () => {
  const mma = matmulChoices(197, 768, 3072, 1, H100, { half: true });
  const first = mma.filter((c) => c.tile.mma);
  assert.ok(first.length >= 3 && first.length <= 4, `3 tiles and at most one split-K: ${mma.map((c) => tileName(c.tile)).join(', ')}`);
  assert.ok(mma.slice(0, first.length).every((c) => c.tile.mma === 32), 'ranked before the SIMT tiles');
  assert.ok(mma.some((c) => !c.tile.mma && c.tile.half) && mma.some((c) => !c.tile.half), 'half and f32 SIMT tiles stay candidates');
  assert.ok(first.every((c) => tileName(c.tile).endsWith('-mma')));
  // fp32 layers, devices without the feature, or with another shape or type of matrix: none
  assert.equal(matmulChoices(197, 768, 3072, 1, H100, { half: false }).filter((c) => c.tile.mma).length, 0);
  for (const caps of [
    { ...H100, subgroupMatrix: [] },
    { ...H100, subgroupMatrix: [{ ...F16_MMA, M: 8, N: 8, K: 8 }] },
    { ...H100, subgroupMatrix: [{ ...F16_MMA, resultComponentType: 'f16' }] },
    { ...H100, subgroupSize: undefined },
    { ...H100, shaderF16: false },
  ]) {
    assert.equal(matmulChoices(197, 768, 3072, 1, caps, { half: true }).filter((c) => c.tile.mma).length, 0, JSON.stringify(caps));
  }
});

test('a subgroup-matrix tile is unfit, with the reason, on a device whose subgroups are another size or that lacks the matrices', () => {
  const tile = mmaTileConfigs(32)[0]!;
  assert.equal(tileUnfit(tile, H100, { m: 256, n: 256, groups: 1 }), undefined);
  assert.match(tileUnfit(tile, { ...H100, subgroupSize: 64 }, { m: 256, n: 256, groups: 1 }) ?? '', /subgroups of 32, the device's are 64/);
  assert.match(tileUnfit(tile, { ...H100, subgroupMatrix: [] }, { m: 256, n: 256, groups: 1 }) ?? '', /no 16×16×16 f16 subgroup matrices/);
  assert.match(tileUnfit({ ...tile, rm: 24 }, H100, { m: 256, n: 256, groups: 1 }) ?? '', /malformed/);
  assert.match(tileUnfit(tile, { ...H100, maxWorkgroupStorage: 16384 }, { m: 256, n: 256, groups: 1 }) ?? '', /workgroup storage/);
});

test('a plan records the features its kernels enable: shader-f16, and subgroups with the subgroup-matrix feature', () => {
  assert.deepEqual(kernelFeatures(['@compute @workgroup_size(1) fn main() {}']), []);
  assert.deepEqual(kernelFeatures(['var<workgroup> a: array<vec4<f16>, 4>;']), ['shader-f16']);
  assert.deepEqual(kernelFeatures(['diagnostic(off, chromium.subgroup_matrix_uniformity);\nenable f16;\nenable chromium_experimental_subgroup_matrix;\nfn f() {}']),
    ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix']);
});

test('tactic sources: unknown or empty lists are usage errors', () => {
  assert.throws(() => checkBuilderConfig({ tacticSources: ['cublas' as never] }), (e: unknown) => e instanceof UsageError && /unknown tactic source 'cublas'/.test(e.message) && /simt, subgroup-matrix/.test(e.hint ?? ''));
  assert.throws(() => checkBuilderConfig({ tacticSources: [] }), (e: unknown) => e instanceof UsageError && /no tactic source/.test(e.message));
  assert.deepEqual(checkBuilderConfig({}).tacticSources, ['simt', 'subgroup-matrix']);
});

const skip = webgpuSkip();
const dawn = skip ? undefined : await createDawnGpu({ gpuFeatures: ['f16', 'subgroup-matrix'] });
process.on('exit', () => void dawn); // keeps Dawn's GPU object alive as long as its devices

/** Gemm (+bias) → Relu → MatMul by a second weight: matrix layers of odd sizes. */
const MLP: PatternSpec = {
  nodes: [
    { op: 'Gemm', inputs: ['x', 'w1', 'b1'], outputs: ['h'] },
    { op: 'Relu', inputs: ['h'], outputs: ['r'] },
    { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['y'] },
  ],
  inputs: { x: randomTensor([37, 50], 61) },
  initializers: { w1: randomTensor([50, 70], 62, -0.2, 0.2), b1: randomTensor([70], 63), w2: randomTensor([70, 21], 64, -0.2, 0.2) },
  outputs: ['y'],
};

test('a session limited to subgroup-matrix tactics on a device without them builds every layer from its own tactics and agrees with onnxruntime', { skip }, async () => {
  const model = patternModel(MLP);
  const want = await runOrt(model, MLP.inputs);
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu', engine: 'webgpu', precision: 'fp16', gpu: dawn!, tacticSources: ['subgroup-matrix'], timeTactics: false });
  try {
    const got = await session.run(MLP.inputs);
    const c = compareTensors(got.y!, want.y!, { atol: 5e-3, rtol: 2e-2 });
    assert.ok(c.pass, JSON.stringify(c));
    assert.equal(session.stats().engine?.partition.declined.length, 0, 'nothing declined');
  } finally {
    session.dispose();
  }
});

test('a plan that needs subgroup matrices is refused by a device without them, naming the feature and the flag that offers it', { skip }, async () => {
  const gpu = await sharedGpuDevice(dawn!);
  const { graph } = importOnnx(patternModel(MLP));
  const plan = await buildEnginePlan(gpu, graph, { x: [37, 50] }, { precision: 'fp32', timeTactics: false });
  const needing = { ...plan, header: { ...plan.header, features: ['subgroups', 'chromium-experimental-subgroup-matrix'] } };
  const lacking = gpu.features.has('chromium-experimental-subgroup-matrix');
  await assert.rejects(Engine.load(gpu, serializePlan(needing)), (e: unknown) => e instanceof PlanError
    && /chromium-experimental-subgroup-matrix/.test(e.message) && /--gpu-features subgroup-matrix/.test(e.hint ?? ''), `device has the feature: ${lacking}`);
});

test('subgroup-matrix attention is offered for fp16 layers with f16 storage and head sizes that are multiples of 16, on 32-lane subgroups only', async () => {
  const { importNetwork } = await import('../../src/engine/import.js');
  const { mmaAttentionPrograms } = await import('../../src/engine/kernels/attention-mma.js');
  const offered = (d: number, precision: 'fp16' | 'fp32', storage: 'f16' | 'f32', caps: DeviceCaps) => {
    const shapes: Record<string, number[]> = { q: [1, 2, 40, d], k: [1, 2, 70, d], v: [1, 2, 70, d] };
    const feeds = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, randomTensor(s, 70 + i)]));
    const model = patternModel({ nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attrs: { is_causal: 1 } }], inputs: feeds, outputs: ['y'], opset: 23 });
    const net = importNetwork(importOnnx(model).graph, shapes);
    const layer = { ...net.layers[0]!, precision } as Parameters<typeof mmaAttentionPrograms>[0];
    const tensors = new Map([...net.tensors.values()].map((t) => [t.name, { ...t, format: { layout: 'plain' as const, storage } }]));
    return mmaAttentionPrograms(layer, { caps, tensors, placement: new Map() }, tensors.get('y')!).map((t) => t.name);
  };
  const names = offered(64, 'fp16', 'f16', H100);
  assert.ok(names.length >= 2 && names.every((n) => n.startsWith('attention-mma-')), names.join(', '));
  assert.deepEqual(offered(64, 'fp32', 'f32', H100), []);
  assert.deepEqual(offered(64, 'fp16', 'f32', H100), []);
  assert.deepEqual(offered(40, 'fp16', 'f16', H100), []);
  assert.deepEqual(offered(64, 'fp16', 'f16', { ...H100, subgroupSize: 64 }), []);
  assert.deepEqual(offered(64, 'fp16', 'f16', { ...H100, subgroupMatrix: [] }), []);
  // head size 128 at BK 64 exceeds 48 KiB of workgroup memory: only the smaller blocks are offered
  assert.ok(offered(128, 'fp16', 'f16', H100).every((n) => !n.endsWith('-q64-k64')));
});
