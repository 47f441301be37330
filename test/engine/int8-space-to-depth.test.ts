// The first int8 conv of a network read space-to-depth (passes/int8-space-to-depth.ts): the
// image's quantize writes 2×2 cells of 4 channels as one 16-channel pixel of bytes, and the
// stride-2 conv becomes a stride-1 conv over it. The kernel against onnxruntime's Pad →
// SpaceToDepth → QuantizeLinear (exact, uint8 and int8, 3 and 1 channels, NCHW and NHWC float
// input); whole calibrated builds (7×7 stride 2 pad 3 as ResNet's stem, 3×3 with odd asymmetric
// pads on one channel) against onnxruntime running the same int8 network lowered to ONNX before the
// rewrite (the conv's original integer sums) and after it, and against onnxruntime fp32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_CAPS } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { buildEnginePlan, buildNetwork } from '../../src/engine/builder.js';
import { checkBuilderConfig } from '../../src/engine/config.js';
import { importNetwork } from '../../src/engine/import.js';
import { compileSpaceToDepth } from '../../src/engine/kernels/space-to-depth.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { SpaceToDepthLayer, Storage, Layout } from '../../src/engine/network.js';
import { int8SpaceToDepthPass } from '../../src/engine/passes/int8-space-to-depth.js';
import { ENGINE_PIPELINE, runPipeline } from '../../src/engine/passes/pipeline.js';
import { Engine } from '../../src/engine/runtime.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { calibrateGraph } from '../../src/runtime/calibrate.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { kernelContext } from '../helpers/kernel-context.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

test('the space-to-depth quantize writes exactly onnxruntime\'s Pad → SpaceToDepth → QuantizeLinear, as bytes four channels a word', { skip }, async () => {
  const cases: [number[], boolean, number, Layout][] = [[[2, 3, 6, 8], false, 37, 'nchw'], [[1, 1, 4, 6], true, -5, 'nchw'], [[1, 3, 4, 4], true, 3, 'nhwc']];
  for (const [shape, signed, zeroPoint, layout] of cases) {
    const [n, c, h, w] = shape as [number, number, number, number];
    const scale = 0.0173;
    const x = randomTensor(shape, 40 + c, -2.5, 2.5);
    const zp = signed ? new Tensor('int8', [], Int8Array.of(zeroPoint)) : new Tensor('uint8', [], Uint8Array.of(zeroPoint));
    const model = patternModel({
      nodes: [
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'] },
        { op: 'SpaceToDepth', inputs: ['p'], outputs: ['s'], attrs: { blocksize: 2 } },
        { op: 'QuantizeLinear', inputs: ['s', 'scale', 'zp'], outputs: ['y'] },
      ],
      inputs: { x },
      initializers: { pads: Tensor.fromNumeric('int64', [8], [0, 0, 0, 0, 0, 4 - c, 0, 0]), scale: new Tensor('float32', [], Float32Array.of(scale)), zp },
      outputs: ['y'],
      opset: 13,
    });
    const want = (await runOrt(model, { x })).y!;
    assert.deepEqual(want.shape, [n, 16, h / 2, w / 2]);
    const storage: Storage = signed ? 'i8x4' : 'u8x4';
    const layer: SpaceToDepthLayer = { kind: 'spacetodepth', name: 's2d', from: ['s2d'], input: 'x', output: 'y', block: 2, channels: 4, quantize: { scale, zeroPoint, signed } };
    const ctx = kernelContext(gpu!, [{ name: 'x', shape, format: { layout, storage: 'f32' } }, { name: 'y', shape: [n, 16, h / 2, w / 2], format: { layout: 'nhwc', storage } }]);
    const tactics = compileSpaceToDepth(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    const got = (await runTactic(gpu!, tactics[0]!, ctx.tensors, { x: x.data as Float32Array }, ['y'])).y!;
    assert.deepEqual([...got], [...want.data].map(Number), `[${shape}] ${storage} from ${layout}`);
  }
  // what it cannot write is refused with the reason
  const layer: SpaceToDepthLayer = { kind: 'spacetodepth', name: 's2d', from: ['s2d'], input: 'x', output: 'y', block: 2, channels: 4, quantize: { scale: 1, zeroPoint: 0, signed: false } };
  const odd = compileSpaceToDepth(layer, kernelContext(gpu!, [{ name: 'x', shape: [1, 3, 5, 4], format: { layout: 'nchw', storage: 'f32' } }, { name: 'y', shape: [1, 16, 2, 2], format: { layout: 'nhwc', storage: 'u8x4' } }]));
  assert.match(String(odd), /\[1,3,5,4\] in blocks of 2 is not \[1,16,2,2\]/);
  const float = compileSpaceToDepth(layer, kernelContext(gpu!, [{ name: 'x', shape: [1, 3, 4, 4], format: { layout: 'nchw', storage: 'f32' } }, { name: 'y', shape: [1, 16, 2, 2], format: { layout: 'nhwc', storage: 'f32' } }]));
  assert.match(String(float), /output storage f32 \(bytes only/);
});

// x → Conv (stride 2) → Relu → Conv 1×1 → y: the first conv is the rewritten one
const stem = (c: number, hw: [number, number], kernel: number, pads: number[]) => patternModel({
  nodes: [
    { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [kernel, kernel], strides: [2, 2], pads } },
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'Conv', inputs: ['r1', 'w2'], outputs: ['y'] },
  ],
  inputs: { x: randomTensor([2, c, ...hw], 1) },
  initializers: { w1: randomTensor([16, c, kernel, kernel], 61, -0.4, 0.4), b1: randomTensor([16], 62, -0.1, 0.1), w2: randomTensor([8, 16, 1, 1], 63, -0.5, 0.5) },
  outputs: ['y'],
  opset: 13,
});

