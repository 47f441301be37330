// The raw-address kernel API (src/cpu/kernel-api.ts) against onnxruntime-node: convolutions
// (im2col, 1×1 direct, groups, depthwise, 1-D) and GEMMs with packed weights and every fused
// epilogue (bias, residual, each activation, activation before or after the residual), layer
// normalization with a fused residual, on one thread and on a pool of 3. References are small
// ONNX patterns (Conv → Add → activation, …) run by onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import {
  conv2d, createWasmKernels, gemm, layerNorm, matmul, packConvWeights, packGemmB, prepareWasmKernels, wasmKernels,
  type Activation, type ConvShape, type WasmKernels,
} from '../../src/cpu/kernel-api.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const TOL = { atol: 2e-4, rtol: 2e-4 };

/** The ONNX nodes computing `act` from `x` into `y`, and the initializers they need. */
function actNodes(act: Activation, x: string, y: string): { nodes: PatternNode[]; init: Record<string, Tensor> } {
  switch (act.kind) {
    case 'clip':
      return { nodes: [{ op: 'Clip', inputs: [x, 'lo', 'hi'], outputs: [y] }], init: { lo: new Tensor('float32', [], Float32Array.of(act.min)), hi: new Tensor('float32', [], Float32Array.of(act.max)) } };
    case 'leakyrelu': return { nodes: [{ op: 'LeakyRelu', inputs: [x], outputs: [y], attrs: { alpha: { float: act.alpha } } }], init: {} };
    case 'hardsigmoid':
      return { nodes: [{ op: 'HardSigmoid', inputs: [x], outputs: [y], attrs: { alpha: { float: act.alpha }, beta: { float: act.beta } } }], init: {} };
    case 'silu': return { nodes: [{ op: 'Sigmoid', inputs: [x], outputs: [`${x}_s`] }, { op: 'Mul', inputs: [x, `${x}_s`], outputs: [y] }], init: {} };
    case 'gelu': return { nodes: [{ op: 'Gelu', inputs: [x], outputs: [y], attrs: { approximate: act.approximate ?? 'none' } }], init: {} };
    default: {
      const op = { relu: 'Relu', sigmoid: 'Sigmoid', hardswish: 'HardSwish', tanh: 'Tanh', exp: 'Exp' }[act.kind];
      return { nodes: [{ op, inputs: [x], outputs: [y] }], init: {} };
    }
  }
}

const ACTIVATIONS: Activation[] = [
  { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'hardsigmoid', alpha: 0.3, beta: 0.4 }, { kind: 'hardswish' }, { kind: 'silu' }, { kind: 'gelu' },
  { kind: 'gelu', approximate: 'tanh' }, { kind: 'tanh' }, { kind: 'exp' },
];

/** [name, instance]: a private single-threaded instance, and the pool of 3 threads. */
async function instances(): Promise<[string, WasmKernels][]> {
  installNodeCpuThreads(3);
  await prepareWasmKernels();
  const pooled = wasmKernels()!;
  assert.equal(pooled.threads, 3);
  return [['1 thread', createWasmKernels()!], ['3 threads', pooled]];
}

function expectClose(got: Float32Array, want: Tensor, what: string): void {
  const c = compareTensors(new Tensor('float32', want.shape, got), want, TOL);
  assert.ok(c.pass, `${what}: ${c.reason ?? JSON.stringify(c)}`);
}

interface ConvCase { s: Omit<ConvShape, 'oh' | 'ow'>; attrs: Record<string, number[] | number> }
const CONVS: Record<string, ConvCase> = {
  '3×3 pad 1 (im2col)': { s: { n: 2, c: 5, m: 7, group: 1, ih: 9, iw: 11, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1 }, attrs: { pads: [1, 1, 1, 1] } },
  '1×1 direct': { s: { n: 1, c: 13, m: 9, group: 1, ih: 7, iw: 10, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 }, attrs: {} },
  'groups 2, stride 2': { s: { n: 1, c: 6, m: 10, group: 2, ih: 12, iw: 9, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, ph: 1, pw: 1 }, attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] } },
  'depthwise stride 2': { s: { n: 2, c: 6, m: 6, group: 6, ih: 13, iw: 14, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, ph: 1, pw: 1 }, attrs: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] } },
  '1-D, dilation 2': { s: { n: 1, c: 4, m: 5, group: 1, ih: 1, iw: 29, kh: 1, kw: 3, sh: 1, sw: 1, dh: 1, dw: 2, ph: 0, pw: 2 }, attrs: { dilations: [2], pads: [2, 2] } },
};

