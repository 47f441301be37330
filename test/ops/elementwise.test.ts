// Elementwise ops, Cast and the widened element types: the ONNX backend node tests, and
// onnxruntime-node on random inputs for broadcasting, dtypes and old opsets the fixtures miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorPb } from '../../src/node/files.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { ELEMENT_TYPE } from '../../src/tensor/element-type.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { conformanceTests } from '../helpers/conformance.js';

const fixtures = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
const OPS = new Set([
  'Abs', 'Add', 'Cast', 'CastLike', 'Ceil', 'Clip', 'Div', 'Dropout', 'Elu', 'Equal', 'Erf', 'Exp', 'Floor', 'Gelu',
  'Greater', 'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'Identity', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'Max',
  'Mean', 'Min', 'Mul', 'Neg', 'PRelu', 'Pow', 'Reciprocal', 'Relu', 'Round', 'Selu', 'Sigmoid', 'Sign', 'Softplus',
  'Softsign', 'Sqrt', 'Sub', 'Sum', 'Tanh', 'Where', 'Not', 'And', 'Or', 'Xor', 'Size',
]);
// MANIFEST.tsv: folder, operator, ... (one line per backend-test folder)
const manifest = join(fixtures, 'MANIFEST.tsv');
const folders = existsSync(manifest)
  ? readFileSync(manifest, 'utf8').split('\n').slice(1).map((l) => l.split('\t')).filter((c) => OPS.has(c[1]!)).map((c) => c[0]!)
  : [];

conformanceTests('elementwise', folders);

const EXACT: Tolerance = { atol: 0, rtol: 0 };