const CASES: { what: string; c: number; hw: [number, number]; kernel: number; pads: number[]; log: RegExp }[] = [
  { what: '7×7 stride 2 pad 3 over 3 channels (ResNet\'s stem)', c: 3, hw: [16, 12], kernel: 7, pads: [3, 3, 3, 3], log: /Conv_0 \(7×7 stride 2 over 3 channels\) reads .* space-to-depth: 4×4 stride 1 over 16 channels/ },
  { what: '3×3 stride 2, odd asymmetric pads, one channel', c: 1, hw: [12, 10], kernel: 3, pads: [1, 2, 0, 1], log: /Conv_0 \(3×3 stride 2 over 1 channels\) reads .* space-to-depth: 2×2 stride 1 over 16 channels/ },
];

for (const k of CASES) {
  test(`calibrated int8 build, ${k.what}: read space-to-depth, the same integer sums as onnxruntime running the network lowered before the rewrite, near onnxruntime fp32`, { skip }, async () => {
    const model = stem(k.c, k.hw, k.kernel, k.pads);
    const g = importOnnx(model).graph;
    const shapes = { x: [2, k.c, ...k.hw] };
    const sample = (seed: number) => randomTensor(shapes.x, seed, -1, 1);
    const cache = await calibrateGraph(g, { count: 8, get: (i) => ({ x: sample(300 + i) }) }, { algo: 'minmax', device: 'cpu' });
    const log: string[] = [];
    const plan = await buildEnginePlan(gpu!, g, shapes, { precision: 'int8', calibration: cache, timeTactics: false, log: (l) => log.push(l) });
    assert.ok(log.some((l) => k.log.test(l)), log.filter((l) => /int8/.test(l)).join('\n'));
    assert.deepEqual(plan.layers.map((l) => l.kind), ['spacetodepth', 'qlinear', 'qlinear'], JSON.stringify(plan.layers.map((l) => [l.kind, l.name, l.tactic])));
    // the network as built up to the rewrite, lowered to ONNX: the conv's integer sums as onnxruntime computes them
    const cfg = checkBuilderConfig({ precision: 'int8', calibration: cache });
    const before = runPipeline(importNetwork(g, shapes), { precision: cfg.precision, caps: { ...BASELINE_CAPS, packedDot4I8: true }, int8: cfg.int8!, stages: ENGINE_PIPELINE.filter((p) => p !== int8SpaceToDepthPass) }).network;
    assert.ok(before.layers.some((l) => l.kind === 'pointwise') && !before.layers.some((l) => l.kind === 'spacetodepth'));
    const lowered = exportOnnx(lowerNetwork(before), { opset: 18 });
    // and after it: the space-to-depth layer lowers to Pad → SpaceToDepth → the quantize's nodes
    const after = buildNetwork(g, shapes, cfg, { ...BASELINE_CAPS, packedDot4I8: true });
    assert.ok(after.layers.some((l) => l.kind === 'spacetodepth'));
    const loweredAfter = exportOnnx(lowerNetwork(after), { opset: 18 });
    const engine = await Engine.load(gpu!, plan);
    const context = await engine.createExecutionContext();
    try {
      for (const seed of [900, 901]) {
        const x = sample(seed);
        const got = (await context.run({ x })).y!.data as Float32Array;
        const want = (await runOrt(lowered, { x })).y!.data as Float32Array;
        const wantAfter = (await runOrt(loweredAfter, { x })).y!.data as Float32Array;
        const fp32 = (await runOrt(model, { x })).y!.data as Float32Array;
        const spread = Math.max(...fp32) - Math.min(...fp32);
        const err = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
        // the same integers: only float rounding apart (and rarely one requantization step of r1)
        assert.ok(err <= 0.01 * spread, `seed ${seed}: off the lowered network by ${err} (spread ${spread})`);
        const errAfter = Math.max(...got.map((v, i) => Math.abs(v - wantAfter[i]!)));
        assert.ok(errAfter <= 0.01 * spread, `seed ${seed}: off the network lowered after the rewrite by ${errAfter} (spread ${spread})`);
        const err32 = Math.max(...got.map((v, i) => Math.abs(v - fp32[i]!)));
        assert.ok(err32 <= 0.08 * spread, `seed ${seed}: off fp32 by ${err32} (spread ${spread})`);
      }
    } finally {
      context.dispose();
      engine.dispose();
    }
  });
}
