// QLinearMatMul, ConvInteger, QLinearConv and com.microsoft MatMulNBits WGSL kernels against
// onnxruntime-node on seeded inputs: per-tensor and per-channel parameters, int8 and uint8,
// groups, strides, dilations, padding; MatMulNBits with 2/4/8 bits, packed, float and default zero
// points, bias and a K past the last full block, few rows (per-element kernel) and many (tiled GEMM). Every node must run on the GPU.
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
  const run = async (bits: number, k: number, n: number, block: number, zp: 'none' | 'packed' | 'float', bias: boolean, rows: number[], f16 = false) => {
    const blocks = Math.ceil(k / block);
    const blob = (block * bits) / 8;
    const f = (t: Tensor) => (f16 ? Tensor.fromNumeric('float16', t.shape, t.numeric()) : t);
    const inputs: Record<string, Tensor> = {
      a: f(randomTensor([...rows, k], 63 + bits)),
      B: ints('uint8', [n, blocks, blob], 58 + bits),
      scales: f(randomTensor([n * blocks], 59, 0.01, 0.1)),
    };
    if (zp === 'packed') inputs.zp = ints('uint8', [n * Math.ceil((blocks * bits) / 8)], 60);
    if (zp === 'float') inputs.zp = randomTensor([n * blocks], 61, 0, 2 ** bits - 1);
    if (bias) inputs.bias = randomTensor([n], 62);
    const order = ['a', 'B', 'scales', zp === 'none' ? '' : 'zp', '', bias ? 'bias' : ''];
    while (order.at(-1) === '') order.pop();
    await expectWebgpuLikeOrt({
      op: 'MatMulNBits', domain: MS, attrs: { K: k, N: n, bits, block_size: block }, inputs, inputOrder: order, outputs: ['y'],
    }, f16 ? { atol: 1e-2, rtol: 1e-2 } : { atol: 1e-4, rtol: 1e-3 }, `${bits} bits, K ${k}, zp ${zp}, bias ${bias}${f16 ? ', float16' : ''}`);
  };
  await run(4, 64, 5, 32, 'none', false, [2, 3]);
  await run(4, 48, 6, 16, 'packed', true, [3]);
  await run(4, 40, 7, 16, 'packed', false, [1, 2]);
  await run(4, 32, 3, 16, 'float', true, [4]);
  await run(8, 40, 4, 16, 'packed', false, [2]);
  await run(2, 64, 3, 32, 'packed', true, [2]);
  // 16 rows and more: the tiled GEMM path
  await run(4, 80, 70, 16, 'packed', true, [3, 7]);
  await run(4, 48, 9, 16, 'float', false, [20]);
  await run(8, 32, 12, 16, 'packed', false, [18]);
  await run(4, 64, 33, 32, 'none', true, [40]);
  await run(4, 32, 6, 16, 'packed', false, [3], true);
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

test('ConvInteger on WebGPU matches onnxruntime exactly (1-D, 2-D, 3-D; groups, strides, dilations, padding, zero points)', { skip }, async () => {
  const cases: { x: Tensor; w: Tensor; xz?: Tensor; wz?: Tensor; attrs: Record<string, number | number[] | string>; label: string }[] = [
    { x: ints('uint8', [1, 3, 6, 7], 30), w: ints('uint8', [4, 3, 3, 3], 31), xz: ints('uint8', [], 32), attrs: { pads: [1, 1, 1, 1] }, label: '2-D padded' },
    { x: ints('uint8', [2, 4, 9, 8], 33), w: ints('uint8', [6, 2, 3, 2], 34), xz: ints('uint8', [], 35), wz: ints('uint8', [], 36),
      attrs: { group: 2, strides: [2, 1], dilations: [1, 2], pads: [0, 1, 2, 0] }, label: 'groups, strides, dilations, uneven pads' },
    { x: ints('uint8', [1, 2, 11], 37), w: ints('uint8', [3, 2, 4], 38), attrs: { auto_pad: 'SAME_UPPER', strides: [2] }, label: '1-D SAME_UPPER' },
    { x: ints('uint8', [1, 2, 4, 5, 4], 39), w: ints('uint8', [2, 2, 2, 3, 2], 40), xz: ints('uint8', [], 41), attrs: { pads: [1, 0, 1, 0, 1, 1] }, label: '3-D' },
  ];
  for (const c of cases) {
    const inputs: Record<string, Tensor> = { x: c.x, w: c.w, ...(c.xz ? { xz: c.xz } : {}), ...(c.wz ? { wz: c.wz } : {}) };
    const order = ['x', 'w', c.xz ? 'xz' : '', ...(c.wz ? ['wz'] : [])];
    while (order.at(-1) === '') order.pop();
    await expectWebgpuLikeOrt({ op: 'ConvInteger', opset: 10, attrs: c.attrs, inputs, inputOrder: order, outputs: ['y'] }, EXACT, c.label);
  }
});

