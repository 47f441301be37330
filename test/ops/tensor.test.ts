// Shape and data-movement ops, reductions, the Softmax family, Resize, ArgMax and TopK: the ONNX
// backend node tests, and onnxruntime-node on random inputs for cases the fixtures miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { inferShapes } from '../../src/ir/infer.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { opTyper } from '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { conformanceTests } from '../helpers/conformance.js';

const fixtures = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
const OPS = new RegExp(
  '^test_(argmax|argmin|concat|constant_pad|constantofshape|depthtospace|edge_pad|expand|flatten|gather_[0-9n]|gather_2d|' +
    'logsoftmax|reduce_(max|mean|sum|min|prod|l1|l2|log_sum|sum_square)|reflect_pad|reshape|resize|shape|slice|softmax|' +
    'spacetodepth|split|squeeze|tile|top_k|transpose|unsqueeze|upsample|wrap_pad|range)',
);
const folders = existsSync(fixtures) ? readdirSync(fixtures).filter((d) => OPS.test(d)).sort() : [];

conformanceTests('tensor-op', folders);

const int64s = (v: number[]) => Tensor.fromNumeric('int64', [v.length], v);

/** Runs a one-node model in onnxruntime and nnrt and compares every output. */
async function expectSameAsOrt(spec: OneNodeSpec, tol: Tolerance = FP32_TOLERANCE): Promise<Record<string, Tensor>> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const got = await runNnrt(model, spec.inputs);
  for (const name of spec.outputs) {
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${name}: ${JSON.stringify(c)}`);
  }
  return want;
}

test('Softmax and LogSoftmax on axis 1 of a 4-D tensor match onnxruntime', async () => {
  const x = randomTensor([2, 3, 4, 5], 3, -4, 4);
  for (const op of ['Softmax', 'LogSoftmax']) {
    await expectSameAsOrt({ op, attrs: { axis: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  }
});

test('opset-11 Softmax normalizes over the flattened dims from axis, and static inference follows its Shape node', async () => {
  const x = randomTensor([2, 3, 4, 5], 4, -4, 4);
  const spec: OneNodeSpec = { op: 'Softmax', opset: 11, attrs: { axis: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] };
  const want = await expectSameAsOrt(spec);
  // each [3,4,5] block sums to 1 (not each axis-1 lane): the old semantics, checked on onnxruntime's output
  const sum = Array.from(want.y!.numeric().subarray(0, 60)).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `block sum ${sum}`);
  const { graph } = importOnnx(oneNodeModel(spec));
  const known = inferShapes(graph, opTyper);
  assert.deepEqual(known.get('y')?.shape, [2, 3, 4, 5]);
});

test('Transpose perm [0,2,3,1] on [2,3,4,5] matches onnxruntime', async () => {
  const x = randomTensor([2, 3, 4, 5], 5);
  await expectSameAsOrt({ op: 'Transpose', attrs: { perm: [0, 2, 3, 1] }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, { atol: 0, rtol: 0 });
});

test('Slice with negative steps and clamped bounds matches onnxruntime', async () => {
  const x = randomTensor([4, 3, 7], 6);
  await expectSameAsOrt({
    op: 'Slice', inputs: { x },
    initializers: { starts: int64s([-1, 100, 1]), ends: int64s([-100, 0, 6]), axes: int64s([0, 2, 1]), steps: int64s([-2, -3, 1]) },
    inputOrder: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'],
  }, { atol: 0, rtol: 0 });
});

test('Resize linear half_pixel 2x upsample of [1,2,5,7] matches onnxruntime', async () => {
  const x = randomTensor([1, 2, 5, 7], 7);
  await expectSameAsOrt({
    op: 'Resize', opset: 19, attrs: { mode: 'linear' }, inputs: { x },
    initializers: { scales: Tensor.fromArray([4], [1, 1, 2, 2]) }, inputOrder: ['x', '', 'scales'], outputs: ['y'],
  });
});

test('Resize cubic with sizes and nearest with axes match onnxruntime', async () => {
  const x = randomTensor([1, 2, 6, 5], 8);
  await expectSameAsOrt({
    op: 'Resize', opset: 19, attrs: { mode: 'cubic', coordinate_transformation_mode: 'pytorch_half_pixel' }, inputs: { x },
    initializers: { sizes: int64s([1, 2, 9, 3]) }, inputOrder: ['x', '', '', 'sizes'], outputs: ['y'],
  });
  await expectSameAsOrt({
    op: 'Resize', opset: 19, attrs: { mode: 'nearest', axes: [3, 2], nearest_mode: 'round_prefer_ceil' }, inputs: { x },
    initializers: { scales: Tensor.fromArray([2], [1.5, 0.5]) }, inputOrder: ['x', '', 'scales'], outputs: ['y'],
  }, { atol: 0, rtol: 0 });
});

test('Upsample (opset 7 attribute, opset 9 input) converts to Resize as onnxruntime runs it', async () => {
  const x = randomTensor([1, 2, 3, 4], 9);
  await expectSameAsOrt({ op: 'Upsample', opset: 7, attrs: { mode: 'linear', scales: { floats: [1, 1, 2, 1.5] } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await expectSameAsOrt({
    op: 'Upsample', opset: 9, attrs: { mode: 'nearest' }, inputs: { x },
    initializers: { scales: Tensor.fromArray([4], [1, 1, 3, 2]) }, inputOrder: ['x', 'scales'], outputs: ['y'],
  }, { atol: 0, rtol: 0 });
});

test('reductions (opset 13 axes attribute and opset 18 axes input) match onnxruntime', async () => {
  const x = randomTensor([3, 4, 5], 10, 0.5, 1.5);
  for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare']) {
    await expectSameAsOrt({ op, opset: 13, attrs: { axes: [0, -1], keepdims: 0 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
    await expectSameAsOrt({ op, opset: 18, inputs: { x }, initializers: { axes: int64s([1]) }, inputOrder: ['x', 'axes'], outputs: ['y'] });
  }
});

test('ArgMin and TopK break ties as onnxruntime does', async () => {
  const x = Tensor.fromArray([3, 6], [2, 1, 1, 3, 1, 0, 5, 5, 4, 4, 5, 4, 0, 0, 0, 0, 0, 0]);
  for (const select_last_index of [0, 1]) {
    await expectSameAsOrt({ op: 'ArgMin', attrs: { axis: 1, select_last_index }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, { atol: 0, rtol: 0 });
  }
  for (const largest of [0, 1]) {
    await expectSameAsOrt({
      op: 'TopK', opset: 11, attrs: { axis: 1, largest }, inputs: { x }, initializers: { k: int64s([4]) },
      inputOrder: ['x', 'k'], outputs: ['values', 'indices'],
    }, { atol: 0, rtol: 0 });
  }
});

test('opset-11 Split, Squeeze, Unsqueeze and Pad (attributes moved to inputs) match onnxruntime', async () => {
  const x = randomTensor([2, 1, 6], 12);
  await expectSameAsOrt({ op: 'Split', opset: 11, attrs: { axis: 2, split: [1, 2, 3] }, inputs: { x }, inputOrder: ['x'], outputs: ['a', 'b', 'c'] });
  await expectSameAsOrt({ op: 'Squeeze', opset: 11, attrs: { axes: [1] }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await expectSameAsOrt({ op: 'Unsqueeze', opset: 11, attrs: { axes: [0, 4] }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await expectSameAsOrt({ op: 'Pad', opset: 10, attrs: { pads: [0, 1, 2, 1, 0, 1], value: { float: 1.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
});

test('Pad reflect and edge over chosen axes match onnxruntime', async () => {
  const x = randomTensor([2, 3, 4], 13);
  for (const mode of ['reflect', 'edge']) {
    await expectSameAsOrt({
      op: 'Pad', opset: 18, attrs: { mode }, inputs: { x }, initializers: { pads: int64s([2, 1, 3, 0]), axes: int64s([-1, 1]) },
      inputOrder: ['x', 'pads', '', 'axes'], outputs: ['y'],
    }, { atol: 0, rtol: 0 });
  }
});

test('Gather with negative indices keeps int64 values beyond 2^53 exact', async () => {
  const data = new Tensor('int64', [2, 3], BigInt64Array.from([2n ** 60n + 1n, -3n, 7n, 5n, -(2n ** 62n) - 1n, 9n]));
  const model = oneNodeModel({
    op: 'Gather', attrs: { axis: 1 }, inputs: { data }, initializers: { idx: Tensor.fromNumeric('int32', [2, 2], [-3, 1, 2, -2]) },
    inputOrder: ['data', 'idx'], outputs: ['y'],
  });
  const want = (await runOrt(model, { data })).y!;
  const got = (await runNnrt(model, { data })).y!;
  assert.deepEqual(got.shape, want.shape);
  assert.deepEqual(Array.from(got.data as BigInt64Array), Array.from(want.data as BigInt64Array));
});

test('Range and Tile match onnxruntime', async () => {
  await expectSameAsOrt({
    op: 'Range', inputs: {},
    initializers: { s: Tensor.scalar('float32', -1.5), l: Tensor.scalar('float32', 2.2), d: Tensor.scalar('float32', 0.4) },
    inputOrder: ['s', 'l', 'd'], outputs: ['y'],
  });
  const x = randomTensor([2, 3], 14);
  await expectSameAsOrt({ op: 'Tile', inputs: { x }, initializers: { r: int64s([3, 2]) }, inputOrder: ['x', 'r'], outputs: ['y'] }, { atol: 0, rtol: 0 });
});

test('a Reshape whose shape is not constant fails static inference with a clear message', () => {
  const { graph } = importOnnx(oneNodeModel({
    op: 'Reshape', inputs: { x: randomTensor([2, 3], 1), s: int64s([3, 2]) }, inputOrder: ['x', 's'], outputs: ['y'],
  }));
  assert.throws(() => inferShapes(graph, opTyper), /input 1 's' must be a constant for static shape inference/);
});
