// Einsum, LRN, LpNormalization and MeanVarianceNormalization on WebGPU against onnxruntime, with no
// CPU fallback: the einsum forms models use (batched matmul, attention scores, transposes,
// reductions, diagonals, broadcast '...', three operands), LRN windows clipped at the channel ends, every axis.
import { test } from 'node:test';
import { expectGpuLikeOrt } from '../helpers/gpu-vs-ort.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('Einsum on WebGPU: batched matmul, attention scores, transposes, reductions, diagonals, broadcasting', { skip }, async () => {
  const cases: [string, number[][]][] = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]]],
    ['ij->ji', [[3, 5]]],
    ['ij->', [[3, 5]]],
    ['bij->bj', [[2, 3, 4]]],
    ['ii->i', [[4, 4]]],
    ['i,i->', [[6], [6]]],
    ['...ij,...jk->...ik', [[2, 1, 3, 4], [2, 3, 4, 2]]],
    ['ij,jk,kl->il', [[2, 3], [3, 4], [4, 2]]],
    ['bi,bj->bij', [[2, 3], [2, 4]]],
  ];
  for (const [equation, shapes] of cases) {
    const inputs = Object.fromEntries(shapes.map((s, i) => [`x${i}`, randomTensor(s, 20 + i)]));
    await expectGpuLikeOrt({ op: 'Einsum', opset: 12, attrs: { equation }, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }, undefined, `Einsum '${equation}'`);
  }
});

test('LRN, LpNormalization and MeanVarianceNormalization on WebGPU', { skip }, async () => {
  const x = randomTensor([2, 5, 3, 4], 30, -2, 2);
  for (const size of [1, 3, 5]) {
    await expectGpuLikeOrt({ op: 'LRN', opset: 13, attrs: { size, alpha: { float: 0.01 }, beta: { float: 0.6 }, bias: { float: 1.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, undefined, `LRN size=${size}`);
  }
  for (const p of [1, 2]) {
    for (const axis of [0, 1, -1]) {
      await expectGpuLikeOrt({ op: 'LpNormalization', opset: 1, attrs: { p, axis }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, undefined, `LpNormalization p=${p} axis=${axis}`);
    }
  }
  for (const axes of [[0, 2, 3], [2, 3], [1], [0, 1, 2, 3]]) {
    await expectGpuLikeOrt({ op: 'MeanVarianceNormalization', opset: 13, attrs: { axes }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, undefined, `MeanVarianceNormalization axes=${axes}`);
  }
});