const outSize = (i: number, k: number, s: number, d: number, p: number) => Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;

test('conv2d with packed weights and every fused epilogue matches onnxruntime', async () => {
  for (const [where, wasm] of await instances()) {
    for (const [name, { s: base, attrs }] of Object.entries(CONVS)) {
      const s: ConvShape = { ...base, oh: outSize(base.ih, base.kh, base.sh, base.dh, base.ph), ow: outSize(base.iw, base.kw, base.sw, base.dw, base.pw) };
      const oneD = name.startsWith('1-D');
      const xShape = oneD ? [s.n, s.c, s.iw] : [s.n, s.c, s.ih, s.iw];
      const wShape = oneD ? [s.m, s.c / s.group, s.kw] : [s.m, s.c / s.group, s.kh, s.kw];
      const yShape = oneD ? [s.n, s.m, s.ow] : [s.n, s.m, s.oh, s.ow];
      const x = randomTensor(xShape, 1, -2, 2);
      const w = randomTensor(wShape, 2);
      const b = randomTensor([s.m], 3);
      const r = randomTensor(yShape, 4, -2, 2);
      const packed = packConvWeights(wasm, w.data, s);
      for (const [i, act] of ACTIVATIONS.entries()) {
        const before = i % 3 === 1; // some activations before the residual add
        const a = actNodes(act, before ? 'conv' : 'sum', before ? 'act' : 'y');
        const nodes: PatternNode[] = [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['conv'], attrs }];
        if (before) nodes.push(...a.nodes, { op: 'Add', inputs: ['act', 'r'], outputs: ['y'] });
        else nodes.push({ op: 'Add', inputs: ['conv', 'r'], outputs: ['sum'] }, ...a.nodes);
        const model = patternModel({ nodes, inputs: { x, r }, initializers: { w, b, ...a.init }, outputs: ['y'], opset: 20 });
        const want = (await runOrt(model, { x, r })).y!;
        wasm.reset();
        const [X, B, R] = [x, b, r].map((t) => wasm.put(t.data));
        const Y = wasm.alloc(r.data.length);
        conv2d(wasm, s, X!, packed, Y, { bias: B, residual: R, activation: act, activationBeforeResidual: before });
        expectClose(wasm.read(Y, r.data.length), want, `${where} conv ${name} ${JSON.stringify(act)} before=${before}`);
      }
      packed.block!.release();
    }
  }
});

