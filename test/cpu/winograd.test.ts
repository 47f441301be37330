// Winograd F(2×2, 3×3) and F(4×4, 3×3) convolution (src/cpu/winograd.ts) against onnxruntime-node's Conv: odd and
// even output sizes (partial tiles, tile columns past the output), asymmetric and zero pads,
// channel counts off the GEMM's panel sizes, batches, bias + residual + activation fused either
// side of the residual, on one thread and on a pool of 2 with the parallel threshold lowered so
// every split runs (stage by stage on small planes, bands of tile rows on large ones). And the
// engine: a 3×3 conv layer times both Winograd executors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { createWasmKernels, prepareWasmKernels, wasmKernels, type ConvShape, type WasmKernels } from '../../src/cpu/kernel-api.js';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { packWinogradWeights, winogradApplies, winogradConv2d } from '../../src/cpu/winograd.js';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { WINOGRAD } from '../../src/engine/cpu/winograd.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const TOL = { atol: 2e-4, rtol: 2e-4 };

interface Case { n: number; c: number; m: number; ih: number; iw: number; pads: [number, number, number, number] }
const CASES: Record<string, Case> = {
  'even 8×12, pad 1': { n: 1, c: 5, m: 7, ih: 8, iw: 12, pads: [1, 1, 1, 1] },
  'odd 9×11, pad 1, batch 2': { n: 2, c: 6, m: 9, ih: 9, iw: 11, pads: [1, 1, 1, 1] },
  'no pads 7×21': { n: 1, c: 3, m: 4, ih: 7, iw: 21, pads: [0, 0, 0, 0] },
  'asymmetric pads, wide': { n: 1, c: 17, m: 13, ih: 5, iw: 34, pads: [0, 2, 1, 0] },
  'one output row, 3 channels in': { n: 1, c: 3, m: 32, ih: 3, iw: 40, pads: [0, 1, 0, 1] },
  'partial 4×4 tiles 10×13, 2 rows of 4 tiles': { n: 1, c: 8, m: 5, ih: 10, iw: 13, pads: [1, 1, 1, 1] },
  'ocr-like 4×80, 40 channels': { n: 1, c: 40, m: 36, ih: 4, iw: 80, pads: [1, 1, 1, 1] },
  // on 2 threads: bands of tile rows (F(4×4): 9 tile rows as 5 + 4, the last half past the output)
  'bands of tile rows 34×60, batch 2': { n: 2, c: 5, m: 7, ih: 34, iw: 60, pads: [1, 1, 1, 1] },
  'bands, asymmetric pads 31×41': { n: 1, c: 6, m: 9, ih: 31, iw: 41, pads: [2, 0, 0, 1] },
};

async function instances(): Promise<[string, WasmKernels][]> {
  installNodeCpuThreads(2); // 18 of F(4×4)'s 36 GEMMs per thread: one kernel call each must still fit a thread's call list
  await prepareWasmKernels();
  return [['1 thread', createWasmKernels()!], ['2 threads', wasmKernels()!]];
}

