// 1-D convolutions keep their activations channels-last ([N, W, C] in memory, layout pass): an
// audio encoder's front (Whisper: Conv1d → GELU → Conv1d stride 2 → GELU → Transpose(0, 2, 1) →
// + positions) against onnxruntime, fp32 and fp16; the transpose to the sequence order is a view.
// A rank-3 conv output that something other than a conv or that transpose reads stays row-major.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { importNetwork } from '../../src/engine/import.js';
import { runPipeline } from '../../src/engine/passes/pipeline.js';
import { FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { expectEngineLikeOrt, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

const front: PatternSpec = {
  nodes: [
    { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1] } },
    { op: 'Gelu', inputs: ['c1'], outputs: ['g1'] },
    { op: 'Conv', inputs: ['g1', 'w2', 'b2'], outputs: ['c2'], attrs: { pads: [1, 1], strides: [2] } },
    { op: 'Gelu', inputs: ['c2'], outputs: ['g2'] },
    { op: 'Transpose', inputs: ['g2'], outputs: ['t'], attrs: { perm: [0, 2, 1] } },
    { op: 'Add', inputs: ['t', 'pos'], outputs: ['y'] },
  ],
  inputs: { x: randomTensor([1, 6, 40], 1, -1, 1) },
  initializers: {
    w1: randomTensor([16, 6, 3], 2, -0.4, 0.4), b1: randomTensor([16], 3),
    w2: randomTensor([16, 16, 3], 4, -0.3, 0.3), b2: randomTensor([16], 5),
    pos: randomTensor([20, 16], 6),
  },
  outputs: ['y'],
  opset: 20,
};

test('Conv1d → Conv1d (stride 2) → Transpose(0, 2, 1) → + positions: channels-last between the convs, the transpose a view', { skip }, async () => {
  for (const [precision, tol] of [['fp32', FP32_TOLERANCE], ['fp16', { atol: 1e-2, rtol: 1e-2 }]] as const) {
    const plan = await expectEngineLikeOrt(gpu!, front, precision, tol);
    const t = plan.layers.find((l) => l.kind === 'transpose');
    assert.equal(t?.tactic, 'view', JSON.stringify(plan.layers.map((l) => [l.kind, l.tactic])));
  }
});

test('Conformer\'s conv module in small: pointwise Conv1d → depthwise Conv1d (groups = channels) → grouped Conv1d → pointwise Conv1d, channels-last between them', { skip }, async () => {
  const spec: PatternSpec = {
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'] },
      { op: 'Conv', inputs: ['c1', 'wd', 'bd'], outputs: ['c2'], attrs: { group: 8, pads: [2, 2] } },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'Conv', inputs: ['r2', 'wg'], outputs: ['c3'], attrs: { group: 2, pads: [1, 1], strides: [2] } },
      { op: 'Conv', inputs: ['c3', 'w4', 'b4'], outputs: ['y'] },
    ],
    inputs: { x: randomTensor([2, 6, 33], 11, -1, 1) },
    initializers: {
      w1: randomTensor([8, 6, 1], 12, -0.5, 0.5), b1: randomTensor([8], 13),
      wd: randomTensor([8, 1, 5], 14, -0.5, 0.5), bd: randomTensor([8], 15),
      wg: randomTensor([8, 4, 3], 16, -0.4, 0.4),
      w4: randomTensor([5, 8, 1], 17, -0.5, 0.5), b4: randomTensor([5], 18),
    },
    outputs: ['y'],
    opset: 17,
  };
  for (const [precision, tol] of [['fp32', FP32_TOLERANCE], ['fp16', { atol: 1e-2, rtol: 1e-2 }]] as const) {
    await expectEngineLikeOrt(gpu!, spec, precision, tol);
  }
});

test('a rank-3 conv output read by a layer other than a conv or Transpose(0, 2, 1) stays row-major', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 12]);
  const c = b.op('Conv', [x, b.constant('w', randomTensor([4, 4, 3], 7)), b.constant('bias', randomTensor([4], 8))], { pads: [1, 1] }, 'conv');
  const c2 = b.op('Conv', [c, b.constant('w2', randomTensor([4, 4, 1], 9))], {}, 'conv2');
  b.output(b.op('Softmax', [c2], { axis: -1 }, 'softmax'));
  const net = runPipeline(importNetwork(b.graph, { x: [1, 4, 12] }), { precision: 'fp32' }).network;
  assert.equal(net.tensors.get(c)!.format.layout, 'nhwc', 'between two convs');
  assert.equal(net.tensors.get(c2)!.format.layout, 'plain', 'read by a softmax');
});
