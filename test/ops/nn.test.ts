// Conv, ConvTranspose, MatMul, Gemm, Einsum, pooling and normalization: the ONNX backend node tests,
// and onnxruntime-node on random inputs at sizes that reach the blocked GEMM's full and edge tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedError } from '../../src/errors.js';
import { useSimdGemm } from '../../src/ops/_kernels/gemm.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { conformanceTests } from '../helpers/conformance.js';

const NN_OPS = new Set([
  'Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'Einsum', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool',
  'BatchNormalization', 'InstanceNormalization', 'LayerNormalization',
]);

const fixtures = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
const manifest = join(fixtures, 'MANIFEST.tsv');
// The folders whose single op is one of ours (the *_expanded forms are graphs of other families' ops).
const folders = existsSync(manifest)
  ? readFileSync(manifest, 'utf8').split('\n').slice(1).map((l) => l.split('\t'))
    .filter((f) => NN_OPS.has(f[1]!) && f[2] === 'no').map((f) => f[0]!).sort()
  : [];

conformanceTests('nn', folders);

/** Runs the one-node model in both runtimes and compares every output. */
async function expectSameAsOrt(spec: OneNodeSpec, tol: Tolerance = FP32_TOLERANCE): Promise<void> {
  const model = oneNodeModel(spec);
  const feeds = spec.inputs;
  const want = await runOrt(model, feeds);
  const got = await runNnrt(model, feeds);
  for (const name of spec.outputs) {
    assert.ok(want[name] && got[name], `output ${name} exists in both runtimes`);
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${name}: ${JSON.stringify(c)}`);
  }
}

const conv = (x: number[], w: number[], attrs: OneNodeSpec['attrs'], seed: number, bias = true): OneNodeSpec => ({
  op: 'Conv', attrs,
  inputs: { x: randomTensor(x, seed) },
  initializers: { w: randomTensor(w, seed + 1, -0.5, 0.5), ...(bias ? { b: randomTensor([w[0]!], seed + 2) } : {}) },
  inputOrder: bias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['y'],
});

test('Conv 3×3, 32→64 channels on 28×28, padded, with bias (im2col + GEMM)', async () => {
  await expectSameAsOrt(conv([1, 32, 28, 28], [64, 32, 3, 3], { pads: [1, 1, 1, 1] }, 1));
});

test('Conv grouped (4 groups), stride 2, dilation 2, asymmetric pads, batch 2', async () => {
  await expectSameAsOrt(conv([2, 32, 17, 19], [64, 8, 3, 3], { group: 4, strides: [2, 2], dilations: [2, 2], pads: [1, 2, 2, 0] }, 4));
});

test('Conv depthwise 3×3 (channel multiplier 1 and 2), stride 2, SAME_UPPER', async () => {
  await expectSameAsOrt(conv([1, 32, 28, 28], [32, 1, 3, 3], { group: 32, strides: [2, 2], auto_pad: 'SAME_UPPER' }, 7));
  await expectSameAsOrt(conv([1, 16, 15, 13], [32, 1, 3, 5], { group: 16, dilations: [2, 1], pads: [2, 2, 2, 2] }, 8, false));
});

test('Conv 1×1 (direct GEMM, no im2col), 1-D and 3-D convs', async () => {
  await expectSameAsOrt(conv([1, 48, 14, 14], [40, 48, 1, 1], {}, 10));
  await expectSameAsOrt(conv([2, 6, 50], [10, 3, 5], { group: 2, strides: [3], auto_pad: 'SAME_LOWER' }, 11));
  await expectSameAsOrt(conv([1, 4, 6, 7, 8], [8, 4, 3, 3, 3], { strides: [1, 2, 1], pads: [1, 0, 1, 1, 1, 0] }, 12));
});

test('Conv in float16 equals the float32 result rounded to float16', async () => {
  const spec = conv([1, 16, 12, 12], [24, 16, 3, 3], { pads: [1, 1, 1, 1] }, 13);
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  const widen = (t: Tensor) => Tensor.fromNumeric('float32', t.shape, t.numeric());
  const x16 = half(spec.inputs.x!);
  const inits16 = Object.fromEntries(Object.entries(spec.initializers!).map(([k, t]) => [k, half(t)]));
  // Reference: onnxruntime in float32 on the same (float16-representable) values, rounded to float16.
  const ref = oneNodeModel({ ...spec, inputs: { x: widen(x16) }, initializers: Object.fromEntries(Object.entries(inits16).map(([k, t]) => [k, widen(t)])) });
  const want = half((await runOrt(ref, { x: widen(x16) })).y!);
  const got = (await runNnrt(oneNodeModel({ ...spec, inputs: { x: x16 }, initializers: inits16 }), { x: x16 })).y!;
  assert.equal(got.dtype, 'float16');
  const c = compareTensors(got, want, { atol: 2e-3, rtol: 1e-3 });
  assert.ok(c.pass, JSON.stringify(c));
});

test('ConvTranspose stride 2, groups, output_padding, bias; and output_shape', async () => {
  const spec = (x: number[], w: number[], attrs: OneNodeSpec['attrs'], seed: number): OneNodeSpec => ({
    op: 'ConvTranspose', attrs,
    inputs: { x: randomTensor(x, seed) },
    initializers: { w: randomTensor(w, seed + 1, -0.5, 0.5), b: randomTensor([w[1]! * ((attrs?.group as number) ?? 1)], seed + 2) },
    inputOrder: ['x', 'w', 'b'], outputs: ['y'],
  });
  await expectSameAsOrt(spec([1, 16, 9, 11], [16, 4, 4, 4], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 0] }, 20));
  await expectSameAsOrt(spec([2, 8, 7, 7], [8, 6, 3, 3], { strides: [2, 2], dilations: [2, 1], output_shape: [17, 15] }, 23));
});

test('MatMul [2,3,64,96]×[96,80] (batch folded into M) and broadcast batches with edge tiles', async () => {
  const mm = (a: number[], b: number[], seed: number): OneNodeSpec => ({
    op: 'MatMul', inputs: { a: randomTensor(a, seed), b: randomTensor(b, seed + 1) }, inputOrder: ['a', 'b'], outputs: ['y'],
  });
  await expectSameAsOrt(mm([2, 3, 64, 96], [96, 80], 30));
  await expectSameAsOrt(mm([2, 1, 37, 50], [3, 50, 29], 32));
  await expectSameAsOrt(mm([70], [4, 70, 33], 34));
  await expectSameAsOrt(mm([5, 300, 70], [70], 36));
});

test('the JavaScript GEMM micro-kernel (the fallback without WebAssembly SIMD) matches onnxruntime', async () => {
  useSimdGemm(false);
  try {
    await expectSameAsOrt(conv([1, 16, 13, 11], [20, 16, 3, 3], { pads: [1, 1, 1, 1] }, 37));
    await expectSameAsOrt({
      op: 'Gemm', attrs: { transA: 1, transB: 1 },
      inputs: { a: randomTensor([70, 37], 38), b: randomTensor([29, 70], 39) }, inputOrder: ['a', 'b'], outputs: ['y'],
    });
  } finally {
    useSimdGemm(true);
  }
});

test('Gemm with transB, alpha, beta and a row-vector C; and transA with a matrix C', async () => {
  await expectSameAsOrt({
    op: 'Gemm', attrs: { transB: 1, alpha: 0.5, beta: { float: 2 } },
    inputs: { a: randomTensor([67, 130], 40) },
    initializers: { b: randomTensor([45, 130], 41), c: randomTensor([45], 42) },
    inputOrder: ['a', 'b', 'c'], outputs: ['y'],
  });
  await expectSameAsOrt({
    op: 'Gemm', attrs: { transA: 1 },
    inputs: { a: randomTensor([130, 21], 43), b: randomTensor([130, 300], 44), c: randomTensor([21, 1], 45) },
    inputOrder: ['a', 'b', 'c'], outputs: ['y'],
  });
});

test('Einsum: batched matmul, transposed operands, outer product, reductions, diagonal', async () => {
  const cases: [string, number[][]][] = [
    ['bij,bjk->bik', [[3, 20, 30], [3, 30, 17]]],
    ['ikj,lj->kil', [[9, 5, 40], [12, 40]]],
    ['i,j', [[13], [7]]],
    ['...ij->...j', [[2, 3, 4, 5]]],
    ['bii->bi', [[2, 6, 6]]],
    ['ij,ij,jk->ik', [[4, 5], [4, 5], [5, 3]]],
  ];
  for (const [equation, shapes] of cases) {
    const names = shapes.map((_, i) => `x${i}`);
    const inputs = Object.fromEntries(shapes.map((s, i) => [names[i]!, randomTensor(s, 50 + i)]));
    await expectSameAsOrt({ op: 'Einsum', attrs: { equation }, inputs, inputOrder: names, outputs: ['y'] });
  }
});

test('MaxPool with Indices (ceil_mode, pads) and AveragePool count_include_pad, dilations', async () => {
  const x = randomTensor([2, 8, 27, 27], 60);
  await expectSameAsOrt({
    op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1 },
    inputs: { x }, inputOrder: ['x'], outputs: ['y', 'i'],
  });
  await expectSameAsOrt({
    op: 'MaxPool', attrs: { kernel_shape: [2, 3], storage_order: 1 }, inputs: { x }, inputOrder: ['x'], outputs: ['y', 'i'],
  });
  for (const count_include_pad of [0, 1]) {
    await expectSameAsOrt({
      op: 'AveragePool', opset: 19, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 2], count_include_pad },
      inputs: { x }, inputOrder: ['x'], outputs: ['y'],
    });
  }
});

test('BatchNormalization, InstanceNormalization, LayerNormalization at realistic sizes', async () => {
  const x = randomTensor([2, 64, 14, 14], 70, -3, 3);
  const perChannel = (seed: number, lo = -1, hi = 1) => randomTensor([64], seed, lo, hi);
  await expectSameAsOrt({
    op: 'BatchNormalization', attrs: { epsilon: 1e-3 },
    inputs: { x }, initializers: { s: perChannel(71), b: perChannel(72), m: perChannel(73), v: perChannel(74, 0.1, 2) },
    inputOrder: ['x', 's', 'b', 'm', 'v'], outputs: ['y'],
  });
  await expectSameAsOrt({
    op: 'InstanceNormalization', inputs: { x }, initializers: { s: perChannel(75), b: perChannel(76) },
    inputOrder: ['x', 's', 'b'], outputs: ['y'],
  });
  await expectSameAsOrt({
    op: 'LayerNormalization', opset: 17, attrs: { axis: -1 },
    inputs: { x: randomTensor([4, 16, 384], 77, -3, 3) }, initializers: { s: randomTensor([384], 78), b: randomTensor([384], 79) },
    inputOrder: ['x', 's', 'b'], outputs: ['y', 'mean', 'inv'],
  });
  await expectSameAsOrt({
    op: 'LayerNormalization', opset: 17, attrs: { axis: 1, epsilon: 1e-3 },
    inputs: { x: randomTensor([3, 5, 6, 7], 80) }, initializers: { s: randomTensor([6, 7], 81) },
    inputOrder: ['x', 's'], outputs: ['y'],
  });
});

test('BatchNormalization opset 7: spatial = 1 is upgraded, spatial = 0 is refused by name', async () => {
  const bn = (spatial: number): OneNodeSpec => ({
    op: 'BatchNormalization', opset: 7, attrs: { spatial },
    inputs: { x: randomTensor([2, 3, 5, 5], 90) },
    initializers: { s: randomTensor([3], 91), b: randomTensor([3], 92), m: randomTensor([3], 93), v: randomTensor([3], 94, 0.5, 1) },
    inputOrder: ['x', 's', 'b', 'm', 'v'], outputs: ['y'],
  });
  await expectSameAsOrt(bn(1));
  await assert.rejects(runNnrt(oneNodeModel(bn(0)), bn(0).inputs), (e: unknown) => e instanceof UnsupportedError && /spatial = 0/.test(e.message));
});
