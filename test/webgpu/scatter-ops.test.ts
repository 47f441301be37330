// The scatters (ScatterElements, Scatter, ScatterND, TensorScatter), ReverseSequence and MaxUnpool on WebGPU
// against onnxruntime, with no CPU fallback: every axis, negative indices, and every reduction
// with duplicate indices.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };
const int64 = (shape: number[], values: number[]) => Tensor.fromNumeric('int64', shape, values);

test('ScatterElements on WebGPU along every axis with each reduction and duplicate indices', { skip }, async () => {
  const data = randomTensor([3, 4, 5], 8);
  const updates = randomTensor([2, 4, 3], 9);
  for (const axis of [0, 1, 2]) {
    const n = data.shape[axis]!;
    const idx = int64([2, 4, 3], Array.from({ length: 24 }, (_, i) => ((i * 7) % (2 * n)) - n));
    const shaped = axis === 1 ? { idx: int64([2, 3, 3], Array.from(idx.data.slice(0, 18), Number)), updates: randomTensor([2, 3, 3], 10) } : { idx, updates };
    for (const reduction of ['add', 'mul', 'max', 'min']) {
      await expectGpuLikeOrt({ op: 'ScatterElements', opset: 18, attrs: { axis, reduction }, inputs: { data, ...shaped }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'] },
        undefined, `ScatterElements axis=${axis} ${reduction}`);
    }
  }
  const unique = int64([1, 4, 3], [0, 2, 1, 1, 0, 2, 2, 1, 0, -1, -2, -3]);
  await expectGpuLikeOrt({ op: 'ScatterElements', opset: 18, attrs: { axis: 0 }, inputs: { data, idx: unique, updates: randomTensor([1, 4, 3], 11) }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'] }, EXACT, 'ScatterElements none');
  await expectGpuLikeOrt({ op: 'Scatter', opset: 10, attrs: { axis: 2 }, inputs: { data, idx: unique, updates: randomTensor([1, 4, 3], 12) }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'] }, EXACT, 'Scatter');
});

test('ScatterND on WebGPU writes slices and combines duplicate tuples under each reduction', { skip }, async () => {
  const data = randomTensor([4, 3, 2], 13);
  const slices = { idx: int64([2, 1], [3, -4]), updates: randomTensor([2, 3, 2], 14) };
  await expectGpuLikeOrt({ op: 'ScatterND', opset: 18, inputs: { data, ...slices }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'] }, EXACT, 'ScatterND none');
  const dup = { idx: int64([4, 2], [1, 2, 0, 0, 1, 2, -1, -3]), updates: randomTensor([4, 2], 15) };
  for (const reduction of ['add', 'mul', 'max', 'min']) {
    await expectGpuLikeOrt({ op: 'ScatterND', opset: 18, attrs: { reduction }, inputs: { data, ...dup }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'] }, undefined, `ScatterND ${reduction}`);
  }
});

test('TensorScatter and ReverseSequence on WebGPU', { skip }, async () => {
  const cache = randomTensor([2, 3, 6, 4], 16);
  const update = randomTensor([2, 3, 3, 4], 17);
  for (const [mode, starts] of [['linear', [0, 3]], ['circular', [5, 4]]] as const) {
    await expectGpuLikeOrt({ op: 'TensorScatter', opset: 24, attrs: { mode }, inputs: { cache, update, w: int64([2], [...starts]) }, inputOrder: ['cache', 'update', 'w'], outputs: ['y'] },
      EXACT, `TensorScatter ${mode}`);
  }
  const x = randomTensor([5, 3, 2], 18);
  await expectGpuLikeOrt({ op: 'ReverseSequence', opset: 10, attrs: { batch_axis: 1, time_axis: 0 }, inputs: { x, lens: int64([3], [5, 0, 3]) }, inputOrder: ['x', 'lens'], outputs: ['y'] }, EXACT, 'ReverseSequence time-major');
  const y = randomTensor([3, 5, 2], 19);
  await expectGpuLikeOrt({ op: 'ReverseSequence', opset: 10, attrs: { batch_axis: 0, time_axis: 1 }, inputs: { x: y, lens: int64([3], [1, 4, 5]) }, inputOrder: ['x', 'lens'], outputs: ['y'] }, EXACT, 'ReverseSequence batch-major');
});

test('MaxUnpool on WebGPU places values at their MaxPool indices', { skip }, async () => {
  const x = randomTensor([1, 2, 2, 2], 20);
  // one position inside each 2×2 window of the 4×4 unpooled planes (channel 1 starts at 16)
  const idx = int64([1, 2, 2, 2], [0, 3, 9, 14, 21, 18, 28, 31]);
  await expectGpuLikeOrt({ op: 'MaxUnpool', opset: 11, attrs: { kernel_shape: [2, 2], strides: [2, 2] }, inputs: { x, idx }, inputOrder: ['x', 'idx'], outputs: ['y'] }, EXACT, 'MaxUnpool');
  // (with a larger output_shape, onnxruntime reads the indices in the output's own layout, where
  // nnrt's CPU kernel, and this one, place the unpooled array at its start: not compared here)
});
