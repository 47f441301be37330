// Mod and BitShift's WGSL kernels against onnxruntime: exact float remainders far past 2^24
// quotients, integer remainders of both signs (truncated and floored), uint8 shifts past the width.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };

test('Mod (fmod = 1) of floats on WebGPU is the exact C remainder, also for huge quotients', { skip }, async () => {
  const a = randomTensor([4, 30], 7, -3e7, 3e7);
  const b = Tensor.fromArray([30], Array.from({ length: 30 }, (_, i) => (i % 2 ? -1 : 1) * (0.37 + i * 1.93)));
  const special = Tensor.fromArray([8], [5, -5, 0, -0, 1e-3, 7.5, Infinity, 3]);
  const by = Tensor.fromArray([8], [Infinity, 3, 2, 2, 0, -2.5, 2, NaN]);
  for (const [x, y] of [[a, b], [special, by]] as const) {
    await expectGpuLikeOrt({ op: 'Mod', opset: 13, attrs: { fmod: 1 }, inputs: { a: x, b: y }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
  }
});

test('Mod of integers on WebGPU matches onnxruntime for both signs, fmod 0 and 1, every integer dtype', { skip }, async () => {
  const values = Array.from({ length: 40 }, (_, i) => ((i * 7919) % 201) - 100);
  const divisors = Array.from({ length: 40 }, (_, i) => ((i * 31) % 23) - 11 || 5);
  for (const dtype of ['int32', 'int64', 'int8'] as const) {
    for (const fmod of [0, 1]) {
      const inputs = { a: Tensor.fromNumeric(dtype, [40], values), b: Tensor.fromNumeric(dtype, [40], divisors) };
      await expectGpuLikeOrt({ op: 'Mod', opset: 13, attrs: { fmod }, inputs, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT, `Mod ${dtype}`);
    }
  }
  const inputs = { a: Tensor.fromNumeric('uint8', [2, 5], [0, 7, 200, 255, 13, 99, 1, 250, 128, 64]), b: Tensor.fromNumeric('uint8', [5], [3, 7, 9, 254, 200]) };
  await expectGpuLikeOrt({ op: 'Mod', opset: 13, inputs, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT, 'Mod uint8');
});

test('BitShift of uint8 on WebGPU drops bits past the width in both directions', { skip }, async () => {
  const a = Tensor.fromNumeric('uint8', [3, 10], Array.from({ length: 30 }, (_, i) => (i * 37 + 5) % 256));
  const s = Tensor.fromNumeric('uint8', [10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const direction of ['LEFT', 'RIGHT']) {
    await expectGpuLikeOrt({ op: 'BitShift', opset: 11, attrs: { direction }, inputs: { a, s }, inputOrder: ['a', 's'], outputs: ['y'] }, EXACT, `BitShift ${direction}`);
  }
});