test('winogradConv2d with a fused bias, residual and activation matches onnxruntime Conv', async () => {
  const old = setParallelMacs(1);
  try {
    for (const [where, wasm] of await instances()) {
      for (const [name, k] of Object.entries(CASES)) {
        const [pt, pl, pb, pr] = k.pads;
        const s: ConvShape = {
          n: k.n, c: k.c, m: k.m, group: 1, ih: k.ih, iw: k.iw, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: pt, pw: pl,
          oh: k.ih + pt + pb - 2, ow: k.iw + pl + pr - 2,
        };
        assert.ok(winogradApplies(s));
        const x = randomTensor([s.n, s.c, s.ih, s.iw], 1, -2, 2);
        const w = randomTensor([s.m, s.c, 3, 3], 2);
        const b = randomTensor([s.m], 3);
        const r = randomTensor([s.n, s.m, s.oh, s.ow], 4, -2, 2);
        for (const tile of [2, 4] as const) {
          const packed = packWinogradWeights(wasm, w.data, s.m, s.c, tile);
          // chunked: one tile row at a time (a budget of 1 byte), each part's rows in turn
          for (const [before, chunkBytes] of [[false, undefined], [true, undefined], [false, 1], [true, 1]] as const) {
            const nodes: PatternNode[] = [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['conv'], attrs: { pads: k.pads } }];
            if (before) nodes.push({ op: 'Relu', inputs: ['conv'], outputs: ['act'] }, { op: 'Add', inputs: ['act', 'r'], outputs: ['y'] });
            else nodes.push({ op: 'Add', inputs: ['conv', 'r'], outputs: ['sum'] }, { op: 'Relu', inputs: ['sum'], outputs: ['y'] });
            const want = (await runOrt(patternModel({ nodes, inputs: { x, r }, initializers: { w, b }, outputs: ['y'] }), { x, r })).y!;
            wasm.reset();
            const [X, B, R] = [x, b, r].map((t) => wasm.put(t.data));
            const Y = wasm.alloc(r.data.length);
            winogradConv2d(wasm, s, X!, packed, Y, { bias: B, residual: R, activation: { kind: 'relu' }, activationBeforeResidual: before }, chunkBytes);
            const c = compareTensors(new Tensor('float32', want.shape, wasm.read(Y, r.data.length)), want, TOL);
            assert.ok(c.pass, `${where} F(${tile})${chunkBytes ? ' chunked' : ''} ${name} relu ${before ? 'before' : 'after'} the residual: ${c.reason ?? JSON.stringify(c)}`);
          }
          // and with no epilogue at all
          const plain = (await runOrt(patternModel({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: k.pads } }], inputs: { x }, initializers: { w }, outputs: ['y'] }), { x })).y!;
          wasm.reset();
          const X = wasm.put(x.data);
          const Y = wasm.alloc(plain.data.length);
          winogradConv2d(wasm, s, X, packed, Y);
          const c = compareTensors(new Tensor('float32', plain.shape, wasm.read(Y, plain.data.length)), plain, TOL);
          assert.ok(c.pass, `${where} F(${tile}) ${name} without epilogue: ${c.reason ?? JSON.stringify(c)}`);
          packed.block.release();
        }
      }
    }
  } finally {
    setParallelMacs(old);
  }
});

test('winograd does not take strided, dilated, grouped or non-3×3 convs', () => {
  const base: ConvShape = { n: 1, c: 4, m: 4, group: 1, ih: 8, iw: 8, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1, oh: 8, ow: 8 };
  assert.ok(winogradApplies(base));
  for (const change of [{ sh: 2 }, { dw: 2 }, { group: 2 }, { kh: 5 }, { kw: 1 }] as Partial<ConvShape>[]) {
    assert.equal(winogradApplies({ ...base, ...change }), false, JSON.stringify(change));
  }
});

test('the cpu engine times both winograd executors for a 3×3 conv and its output matches onnxruntime', async () => {
  await prepareWasmKernels();
  const x = randomTensor([1, 16, 12, 20], 5);
  const w = randomTensor([24, 16, 3, 3], 6);
  const b = randomTensor([24], 7);
  const model = patternModel({
    nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } }, { op: 'Relu', inputs: ['c'], outputs: ['y'] }],
    inputs: { x }, initializers: { w, b }, outputs: ['y'],
  });
  const want = (await runOrt(model, { x })).y!;
  const lines: string[] = [];
  const engine = CpuEngine.build(importOnnx(model).graph, { x: [...x.shape] }, { log: (l) => lines.push(l) });
  try {
    const c = compareTensors(engine.run({ x }).y!, want, TOL);
    assert.ok(c.pass, c.reason ?? JSON.stringify(c));
    assert.ok([WINOGRAD[2], WINOGRAD[4]].every((name) => lines.some((l) => l.includes(`${name} `))), `the build did not time both winograd candidates:\n${lines.join('\n')}`);
  } finally {
    engine.dispose();
  }
});
