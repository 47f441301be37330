// The fast CPU kernels on a pool of worker_threads sharing their memory (3 threads, more than this
// machine may have, so that work splits unevenly): results still match onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { prepareWasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { splitRange } from '../../src/cpu/parallel.js';
import { expectOneNodeLikeOrt, randomTensor, type AttrSpec } from '../helpers/ort-reference.js';

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
});

const CASES: Record<string, [string, Record<string, number[]>, Record<string, AttrSpec>]> = {
  'Conv 3×3 pad 1, 37 channels (im2col split, GEMM split by columns)': ['Conv', { x: [1, 37, 23, 21], w: [29, 37, 3, 3], b: [29] }, { pads: [1, 1, 1, 1] }],
  'Conv 1×1, 2 images': ['Conv', { x: [2, 64, 17, 19], w: [67, 64, 1, 1] }, {}],
  'Conv depthwise stride 2, 2 images': ['Conv', { x: [2, 48, 30, 29], w: [48, 1, 3, 3], b: [48] }, { group: 48, strides: [2, 2], pads: [1, 1, 1, 1] }],
  'Conv depthwise, 12 images (images split)': ['Conv', { x: [12, 16, 20, 19], w: [16, 1, 3, 3], b: [16] }, { group: 16, pads: [1, 1, 1, 1] }],
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
