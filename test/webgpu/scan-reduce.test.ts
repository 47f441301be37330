// CumSum, CumProd and ReduceLogSumExp's WGSL kernels against onnxruntime: every axis (fed at run
// time), exclusive and reverse scans, integer scans, and log-sum-exp of values whose exp overflows.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };

test('CumSum on WebGPU scans every axis, exclusive and reversed, of floats and integers', { skip }, async () => {
  const x = randomTensor([3, 4, 5], 5);
  const ints = Tensor.fromNumeric('int64', [3, 4, 5], Array.from({ length: 60 }, (_, i) => ((i * 13) % 21) - 10));
  for (const [data, tol, axes] of [[x, undefined, [0, 1, 2, -1]], [ints, EXACT, [1]]] as const) {
    for (const axis of axes) {
      for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const inputs = { x: data, axis: Tensor.fromNumeric('int32', [], [axis]) };
        await expectGpuLikeOrt({ op: 'CumSum', opset: 14, attrs: { exclusive: exclusive!, reverse: reverse! }, inputs, inputOrder: ['x', 'axis'], outputs: ['y'] },
          tol, `CumSum ${data.dtype} axis=${axis} exclusive=${exclusive} reverse=${reverse}`);
      }
    }
  }
});

test('CumProd on WebGPU scans every axis, exclusive and reversed', { skip }, async () => {
  const x = randomTensor([2, 3, 6], 9, 0.5, 1.5);
  for (const axis of [0, 1, 2]) {
    for (const [exclusive, reverse] of [[0, 0], [1, 1]]) {
      const inputs = { x, axis: Tensor.fromNumeric('int64', [], [axis]) };
      await expectGpuLikeOrt({ op: 'CumProd', opset: 26, attrs: { exclusive: exclusive!, reverse: reverse! }, inputs, inputOrder: ['x', 'axis'], outputs: ['y'] },
        undefined, `CumProd axis=${axis} exclusive=${exclusive} reverse=${reverse}`);
    }
  }
});

test('ReduceLogSumExp on WebGPU does not overflow on large values and keeps −inf rows', { skip }, async () => {
  const big = randomTensor([4, 6, 5], 3, 80, 400);
  const rows = Tensor.fromArray([3, 4], [-Infinity, -Infinity, -Infinity, -Infinity, 1, 2, -Infinity, 3, Infinity, 0, 1, 2]);
  for (const [x, axes] of [[big, [1]], [big, [0, 2]], [big, undefined], [rows, [1]], [rows, [0]]] as const) {
    const inputs: Record<string, Tensor> = { x };
    if (axes) inputs.axes = Tensor.fromNumeric('int64', [axes.length], [...axes]);
    await expectGpuLikeOrt({ op: 'ReduceLogSumExp', opset: 18, attrs: { keepdims: 0 }, inputs, inputOrder: axes ? ['x', 'axes'] : ['x'], outputs: ['y'] },
      { atol: 1e-4, rtol: 1e-5 }, `ReduceLogSumExp axes=${axes ?? 'all'}`);
  }
});
