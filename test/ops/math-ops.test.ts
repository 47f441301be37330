// The math family (register-math.ts): the ONNX backend node tests of ../shared/fixtures/onnx-node-full
// for every op it adds, and onnxruntime-node on seeded inputs for attributes, dtypes and shapes
// those tests leave out. Random ops are checked against the laws of their distributions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';
import { expectOneNodeLikeOrt, oneNodeModel, randomTensor, runNnrt, type OneNodeSpec } from '../helpers/ort-reference.js';

const OPS = [
  'mod_.*', 'bitshift_.*', 'bitwise_.*', 'bitcast_.*', '(tan|sinh|cosh|asin|acos|atan|asinh|acosh|atanh)(_example)?', 'isinf.*', 'isnan.*',
  'celu.*', 'mish.*', 'swish.*', 'thresholdedrelu.*', 'shrink_.*', 'hardmax_.*', 'cumsum_.*', 'cumprod_.*', 'tril.*', 'triu.*',
  'eyelike_.*', 'onehot_.*', 'lpnormalization_.*', 'l[12]normalization_.*', 'lrn.*', 'mvn.*', 'group_normalization_.*',
  'rms_normalization_.*', 'lppool_.*', 'det_.*', '(hann|hamming|blackman)window.*', 'melweightmatrix', 'bernoulli.*',
  // opset 1 (Not-1) and the opset 26/27 folders import reads now; Mod inside the expanded attention tests
  'not_[234]d', 'range_[a-z0-9_]*_delta', 'attention_.*_expanded', 'causal_conv_with_state_.*_expanded', 'flexattention(_.*)?_expanded.*',
];
conformanceTests('math ops', foldersMatching(new RegExp(`^test_(${OPS.join('|')})$`), FULL_FIXTURES), 'cpu', FULL_FIXTURES);

const EXACT: Tolerance = { atol: 0, rtol: 0 };

const expectSameAsOrt = expectOneNodeLikeOrt;
const unary = (op: string, x: Tensor, attrs: OneNodeSpec['attrs'] = {}, opset = 18, tol: Tolerance = FP32_TOLERANCE) =>
  expectSameAsOrt({ op, opset, attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, tol);
const ints = (dtype: 'int8' | 'uint8' | 'int32' | 'int64', shape: number[], seed: number, lo: number, hi: number) =>
  Tensor.fromNumeric(dtype, shape, Array.from(randomTensor(shape, seed, lo, hi).data, Math.floor));
const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());

test('trigonometric, hyperbolic and activation ops match onnxruntime in float32 and float16', async () => {
  const x = randomTensor([3, 40], 1, -0.99, 0.99);
  for (const op of ['Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Atanh', 'Mish']) await unary(op, x);
  await unary('Acosh', randomTensor([3, 40], 2, 1, 20));
  const wide = randomTensor([3, 40], 3, -6, 6);
  await unary('Celu', wide, { alpha: { float: 1.7 } });
  await unary('ThresholdedRelu', wide, { alpha: { float: 0.8 } });
  await unary('Shrink', wide, { bias: { float: 0.3 }, lambd: { float: 1.1 } });
  await unary('Shrink', ints('int32', [3, 40], 4, -20, 20), { bias: { float: 2 }, lambd: { float: 5 } }, 18, EXACT);
  for (const op of ['Tan', 'Sinh', 'Atan', 'Mish']) await unary(op, half(x), {}, 18, { atol: 2e-3, rtol: 2e-3 });
});

test('IsNaN and IsInf with each detect_* setting match onnxruntime', async () => {
  const x = Tensor.fromArray([8], [0, NaN, Infinity, -Infinity, 1e38, -3, NaN, Infinity]);
  await unary('IsNaN', x, {}, 20, EXACT);
  for (const [neg, pos] of [[1, 1], [0, 1], [1, 0]]) await unary('IsInf', x, { detect_negative: neg!, detect_positive: pos! }, 20, EXACT);
});

