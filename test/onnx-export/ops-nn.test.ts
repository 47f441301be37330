// Export of elementwise, activation, matrix, pooling and normalization ops at every target opset.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { checkExport } from './helpers.js';

const x4 = randomTensor([2, 3, 6, 6], 1);

test('Conv (grouped, padded, strided, with bias)', (t) => checkExport(t, {
  op: 'Conv', attrs: { group: 3, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
  inputs: { x: x4 }, initializers: { w: randomTensor([6, 1, 3, 3], 2), b: randomTensor([6], 3) },
  inputOrder: ['x', 'w', 'b'], outputs: ['y'],
}));

test('Gemm (transB, alpha, beta, broadcast C)', (t) => checkExport(t, {
  op: 'Gemm', attrs: { transB: 1, alpha: 0.5, beta: { float: 2 } },
  inputs: { a: randomTensor([4, 5], 4) }, initializers: { b: randomTensor([3, 5], 5), c: randomTensor([3], 6) },
  inputOrder: ['a', 'b', 'c'], outputs: ['y'],
}));

test('MatMul (batched, broadcast)', (t) => checkExport(t, {
  op: 'MatMul', inputs: { a: randomTensor([2, 3, 4], 7), b: randomTensor([4, 5], 8) }, inputOrder: ['a', 'b'], outputs: ['y'],
}));

for (const [op, attrs] of [['Relu', {}], ['LeakyRelu', { alpha: 0.2 }], ['Sigmoid', {}]] as const) {
  test(`${op}`, (t) => checkExport(t, { op, attrs, inputs: { x: x4 }, inputOrder: ['x'], outputs: ['y'] }));
}

test('Clip (min and max inputs)', (t) => checkExport(t, {
  op: 'Clip', inputs: { x: x4 }, initializers: { lo: Tensor.scalar('float32', -0.3), hi: Tensor.scalar('float32', 0.4) },
  inputOrder: ['x', 'lo', 'hi'], outputs: ['y'],
}));

test('Add and Mul with broadcasting', async (t) => {
  for (const op of ['Add', 'Mul']) {
    await checkExport(t, { op, inputs: { a: x4, b: randomTensor([3, 1, 6], 9) }, inputOrder: ['a', 'b'], outputs: ['y'] });
  }
});

test('BatchNormalization (inference)', (t) => checkExport(t, {
  op: 'BatchNormalization', attrs: { epsilon: 1e-3 }, inputs: { x: x4 },
  initializers: { s: randomTensor([3], 10), b: randomTensor([3], 11), m: randomTensor([3], 12), v: randomTensor([3], 13, 0.5, 2) },
  inputOrder: ['x', 's', 'b', 'm', 'v'], outputs: ['y'],
}));

test('MaxPool (ceil_mode, strides) and AveragePool (pads, count_include_pad)', async (t) => {
  await checkExport(t, {
    op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, inputs: { x: x4 }, inputOrder: ['x'], outputs: ['y'],
  });
  await checkExport(t, {
    op: 'AveragePool', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }, inputs: { x: x4 }, inputOrder: ['x'], outputs: ['y'],
  });
});

test('GlobalAveragePool', (t) => checkExport(t, { op: 'GlobalAveragePool', inputs: { x: x4 }, inputOrder: ['x'], outputs: ['y'] }));

test('Gelu (exact and tanh): decomposed below opset 20', async (t) => {
  for (const approximate of ['none', 'tanh']) {
    await checkExport(t, {
      op: 'Gelu', attrs: { approximate }, inputs: { x: randomTensor([2, 7], 14, -4, 4) }, inputOrder: ['x'], outputs: ['y'], rewrittenBelow: 20,
    });
  }
});

test('LayerNormalization: decomposed below opset 17', async (t) => {
  await checkExport(t, {
    op: 'LayerNormalization', attrs: { epsilon: 1e-5 }, inputs: { x: randomTensor([2, 3, 8], 15, -3, 3) },
    initializers: { s: randomTensor([8], 16), b: randomTensor([8], 17) },
    inputOrder: ['x', 's', 'b'], outputs: ['y'], rewrittenBelow: 17,
  });
  // a non-negative axis over two dims, no bias, with the Mean and InvStdDev outputs
  await checkExport(t, {
    op: 'LayerNormalization', attrs: { axis: 1 }, inputs: { x: randomTensor([2, 3, 4], 18, -3, 3) },
    initializers: { s: randomTensor([3, 4], 19) },
    inputOrder: ['x', 's'], outputs: ['y', 'mean', 'inv_std'], rewrittenBelow: 17,
  });
});

test('Dropout (inference, ratio input): attribute form at opset 11', (t) => checkExport(t, {
  op: 'Dropout', inputs: { x: x4 }, initializers: { r: Tensor.scalar('float32', 0.25) }, inputOrder: ['x', 'r'], outputs: ['y'],
}));