test('ConvInteger on WebGPU with per-channel w zero points equals onnxruntime run filter by filter', { skip }, async () => {
  // onnxruntime's ConvInteger takes only a per-tensor w zero point: the reference is each filter's
  // convolution with that filter's zero point
  const x = ints('uint8', [2, 3, 5, 6], 42);
  const w = ints('uint8', [4, 3, 2, 2], 43);
  const xz = ints('uint8', [], 44);
  const wz = ints('uint8', [4], 45);
  const attrs = { pads: [1, 0, 0, 1], strides: [1, 2] };
  const per = 3 * 2 * 2;
  const parts: Tensor[] = [];
  for (let m = 0; m < 4; m++) {
    const inputs = { x, w: Tensor.fromNumeric('uint8', [1, 3, 2, 2], w.numeric().slice(m * per, (m + 1) * per)), xz, wz: Tensor.fromNumeric('uint8', [], [wz.numeric()[m]!]) };
    parts.push((await runOrt(oneNodeModel({ op: 'ConvInteger', opset: 10, attrs, inputs, inputOrder: ['x', 'w', 'xz', 'wz'], outputs: ['y'] }), inputs)).y!);
  }
  const [n, , oh, ow] = parts[0]!.shape as [number, number, number, number];
  const want = new Array<number>(n * 4 * oh * ow);
  parts.forEach((p, m) => p.numeric().forEach((v, i) => {
    const img = Math.floor(i / (oh * ow));
    want[(img * 4 + m) * oh * ow + (i % (oh * ow))] = v;
  }));
  const inputs = { x, w, xz, wz };
  const session = await createSession(importOnnx(oneNodeModel({ op: 'ConvInteger', opset: 10, attrs, inputs, inputOrder: ['x', 'w', 'xz', 'wz'], outputs: ['y'] })).graph, { device: 'webgpu' });
  const got = (await session.run(inputs)).y!;
  assert.deepEqual(session.stats().webgpu!.fallbacks, []);
  session.dispose();
  const c = compareTensors(got, Tensor.fromNumeric('int32', [n, 4, oh, ow], want), EXACT);
  assert.ok(c.pass, JSON.stringify(c));
});

test('QLinearConv on WebGPU matches onnxruntime (uint8/int8, per-channel weight scales, bias, groups, strides, padding)', { skip }, async () => {
  const cases: { x: Tensor; w: Tensor; perChannel: boolean; bias: boolean; attrs: Record<string, number | number[] | string>; label: string }[] = [
    { x: ints('uint8', [1, 3, 7, 6], 50), w: ints('uint8', [4, 3, 3, 3], 51), perChannel: false, bias: true, attrs: { pads: [1, 1, 1, 1] }, label: 'uint8 per tensor, bias' },
    { x: ints('uint8', [2, 4, 8, 8], 52), w: ints('int8', [6, 2, 3, 3], 53), perChannel: true, bias: true,
      attrs: { group: 2, strides: [2, 2], pads: [1, 0, 1, 2] }, label: 'int8 w per channel, groups, strides' },
    { x: ints('uint8', [1, 3, 6, 5], 62), w: ints('uint8', [4, 3, 2, 3], 63), perChannel: true, bias: true, attrs: { auto_pad: 'SAME_LOWER' }, label: 'uint8 w per channel, SAME_LOWER' },
    { x: ints('int8', [1, 2, 9], 54), w: ints('int8', [3, 2, 3], 55), perChannel: true, bias: false, attrs: { dilations: [2] }, label: 'int8 1-D dilated, no bias' },
  ];
  for (const c of cases) {
    const m = c.w.shape[0]!;
    const zeroW = c.w.dtype === 'int8' ? 0 : 5; // onnxruntime takes only zero int8 weight zero points
    const inputs: Record<string, Tensor> = {
      x: c.x, xs: randomTensor([], 56, 0.01, 0.03), xz: ints(c.x.dtype, [], 57, 0, 30),
      w: c.w, ws: randomTensor(c.perChannel ? [m] : [], 58, 0.005, 0.02), wz: Tensor.fromNumeric(c.w.dtype, c.perChannel ? [m] : [], Array.from({ length: c.perChannel ? m : 1 }, (_, i) => (zeroW ? zeroW + i : 0))),
      ys: randomTensor([], 59, 0.2, 0.4), yz: ints(c.x.dtype, [], 60, 0, 50),
      ...(c.bias ? { b: Tensor.fromNumeric('int32', [m], Array.from(randomTensor([m], 61, -500, 500).numeric(), Math.floor)) } : {}),
    };
    await expectWebgpuLikeOrt({
      op: 'QLinearConv', opset: 10, attrs: c.attrs, inputs, inputOrder: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', ...(c.bias ? ['b'] : [])], outputs: ['y'],
    }, ONE_STEP, c.label);
  }
});
