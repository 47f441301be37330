// The WGSL kernels of ops that generate or mask values (Trilu, EyeLike, ConstantOfShape, Range,
// OneHot) against onnxruntime, with no CPU fallback. ConstantOfShape and Range outputs are made
// larger than the constant-folding limit, so that they run as kernels rather than being folded.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };
const int64 = (values: number[], shape = [values.length]) => Tensor.fromNumeric('int64', shape, values);

test('Trilu on WebGPU keeps the upper or lower triangle from diagonal k, k fed at run time or omitted', { skip }, async () => {
  const x = randomTensor([2, 3, 5, 7], 11);
  for (const upper of [0, 1]) {
    for (const k of [-2, 0, 3, 9]) {
      await expectGpuLikeOrt({ op: 'Trilu', opset: 14, attrs: { upper }, inputs: { x, k: int64([k], []) }, inputOrder: ['x', 'k'], outputs: ['y'] }, EXACT, `Trilu upper=${upper} k=${k}`);
    }
    await expectGpuLikeOrt({ op: 'Trilu', opset: 14, attrs: { upper }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, EXACT);
  }
  const ints = Tensor.fromNumeric('int32', [4, 3], Array.from({ length: 12 }, (_, i) => i - 6));
  await expectGpuLikeOrt({ op: 'Trilu', opset: 14, attrs: { upper: 0 }, inputs: { x: ints, k: int64([-1], []) }, inputOrder: ['x', 'k'], outputs: ['y'] }, EXACT, 'Trilu int32');
});

test('EyeLike on WebGPU puts ones on diagonal k, in the input or the requested type', { skip }, async () => {
  const x = randomTensor([5, 8], 3);
  for (const k of [-6, -1, 0, 2, 7]) {
    await expectGpuLikeOrt({ op: 'EyeLike', opset: 9, attrs: { k }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, EXACT, `EyeLike k=${k}`);
  }
  await expectGpuLikeOrt({ op: 'EyeLike', opset: 9, attrs: { k: 1, dtype: 7 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, EXACT, 'EyeLike to int64');
  const xi = Tensor.fromNumeric('int32', [6, 3], new Array(18).fill(4));
  await expectGpuLikeOrt({ op: 'EyeLike', opset: 9, inputs: { x: xi }, inputOrder: ['x'], outputs: ['y'] }, EXACT, 'EyeLike int32');
});

test('ConstantOfShape and Range on WebGPU fill outputs too large to fold', { skip }, async () => {
  const shape = int64([300, 250]);
  for (const value of [Tensor.fromArray([1], [2.5]), Tensor.fromNumeric('int64', [1], [-7]), Tensor.fromNumeric('int32', [1], [123456])]) {
    await expectGpuLikeOrt({ op: 'ConstantOfShape', opset: 20, attrs: { value }, inputs: { shape }, inputOrder: ['shape'], outputs: ['y'] }, EXACT, `ConstantOfShape ${value.dtype}`);
  }
  const range = (start: Tensor, limit: Tensor, delta: Tensor) =>
    expectGpuLikeOrt({ op: 'Range', opset: 11, inputs: { start, limit, delta }, inputOrder: ['start', 'limit', 'delta'], outputs: ['y'] }, EXACT, `Range ${start.dtype}`);
  await range(Tensor.fromArray([], [-3.3]), Tensor.fromArray([], [9000]), Tensor.fromArray([], [0.125]));
  await range(Tensor.fromNumeric('int32', [], [100000]), Tensor.fromNumeric('int32', [], [-100000]), Tensor.fromNumeric('int32', [], [-3]));
  await range(int64([5], []), int64([1000000], []), int64([11], []));
});

test('OneHot on WebGPU matches onnxruntime for every axis, negative and out-of-range indices, integral float indices', { skip }, async () => {
  const idx = int64([0, 3, -1, -4, 7, 2, -9, 1, 3, 0, 2, 1], [3, 4]);
  const values = Tensor.fromArray([2], [-0.5, 3]);
  for (const axis of [-1, 0, 1, 2]) {
    await expectGpuLikeOrt({ op: 'OneHot', opset: 11, attrs: { axis }, inputs: { idx, depth: int64([4], []), values }, inputOrder: ['idx', 'depth', 'values'], outputs: ['y'] }, EXACT, `OneHot axis=${axis}`);
  }
  const fidx = Tensor.fromArray([6], [0, 2, -1, 4, 1, 7]);
  await expectGpuLikeOrt({ op: 'OneHot', opset: 11, inputs: { idx: fidx, depth: Tensor.fromArray([], [5]), values: Tensor.fromArray([2], [0, 9]) }, inputOrder: ['idx', 'depth', 'values'], outputs: ['y'] }, EXACT, 'OneHot float indices');
});
