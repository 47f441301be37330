// The framework's MatMul, Gemm and Conv kernels on the shared tile template (gemm.ts on
// matmul-tile.ts) against onnxruntime, on shapes that pick each tile width (16, 32, 64 per side),
// leave partial tiles in M, N and K, broadcast batches and run grouped and strided convolutions;
// every node must run on the GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

async function check(op: string, opset: number, attrs: Record<string, unknown>, inputs: Record<string, Tensor>, label: string): Promise<void> {
  const spec = { op, opset, attrs, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] };
  const model = oneNodeModel(spec as Parameters<typeof oneNodeModel>[0]);
  const want = await runOrt(model, inputs);
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  const got = await session.run(inputs);
  const c = compareTensors(got.y!, want.y!, FP32_TOLERANCE);
  assert.ok(c.pass, `${op} ${label}: ${JSON.stringify(c)}`);
  assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${op} ${label} runs on the GPU`);
  session.dispose();
}

test('MatMul: every tile width, partial tiles, broadcast batches', { skip }, async () => {
  const cases: [number[], number[]][] = [
    [[5, 7], [7, 3]], [[20, 9], [9, 30]], [[70, 21], [21, 67]], [[3, 33, 17], [17, 100]],
    [[2, 1, 9, 40], [3, 40, 5]], [[13], [13, 6]], [[6, 50], [50]],
  ];
  for (const [i, [a, b]] of cases.entries()) {
    await check('MatMul', 13, {}, { a: randomTensor(a, 10 + i), b: randomTensor(b, 20 + i) }, `${a} × ${b}`);
  }
});

test('Gemm: transposes, alpha/beta, broadcast C', { skip }, async () => {
  await check('Gemm', 13, { transA: 1, alpha: 0.5, beta: 1.5 }, { a: randomTensor([19, 70], 1), b: randomTensor([19, 33], 2), c: randomTensor([33], 3) }, 'transA');
  await check('Gemm', 13, { transB: 1 }, { a: randomTensor([9, 23], 4), b: randomTensor([5, 23], 5), c: randomTensor([9, 1], 6) }, 'transB');
});

test('Conv: im2col with pads and strides, pointwise, grouped, 1-D', { skip }, async () => {
  await check('Conv', 11, { pads: [1, 1, 1, 1], strides: [2, 1] }, { x: randomTensor([2, 3, 9, 11], 1), w: randomTensor([5, 3, 3, 3], 2), b: randomTensor([5], 3) }, '3×3');
  await check('Conv', 11, {}, { x: randomTensor([1, 40, 6, 7], 4), w: randomTensor([36, 40, 1, 1], 5) }, 'pointwise');
  await check('Conv', 11, { group: 2, dilations: [2, 2] }, { x: randomTensor([1, 6, 8, 8], 6), w: randomTensor([4, 3, 3, 2], 7) }, 'grouped');
  await check('Conv', 11, { pads: [2, 1] }, { x: randomTensor([2, 4, 17], 8), w: randomTensor([3, 4, 5], 9) }, '1-D');
});
