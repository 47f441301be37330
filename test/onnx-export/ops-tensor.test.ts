// Export of shape, data-movement, reduction, Softmax, Resize and TopK ops at every target opset.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { checkExport } from './helpers.js';

const x = randomTensor([2, 3, 4, 5], 21);
const i64 = (values: number[]) => Tensor.fromNumeric('int64', [values.length], values);

test('Concat', (t) => checkExport(t, {
  op: 'Concat', attrs: { axis: -2 }, inputs: { a: x, b: randomTensor([2, 3, 2, 5], 22) }, inputOrder: ['a', 'b'], outputs: ['y'],
}));

test('Split: by a split input, and into uneven num_outputs (opset 18 form)', async (t) => {
  await checkExport(t, {
    op: 'Split', attrs: { axis: 3 }, inputs: { x }, initializers: { s: i64([1, 4]) }, inputOrder: ['x', 's'], outputs: ['y0', 'y1'],
  });
  await checkExport(t, {
    op: 'Split', attrs: { axis: -1, num_outputs: 3 }, inputs: { x: randomTensor([2, 7], 23) }, inputOrder: ['x'], outputs: ['y0', 'y1', 'y2'],
  });
});

test('Squeeze and Unsqueeze (axes inputs): attribute form before opset 13', async (t) => {
  await checkExport(t, {
    op: 'Squeeze', inputs: { x: randomTensor([2, 1, 3, 1], 24) }, initializers: { axes: i64([1, -1]) }, inputOrder: ['x', 'axes'], outputs: ['y'],
  });
  await checkExport(t, {
    op: 'Unsqueeze', inputs: { x: randomTensor([2, 3], 25) }, initializers: { axes: i64([0, 3]) }, inputOrder: ['x', 'axes'], outputs: ['y'],
  });
});

test('Reshape (0 and -1)', (t) => checkExport(t, {
  op: 'Reshape', inputs: { x }, initializers: { shape: i64([0, -1, 5]) }, inputOrder: ['x', 'shape'], outputs: ['y'],
}));

test('Transpose', (t) => checkExport(t, { op: 'Transpose', attrs: { perm: [2, 0, 3, 1] }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }));

test('Flatten', (t) => checkExport(t, { op: 'Flatten', attrs: { axis: 2 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }));

test('Slice (negative start, steps, axes)', (t) => checkExport(t, {
  op: 'Slice', inputs: { x }, initializers: { starts: i64([-1, 0]), ends: i64([-100, 5]), axes: i64([2, 3]), steps: i64([-2, 2]) },
  inputOrder: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'],
}));

test('Pad: constant over axes (expanded to all axes before opset 18), and reflect', async (t) => {
  await checkExport(t, {
    op: 'Pad', attrs: { mode: 'constant' }, inputs: { x },
    initializers: { pads: i64([1, 2, 0, 1]), value: Tensor.scalar('float32', 0.5), axes: i64([1, -1]) },
    inputOrder: ['x', 'pads', 'value', 'axes'], outputs: ['y'],
  });
  await checkExport(t, {
    op: 'Pad', attrs: { mode: 'reflect' }, inputs: { x }, initializers: { pads: i64([0, 0, 1, 2, 0, 0, 2, 1]) },
    inputOrder: ['x', 'pads'], outputs: ['y'],
  });
});

test('ReduceMean, ReduceSum, ReduceMax: axes attribute before opsets 18 (ReduceSum 13)', async (t) => {
  await checkExport(t, {
    op: 'ReduceMean', attrs: { keepdims: 0 }, inputs: { x }, initializers: { axes: i64([1, -1]) }, inputOrder: ['x', 'axes'], outputs: ['y'],
  });
  await checkExport(t, { op: 'ReduceSum', inputs: { x }, initializers: { axes: i64([2]) }, inputOrder: ['x', 'axes'], outputs: ['y'] });
  await checkExport(t, { op: 'ReduceMax', attrs: { keepdims: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  // no axes and noop_with_empty_axes: the identity, an Identity node for older opsets
  await checkExport(t, {
    op: 'ReduceSum', attrs: { noop_with_empty_axes: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'], rewrittenBelow: 13,
  });
});

test('Softmax: last axis, and a middle axis (transposed around before opset 13)', async (t) => {
  await checkExport(t, { op: 'Softmax', inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await checkExport(t, { op: 'Softmax', attrs: { axis: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'], rewrittenBelow: 13 });
});

test('Resize: linear by scales, nearest by sizes (roi and scales placeholders at opset 11)', async (t) => {
  const img = randomTensor([1, 2, 3, 4], 26);
  await checkExport(t, {
    op: 'Resize', attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, inputs: { x: img },
    initializers: { scales: Tensor.fromNumeric('float32', [4], [1, 1, 2, 1.5]) }, inputOrder: ['x', '', 'scales'], outputs: ['y'],
  });
  await checkExport(t, {
    op: 'Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, inputs: { x: img },
    initializers: { sizes: i64([1, 2, 7, 5]) }, inputOrder: ['x', '', '', 'sizes'], outputs: ['y'],
  });
});

test('TopK (values and int64 indices)', (t) => checkExport(t, {
  op: 'TopK', attrs: { axis: -1, largest: 1, sorted: 1 }, inputs: { x }, initializers: { k: i64([3]) },
  inputOrder: ['x', 'k'], outputs: ['values', 'indices'],
}));

test('Shape with start: sliced before opset 15', (t) => checkExport(t, {
  op: 'Shape', attrs: { start: 1, end: -1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'], rewrittenBelow: 15,
}));
