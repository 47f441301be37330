// The layers that took the last declined nodes of the fixture transformers, each through the whole
// engine against onnxruntime in fp32 and fp16: Concat with a constant input (ViT's class token),
// Pad that adds nothing (Swin's window padding when the windows divide: zero pads, and a crop by
// negative pads), and a Linear's bias [N] broadcast over rows fused into the gemm (one layer).
// fp16: inputs, weights and results stored as halves (relative 2^-11 each), products accumulated
// in fp32 over K = 16: atol 3e-3, rtol 3e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { typesOf } from '../partition/helpers.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 3e-3, rtol: 3e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;
const int64 = (values: number[]) => Tensor.fromNumeric('int64', [values.length], values);

test('Concat with a constant input: the class token before the patches, and a constant in the middle of three', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Concat', inputs: ['cls', 'x'], outputs: ['y'], attrs: { axis: 1 } },
        { op: 'Concat', inputs: ['x', 'k', 'x'], outputs: ['z'], attrs: { axis: 2 } },
      ],
      inputs: { x: randomTensor([1, 6, 8], 1) },
      initializers: { cls: randomTensor([1, 1, 8], 2), k: randomTensor([1, 6, 4], 3) },
      outputs: ['y', 'z'],
    }, precision, tol);
    assert.deepEqual(plan.layers.map((l) => l.kind), ['concat', 'concat']);
  }
});

test('Pad adding nothing is a slice: zero pads (Swin) and negative pads (a crop); positive pads are declined', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Pad', inputs: ['x', 'zero'], outputs: ['p'], attrs: { mode: 'constant' } },
        { op: 'Relu', inputs: ['p'], outputs: ['r'] },
        { op: 'Pad', inputs: ['r', 'crop'], outputs: ['y'], attrs: { mode: 'constant' } },
      ],
      inputs: { x: randomTensor([1, 4, 6, 8], 4) },
      initializers: { zero: int64([0, 0, 0, 0, 0, 0, 0, 0]), crop: int64([0, 0, -1, -2, 0, 0, -2, 0]) },
      outputs: ['y'],
    }, precision, tol);
  }
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 2, 3]);
  b.output(b.op('Pad', [x, b.constant('pads', int64([0, 1, 0, 0, 1, 0]))], { mode: { type: 'string', value: 'constant' } }, 'pad_grow'));
  const node = b.graph.nodes.find((n) => n.name === 'pad_grow')!;
  assert.match(String(ENGINE_SUPPORT(node, { graph: b.graph, types: typesOf(b.graph) })), /^Pad: positive pads \(adding elements\) are not supported/);
});

test('MatMul by a weight + bias [N] over rank-3 rows (a Linear) is one gemm layer with the bias, residual Add fused too', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] },
        { op: 'Add', inputs: ['m', 'b'], outputs: ['q'] },
        { op: 'MatMul', inputs: ['q', 'w2'], outputs: ['m2'] },
        { op: 'Add', inputs: ['b2', 'm2'], outputs: ['l2'] },
        { op: 'Add', inputs: ['l2', 'x'], outputs: ['y'] },
      ],
      inputs: { x: randomTensor([2, 5, 16], 5) },
      initializers: { w: randomTensor([16, 16], 6, -0.5, 0.5), b: randomTensor([16], 7), w2: randomTensor([16, 16], 8, -0.5, 0.5), b2: randomTensor([1, 1, 16], 9) },
      outputs: ['y'],
    }, precision, tol);
    assert.deepEqual(plan.layers.map((l) => `${l.kind} ${l.from.join('+')}`), ['gemm MatMul_0+Add_1', 'gemm MatMul_2+Add_3+Add_4']);
  }
});
