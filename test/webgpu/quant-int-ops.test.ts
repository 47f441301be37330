// QLinearMatMul, ConvInteger, QLinearConv and com.microsoft MatMulNBits WGSL kernels against
// onnxruntime-node on seeded inputs: per-tensor and per-channel parameters, int8 and uint8,
// groups, strides, dilations, padding; MatMulNBits with 2/4/8 bits, packed, float and default zero
// points, bias and a K past the last full block. Every node must run on the GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };
// requantized outputs: one quantization step where the product lands on a rounding tie
const ONE_STEP = { atol: 1, rtol: 0 };
const MS = 'com.microsoft';

function ints(dtype: DType, shape: number[], seed: number, lo?: number, hi?: number): Tensor {
  const [l, h] = lo !== undefined && hi !== undefined ? [lo, hi + 1] : dtype === 'uint8' ? [0, 256] : [-128, 128];
  return Tensor.fromNumeric(dtype, shape, Array.from(randomTensor(shape, seed, l, h).numeric(), Math.floor));
}

test('MatMulNBits on WebGPU matches onnxruntime (2/4/8 bits; packed, float, default zero points; bias; partial last block)', { skip }, async () => {
  const run = async (bits: number, k: number, n: number, block: number, zp: 'none' | 'packed' | 'float', bias: boolean, rows: number[]) => {
    const blocks = Math.ceil(k / block);
    const blob = (block * bits) / 8;
    const inputs: Record<string, Tensor> = {
      a: randomTensor([...rows, k], 63 + bits),
      B: ints('uint8', [n, blocks, blob], 58 + bits),
      scales: randomTensor([n * blocks], 59, 0.01, 0.1),
    };
    if (zp === 'packed') inputs.zp = ints('uint8', [n * Math.ceil((blocks * bits) / 8)], 60);
    if (zp === 'float') inputs.zp = randomTensor([n * blocks], 61, 0, 2 ** bits - 1);
    if (bias) inputs.bias = randomTensor([n], 62);
    const order = ['a', 'B', 'scales', zp === 'none' ? '' : 'zp', '', bias ? 'bias' : ''];
    while (order.at(-1) === '') order.pop();
    await expectWebgpuLikeOrt({
      op: 'MatMulNBits', domain: MS, attrs: { K: k, N: n, bits, block_size: block }, inputs, inputOrder: order, outputs: ['y'],
    }, { atol: 1e-4, rtol: 1e-3 }, `${bits} bits, K ${k}, zp ${zp}, bias ${bias}`);
  };
  await run(4, 64, 5, 32, 'none', false, [2, 3]);
  await run(4, 48, 6, 16, 'packed', true, [3]);
  await run(4, 40, 7, 16, 'packed', false, [1, 2]);
  await run(4, 32, 3, 16, 'float', true, [4]);
  await run(8, 40, 4, 16, 'packed', false, [2]);
  await run(2, 64, 3, 32, 'packed', true, [2]);
});

test('QLinearMatMul on WebGPU matches onnxruntime (int8/uint8, batches, broadcasting, float16 scales)', { skip }, async () => {
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  const cases: { a: Tensor; b: Tensor; yType: DType; f16?: boolean; label: string }[] = [
    { a: ints('uint8', [3, 8], 1), b: ints('uint8', [8, 5], 2), yType: 'uint8', label: 'uint8' },
    { a: ints('int8', [2, 4, 9], 3), b: ints('int8', [9, 6], 4), yType: 'int8', label: 'int8 batched a' },
    { a: ints('uint8', [5, 7], 5), b: ints('int8', [2, 7, 3], 6), yType: 'uint8', label: 'a broadcast over b batches, int8 b' },
    { a: ints('int8', [4, 6], 7), b: ints('int8', [6, 4], 8), yType: 'int8', f16: true, label: 'float16 scales' },
  ];
  for (const c of cases) {
    const f = c.f16 ? half : (t: Tensor) => t;
    const inputs: Record<string, Tensor> = {
      a: c.a, as: f(randomTensor([], 10, 0.002, 0.02)), az: ints(c.a.dtype, [], 11, 0, 20),
      b: c.b, bs: f(randomTensor([], 12, 0.002, 0.02)), bz: ints(c.b.dtype, [], 13, 0, 20),
      ys: f(randomTensor([], 14, 0.05, 0.1)), yz: ints(c.yType, [], 15, 0, 100),
    };
    await expectWebgpuLikeOrt({
      op: 'QLinearMatMul', opset: c.f16 ? 21 : 10, inputs, inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'],
    }, ONE_STEP, c.label);
  }
});

test('QLinearMatMul on WebGPU with per-column b parameters equals onnxruntime run column by column', { skip }, async () => {
  // onnxruntime takes b's per-column parameters only as [.., 1, N], which the ONNX spec (and nnrt)
  // writes as 1-D [N]: the reference is each column's product with that column's scalar parameters
  const [m, k, n] = [4, 9, 3];
  const a = ints('uint8', [m, k], 20);
  const b = ints('int8', [k, n], 21);
  const bs = randomTensor([n], 22, 0.002, 0.02);
  const bz = ints('int8', [n], 23, -10, 10);
  const common = { a, as: randomTensor([], 24, 0.002, 0.02), az: ints('uint8', [], 25, 0, 20), ys: randomTensor([], 26, 0.05, 0.1), yz: ints('uint8', [], 27, 0, 100) };
  const order = ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'];
  const want = new Array<number>(m * n);
  for (let j = 0; j < n; j++) {
    const column = Tensor.fromNumeric('int8', [k, 1], Array.from({ length: k }, (_, p) => b.numeric()[p * n + j]!));
    const inputs = { ...common, b: column, bs: Tensor.fromNumeric('float32', [], [bs.numeric()[j]!]), bz: Tensor.fromNumeric('int8', [], [bz.numeric()[j]!]) };
    const y = (await runOrt(oneNodeModel({ op: 'QLinearMatMul', opset: 10, inputs, inputOrder: order, outputs: ['y'] }), inputs)).y!;
    for (let i = 0; i < m; i++) want[i * n + j] = y.numeric()[i]!;
  }
  const inputs = { ...common, b, bs, bz };
  const session = await createSession(importOnnx(oneNodeModel({ op: 'QLinearMatMul', opset: 10, inputs, inputOrder: order, outputs: ['y'] })).graph, { device: 'webgpu' });
  const got = (await session.run(inputs)).y!;
  assert.deepEqual(session.stats().webgpu!.fallbacks, []);
  session.dispose();
  const c = compareTensors(got, Tensor.fromNumeric('uint8', [m, n], want), ONE_STEP);
  assert.ok(c.pass, JSON.stringify(c));
});
