// TopK, Hardmax and GatherND on WebGPU against onnxruntime, with no CPU fallback: every axis,
// ties, negative indices, batch dims.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };
const int64 = (shape: number[], values: number[]) => Tensor.fromNumeric('int64', shape, values);
/** Values on a coarse grid, so that many tie. */
const coarse = (shape: number[], seed: number) => { const r = randomTensor(shape, seed, -3, 3); return Tensor.fromArray(shape, Array.from(r.data, Math.round)); };

test('TopK on WebGPU: every axis, largest and smallest, ties broken by the lower index', { skip }, async () => {
  const x = coarse([4, 7, 5], 2);
  for (const [axis, k] of [[0, 2], [1, 3], [2, 5], [-1, 1], [1, 7]]) {
    for (const largest of [1, 0]) {
      await expectGpuLikeOrt({ op: 'TopK', opset: 11, attrs: { axis: axis!, largest }, inputs: { x, k: int64([1], [k!]) }, inputOrder: ['x', 'k'], outputs: ['values', 'indices'] },
        EXACT, `TopK axis=${axis} k=${k} largest=${largest}`);
    }
  }
  const ints = Tensor.fromNumeric('int32', [3, 9], Array.from({ length: 27 }, (_, i) => (i * 5) % 7 - 3));
  await expectGpuLikeOrt({ op: 'TopK', opset: 11, inputs: { x: ints, k: int64([1], [4]) }, inputOrder: ['x', 'k'], outputs: ['values', 'indices'] }, EXACT, 'TopK int32');
});

test('Hardmax on WebGPU marks the first maximum along every axis', { skip }, async () => {
  const x = coarse([3, 4, 5], 4);
  for (const axis of [0, 1, 2, -1]) {
    await expectGpuLikeOrt({ op: 'Hardmax', opset: 13, attrs: { axis }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, EXACT, `Hardmax axis=${axis}`);
  }
});

test('GatherND on WebGPU with tuples of every length, negative indices and batch dims', { skip }, async () => {
  const data = randomTensor([3, 4, 5, 2], 6);
  const cases: [number[], number[], number][] = [
    [[2, 1], [2, -1], 0],
    [[3, 2], [0, 3, -1, -4, 2, 2], 0],
    [[2, 2, 3], [0, 1, 2, 2, 3, 4, -1, 0, 0, 1, -2, -5], 0],
    [[3, 2, 2], [0, 1, 3, 4, -1, 0, 2, 2, 1, 1, 0, 4], 1],
  ];
  for (const [shape, values, batch_dims] of cases) {
    await expectGpuLikeOrt({ op: 'GatherND', opset: 13, attrs: { batch_dims }, inputs: { data, idx: int64(shape, values) }, inputOrder: ['data', 'idx'], outputs: ['y'] },
      EXACT, `GatherND indices [${shape}] batch_dims=${batch_dims}`);
  }
});
