// The WebAssembly SIMD CPU kernels (src/cpu/) against onnxruntime-node on odd shapes: K and N not
// multiples of the 4×8 tile, groups, depthwise with channel multipliers, strides, dilations,
// asymmetric and automatic pads, 1-D convs, transposed and broadcast Gemm operands, batched MatMul.
// Each case runs with the fast kernels and with the reference kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { expectOneNodeLikeOrt, oneNodeModel, randomTensor, runNnrt, type AttrSpec } from '../helpers/ort-reference.js';
import type { Tolerance } from '../../src/tensor/compare.js';

const TOL: Tolerance = { atol: 1e-4, rtol: 1e-4 };
const KERNELS = ['fast', 'reference'] as const;

test('WebAssembly SIMD is available in this Node, so the fast kernels are the ones tested', () => {
  assert.ok(wasmKernels(), 'the WebAssembly SIMD kernels did not instantiate');
});

test('cpuKernels picks the path: fast runs the WebAssembly kernels, reference does not', async () => {
  const calls: string[] = [];
  const run = WasmKernels.prototype.run;
  WasmKernels.prototype.run = function (perThread) {
    for (const list of perThread) for (const [name] of list) calls.push(name);
    run.call(this, perThread);
  };
  try {
    const inputs = { x: randomTensor([1, 3, 6, 6], 1), w: randomTensor([4, 3, 3, 3], 2) };
    const model = oneNodeModel({ op: 'Conv', inputs, inputOrder: ['x', 'w'], outputs: ['y'] });
    await runNnrt(model, inputs, 'reference');
    assert.deepEqual(calls, []);
    await runNnrt(model, inputs, 'fast');
    assert.deepEqual(calls, ['convChunks']); // K = 27: im2col in chunks + the direct kernel, one call
  } finally {
    WasmKernels.prototype.run = run;
  }
});

interface ConvCase {
  x: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, AttrSpec>;
}

const CONV_CASES: Record<string, ConvCase> = {
  'odd channels 3×3 pad 1': { x: [1, 3, 7, 9], w: [5, 3, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1] } },
  '1×1 (GEMM on X directly)': { x: [2, 7, 5, 6], w: [9, 7, 1, 1], bias: true },
  '1×1 stride 2': { x: [1, 6, 9, 7], w: [5, 6, 1, 1], attrs: { strides: [2, 2] } },
  'stride 2, asymmetric pads': { x: [1, 4, 11, 10], w: [6, 4, 3, 3], bias: true, attrs: { strides: [2, 2], pads: [0, 1, 2, 1] } },
  'dilation 2, stride (1, 3)': { x: [1, 3, 12, 13], w: [4, 3, 3, 2], attrs: { dilations: [2, 2], strides: [1, 3], pads: [2, 1, 2, 0] } },
  'groups 3': { x: [2, 6, 8, 7], w: [9, 2, 3, 3], bias: true, attrs: { group: 3, pads: [1, 1, 1, 1] } },
  'depthwise 3×3 stride 1': { x: [2, 5, 9, 11], w: [5, 1, 3, 3], bias: true, attrs: { group: 5, pads: [1, 1, 1, 1] } },
  'depthwise 3×3 stride 2': { x: [1, 4, 14, 13], w: [4, 1, 3, 3], bias: true, attrs: { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] } },
  'depthwise stride 3, dilation 2': { x: [1, 3, 17, 19], w: [3, 1, 3, 3], attrs: { group: 3, strides: [3, 3], dilations: [2, 2], pads: [2, 2, 1, 0] } },
  'depthwise multiplier 2, 5×5': { x: [1, 3, 10, 9], w: [6, 1, 5, 5], bias: true, attrs: { group: 3, pads: [2, 2, 2, 2] } },
  'depthwise, no pads, narrow': { x: [1, 2, 5, 3], w: [2, 1, 3, 2], attrs: { group: 2 } },
  'auto_pad SAME_UPPER stride 2': { x: [1, 3, 9, 10], w: [5, 3, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  'auto_pad SAME_LOWER': { x: [1, 2, 6, 7], w: [3, 2, 4, 4], attrs: { auto_pad: 'SAME_LOWER' } },
  'large K (7×7, 13 channels)': { x: [1, 13, 20, 21], w: [17, 13, 7, 7], bias: true, attrs: { pads: [3, 3, 3, 3], strides: [2, 2] } },
  '1-D, stride 2, pads': { x: [2, 5, 17], w: [7, 5, 3], bias: true, attrs: { strides: [2], pads: [1, 2] } },
  '1-D depthwise, dilation 3': { x: [1, 4, 23], w: [4, 1, 3], attrs: { group: 4, dilations: [3], pads: [3, 3] } },
  'many output channels (M > 128 row block)': { x: [1, 5, 6, 6], w: [131, 5, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1] } },
};

