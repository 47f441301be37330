// AffineGrid, Det and Col2Im on WebGPU against onnxruntime, with no CPU fallback: 2-D and 3-D
// grids with and without align_corners, batched determinants of several sizes (a singular one
// included), Col2Im with strides, pads and dilations together.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('AffineGrid on WebGPU, 2-D and 3-D, align_corners 0 and 1', { skip }, async () => {
  const cases: [number[], number[]][] = [[[2, 2, 3], [2, 3, 4, 5]], [[1, 3, 4], [1, 2, 3, 4, 2]], [[1, 2, 3], [1, 1, 2, 6]]];
  for (const [thetaShape, size] of cases) {
    for (const align_corners of [0, 1]) {
      const inputs = { theta: randomTensor(thetaShape, 50), size: Tensor.fromNumeric('int64', [size.length], size) };
      await expectGpuLikeOrt({ op: 'AffineGrid', opset: 20, attrs: { align_corners }, inputs, inputOrder: ['theta', 'size'], outputs: ['grid'] },
        undefined, `AffineGrid size [${size}] align_corners=${align_corners}`);
    }
  }
});

test('Det on WebGPU of batched 1×1 to 6×6 matrices, a singular one included', { skip }, async () => {
  for (const m of [1, 2, 3, 6]) {
    await expectGpuLikeOrt({ op: 'Det', opset: 22, inputs: { x: randomTensor([2, 3, m, m], 60 + m) }, inputOrder: ['x'], outputs: ['y'] }, { atol: 1e-4, rtol: 1e-3 }, `Det ${m}×${m}`);
  }
  const singular = Tensor.fromArray([3, 3], [1, 2, 3, 2, 4, 6, 0, 1, 5]);
  await expectGpuLikeOrt({ op: 'Det', opset: 22, inputs: { x: singular }, inputOrder: ['x'], outputs: ['y'] }, { atol: 1e-5, rtol: 1e-3 }, 'Det singular');
});

test('Col2Im on WebGPU with strides, pads and dilations together', { skip }, async () => {
  const inputs = { x: randomTensor([1, 12, 9], 70), image: Tensor.fromNumeric('int64', [2], [5, 6]), block: Tensor.fromNumeric('int64', [2], [2, 3]) };
  const attrs = { strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2] };
  await expectGpuLikeOrt({ op: 'Col2Im', opset: 18, attrs, inputs, inputOrder: ['x', 'image', 'block'], outputs: ['y'] }, undefined, 'Col2Im');
});
