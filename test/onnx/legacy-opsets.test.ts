// Import reads ai.onnx opsets 1 to 27. Forms that opsets before 7 wrote differently are upgraded on
// import; onnxruntime, which runs opsets from 7 on, gives the reference through the modern form
// of the same computation. Also: an input declared without a shape (unknown rank).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedError } from '../../src/errors.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';

/** nnrt on the old-opset node `old` against onnxruntime on its modern form `modern`. */
async function sameAsModern(old: OneNodeSpec, modern: OneNodeSpec, feeds = old.inputs): Promise<void> {
  const got = await runNnrt(oneNodeModel(old), feeds);
  const want = await runOrt(oneNodeModel(modern), modern.inputs);
  const c = compareTensors(got.y!, want.y!, FP32_TOLERANCE);
  assert.ok(c.pass, `${old.op}-${old.opset}: ${c.reason ?? JSON.stringify(c)}`);
}

test('opset 6 Add/Mul/Sub with broadcast and axis align B at the axis, as numpy does after a reshape', async () => {
  const a = randomTensor([2, 3, 4, 5], 1);
  const b = randomTensor([3, 4], 2);
  for (const op of ['Add', 'Mul', 'Sub']) {
    await sameAsModern(
      { op, opset: 6, attrs: { broadcast: 1, axis: 1 }, inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] },
      { op, opset: 13, inputs: { a, b: b.reshape([3, 4, 1]) }, inputOrder: ['a', 'b'], outputs: ['y'] },
    );
  }
  // without axis B takes A's trailing dims (numpy's rule); opset 1 also carries consumed_inputs
  const tail = randomTensor([5], 3);
  await sameAsModern(
    { op: 'Div', opset: 1, attrs: { broadcast: 1, consumed_inputs: [0, 0] }, inputs: { a, b: tail }, inputOrder: ['a', 'b'], outputs: ['y'] },
    { op: 'Div', opset: 13, inputs: { a, b: tail }, inputOrder: ['a', 'b'], outputs: ['y'] },
  );
});

test('Reshape-1 shape attribute, Concat-1 default axis, Cast-1 type names and Pad-1 paddings upgrade', async () => {
  const x = randomTensor([2, 3, 4], 4);
  await sameAsModern(
    { op: 'Reshape', opset: 1, attrs: { shape: [4, -1], consumed_inputs: [0] }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
    { op: 'Reshape', opset: 13, inputs: { x }, initializers: { s: Tensor.fromNumeric('int64', [2], [4, -1]) }, inputOrder: ['x', 's'], outputs: ['y'] },
  );
  const z = randomTensor([2, 5, 4], 5);
  await sameAsModern(
    { op: 'Concat', opset: 1, inputs: { x, z }, inputOrder: ['x', 'z'], outputs: ['y'] },
    { op: 'Concat', opset: 13, attrs: { axis: 1 }, inputs: { x, z }, inputOrder: ['x', 'z'], outputs: ['y'] },
  );
  const wide = randomTensor([3, 4], 6, -100, 100);
  await sameAsModern(
    { op: 'Cast', opset: 1, attrs: { to: 'INT32' }, inputs: { x: wide }, inputOrder: ['x'], outputs: ['y'] },
    { op: 'Cast', opset: 13, attrs: { to: ONNX_DTYPE.INT32 }, inputs: { x: wide }, inputOrder: ['x'], outputs: ['y'] },
  );
  await sameAsModern(
    { op: 'Pad', opset: 1, attrs: { paddings: [0, 1, 0, 2, 1, 0], value: { float: 2.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
    { op: 'Pad', opset: 10, attrs: { pads: [0, 1, 0, 2, 1, 0], value: { float: 2.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
  );
});

test('Upsample-1 height_scale/width_scale scale H and W as Upsample-9 does', async () => {
  const x = randomTensor([1, 2, 3, 4], 15);
  for (const mode of ['nearest', 'bilinear']) {
    await sameAsModern(
      { op: 'Upsample', opset: 1, attrs: { height_scale: { float: 2 }, width_scale: { float: 3 }, mode }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
      {
        op: 'Upsample', opset: 9, attrs: { mode: mode === 'bilinear' ? 'linear' : mode }, inputs: { x },
        initializers: { s: Tensor.fromArray([4], [1, 1, 2, 3]) }, inputOrder: ['x', 's'], outputs: ['y'],
      },
    );
  }
});

test('Gemm-6 broadcast, BatchNormalization-6 is_test/spatial and Dropout-6 is_test upgrade', async () => {
  const a = randomTensor([3, 4], 7);
  const w = randomTensor([4, 5], 8);
  const c = randomTensor([5], 9);
  await sameAsModern(
    { op: 'Gemm', opset: 6, attrs: { broadcast: 1, alpha: { float: 0.5 } }, inputs: { a }, initializers: { w, c }, inputOrder: ['a', 'w', 'c'], outputs: ['y'] },
    { op: 'Gemm', opset: 13, attrs: { alpha: { float: 0.5 } }, inputs: { a }, initializers: { w, c }, inputOrder: ['a', 'w', 'c'], outputs: ['y'] },
  );
  const x = randomTensor([2, 3, 4, 4], 10);
  const stats = { s: randomTensor([3], 11, 0.5, 2), b: randomTensor([3], 12), m: randomTensor([3], 13), v: randomTensor([3], 14, 0.5, 2) };
  await sameAsModern(
    { op: 'BatchNormalization', opset: 6, attrs: { is_test: 1, spatial: 1, epsilon: { float: 1e-3 } }, inputs: { x }, initializers: stats, inputOrder: ['x', 's', 'b', 'm', 'v'], outputs: ['y'] },
    { op: 'BatchNormalization', opset: 15, attrs: { epsilon: { float: 1e-3 } }, inputs: { x }, initializers: stats, inputOrder: ['x', 's', 'b', 'm', 'v'], outputs: ['y'] },
  );
  await sameAsModern(
    { op: 'Dropout', opset: 6, attrs: { is_test: 1, ratio: { float: 0.2 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
    { op: 'Identity', opset: 13, inputs: { x }, inputOrder: ['x'], outputs: ['y'] },
  );
});

test('opsets outside 1..27 are refused with the readable range', () => {
  for (const opset of [0, 28]) {
    const model = oneNodeModel({ op: 'Relu', opset, inputs: { x: randomTensor([2], 1) }, inputOrder: ['x'], outputs: ['y'] });
    assert.throws(() => importOnnx(model), (e: unknown) => e instanceof UnsupportedError && /opsets 1 to 27/.test(e.message));
  }
});

test('an input declared without a shape has unknown rank: each run takes the fed tensor\'s shape', async () => {
  const model = new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: 'Sigmoid', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT } } }],
    },
  })).finish());
  const { graph } = importOnnx(model);
  assert.equal(graph.inputs[0]!.unknownRank, true);
  const session = await createSession(graph, { device: 'cpu' });
  for (const shape of [[2, 3], [4], [2, 1, 3, 2]]) {
    const x = randomTensor(shape, shape.length);
    const got = (await session.run({ x })).y!;
    const want = (await runOrt(model, { x })).y!;
    assert.deepEqual(got.shape, shape);
    const c = compareTensors(got, want, FP32_TOLERANCE);
    assert.ok(c.pass, JSON.stringify(c));
  }
  session.dispose();
});
