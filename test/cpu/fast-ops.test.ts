// The framework's fast kernels added for issue 19 against onnxruntime-node on odd shapes:
// activations, Add/Sub/Mul/Div in each broadcast form (either operand broadcast), inference
// BatchNormalization, AveragePool (count_include_pad both ways, ceil mode, dilations),
// GlobalAverage/MaxPool, Softmax/LogSoftmax, LayerNormalization, Concat, ReduceMean/ReduceMax over trailing axes; and Conv/Gemm/MatMul with constant
// weights (initializers), which stay packed in the kernels' memory across runs until dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectOneNodeLikeOrt, oneNodeModel, randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const TOL = { atol: 1e-4, rtol: 1e-4 };
const scalar = (v: number) => new Tensor('float32', [], Float32Array.of(v));
const ints = (v: number[]) => new Tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));

interface Case { op: string; inputs: Record<string, number[] | Tensor>; attrs?: Record<string, AttrSpec>; outputs?: string[]; opset?: number; range?: number }
const CASES: Record<string, Case> = {
  'Relu': { op: 'Relu', inputs: { x: [2, 3, 7, 5] } },
  'Sigmoid, wide range': { op: 'Sigmoid', inputs: { x: [3, 41] }, range: 20 },
  'Tanh, wide range': { op: 'Tanh', inputs: { x: [5, 23] }, range: 6 },
  'Clip min and max': { op: 'Clip', inputs: { x: [4, 9], lo: scalar(-0.3), hi: scalar(0.45) } },
  'Clip max only': { op: 'Clip', inputs: { x: [17], '': [], hi: scalar(0.2) } },
  'LeakyRelu': { op: 'LeakyRelu', inputs: { x: [3, 13] }, attrs: { alpha: { float: 0.2 } } },
  'HardSigmoid': { op: 'HardSigmoid', inputs: { x: [3, 13] }, attrs: { alpha: { float: 0.3 }, beta: { float: 0.6 } }, range: 4 },
  'HardSwish': { op: 'HardSwish', inputs: { x: [2, 19] }, range: 5 },
  'Add same shape': { op: 'Add', inputs: { a: [2, 3, 5, 7], b: [2, 3, 5, 7] } },
  'Add per channel NCHW': { op: 'Add', inputs: { a: [2, 3, 5, 7], b: [3, 1, 1] } },
  'Mul per channel, broadcast first': { op: 'Mul', inputs: { a: [1, 6, 1, 1], b: [2, 6, 4, 3] } },
  'Sub scalar': { op: 'Sub', inputs: { a: [3, 11], b: [1] } },
  'Sub scalar first': { op: 'Sub', inputs: { a: [], b: [3, 11] } },
  'Div last-axis vector': { op: 'Div', inputs: { a: [4, 5, 9], b: [9] } },
  'Div last-axis vector first': { op: 'Div', inputs: { a: [9], b: [4, 5, 9] } },
  'Mul middle run [5,1]': { op: 'Mul', inputs: { a: [2, 5, 3], b: [5, 1] } },
  'BatchNormalization': { op: 'BatchNormalization', inputs: { x: [2, 5, 6, 7], s: [5], b: [5], m: [5], v: [5] } },
  'BatchNormalization rank 2': { op: 'BatchNormalization', inputs: { x: [3, 9], s: [9], b: [9], m: [9], v: [9] } },
  'AveragePool 3×3 stride 2 pad 1': { op: 'AveragePool', inputs: { x: [1, 3, 11, 12] }, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  'AveragePool count_include_pad, asymmetric pads': { op: 'AveragePool', inputs: { x: [2, 2, 9, 10] }, attrs: { kernel_shape: [3, 2], pads: [1, 0, 2, 1], count_include_pad: 1 } },
  'AveragePool ceil mode, count_include_pad': { op: 'AveragePool', inputs: { x: [1, 2, 10, 11] }, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 } },
  'AveragePool dilation 2': { op: 'AveragePool', inputs: { x: [1, 2, 12, 13] }, attrs: { kernel_shape: [2, 3], dilations: [2, 2] }, opset: 19 },
  'AveragePool 1-D': { op: 'AveragePool', inputs: { x: [2, 3, 19] }, attrs: { kernel_shape: [4], strides: [3], pads: [1, 2] } },
  'GlobalAveragePool': { op: 'GlobalAveragePool', inputs: { x: [2, 7, 5, 9] } },
  'GlobalMaxPool 3-D': { op: 'GlobalMaxPool', inputs: { x: [2, 3, 4, 3, 5] } },
  'Softmax last axis': { op: 'Softmax', inputs: { x: [3, 4, 37] }, range: 10 },
  'LogSoftmax last axis': { op: 'LogSoftmax', inputs: { x: [5, 3] }, range: 10 },
  'Softmax axis 1 (reference path)': { op: 'Softmax', inputs: { x: [3, 4, 5] }, attrs: { axis: 1 } },
  'Concat axis 1 (SqueezeNet fire)': { op: 'Concat', inputs: { a: [2, 3, 4, 5], b: [2, 2, 4, 5], c: [2, 1, 4, 5] }, attrs: { axis: 1 } },
  'Concat axis -2': { op: 'Concat', inputs: { a: [3, 4, 17], b: [3, 2, 17] }, attrs: { axis: -2 } },
  'Concat last axis (reference path)': { op: 'Concat', inputs: { a: [3, 4], b: [3, 2] }, attrs: { axis: 1 } },
  'ReduceMean over H, W (ShuffleNet head)': { op: 'ReduceMean', inputs: { x: [2, 7, 5, 3], axes: ints([2, 3]) }, attrs: { keepdims: 0 } },
  'ReduceMean last axis, keepdims': { op: 'ReduceMean', inputs: { x: [3, 4, 9], axes: ints([-1]) } },
  'ReduceMax all axes': { op: 'ReduceMax', inputs: { x: [3, 4, 9] }, attrs: { keepdims: 0 } },
  'ReduceMax middle axis (reference path)': { op: 'ReduceMax', inputs: { x: [3, 4, 9], axes: ints([1]) } },
  'LayerNormalization last axis': { op: 'LayerNormalization', inputs: { x: [4, 6, 19], g: [19], b: [19] } },
  'LayerNormalization axis -2, no bias': { op: 'LayerNormalization', inputs: { x: [3, 5, 7], g: [5, 7] }, attrs: { axis: -2, epsilon: { float: 1e-3 } } },
};

