// Engine data-movement layers on the device (lavapipe) against onnxruntime, fp32 and fp16, as
// small whole-graph engines: Split (one layer per output), Concat on a non-channel axis, Slice
// with steps, Gather at a constant index, Expand, Transpose (copy, view, cancelled pairs).
// fp16 only rounds stored values to halves (no arithmetic here but the final Add): atol 1e-3,
// rtol 2e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const FP16: Tolerance = { atol: 1e-3, rtol: 2e-3 };
const i64 = (v: number[], shape = [v.length]) => new Tensor('int64', shape, BigInt64Array.from(v.map(BigInt)));

async function both(spec: PatternSpec) {
  const plans = [];
  for (const p of ['fp32', 'fp16'] as const) plans.push(await expectEngineLikeOrt(gpu!, spec, p, p === 'fp32' ? FP32_TOLERANCE : FP16));
  return plans;
}

test('Split, Concat on the last axis, Slice with steps, Gather at a constant index, Expand, Transpose', { skip }, async () => {
  const [plan] = await both({
    nodes: [
      { op: 'Split', inputs: ['x', 'split'], outputs: ['s0', 's1'], attrs: { axis: 2 } },
      { op: 'Concat', inputs: ['s1', 's0'], outputs: ['c'], attrs: { axis: 2 } },
      { op: 'Slice', inputs: ['c', 'starts', 'ends', 'axes', 'steps'], outputs: ['sl'] },
      { op: 'Gather', inputs: ['x', 'idx'], outputs: ['g'], attrs: { axis: 1 } },
      { op: 'Expand', inputs: ['g', 'eshape'], outputs: ['e'] },
      { op: 'Transpose', inputs: ['c'], outputs: ['t'], attrs: { perm: [2, 0, 1] } },
      { op: 'Gather', inputs: ['x', 'idx2'], outputs: ['g2'], attrs: { axis: 2 } },
    ],
    inputs: { x: randomTensor([2, 6, 8], 1) },
    initializers: {
      split: i64([2, 6]), starts: i64([1, 0]), ends: i64([6, 8]), axes: i64([1, 2]), steps: i64([2, 3]),
      idx: i64([3], []), eshape: i64([3, 2, 8]), idx2: i64([1, 3, 5]),
    },
    outputs: ['sl', 'e', 't', 'g2'],
  });
  assert.deepEqual(new Set(plan!.layers.map((l) => l.kind)), new Set(['slice', 'concat', 'transpose']));
});

test('inverse transposes cancel; NCHW → NHWC around a pointwise layer is a view of the channels-last layout', { skip }, async () => {
  const plans = await both({
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] },
      { op: 'Transpose', inputs: ['y'], outputs: ['t1'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Transpose', inputs: ['t1'], outputs: ['t2'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Relu', inputs: ['t2'], outputs: ['r'] },
      { op: 'Transpose', inputs: ['r'], outputs: ['t3'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Mul', inputs: ['t3', 'k'], outputs: ['m'] },
      { op: 'Transpose', inputs: ['m'], outputs: ['t4'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Add', inputs: ['t4', 'y'], outputs: ['z'] },
    ],
    inputs: { x: randomTensor([1, 3, 5, 5], 2) },
    initializers: { w: randomTensor([4, 3, 1, 1], 3), k: new Tensor('float32', [], Float32Array.of(0.5)) },
    outputs: ['z'],
  });
  for (const plan of plans) {
    const transposes = plan.layers.filter((l) => l.kind === 'transpose');
    // t1/t2 cancel; t3 reads the conv's channels-last output as [N,H,W,C] (a view) — t4 is a copy or a view
    assert.ok(transposes.length <= 2, JSON.stringify(plan.layers));
    assert.ok(transposes.some((l) => l.tactic === 'view'), JSON.stringify(transposes));
  }
});
