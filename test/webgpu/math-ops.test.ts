// The math family's table ops on WebGPU against onnxruntime, and the webgpu executor's unknown-op
// error, which names the graph's opset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedError } from '../../src/errors.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

async function sameOnGpu(spec: OneNodeSpec): Promise<void> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  const got = await session.run(spec.inputs);
  const c = compareTensors(got.y!, want.y!, { atol: 1e-4, rtol: 2e-3 });
  assert.ok(c.pass, `${spec.op}: ${c.reason ?? JSON.stringify(c)}`);
  assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${spec.op} runs on the GPU`);
  session.dispose();
}

test('trigonometric, activation, IsNaN/IsInf and bitwise table ops run on the GPU as onnxruntime computes them', { skip }, async () => {
  const x = randomTensor([3, 50], 1, -0.95, 0.95);
  const one = (op: string, t: Tensor, attrs: OneNodeSpec['attrs'] = {}, opset = 18) =>
    sameOnGpu({ op, opset, attrs, inputs: { x: t }, inputOrder: ['x'], outputs: ['y'] });
  for (const op of ['Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Atanh', 'Mish']) await one(op, x);
  await one('Acosh', randomTensor([3, 50], 2, 1, 10));
  const wide = randomTensor([3, 50], 3, -5, 5);
  await one('Celu', wide, { alpha: { float: 1.3 } });
  await one('ThresholdedRelu', wide, { alpha: { float: 0.5 } });
  await one('Shrink', wide, { bias: { float: 0.25 }, lambd: { float: 1 } });
  const special = Tensor.fromArray([6], [0, NaN, Infinity, -Infinity, 2, -3]);
  await one('IsNaN', special, {}, 20);
  await one('IsInf', special, { detect_negative: 0 }, 20);
  const a = Tensor.fromNumeric('int32', [2, 4], [1, -2, 3, 1000, -77, 6, 0, 12345]);
  const b = Tensor.fromNumeric('int32', [4], [7, 7, -1, 256]);
  for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) await sameOnGpu({ op, inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] });
  await one('BitwiseNot', Tensor.fromNumeric('uint8', [4], [0, 1, 200, 255]));
});

test('an unknown op on webgpu names the graph\'s opset, not the node\'s position', { skip }, async () => {
  const model = oneNodeModel({ op: 'FancyOp', opset: 13, inputs: { x: randomTensor([2], 1) }, inputOrder: ['x'], outputs: ['y'] });
  await assert.rejects(createSession(importOnnx(model).graph, { device: 'webgpu' }),
    (e: unknown) => e instanceof UnsupportedError && /unknown op 'FancyOp'/.test(e.message) && /\(opset 13\)/.test(e.message));
});
