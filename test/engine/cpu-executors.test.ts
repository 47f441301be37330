// Each fast CPU executor against onnxruntime on small pattern models (built with CpuEngine, tactic
// timing on so every candidate runs once): the layer under test must get a fast executor, not
// the lowered one, and every output must match within 1e-4 + 1e-3·|x|.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

/** Builds the pattern on the CPU engine, compares with onnxruntime; returns kind → executor names. */
async function expectCpuLikeOrt(spec: PatternSpec): Promise<Map<string, string[]>> {
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const engine = CpuEngine.build(graph, shapes);
  try {
    const got = engine.run(spec.inputs);
    for (const name of spec.outputs) {
      const c = compareTensors(got[name]!, want[name]!, FP32_TOLERANCE);
      assert.ok(c.pass, `${name}: max abs ${c.maxAbsError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
    }
    const kinds = new Map<string, string[]>();
    for (const l of engine.plan.layers) kinds.set(l.kind, [...(kinds.get(l.kind) ?? []), l.tactic]);
    return kinds;
  } finally {
    engine.dispose();
  }
}

const fast = (kinds: Map<string, string[]>, kind: string) => {
  const t = kinds.get(kind);
  assert.ok(t && t.length && t.every((n) => n !== 'lowered'), `${kind}: ${JSON.stringify(Object.fromEntries(kinds))}`);
};

test('conv + bias + residual add + relu (fused epilogue), depthwise conv, strided padded conv, max and average pools', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([2, 4, 9, 9], 1) },
    initializers: {
      w: randomTensor([4, 4, 3, 3], 2), b: randomTensor([4], 3), dw: randomTensor([4, 1, 3, 3], 4), w2: randomTensor([6, 4, 3, 3], 5),
    },
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'x'], outputs: ['s'] },
      { op: 'Relu', inputs: ['s'], outputs: ['r'] },
      { op: 'Conv', inputs: ['r', 'dw'], outputs: ['d'], attrs: { group: 4, pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['d', 'w2'], outputs: ['e'], attrs: { strides: [2, 2], pads: [0, 1, 1, 0], dilations: [1, 1] } },
      { op: 'MaxPool', inputs: ['e'], outputs: ['m'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'AveragePool', inputs: ['e'], outputs: ['a'], attrs: { kernel_shape: [2, 3], pads: [0, 1, 1, 1], count_include_pad: 1 } },
      { op: 'GlobalAveragePool', inputs: ['e'], outputs: ['g'] },
    ],
    outputs: ['m', 'a', 'g'],
  });
  fast(kinds, 'conv');
  fast(kinds, 'pool');
  assert.ok(kinds.get('conv')!.includes('depthwise') || kinds.get('conv')!.length === 3);
});

test('gemm with bias and activation, strided batched matmul with transposed operands and batch broadcast', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([3, 5, 8], 1), q: randomTensor([2, 4, 3, 6], 2), k: randomTensor([2, 5, 3, 6], 3), v: randomTensor([1, 3, 5, 7], 4) },
    initializers: { w: randomTensor([8, 6], 5), b: randomTensor([6], 6) },
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['xb'] },
      { op: 'Sigmoid', inputs: ['xb'], outputs: ['y'] },
      // [2,4,3,6] → [2,3,4,6] and [2,5,3,6] → [2,3,6,5]: Q·Kᵀ per head, then ·V broadcast over the batch
      { op: 'Transpose', inputs: ['q'], outputs: ['qt'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'MatMul', inputs: ['qt', 'kt'], outputs: ['s'] },
      { op: 'MatMul', inputs: ['s', 'v'], outputs: ['o'] },
    ],
    outputs: ['y', 'o'],
  });
  fast(kinds, 'gemm');
  fast(kinds, 'matmul');
});

test('pointwise chains with numpy broadcasts, softmax with a scale and a mask, layer norm with a skip add (and the sum as a second output)', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([2, 3, 4, 5], 1), y: randomTensor([3, 1, 5], 2), r: randomTensor([2, 3, 4, 5], 3), m: randomTensor([1, 1, 4, 5], 4, -2, 0) },
    initializers: {
      c: randomTensor([1, 3, 1, 1], 5, 0.5, 1.5), half: Tensor.fromArray([], [0.5]), s: randomTensor([5], 6), bias: randomTensor([5], 7),
      two: Tensor.fromArray([], [2]),
    },
    nodes: [
      { op: 'Mul', inputs: ['x', 'c'], outputs: ['a'] },
      { op: 'Add', inputs: ['a', 'y'], outputs: ['b'] },
      { op: 'Tanh', inputs: ['b'], outputs: ['t'] },
      { op: 'Sub', inputs: ['t', 'half'], outputs: ['u'] },
      { op: 'Exp', inputs: ['u'], outputs: ['e'] },
      { op: 'Div', inputs: ['e', 'c'], outputs: ['p'] },
      { op: 'Mul', inputs: ['x', 'two'], outputs: ['xs'] },
      { op: 'Add', inputs: ['xs', 'm'], outputs: ['xm'] },
      { op: 'Softmax', inputs: ['xm'], outputs: ['sm'], attrs: { axis: -1 } },
      { op: 'Add', inputs: ['x', 'r'], outputs: ['xr'] },
      { op: 'LayerNormalization', inputs: ['xr', 's', 'bias'], outputs: ['ln'], attrs: { axis: -1, epsilon: 1e-5 } },
      // the residual sum read again after the norm: the norm layer writes it as its second output
      { op: 'Mul', inputs: ['xr', 'two'], outputs: ['xr2'] },
    ],
    outputs: ['p', 'sm', 'ln', 'xr2'],
  });
  fast(kinds, 'pointwise');
  fast(kinds, 'softmax');
  fast(kinds, 'norm');
});

test('data movement: transpose, split into slices, concat of two images (a copy), reshape as a view', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([2, 6, 3, 4], 1) },
    initializers: { w: randomTensor([2, 6, 1, 1], 2), shape: Tensor.fromNumeric('int64', [3], [2, 4, 24]), split: Tensor.fromNumeric('int64', [2], [2, 4]) },
    nodes: [
      { op: 'Split', inputs: ['x', 'split'], outputs: ['s0', 's1'], attrs: { axis: 1 } },
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { op: 'Relu', inputs: ['s0'], outputs: ['r'] },
      { op: 'Concat', inputs: ['c', 'r', 's1'], outputs: ['cat'], attrs: { axis: 1 } },
      { op: 'Transpose', inputs: ['cat'], outputs: ['t'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Reshape', inputs: ['cat', 'shape'], outputs: ['v'] },
    ],
    outputs: ['t', 'v'],
  });
  for (const k of ['slice', 'concat', 'transpose', 'reshape']) fast(kinds, k);
});

test('fused attention: Q·Kᵀ scaled, masked, softmax, ·V (the attention fusion), on the CPU executor', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { q: randomTensor([2, 2, 5, 4], 1), k: randomTensor([2, 2, 6, 4], 2), v: randomTensor([2, 2, 6, 3], 3), m: randomTensor([2, 1, 1, 6], 4, -3, 0) },
    initializers: { s: Tensor.fromArray([], [0.5]) },
    nodes: [
      { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 1, 3, 2] } },
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
      { op: 'Mul', inputs: ['qk', 's'], outputs: ['qks'] },
      { op: 'Add', inputs: ['qks', 'm'], outputs: ['qkm'] },
      { op: 'Softmax', inputs: ['qkm'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
    ],
    outputs: ['o'],
  });
  fast(kinds, 'attention');
});

test('reductions over any axes (mean, max, sum of squares, L2), kept and dropped dims', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([2, 3, 4, 5], 1) },
    initializers: { a: Tensor.fromNumeric('int64', [2], [1, 3]), b: Tensor.fromNumeric('int64', [1], [-1]), c: Tensor.fromNumeric('int64', [2], [0, 2]) },
    nodes: [
      { op: 'ReduceMean', inputs: ['x', 'a'], outputs: ['m'], attrs: { keepdims: 1 } },
      { op: 'ReduceMax', inputs: ['x', 'b'], outputs: ['mx'], attrs: { keepdims: 0 } },
      { op: 'ReduceSumSquare', inputs: ['x', 'c'], outputs: ['ss'], attrs: { keepdims: 0 } },
      { op: 'ReduceL2', inputs: ['x', 'b'], outputs: ['l2'], attrs: { keepdims: 1 } },
    ],
    outputs: ['m', 'mx', 'ss', 'l2'],
  });
  fast(kinds, 'reduce');
});

test('channel shuffle (reshape, 5-D transpose of whole planes, reshape), strided slice, means over trailing axes', async () => {
  const kinds = await expectCpuLikeOrt({
    inputs: { x: randomTensor([1, 6, 3, 5], 1) },
    initializers: {
      s5: Tensor.fromNumeric('int64', [5], [1, 2, 3, 3, 5]), s4: Tensor.fromNumeric('int64', [4], [1, 6, 3, 5]),
      st: Tensor.fromNumeric('int64', [2], [1, 0]), en: Tensor.fromNumeric('int64', [2], [6, 5]), ax: Tensor.fromNumeric('int64', [2], [1, 3]), sp: Tensor.fromNumeric('int64', [2], [2, 2]),
      hw: Tensor.fromNumeric('int64', [2], [2, 3]), last: Tensor.fromNumeric('int64', [1], [-1]),
    },
    nodes: [
      { op: 'Reshape', inputs: ['x', 's5'], outputs: ['g'] },
      { op: 'Transpose', inputs: ['g'], outputs: ['gt'], attrs: { perm: [0, 2, 1, 3, 4] } },
      { op: 'Reshape', inputs: ['gt', 's4'], outputs: ['shuffled'] },
      { op: 'Slice', inputs: ['x', 'st', 'en', 'ax', 'sp'], outputs: ['sl'] },
      { op: 'ReduceMean', inputs: ['x', 'hw'], outputs: ['gap'], attrs: { keepdims: 1 } },
      { op: 'ReduceMean', inputs: ['x', 'last'], outputs: ['rowmean'], attrs: { keepdims: 0 } },
    ],
    outputs: ['shuffled', 'sl', 'gap', 'rowmean'],
  });
  for (const k of ['transpose', 'slice', 'reduce']) fast(kinds, k);
});

test('LayerNorm → QuantizeLinear → DequantizeLinear → MatMul (a QDQ transformer\'s input): the cpu engine keeps the quantize a layer of its own and agrees with onnxruntime', async () => {
  const spec: PatternSpec = {
    inputs: { x: randomTensor([2, 5, 16], 61) },
    initializers: {
      g: randomTensor([16], 62, 0.5, 1.5), b: randomTensor([16], 63, -0.2, 0.2),
      s: new Tensor('float32', [], Float32Array.of(0.02)), z: new Tensor('uint8', [], Uint8Array.of(128)),
      wq: new Tensor('int8', [16, 8], Int8Array.from(randomTensor([16, 8], 64, -100, 100).data, (v) => Math.round(v))), ws: new Tensor('float32', [], Float32Array.of(0.01)),
    },
    nodes: [
      { op: 'LayerNormalization', inputs: ['x', 'g', 'b'], outputs: ['n'], attrs: { axis: -1 } },
      { op: 'QuantizeLinear', inputs: ['n', 's', 'z'], outputs: ['q'] },
      { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['d'] },
      { op: 'DequantizeLinear', inputs: ['wq', 'ws'], outputs: ['w'] },
      { op: 'MatMul', inputs: ['d', 'w'], outputs: ['y'] },
    ],
    outputs: ['y'],
    opset: 17,
  };
  const kinds = await expectCpuLikeOrt(spec);
  fast(kinds, 'norm');
  assert.ok(kinds.has('pointwise') || kinds.has('qlinear'), `the quantize is not folded into the norm: ${JSON.stringify(Object.fromEntries(kinds))}`);
});
