// Pointwise broadcasting the transformer way through the whole engine, against onnxruntime: a bias
// [N] against [B, S, N] (constant and runtime tensor), an attention mask [B, 1, 1, S] against
// [B, H, S, S] (rank 4, where the engine's internal layout is NHWC), a [B, S, 1] column against
// [B, S, N], and two operands that both broadcast ([S, 1] + [1, S]). fp32 and fp16 storage.
// fp16: inputs and results stored as halves (relative 2^-11 per stored value): atol 2e-3, rtol 2e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { pointwiseBroadcastOk } from '../../src/engine/support.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { expectEngineLikeOrt } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 2e-3, rtol: 2e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;

test('numpy broadcast rule: right-aligned, each dim equal or 1', () => {
  assert.ok(pointwiseBroadcastOk([64], [1, 17, 64]));
  assert.ok(pointwiseBroadcastOk([2, 1, 1, 6], [2, 4, 6, 6]));
  assert.ok(pointwiseBroadcastOk([6, 1], [2, 6, 6]));
  assert.ok(!pointwiseBroadcastOk([3], [1, 17, 64]));
  assert.ok(!pointwiseBroadcastOk([2, 1, 17, 64], [1, 17, 64]), 'an operand of higher rank');
});

test('bias [N] against [B,S,N] (constant and tensor), then a column [B,S,1] and a row-col sum', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Add', inputs: ['x', 'bias'], outputs: ['a'] },
        { op: 'Mul', inputs: ['a', 'v'], outputs: ['b'] },
        { op: 'Sub', inputs: ['b', 'col'], outputs: ['c'] },
        { op: 'Add', inputs: ['c', 'r'], outputs: ['d'] },
        { op: 'Add', inputs: ['rc', 'cr'], outputs: ['e'] },
      ],
      inputs: { x: randomTensor([2, 5, 6], 1), v: randomTensor([6], 2), col: randomTensor([2, 5, 1], 3), rc: randomTensor([5, 1], 4), cr: randomTensor([1, 6], 5) },
      initializers: { bias: randomTensor([6], 6), r: randomTensor([5, 1], 7) },
      outputs: ['d', 'e'],
    }, precision, tol);
  }
});

test('attention mask [B,1,1,S] and a constant [S,S] mask against [B,H,S,S]', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Mul', inputs: ['s', 'k'], outputs: ['a'] },
        { op: 'Add', inputs: ['a', 'mask'], outputs: ['b'] },
        { op: 'Add', inputs: ['b', 'causal'], outputs: ['c'] },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
      inputs: { s: randomTensor([2, 3, 4, 4], 8), mask: randomTensor([2, 1, 1, 4], 9) },
      initializers: { k: randomTensor([1], 10), causal: randomTensor([4, 4], 11) },
      outputs: ['y'],
    }, precision, tol);
  }
});
