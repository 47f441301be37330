// GELU in the engine against onnxruntime: the ONNX Gelu op (opset 20, erf and tanh forms), and the
// exported primitive chains — x/√2 → Erf → +1 → ·x → ·0.5 (BERT/ViT) and 0.5·x·(1 + tanh(√(2/π)·
// (x + 0.044715·x³))) (GPT-2) — after MatMul + bias, which must become ONE gemm layer with a gelu
// epilogue. A chain that is not GELU (wrong constant) stays a pointwise layer. fp32 and fp16.
// fp16: inputs, weights, and the result stored as halves: atol 3e-3, rtol 3e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 3e-3, rtol: 3e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;
const scalar = (v: number) => new Tensor('float32', [], new Float32Array([v]));

test('the Gelu op (opset 20), erf and tanh forms', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    for (const approximate of ['none', 'tanh']) {
      await expectEngineLikeOrt(gpu!, {
        nodes: [{ op: 'Gelu', inputs: ['x'], outputs: ['y'], attrs: { approximate } }],
        inputs: { x: randomTensor([3, 10], 1, -5, 5) },
        outputs: ['y'], opset: 20,
      }, precision, tol);
    }
  }
});

const matmulBias: PatternNode[] = [
  { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] },
  { op: 'Add', inputs: ['m', 'b'], outputs: ['h'] },
];
/** The erf chain dividing by the initializer `divisor` (√2 for GELU). */
const erfChain = (divisor: string): PatternNode[] => [
  { op: 'Div', inputs: ['h', divisor], outputs: ['d'] },
  { op: 'Erf', inputs: ['d'], outputs: ['e'] },
  { op: 'Add', inputs: ['e', 'one'], outputs: ['e1'] },
  { op: 'Mul', inputs: ['h', 'e1'], outputs: ['p'] },
  { op: 'Mul', inputs: ['p', 'half'], outputs: ['y'] },
];
const tanhChain: PatternNode[] = [
  { op: 'Pow', inputs: ['h', 'three'], outputs: ['c'] },
  { op: 'Mul', inputs: ['c', 'k'], outputs: ['ck'] },
  { op: 'Add', inputs: ['h', 'ck'], outputs: ['s'] },
  { op: 'Mul', inputs: ['s', 'r'], outputs: ['sr'] },
  { op: 'Tanh', inputs: ['sr'], outputs: ['t'] },
  { op: 'Add', inputs: ['t', 'one'], outputs: ['t1'] },
  { op: 'Mul', inputs: ['half', 'h'], outputs: ['hh'] },
  { op: 'Mul', inputs: ['hh', 't1'], outputs: ['y'] },
];

async function chain(nodes: PatternNode[], precision: 'fp32' | 'fp16', tol: Tolerance) {
  return expectEngineLikeOrt(gpu!, {
    nodes: [...matmulBias, ...nodes],
    inputs: { x: randomTensor([5, 8], 2, -2, 2) },
    initializers: {
      w: randomTensor([8, 6], 3), b: randomTensor([6], 4), one: scalar(1), half: scalar(0.5), three: scalar(3),
      k: scalar(0.044715), r: scalar(Math.sqrt(2 / Math.PI)), sqrt2: scalar(Math.SQRT2), notSqrt2: scalar(1.5),
    },
    outputs: ['y'],
  }, precision, tol);
}

test('MatMul + bias + the exported erf and tanh GELU chains become one gemm with a gelu epilogue', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    for (const nodes of [erfChain('sqrt2'), tanhChain]) {
      const plan = await chain(nodes, precision, tol);
      assert.equal(plan.layers.length, 1, JSON.stringify(plan.layers.map((l) => [l.kind, l.from])));
      assert.equal(plan.layers[0]!.kind, 'gemm');
      assert.equal(plan.layers[0]!.from.length, 2 + nodes.length);
    }
  }
});

test('a chain that is not GELU (x/1.5 inside erf) stays a separate pointwise layer and is still right', { skip }, async () => {
  const plan = await chain(erfChain('notSqrt2'), 'fp32', FP32_TOLERANCE);
  assert.deepEqual(plan.layers.map((l) => l.kind), ['gemm', 'pointwise']);
});