for (const [name, c] of Object.entries(CASES)) {
  for (const kernels of ['fast', 'reference'] as const) {
    test(`${name} (${kernels}) matches onnxruntime`, async () => {
      const inputs: Record<string, Tensor> = {};
      Object.entries(c.inputs).forEach(([k, s], i) => {
        if (k === '') return;
        const range = c.range ?? 2;
        inputs[k] = s instanceof Tensor ? s : randomTensor(s, i + 1, k === 'v' ? 0.1 : -range, range);
      });
      const order = Object.keys(c.inputs);
      await expectOneNodeLikeOrt({ op: c.op, opset: c.opset, attrs: c.attrs ?? {}, inputs, inputOrder: order, outputs: c.outputs ?? ['y'] }, TOL, kernels);
    });
  }
}

const KERNEL_OF: Record<string, string> = {
  'Relu': 'activation', 'Clip min and max': 'activation', 'Add per channel NCHW': 'binary', 'Div last-axis vector first': 'binary',
  'BatchNormalization': 'channelAffine', 'AveragePool count_include_pad, asymmetric pads': 'avgPool2d', 'GlobalAveragePool': 'globalPool',
  'Softmax last axis': 'softmaxRows', 'ReduceMean over H, W (ShuffleNet head)': 'globalPool', 'LayerNormalization last axis': 'layerNormRows',
};

test('the fast path runs the WebAssembly kernels for these ops', async () => {
  const names: string[] = [];
  const run = WasmKernels.prototype.run;
  WasmKernels.prototype.run = function (perThread) {
    for (const list of perThread) for (const [name] of list) names.push(name);
    run.call(this, perThread);
  };
  try {
    for (const [name, kernel] of Object.entries(KERNEL_OF)) {
      const c = CASES[name]!;
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, s], i) => [k, s instanceof Tensor ? s : randomTensor(s, i + 1, 0.1, 1)]));
      const model = oneNodeModel({ op: c.op, attrs: c.attrs ?? {}, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] });
      const s = await createSession(importOnnx(model).graph, { device: 'cpu' });
      names.length = 0;
      await s.run(inputs);
      assert.deepEqual([...new Set(names)], [kernel], name);
    }
  } finally {
    WasmKernels.prototype.run = run;
  }
});

const RESIDENT: Record<string, { op: string; x: number[]; w: Record<string, number[]>; attrs?: Record<string, AttrSpec> }> = {
  'Conv 3×3 with bias': { op: 'Conv', x: [1, 5, 9, 8], w: { w: [7, 5, 3, 3], b: [7] }, attrs: { pads: [1, 1, 1, 1] } },
  'Conv depthwise': { op: 'Conv', x: [2, 6, 9, 8], w: { w: [6, 1, 3, 3], b: [6] }, attrs: { group: 6, strides: [2, 2] } },
  'Gemm transB with bias': { op: 'Gemm', x: [3, 37], w: { b: [29, 37], c: [29] }, attrs: { transB: 1, alpha: { float: 0.7 }, beta: { float: 1.5 } } },
  'MatMul constant B': { op: 'MatMul', x: [2, 5, 21], w: { b: [21, 17] } },
};

for (const [name, c] of Object.entries(RESIDENT)) {
  test(`${name}: constant weights stay packed across runs, released on dispose`, async () => {
    const wasm = wasmKernels()!;
    const inits = Object.fromEntries(Object.entries(c.w).map(([k, s], i) => [k, randomTensor(s, i + 3)]));
    const model = oneNodeModel({ op: c.op, attrs: c.attrs ?? {}, inputs: { x: randomTensor(c.x, 1) }, initializers: inits, inputOrder: ['x', ...Object.keys(c.w)], outputs: ['y'] });
    const s = await createSession(importOnnx(model).graph, { device: 'cpu' });
    const before = wasm.reservedBytes();
    let held = 0;
    for (let run = 0; run < 3; run++) {
      const x = randomTensor(c.x, 10 + run);
      const want = (await runOrt(model, { x })).y!;
      const got = (await s.run({ x })).y!;
      const cmp = compareTensors(got, want, TOL);
      assert.ok(cmp.pass, `run ${run}: ${cmp.reason}`);
      if (run === 0) held = wasm.reservedBytes();
      else assert.equal(wasm.reservedBytes(), held, 'later runs reserve nothing more');
    }
    assert.ok(held > before, 'the weights are resident');
    s.dispose();
    assert.equal(wasm.reservedBytes(), before, 'dispose releases them');
  });
}
