// LpPool, the spectral windows (Hann, Hamming, Blackman) and CenterCropPad on WebGPU against
// onnxruntime, with no CPU fallback. Windows are longer than the constant-folding limit, so that
// they run as kernels rather than being folded.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor, type AttrSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('LpPool on WebGPU for p = 1, 2, 3 with strides, pads and dilations, 1-D and 2-D', { skip }, async () => {
  const x = randomTensor([2, 3, 7, 6], 40, -2, 2);
  const cases: Record<string, AttrSpec>[] = [
    { p: 1, kernel_shape: [3, 3] },
    { p: 2, kernel_shape: [2, 3], strides: [2, 1], pads: [1, 0, 1, 2] },
    { p: 3, kernel_shape: [3, 2], dilations: [2, 1] },
  ];
  for (const attrs of cases) {
    await expectGpuLikeOrt({ op: 'LpPool', opset: 18, attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, undefined, `LpPool ${JSON.stringify(attrs)}`);
  }
  const line = randomTensor([1, 2, 9], 41);
  await expectGpuLikeOrt({ op: 'LpPool', opset: 18, attrs: { p: 2, kernel_shape: [4], strides: [2] }, inputs: { x: line }, inputOrder: ['x'], outputs: ['y'] }, undefined, 'LpPool 1-D');
});

test('Hann, Hamming and Blackman windows on WebGPU, periodic and symmetric', { skip }, async () => {
  const size = Tensor.fromNumeric('int64', [], [70001]);
  for (const op of ['HannWindow', 'HammingWindow', 'BlackmanWindow']) {
    for (const periodic of [1, 0]) {
      await expectGpuLikeOrt({ op, opset: 17, attrs: { periodic }, inputs: { size }, inputOrder: ['size'], outputs: ['y'] }, { atol: 2e-5, rtol: 1e-4 }, `${op} periodic=${periodic}`);
    }
  }
});

test('CenterCropPad on WebGPU crops and pads, odd differences included, on chosen axes', { skip }, async () => {
  const x = randomTensor([5, 6, 3], 42);
  const cases: [number[], number[] | undefined][] = [[[3, 9, 3], undefined], [[8, 2], [0, 1]], [[4, 7], [-3, -2]]];
  for (const [sizes, axes] of cases) {
    const inputs = { x, shape: Tensor.fromNumeric('int64', [sizes.length], sizes) };
    await expectGpuLikeOrt({ op: 'CenterCropPad', opset: 18, attrs: axes ? { axes } : {}, inputs, inputOrder: ['x', 'shape'], outputs: ['y'] }, { atol: 0, rtol: 0 }, `CenterCropPad [${sizes}] axes=${axes}`);
  }
});
