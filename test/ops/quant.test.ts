// Quantization ops: the ONNX backend node tests, and onnxruntime-node on random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { conformanceTests } from '../helpers/conformance.js';

const fixtures = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
const folders = existsSync(fixtures) ? readdirSync(fixtures).filter((d) => /quantize|qlinear|integer/.test(d)).sort() : [];

conformanceTests('quantization', folders);

/** Seeded random integers in [lo, hi] of an integer dtype. */
function randomInts(dtype: DType, shape: number[], seed: number, lo: number, hi: number): Tensor {
  const r = randomTensor(shape, seed, lo, hi + 1).numeric();
  return Tensor.fromNumeric(dtype, shape, Array.from(r, Math.floor));
}

async function expectSameAsOrt(spec: OneNodeSpec, tol = { atol: 0, rtol: 0 }): Promise<Tensor> {
  const model = oneNodeModel(spec);
  const want = (await runOrt(model, spec.inputs))[spec.outputs[0]!]!;
  const got = (await runNnrt(model, spec.inputs))[spec.outputs[0]!]!;
  const c = compareTensors(got, want, tol);
  assert.ok(c.pass, JSON.stringify(c));
  return want;
}

test('QuantizeLinear per-axis uint8 matches onnxruntime', async () => {
  const x = randomTensor([2, 3, 5], 11, -4, 4);
  const want = await expectSameAsOrt({
    op: 'QuantizeLinear', opset: 21, attrs: { axis: 1 },
    inputs: { x },
    initializers: { s: Tensor.fromArray([3], [0.02, 0.05, 0.1]), z: Tensor.fromNumeric('uint8', [3], [128, 10, 250]) },
    inputOrder: ['x', 's', 'z'], outputs: ['y'],
  });
  const v = want.numeric();
  assert.ok(v.includes(0) && v.includes(255), 'the inputs reach both ends of the uint8 range (saturation is exercised)');
});

test('QuantizeLinear blocked int8 with a ties-heavy scale matches onnxruntime', async () => {
  // multiples of 0.5 · scale: every other value is a tie, which must round to even
  const x = Tensor.fromNumeric('float32', [2, 8], Array.from({ length: 16 }, (_, i) => (i - 8) * 0.25));
  await expectSameAsOrt({
    op: 'QuantizeLinear', opset: 21, attrs: { axis: 1, block_size: 4 },
    inputs: { x },
    initializers: { s: Tensor.fromArray([2, 2], [0.5, 0.5, 0.25, 0.5]), z: Tensor.fromNumeric('int8', [2, 2], [0, 1, -3, 0]) },
    inputOrder: ['x', 's', 'z'], outputs: ['y'],
  });
});

test('DequantizeLinear int8 per-tensor matches onnxruntime', async () => {
  const x = randomInts('int8', [3, 7], 5, -128, 127);
  await expectSameAsOrt({
    op: 'DequantizeLinear', opset: 19,
    inputs: { x },
    initializers: { s: Tensor.scalar('float32', 0.037), z: Tensor.scalar('int8', -5) },
    inputOrder: ['x', 's', 'z'], outputs: ['y'],
  }, FP32_TOLERANCE);
});

test('QLinearMatMul uint8 [4,16]×[16,8] matches onnxruntime', async () => {
  const a = randomInts('uint8', [4, 16], 21, 0, 255);
  const b = randomInts('uint8', [16, 8], 22, 0, 255);
  await expectSameAsOrt({
    op: 'QLinearMatMul', opset: 21,
    inputs: { a, b },
    initializers: {
      as: Tensor.scalar('float32', 0.02), az: Tensor.scalar('uint8', 120),
      bs: Tensor.scalar('float32', 0.015), bz: Tensor.scalar('uint8', 130),
      ys: Tensor.scalar('float32', 0.3), yz: Tensor.scalar('uint8', 100),
    },
    inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'],
  });
});

test('MatMulInteger int8 batched with broadcasting matches onnxruntime', async () => {
  const a = randomInts('int8', [2, 3, 5], 31, -128, 127);
  const b = randomInts('int8', [5, 4], 32, -128, 127);
  await expectSameAsOrt({
    op: 'MatMulInteger', opset: 10,
    inputs: { a, b },
    initializers: { az: Tensor.scalar('int8', 3), bz: Tensor.scalar('int8', -7) },
    inputOrder: ['a', 'b', 'az', 'bz'], outputs: ['y'],
  });
});

// onnxruntime's ConvInteger takes only per-tensor zero points (per-channel is covered by the backend tests)
test('ConvInteger uint8 grouped, strided, dilated and padded matches onnxruntime', async () => {
  const x = randomInts('uint8', [1, 4, 7, 6], 41, 0, 255);
  const w = randomInts('uint8', [6, 2, 3, 3], 42, 0, 255);
  await expectSameAsOrt({
    op: 'ConvInteger', opset: 10, attrs: { group: 2, strides: [2, 1], pads: [1, 0, 1, 2], dilations: [1, 2] },
    inputs: { x, w },
    initializers: { xz: Tensor.scalar('uint8', 128), wz: Tensor.scalar('uint8', 131) },
    inputOrder: ['x', 'w', 'xz', 'wz'], outputs: ['y'],
  });
});

test('QLinearConv int8 with per-channel scales, bias and SAME_UPPER padding matches onnxruntime', async () => {
  const x = randomInts('int8', [2, 3, 5, 5], 51, -128, 127);
  const w = randomInts('int8', [4, 3, 3, 3], 52, -127, 127);
  await expectSameAsOrt({
    op: 'QLinearConv', opset: 10, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] },
    inputs: { x },
    initializers: {
      xs: Tensor.scalar('float32', 0.05), xz: Tensor.scalar('int8', -3),
      w, ws: Tensor.fromArray([4], [0.01, 0.02, 0.004, 0.03]), wz: Tensor.fromNumeric('int8', [4], [0, 0, 0, 0]),
      ys: Tensor.scalar('float32', 0.7), yz: Tensor.scalar('int8', 5),
      bias: Tensor.fromNumeric('int32', [4], [100, -2000, 0, 5000]),
    },
    inputOrder: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'bias'], outputs: ['y'],
  });
});
