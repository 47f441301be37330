// The fast CPU kernels on a pool of worker_threads sharing their memory (3 threads, more than this
// machine may have, so that work splits unevenly): results still match onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { prepareWasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { setParallelMacs, splitRange, splitWork } from '../../src/cpu/parallel.js';
import { expectOneNodeLikeOrt, randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import '../../src/ops/index.js';

const TOL = { atol: 1e-4, rtol: 1e-4 };

test('split ranges cover [0, total) in aligned pieces', () => {
  assert.deepEqual(splitRange(10, 3), [[0, 4], [4, 4], [8, 2]]);
  assert.deepEqual(splitRange(20, 2, 8), [[0, 16], [16, 4]]);
  assert.deepEqual(splitRange(5, 4, 8), [[0, 5]]);
  assert.deepEqual(splitRange(0, 2), []);
});

test('the pool starts with shared memory and 3 threads', async () => {
  installNodeCpuThreads(3);
  assert.equal(await prepareWasmKernels(), true);
  assert.equal(wasmKernels()?.threads, 3);
  setParallelMacs(1 << 10); // the small cases below still split over every thread
});

test('splitWork: even shares per thread, each cut into pieces in order (a thread\'s own block of lists)', () => {
  const wasm = wasmKernels()!;
  // 14 tile rows over 3 threads, 2 pieces each: shares 5 + 5 + 4
  assert.deepEqual(splitWork(wasm, 14, 1 << 30, 1, 2), [[0, 3], [3, 2], [5, 3], [8, 2], [10, 2], [12, 2]]);
  // columns in multiples of 8 (shares 40 + 40 + 20), up to 4 pieces a thread
  assert.deepEqual(splitWork(wasm, 100, 1 << 30, 8), [[0, 16], [16, 16], [32, 8], [40, 16], [56, 16], [72, 8], [80, 8], [88, 8], [96, 4]]);
  // too little work for pieces: one list a thread; for threads: one list
  assert.deepEqual(splitWork(wasm, 30, 3 * 1024), [[0, 10], [10, 10], [20, 10]]);
  assert.deepEqual(splitWork(wasm, 30, 100), [[0, 30]]);
});

test('thousands of back-to-back jobs: every list runs once, whichever thread claims it', () => {
  const wasm = wasmKernels()!;
  const planes = 3 * 7;
  const size = 50;
  const x = new Float32Array(planes * size).map((_, i) => (i % 13) - 6 + i / 1000);
  const want = Array.from({ length: planes }, (_, p) => x.subarray(p * size, (p + 1) * size).reduce((a, b) => a + b, 0) / size);
  const mark = wasm.mark();
  const xAt = wasm.put(x);
  const yAt = wasm.alloc(planes);
  for (let job = 0; job < 3000; job++) {
    wasm.floats().fill(NaN, yAt / 4, yAt / 4 + planes);
    wasm.run(splitRange(planes, 3).map(([p0, pc]) => [['globalPool', [xAt + p0 * size * 4, yAt + p0 * 4, pc, size, 0]] as const]));
    const y = wasm.read(yAt, planes);
    for (let p = 0; p < planes; p++) assert.ok(Math.abs(y[p]! - want[p]!) < 1e-5, `job ${job}, plane ${p}: ${y[p]} vs ${want[p]}`);
  }
  wasm.rewind(mark);
});

const CASES: Record<string, [string, Record<string, number[]>, Record<string, AttrSpec>]> = {
  'Conv 3×3 pad 1, 37 channels (im2col split, GEMM split by columns)': ['Conv', { x: [1, 37, 23, 21], w: [29, 37, 3, 3], b: [29] }, { pads: [1, 1, 1, 1] }],
  'Conv 1×1, 2 images': ['Conv', { x: [2, 64, 17, 19], w: [67, 64, 1, 1] }, {}],
  'Conv depthwise stride 2, 2 images': ['Conv', { x: [2, 48, 30, 29], w: [48, 1, 3, 3], b: [48] }, { group: 48, strides: [2, 2], pads: [1, 1, 1, 1] }],
  'Conv depthwise, 12 images (images split)': ['Conv', { x: [12, 16, 20, 19], w: [16, 1, 3, 3], b: [16] }, { group: 16, pads: [1, 1, 1, 1] }],
  'Conv depthwise 3×3, one image (bands of output rows, 10 + 10 + 9)': ['Conv', { x: [1, 24, 29, 31], w: [24, 1, 3, 3], b: [24] }, { group: 24, pads: [1, 1, 1, 1] }],
  'Conv depthwise 3×3 stride 2, 2 outputs per channel, one image (bands)': ['Conv', { x: [1, 8, 30, 29], w: [16, 1, 3, 3], b: [16] }, { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }],
  'Conv depthwise 3×3, one image of 3 rows (channels split)': ['Conv', { x: [1, 36, 3, 40], w: [36, 1, 3, 3] }, { group: 36, pads: [1, 1, 1, 1] }],
  'Conv depthwise 5×5, one image (channels split)': ['Conv', { x: [1, 12, 20, 20], w: [12, 1, 5, 5], b: [12] }, { group: 12, pads: [2, 2, 2, 2] }],
  'Conv groups 2': ['Conv', { x: [1, 32, 20, 20], w: [34, 16, 3, 3] }, { group: 2, pads: [1, 1, 1, 1] }],
  'MaxPool 3×3 stride 2 ceil': ['MaxPool', { x: [1, 64, 55, 55] }, { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
  'Gemm transB, bias': ['Gemm', { a: [33, 300], b: [201, 300], c: [201] }, { transB: 1 }],
  'MatMul batched': ['MatMul', { a: [3, 40, 70], b: [3, 70, 90] }, {}],
  'Add per channel (rows split inside an image)': ['Add', { a: [2, 64, 56, 56], b: [64, 1, 1] }, {}],
  'Add per channel, one image (rows split across outer blocks)': ['Add', { a: [1, 131, 57, 55], b: [131, 1, 1] }, {}],
  'Mul same shape (flat split)': ['Mul', { a: [2, 7, 170, 170], b: [2, 7, 170, 170] }, {}],
  'Relu': ['Relu', { x: [1, 16, 160, 161] }, {}],
  'Sigmoid': ['Sigmoid', { x: [3, 211, 97] }, {}],
  'BatchNormalization, one image (channels split)': ['BatchNormalization', { x: [1, 33, 80, 79], s: [33], b: [33], m: [33], v: [33] }, {}],
  'AveragePool 3×3 stride 1 pad 1': ['AveragePool', { x: [1, 17, 40, 41] }, { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
  'GlobalAveragePool': ['GlobalAveragePool', { x: [2, 67, 40, 40] }, {}],
  'Softmax': ['Softmax', { x: [67, 503] }, {}],
  'LayerNormalization': ['LayerNormalization', { x: [201, 607], g: [607], b: [607] }, {}],
};

for (const [name, [op, shapes, attrs]] of Object.entries(CASES)) {
  test(`${name} on 3 threads matches onnxruntime`, async () => {
    installNodeCpuThreads(3);
    await prepareWasmKernels();
    const inputs = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, randomTensor(s, i + 1, k === 'v' ? 0.1 : -1, 1)]));
    await expectOneNodeLikeOrt({ op, attrs, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }, TOL, 'fast');
  });
}

test('CPU engine on 3 threads: a depthwise 3×3 conv in bands of output rows with a residual + HardSwish epilogue matches onnxruntime', async () => {
  installNodeCpuThreads(3);
  await prepareWasmKernels();
  const inputs = { x: randomTensor([1, 12, 31, 23], 1), r: randomTensor([1, 12, 31, 23], 4) };
  const model = patternModel({
    inputs,
    initializers: { w: randomTensor([12, 1, 3, 3], 2), b: randomTensor([12], 3) },
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { group: 12, pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'r'], outputs: ['s'] },
      { op: 'HardSwish', inputs: ['s'], outputs: ['y'] },
    ],
    outputs: ['y'],
  });
  const want = await runOrt(model, inputs);
  const engine = CpuEngine.build(importOnnx(model).graph, { x: [1, 12, 31, 23], r: [1, 12, 31, 23] }, { timeTactics: false, log: () => {} });
  try {
    assert.deepEqual(engine.plan.layers.map((l) => l.tactic), ['depthwise']); // one layer: the epilogue fused
    const c = compareTensors(engine.run(inputs).y!, want.y!, FP32_TOLERANCE);
    assert.ok(c.pass, `max abs ${c.maxAbsError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
  } finally {
    engine.dispose();
  }
});