/** Runs a one-node model in onnxruntime and nnrt and compares every output. */
async function expectSameAsOrt(spec: OneNodeSpec, tol: Tolerance = FP32_TOLERANCE): Promise<Record<string, Tensor>> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const got = await runNnrt(model, spec.inputs);
  for (const name of spec.outputs) {
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${spec.op} ${name}: ${c.reason ?? JSON.stringify(c)}`);
  }
  return want;
}

const ints = (dtype: 'int8' | 'int32' | 'int64', shape: number[], seed: number, lo: number, hi: number) =>
  Tensor.fromNumeric(dtype, shape, Array.from(randomTensor(shape, seed, lo, hi).data, Math.round));
const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());

test('4-D by channel-vector and three-way broadcasting match onnxruntime', async () => {
  const x = randomTensor([2, 3, 4, 5], 1);
  const c = randomTensor([3, 1, 1], 2, 0.5, 2);
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Less', 'GreaterOrEqual']) {
    const base = op === 'Pow' ? randomTensor([2, 3, 4, 5], 1, 0.1, 2) : x;
    await expectSameAsOrt({ op, inputs: { a: base, b: c }, inputOrder: ['a', 'b'], outputs: ['y'] });
  }
  await expectSameAsOrt({ op: 'PRelu', inputs: { x, slope: c }, inputOrder: ['x', 'slope'], outputs: ['y'] });
  const cond = Tensor.fromNumeric('bool', [4, 1], [1, 0, 0, 1]);
  await expectSameAsOrt({
    op: 'Where', inputs: { cond, a: randomTensor([3, 1, 5], 3), b: randomTensor([1], 4) }, inputOrder: ['cond', 'a', 'b'], outputs: ['y'],
  }, EXACT);
  const parts = { a: randomTensor([3, 1], 5), b: randomTensor([1, 4], 6), c: randomTensor([2, 1, 1], 7) };
  for (const op of ['Max', 'Min', 'Sum', 'Mean']) await expectSameAsOrt({ op, inputs: parts, inputOrder: ['a', 'b', 'c'], outputs: ['y'] });
});

test('float16 Add, Mul and activations match onnxruntime within half precision', async () => {
  const tol = { atol: 2e-3, rtol: 2e-3 };
  const a = half(randomTensor([2, 3, 8], 8, -3, 3));
  const b = half(randomTensor([3, 1], 9, -3, 3));
  await expectSameAsOrt({ op: 'Add', inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }, tol);
  await expectSameAsOrt({ op: 'Mul', inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }, tol);
  for (const op of ['Sigmoid', 'Tanh', 'Exp', 'Erf']) await expectSameAsOrt({ op, inputs: { a }, inputOrder: ['a'], outputs: ['y'] }, tol);
});

test('integer arithmetic wraps and divides like C, as onnxruntime does', async () => {
  const a = ints('int32', [4, 6], 10, -2e9, 2e9);
  const b = ints('int32', [6], 11, -50000, 50000);
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) await expectSameAsOrt({ op, inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
  const p = ints('int8', [3, 5], 12, -128, 127);
  const q = Tensor.fromNumeric('int8', [5], [3, -7, 100, -128, 1]);
  for (const op of ['Add', 'Mul', 'Div']) await expectSameAsOrt({ op, inputs: { p, q }, inputOrder: ['p', 'q'], outputs: ['y'] }, EXACT);
  await expectSameAsOrt({ op: 'Abs', inputs: { p }, inputOrder: ['p'], outputs: ['y'] }, EXACT);
});

test('every float unary op matches onnxruntime over a wide range, Round ties to even', async () => {
  const x = randomTensor([4, 50], 13, -12, 12);
  const attrs: Record<string, OneNodeSpec['attrs']> = {
    LeakyRelu: { alpha: { float: 0.3 } }, Elu: { alpha: { float: 0.7 } }, Selu: {}, HardSigmoid: { alpha: { float: 0.3 }, beta: { float: 0.4 } },
  };
  const ops = ['Abs', 'Neg', 'Sign', 'Ceil', 'Floor', 'Exp', 'Sin', 'Cos', 'Erf', 'Sigmoid', 'Tanh', 'Softplus', 'Softsign',
    'HardSwish', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid'];
  for (const op of ops) await expectSameAsOrt({ op, attrs: attrs[op] ?? {}, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  const pos = randomTensor([4, 50], 14, 0.01, 50);
  for (const op of ['Sqrt', 'Log', 'Reciprocal']) await expectSameAsOrt({ op, inputs: { x: pos }, inputOrder: ['x'], outputs: ['y'] });
  for (const approximate of ['none', 'tanh']) {
    await expectSameAsOrt({ op: 'Gelu', opset: 20, attrs: { approximate }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  }
  const ties = Tensor.fromArray([8], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.50001]);
  const want = await expectSameAsOrt({ op: 'Round', inputs: { x: ties }, inputOrder: ['x'], outputs: ['y'] }, EXACT);
  assert.deepEqual(Array.from(want.y!.numeric()), [-2, -2, -0, 0, 2, 2, 4, 5]);
});

test('Clip-6 attributes (opsets 7–10) and Clip-13 integer bounds match onnxruntime', async () => {
  const x = randomTensor([3, 7], 15, -3, 3);
  await expectSameAsOrt({ op: 'Clip', opset: 10, attrs: { min: { float: -1 }, max: { float: 0.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await expectSameAsOrt({ op: 'Clip', opset: 7, attrs: { max: { float: 0.25 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  const xi = ints('int32', [3, 7], 16, -100, 100);
  await expectSameAsOrt({
    op: 'Clip', opset: 13, inputs: { x: xi }, initializers: { lo: Tensor.scalar('int32', -20) }, inputOrder: ['x', 'lo'], outputs: ['y'],
  }, EXACT);
});

test('Dropout of opsets 7, 10 and 13 runs as inference: the output is the input, the mask all ones', async () => {
  const x = randomTensor([2, 5], 17);
  for (const opset of [7, 10]) {
    const spec: OneNodeSpec = { op: 'Dropout', opset, attrs: { ratio: { float: 0.3 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y', 'mask'] };
    await expectSameAsOrt({ ...spec, outputs: ['y'] }, EXACT);
    // onnxruntime zero-fills the old forms' mask; the ONNX reference (Dropout_7) returns ones, in
    // the input's type before opset 10 and bool from 10 on
    const { mask } = await runNnrt(oneNodeModel(spec), { x });
    assert.equal(mask!.dtype, opset < 10 ? 'float32' : 'bool');
    assert.ok(mask!.numeric().every((m) => m === 1));
  }
  await expectSameAsOrt({
    op: 'Dropout', opset: 13, inputs: { x }, initializers: { r: Tensor.scalar('float32', 0.4) }, inputOrder: ['x', 'r'], outputs: ['y', 'mask'],
  }, EXACT);
});

test('training-mode Dropout keeps about 1 − ratio of the elements, scaled by 1/(1 − ratio), and a seed repeats', async () => {
  const x = randomTensor([100, 100], 18, 1, 2);
  const spec: OneNodeSpec = {
    op: 'Dropout', opset: 13, attrs: { seed: 7 }, inputs: { x },
    initializers: { r: Tensor.scalar('float32', 0.25), t: Tensor.fromNumeric('bool', [], [1]) }, inputOrder: ['x', 'r', 't'], outputs: ['y', 'mask'],
  };
  const first = await runNnrt(oneNodeModel(spec), { x });
  const again = await runNnrt(oneNodeModel(spec), { x });
  const y = first.y!.numeric();
  const mask = first.mask!.numeric();
  const xs = x.numeric();
  const kept = Array.from(mask).filter((m) => m === 1).length / mask.length;
  assert.ok(Math.abs(kept - 0.75) < 0.02, `kept fraction ${kept}`);
  for (let i = 0; i < y.length; i++) assert.equal(y[i], mask[i] ? Math.fround(xs[i]! / 0.75) : 0);
  assert.deepEqual(again.mask!.data, first.mask!.data);
});

test('Cast of int64 beyond 2^53 to int32 wraps exactly, and Size counts elements, like onnxruntime', async () => {
  const big = new Tensor('int64', [4], BigInt64Array.from([2n ** 60n + 5n, -(2n ** 55n) - 3n, 2n ** 31n, -1n]));
  await expectSameAsOrt({ op: 'Cast', attrs: { to: ONNX_DTYPE.INT32 }, inputs: { big }, inputOrder: ['big'], outputs: ['y'] }, EXACT);
  await expectSameAsOrt({ op: 'Cast', attrs: { to: ONNX_DTYPE.FLOAT }, inputs: { big }, inputOrder: ['big'], outputs: ['y'] });
  await expectSameAsOrt({ op: 'Size', inputs: { x: randomTensor([3, 0, 2], 19) }, inputOrder: ['x'], outputs: ['y'] }, EXACT);
  await expectSameAsOrt({ op: 'Size', inputs: { x: randomTensor([3, 4, 2], 20) }, inputOrder: ['x'], outputs: ['y'] }, EXACT);
});

test('CastLike to a float8 initializer rounds onto float8 as Cast does (backend-test data)', { skip: existsSync(fixtures) ? false : `${fixtures} is absent` }, async () => {
  const dir = join(fixtures, 'test_cast_FLOAT_to_FLOAT8E4M3FN', 'test_data_set_0');
  const input = readTensorPb(join(dir, 'input_0.pb')).tensor;
  const want = readTensorPb(join(dir, 'output_0.pb')).tensor;
  const model = ModelProto.encode(ModelProto.fromObject({
    irVersion: 9,
    opsetImport: [{ domain: '', version: 21 }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: 'CastLike', input: ['x', 'like'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: input.shape.map((d) => ({ dimValue: d })) } } } }],
      initializer: [{ name: 'like', dims: [1], dataType: ELEMENT_TYPE.FLOAT8E4M3FN, rawData: new Uint8Array([0x38]) }],
      output: [{ name: 'y' }],
    },
  })).finish();
  const session = await createSession(importOnnx(model).graph, { device: 'cpu' });
  const got = (await session.run({ x: input })).y!;
  const c = compareTensors(got, want, EXACT);
  assert.ok(c.pass, c.reason ?? JSON.stringify(c));
});