test('Mod: integer floored remainders, fmod truncated, float fmod, under broadcasting', async () => {
  const a = ints('int32', [4, 6], 5, -50, 50);
  const b = Tensor.fromNumeric('int32', [6], [3, -7, 5, -2, 11, 1]);
  for (const fmod of [0, 1]) await expectSameAsOrt({ op: 'Mod', opset: 13, attrs: { fmod }, inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
  // int64 past 2^53, where a float64 path would lose the low bits
  const a64 = new Tensor('int64', [2, 5], BigInt64Array.from([2n ** 62n + 3n, -(2n ** 60n) - 7n, 123456789012345678n, -5n, 9n, 2n ** 55n + 1n, -17n, 0n, 2n ** 63n - 1n, -(2n ** 63n)]));
  const b64 = Tensor.fromNumeric('int64', [1, 5], [7, -13, 1000, -3, 2]);
  await expectSameAsOrt({ op: 'Mod', opset: 13, inputs: { a: a64, b: b64 }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
  // onnxruntime's int64 fmod goes through double (2^62 + 3 → 2^62); exactly, 2^62 ≡ 4 (mod 7) as 2^3 ≡ 1
  const big = await runNnrt(oneNodeModel({ op: 'Mod', opset: 13, attrs: { fmod: 1 }, inputs: { a: a64, b: b64 }, inputOrder: ['a', 'b'], outputs: ['y'] }), { a: a64, b: b64 });
  assert.equal((big.y!.data as BigInt64Array)[0], 0n);
  assert.equal((big.y!.data as BigInt64Array)[3], -2n); // −5 fmod −3 keeps the dividend's sign
  const small64 = ints('int64', [2, 5], 6, -1e6, 1e6);
  await expectSameAsOrt({ op: 'Mod', opset: 13, attrs: { fmod: 1 }, inputs: { a: small64, b: b64 }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
  const fa = randomTensor([3, 8], 7, -10, 10);
  const fb = randomTensor([8], 8, 0.5, 3);
  await expectSameAsOrt({ op: 'Mod', opset: 13, attrs: { fmod: 1 }, inputs: { a: fa, b: fb }, inputOrder: ['a', 'b'], outputs: ['y'] });
});

test('bitwise ops on int8/int32/int64 and BitShift on uint8 match onnxruntime', async () => {
  for (const [dtype, lo, hi] of [['int8', -128, 127], ['int32', -2e9, 2e9], ['int64', -2e15, 2e15]] as const) {
    const a = ints(dtype, [3, 5], 9, lo, hi);
    const b = ints(dtype, [5], 10, lo, hi);
    for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) {
      await expectSameAsOrt({ op, opset: 18, inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }, EXACT);
    }
    await unary('BitwiseNot', a, {}, 18, EXACT);
  }
  const x = ints('uint8', [4, 6], 11, 0, 256);
  const s = ints('uint8', [6], 12, 0, 9);
  for (const direction of ['LEFT', 'RIGHT']) {
    await expectSameAsOrt({ op: 'BitShift', opset: 11, attrs: { direction }, inputs: { x, s }, inputOrder: ['x', 's'], outputs: ['y'] }, EXACT);
  }
});

test('CumSum and Trilu with every attribute on 3-D inputs match onnxruntime', async () => {
  const x = randomTensor([2, 5, 4], 13, -3, 3);
  for (const exclusive of [0, 1]) {
    for (const reverse of [0, 1]) {
      for (const axis of [1, -1]) {
        await expectSameAsOrt({
          op: 'CumSum', opset: 14, attrs: { exclusive, reverse }, inputs: { x }, initializers: { axis: Tensor.scalar('int64', axis) },
          inputOrder: ['x', 'axis'], outputs: ['y'],
        });
      }
    }
  }
  const xi = ints('int32', [2, 4, 6], 14, -9, 9);
  for (const upper of [0, 1]) {
    for (const k of [-2, 0, 3]) {
      await expectSameAsOrt({ op: 'Trilu', opset: 14, attrs: { upper }, inputs: { x: xi }, initializers: { k: Tensor.scalar('int64', k) }, inputOrder: ['x', 'k'], outputs: ['y'] }, EXACT);
    }
  }
});

test('EyeLike, OneHot and Hardmax match onnxruntime', async () => {
  for (const k of [-1, 0, 2]) await unary('EyeLike', randomTensor([4, 6], 15), { k, dtype: 7 }, 18, EXACT);
  const indices = Tensor.fromNumeric('int64', [2, 3], [0, 4, -1, 2, -5, 9]);
  for (const axis of [0, 1, -1]) {
    await expectSameAsOrt({
      op: 'OneHot', opset: 11, attrs: { axis }, inputs: { indices },
      initializers: { depth: Tensor.scalar('int64', 5), values: Tensor.fromArray([2], [-1, 3]) }, inputOrder: ['indices', 'depth', 'values'], outputs: ['y'],
    }, EXACT);
  }
  const x = randomTensor([3, 4, 5], 16);
  for (const axis of [0, 1, -1]) await unary('Hardmax', x, { axis }, 13, EXACT);
  // Hardmax-11 flattens from `axis` on: one maximum over the last two dims together
  await unary('Hardmax', x, { axis: 1 }, 11, EXACT);
});

test('normalizations match onnxruntime: LpNormalization, LRN, MVN, GroupNormalization, RMSNormalization', async () => {
  const x = randomTensor([2, 6, 3, 4], 17, -2, 2);
  for (const p of [1, 2]) await unary('LpNormalization', x, { axis: 1, p });
  for (const size of [3, 5]) await unary('LRN', x, { size, alpha: { float: 0.002 }, beta: { float: 0.6 }, bias: { float: 1.5 } }, 13);
  await unary('MeanVarianceNormalization', x, { axes: [0, 1] }, 13);
  const scale = randomTensor([6], 18, 0.5, 1.5);
  const bias = randomTensor([6], 19);
  await expectSameAsOrt({
    op: 'GroupNormalization', opset: 21, attrs: { num_groups: 3, epsilon: { float: 1e-3 } }, inputs: { x },
    initializers: { scale, bias }, inputOrder: ['x', 'scale', 'bias'], outputs: ['y'],
  });
  await expectSameAsOrt({
    op: 'RMSNormalization', opset: 23, attrs: { axis: 2 }, inputs: { x }, initializers: { scale: randomTensor([3, 1], 20) }, inputOrder: ['x', 'scale'], outputs: ['y'],
  });
});

test('LpPool with p = 1 and 3, strides, pads and dilations, and Det of a batch, match onnxruntime', async () => {
  const x = randomTensor([1, 2, 7, 6], 21, -2, 2);
  await unary('LpPool', x, { kernel_shape: [3, 2], p: 3, strides: [2, 1], pads: [1, 0, 1, 1] }, 18);
  await unary('LpPool', x, { kernel_shape: [2, 2], p: 1, dilations: [2, 2], ceil_mode: 1 }, 18);
  await unary('Det', randomTensor([3, 2, 4, 4], 22, -2, 2), {}, 22);
  await unary('Det', Tensor.fromArray([3, 3], [1, 2, 3, 2, 4, 6, 0, 1, 5]), {}, 22); // singular
});

test('Hann, Hamming and Blackman windows, periodic and symmetric, match onnxruntime', async () => {
  for (const op of ['HannWindow', 'HammingWindow', 'BlackmanWindow']) {
    for (const periodic of [0, 1]) {
      await expectSameAsOrt({ op, opset: 17, attrs: { periodic }, inputs: {}, initializers: { n: Tensor.scalar('int64', 11) }, inputOrder: ['n'], outputs: ['y'] });
    }
  }
});

test('MelWeightMatrix, GroupNormalization-18 (scale per group) and Swish-24 match onnxruntime', async () => {
  const scalars = { bins: Tensor.scalar('int64', 12), dft: Tensor.scalar('int64', 64), rate: Tensor.scalar('int64', 16000),
    lo: Tensor.scalar('float32', 100), hi: Tensor.scalar('float32', 7000) };
  await expectSameAsOrt({ op: 'MelWeightMatrix', opset: 17, inputs: {}, initializers: scalars, inputOrder: Object.keys(scalars), outputs: ['y'] });
  const x = randomTensor([2, 6, 3, 2], 23, -2, 2);
  await expectSameAsOrt({
    op: 'GroupNormalization', opset: 18, attrs: { num_groups: 2 }, inputs: { x },
    initializers: { scale: randomTensor([2], 24, 0.5, 1.5), bias: randomTensor([2], 25) }, inputOrder: ['x', 'scale', 'bias'], outputs: ['y'],
  });
  await unary('Swish', x, { alpha: { float: 1.5 } }, 24);
});

/** nnrt's output of a one-node model of a random op (no runtime inputs unless given). */
async function draw(op: string, attrs: OneNodeSpec['attrs'], inputs: Record<string, Tensor> = {}): Promise<Tensor> {
  return (await runNnrt(oneNodeModel({ op, opset: 22, attrs, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }), inputs)).y!;
}
const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;

test('random generators: shapes and dtypes, the laws of their distributions, and seeds that repeat', async () => {
  const u = await draw('RandomUniform', { shape: [100, 100], low: { float: -2 }, high: { float: 4 }, seed: { float: 3 } });
  assert.deepEqual(u.shape, [100, 100]);
  assert.ok(u.numeric().every((v) => v >= -2 && v < 4));
  assert.ok(Math.abs(mean(u.numeric()) - 1) < 0.05, `uniform mean ${mean(u.numeric())}`);
  const again = await draw('RandomUniform', { shape: [100, 100], low: { float: -2 }, high: { float: 4 }, seed: { float: 3 } });
  assert.deepEqual(again.numeric(), u.numeric(), 'a seed repeats its draws');
  const other = await draw('RandomUniform', { shape: [100, 100], low: { float: -2 }, high: { float: 4 }, seed: { float: 4 } });
  assert.notDeepEqual(other.numeric(), u.numeric(), 'another seed draws differently');

  const n = await draw('RandomNormalLike', { mean: { float: 5 }, scale: { float: 2 }, dtype: 10 }, { x: randomTensor([200, 100], 1) });
  assert.equal(n.dtype, 'float16');
  const m = mean(n.numeric());
  const sd = Math.sqrt(mean(Array.from(n.numeric(), (v) => (v - m) ** 2)));
  assert.ok(Math.abs(m - 5) < 0.05 && Math.abs(sd - 2) < 0.05, `normal mean ${m}, sd ${sd}`);

  const p = Tensor.fromArray([6], [0, 1, 0, 1, 1, 0]);
  const b = await draw('Bernoulli', { dtype: 9 }, { p });
  assert.equal(b.dtype, 'bool');
  assert.deepEqual(Array.from(b.numeric()), [0, 1, 0, 1, 1, 0], 'probabilities 0 and 1 are certain');
  const half = await draw('Bernoulli', { seed: { float: 1 } }, { p: Tensor.fromArray([20000], new Float32Array(20000).fill(0.3)) });
  assert.ok(Math.abs(mean(half.numeric()) - 0.3) < 0.02);

  // class 2 has all the mass in row 0; row 1 is uniform over 4 classes
  const logits = Tensor.fromArray([2, 4], [-1e9, -1e9, 0, -1e9, 0, 0, 0, 0]);
  const c = await draw('Multinomial', { sample_size: 4000, seed: { float: 2 }, dtype: 7 }, { logits });
  assert.equal(c.dtype, 'int64');
  assert.deepEqual(c.shape, [2, 4000]);
  const rows = c.numeric();
  assert.ok(rows.subarray(0, 4000).every((v) => v === 2));
  for (let k = 0; k < 4; k++) {
    const share = rows.subarray(4000).filter((v) => v === k).length / 4000;
    assert.ok(Math.abs(share - 0.25) < 0.03, `class ${k}: ${share}`);
  }
});