for (const [name, c] of Object.entries(CONV_CASES)) {
  for (const kernels of KERNELS) {
    test(`Conv ${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs = { x: randomTensor(c.x, 1), w: randomTensor(c.w, 2), ...(c.bias ? { b: randomTensor([c.w[0]!], 3) } : {}) };
      await expectOneNodeLikeOrt({ op: 'Conv', attrs: c.attrs ?? {}, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }, TOL, kernels);
    });
  }
}

interface GemmCase {
  a: number[];
  b: number[];
  c?: number[];
  attrs?: Record<string, AttrSpec>;
}

const GEMM_CASES: Record<string, GemmCase> = {
  'odd M, K, N': { a: [7, 13], b: [13, 11] },
  'transA, transB, alpha, beta, full C': { a: [9, 5], b: [6, 9], c: [5, 6], attrs: { transA: 1, transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } } },
  'row C broadcast, K > 256 (two K slices)': { a: [5, 300], b: [300, 10], c: [10] },
  'column C broadcast, transB': { a: [6, 19], b: [21, 19], c: [6, 1], attrs: { transB: 1 } },
  'M = 1, transB (a classifier head)': { a: [1, 37], b: [29, 37], c: [29], attrs: { transB: 1 } },
  'M = 1, plain B': { a: [1, 23], b: [23, 31], c: [1, 31] },
  'N = 1': { a: [9, 14], b: [14, 1] },
  'beta 0 ignores C': { a: [4, 4], b: [4, 4], c: [4, 4], attrs: { beta: { float: 0 } } },
};

for (const [name, g] of Object.entries(GEMM_CASES)) {
  for (const kernels of KERNELS) {
    test(`Gemm ${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs = { a: randomTensor(g.a, 4), b: randomTensor(g.b, 5), ...(g.c ? { c: randomTensor(g.c, 6) } : {}) };
      await expectOneNodeLikeOrt({ op: 'Gemm', attrs: g.attrs ?? {}, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }, TOL, kernels);
    });
  }
}

const MATMUL_CASES: Record<string, [number[], number[]]> = {
  'odd 2-D': [[11, 7], [7, 13]],
  'batch folded into M': [[3, 5, 9], [9, 6]],
  'broadcast batches': [[2, 1, 4, 6], [3, 6, 5]],
  'vector · matrix': [[7], [7, 9]],
  'matrix · vector': [[5, 7], [7]],
  'wide N past one column block': [[3, 17], [17, 4100]],
};

for (const [name, [a, b]] of Object.entries(MATMUL_CASES)) {
  for (const kernels of KERNELS) {
    test(`MatMul ${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs = { a: randomTensor(a, 7), b: randomTensor(b, 8) };
      await expectOneNodeLikeOrt({ op: 'MatMul', inputs, inputOrder: ['a', 'b'], outputs: ['y'] }, TOL, kernels);
    });
  }
}

const MAXPOOL_CASES: Record<string, [number[], Record<string, AttrSpec>]> = {
  '3×3 stride 2 ceil mode (SqueezeNet)': [[1, 3, 13, 15], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
  '3×3 stride 2 pad 1': [[2, 4, 11, 12], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
  '2×2 stride 2, odd image': [[1, 2, 9, 7], { kernel_shape: [2, 2], strides: [2, 2] }],
  'stride 3, dilation 2, asymmetric pads': [[1, 3, 16, 17], { kernel_shape: [3, 2], strides: [3, 3], dilations: [2, 2], pads: [1, 0, 2, 1] }],
  'stride 1, SAME_UPPER': [[1, 2, 6, 9], { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER' }],
  '1-D, ceil mode': [[2, 3, 20], { kernel_shape: [4], strides: [3], ceil_mode: 1 }],
};

for (const [name, [shape, attrs]] of Object.entries(MAXPOOL_CASES)) {
  for (const kernels of KERNELS) {
    test(`MaxPool ${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs = { x: randomTensor(shape, 9) };
      await expectOneNodeLikeOrt({ op: 'MaxPool', attrs, inputs, inputOrder: ['x'], outputs: ['y'] }, TOL, kernels);
    });
  }
}

const MOVE_CASES: Record<string, [string, number[], Record<string, AttrSpec>, number]> = {
  'Transpose channel shuffle [1,2,5,4,6] perm 0,2,1,3,4': ['Transpose', [1, 2, 5, 4, 6], { perm: [0, 2, 1, 3, 4] }, 1],
  'Transpose [3,4,17] perm 1,0,2': ['Transpose', [3, 4, 17], { perm: [1, 0, 2] }, 1],
  'Transpose moving the last axis (reference path)': ['Transpose', [3, 4, 5], { perm: [2, 0, 1] }, 1],
  'Split axis 1 into 2 (ShuffleNet)': ['Split', [2, 6, 4, 5], { axis: 1, num_outputs: 2 }, 2],
  'Split axis 0 into 3 uneven': ['Split', [7, 20], { axis: 0, num_outputs: 3 }, 3],
  'Split last axis (reference path)': ['Split', [4, 6], { axis: -1, num_outputs: 2 }, 2],
};

for (const [name, [op, shape, attrs, outputs]] of Object.entries(MOVE_CASES)) {
  for (const kernels of KERNELS) {
    test(`${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs = { x: randomTensor(shape, 10) };
      const outs = Array.from({ length: outputs }, (_, i) => `y${i}`);
      await expectOneNodeLikeOrt({ op, attrs, inputs, inputOrder: ['x'], outputs: outs }, TOL, kernels);
    });
  }
}