test('gemm and matmul with packed B, a column bias, a residual and an activation match onnxruntime', async () => {
  for (const [where, wasm] of await instances()) {
    // n ≥ 8·threads splits columns; a narrow n splits rows
    for (const [m, k, n] of [[13, 37, 29], [70, 33, 5], [1, 300, 41]] as const) {
      const a = randomTensor([m, k], 5);
      const bw = randomTensor([k, n], 6);
      const bias = randomTensor([n], 7);
      const r = randomTensor([m, n], 8);
      const act: Activation = { kind: 'gelu', approximate: 'tanh' };
      const g = actNodes(act, 'sum', 'y');
      const nodes: PatternNode[] = [
        { op: 'MatMul', inputs: ['a', 'bw'], outputs: ['mm'] }, { op: 'Add', inputs: ['mm', 'bias'], outputs: ['mb'] },
        { op: 'Add', inputs: ['mb', 'r'], outputs: ['sum'] }, ...g.nodes,
      ];
      const want = (await runOrt(patternModel({ nodes, inputs: { a, r }, initializers: { bw, bias }, outputs: ['y'], opset: 20 }), { a, r })).y!;
      const bt = new Tensor('float32', [n, k], Float32Array.from({ length: n * k }, (_, i) => bw.data[(i % k) * n + Math.floor(i / k)]!));
      for (const [label, packedB] of [['packed B', packGemmB(wasm, bw.data, k, n)], ['packed Bᵀ', packGemmB(wasm, bt.data, k, n, true)]] as const) {
        wasm.reset();
        const [A, BIAS, R] = [a, bias, r].map((t) => wasm.put(t.data));
        const Y = wasm.alloc(m * n);
        gemm(wasm, m, n, k, A!, packedB, Y, { epilogue: { bias: BIAS, residual: R, activation: act } });
        expectClose(wasm.read(Y, m * n), want, `${where} gemm ${m}×${k}×${n} ${label}`);
        packedB.block!.release();
      }
      // the same through a raw (unpacked) B, transposed
      wasm.reset();
      const [A, BT, BIAS, R] = [a, bt, bias, r].map((t) => wasm.put(t.data));
      const Y = wasm.alloc(m * n);
      gemm(wasm, m, n, k, A!, { at: BT!, trans: true }, Y, { epilogue: { bias: BIAS, residual: R, activation: act } });
      expectClose(wasm.read(Y, m * n), want, `${where} gemm ${m}×${k}×${n} raw Bᵀ`);
    }
    // batched MatMul, broadcast batch of B, with a residual
    const a = randomTensor([2, 3, 11, 17], 9);
    const b = randomTensor([3, 17, 13], 10);
    const r = randomTensor([2, 3, 11, 13], 11);
    const model = patternModel({ nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['mm'] }, { op: 'Add', inputs: ['mm', 'r'], outputs: ['y'] }], inputs: { a, b, r }, outputs: ['y'] });
    const want = (await runOrt(model, { a, b, r })).y!;
    wasm.reset();
    const [A, B, R] = [a, b, r].map((t) => wasm.put(t.data));
    const Y = wasm.alloc(r.data.length);
    matmul(wasm, A!, a.shape, { at: B! }, b.shape, Y, [2, 3], { residual: R });
    expectClose(wasm.read(Y, r.data.length), want, `${where} batched matmul`);
  }
});

test('layerNorm with a fused residual writes the sum and the normalized rows like onnxruntime', async () => {
  for (const [where, wasm] of await instances()) {
    const x = randomTensor([37, 45], 12, -3, 3);
    const res = randomTensor([37, 45], 13);
    const gamma = randomTensor([45], 14);
    const beta = randomTensor([45], 15);
    const model = patternModel({
      nodes: [{ op: 'Add', inputs: ['x', 'res'], outputs: ['sum'] }, { op: 'LayerNormalization', inputs: ['sum', 'gamma', 'beta'], outputs: ['y'], attrs: { axis: -1, epsilon: { float: 1e-5 } } }],
      inputs: { x, res }, initializers: { gamma, beta }, outputs: ['sum', 'y'],
    });
    const want = await runOrt(model, { x, res });
    wasm.reset();
    const [X, RES, G, B] = [x, res, gamma, beta].map((t) => wasm.put(t.data));
    const Y = wasm.alloc(x.data.length);
    const SUM = wasm.alloc(x.data.length);
    layerNorm(wasm, X!, Y, 37, 45, G!, 1e-5, { beta: B, residual: RES, sumOut: SUM });
    expectClose(wasm.read(SUM, x.data.length), want.sum!, `${where} layerNorm sum`);
    expectClose(wasm.read(Y, x.data.length), want.y!, `${where} layerNorm`);
  }
});

test('packed weights stay valid across reset(), memory growth and other calls', async () => {
  const wasm = createWasmKernels()!;
  const s: ConvShape = { n: 1, c: 8, m: 12, group: 1, ih: 6, iw: 6, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1, oh: 6, ow: 6 };
  const x = randomTensor([1, 8, 6, 6], 16);
  const w = randomTensor([12, 8, 3, 3], 17);
  const want = (await runOrt(patternModel({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }], inputs: { x }, initializers: { w }, outputs: ['y'] }), { x })).y!;
  const packed = packConvWeights(wasm, w.data, s);
  for (let call = 0; call < 3; call++) {
    wasm.reset();
    wasm.alloc(call * 2_000_000); // grows the memory, and moves the arena's contents
    const X = wasm.put(x.data);
    const Y = wasm.alloc(12 * 36);
    conv2d(wasm, s, X, packed, Y);
    expectClose(wasm.read(Y, 12 * 36), want, `call ${call}`);
  }
  packed.block!.release();
  assert.equal(wasm.reservedBytes(), 0);
});
