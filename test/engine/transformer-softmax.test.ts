// Softmax through the whole engine against onnxruntime: over a non-last axis (strided rows, paired
// and unpaired), LogSoftmax over axis 0, and attention logits x·s + mask / x/s + mask / x·s folded
// into one softmax layer (fuse-softmax-mask; x a network input, as a MatMul output would be: a
// pointwise producer of x would be merged into the logits expression first). fp32 and fp16 storage.
// fp16: inputs and results stored as halves (relative 2^-11 each): atol 2e-3, rtol 5e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 2e-3, rtol: 5e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;

test('softmax over a middle axis (paired rows), axis 0 with odd rows, log-softmax, rank 4 axis 1', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    for (const [op, shape, axis, seed] of [['Softmax', [2, 3, 4], 1, 1], ['Softmax', [4, 5], 0, 2], ['LogSoftmax', [3, 6], 0, 3], ['Softmax', [2, 5, 3, 2], 1, 4]] as const) {
      await expectEngineLikeOrt(gpu!, {
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op, inputs: ['r'], outputs: ['y'], attrs: { axis } }],
        inputs: { x: randomTensor([...shape], seed, -1, 4) },
        outputs: ['y'],
      }, precision, tol);
    }
  }
});

test('attention logits x·s + mask[B,1,1,S], x/s + mask and x·s fold into one softmax layer', { skip }, async () => {
  const mask = new Tensor('float32', [2, 1, 1, 6], Float32Array.from({ length: 12 }, (_, i) => (i % 6 === 5 || i === 3 ? -10000 : 0)));
  for (const [precision, tol] of PRECISIONS) {
    for (const [op, k] of [['Mul', 0.125], ['Div', 8]] as const) {
      const plan = await expectEngineLikeOrt(gpu!, {
        nodes: [
          { op, inputs: ['x', 'k'], outputs: ['s'] },
          { op: 'Add', inputs: ['s', 'mask'], outputs: ['m'] },
          { op: 'Softmax', inputs: ['m'], outputs: ['y'], attrs: { axis: -1 } },
        ],
        inputs: { x: randomTensor([2, 3, 6, 6], 5, -4, 8), mask },
        initializers: { k: new Tensor('float32', [], new Float32Array([k])) },
        outputs: ['y'],
      }, precision, tol);
      const softmax = plan.layers.find((l) => l.kind === 'softmax')!;
      assert.deepEqual(softmax.from.map((f) => f.split('_')[0]), ['Mul', 'Add', 'Softmax'].map((o) => (o === 'Mul' ? op : o)), JSON.stringify(plan.layers.map((l) => l.from)));
    }
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['s'] }, { op: 'Softmax', inputs: ['s'], outputs: ['y'] }],
      inputs: { x: randomTensor([4, 10], 6, -4, 8) },
      initializers: { k: new Tensor('float32', [1], new Float32Array([0.3])) },
      outputs: ['y'],
    }, precision, tol);
    assert.equal(plan.layers.filter((l) => l.kind === 'softmax')[0]!.from.length, 2);
  }
});
