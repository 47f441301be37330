// conv2d's GEMM split over a pool of 3 threads (every split forced), against onnxruntime-node:
// small planes (7×7, 3×3) split over output channels, large ones over output positions, a 1×1
// plane as a matrix-vector product split over rows, with the bias, the residual and the activation
// of each thread's share at the right offsets; 1×1 direct and im2col, one group and several.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { conv2d, packConvWeights, prepareWasmKernels, wasmKernels, type ConvShape } from '../../src/cpu/kernel-api.js';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const CASES: Record<string, Omit<ConvShape, 'oh' | 'ow'>> = {
  '1×1 on 7×7, 40 channels': { n: 1, c: 24, m: 40, group: 1, ih: 7, iw: 7, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 },
  '1×1 on 1×1 (a GEMV), 37 channels': { n: 2, c: 50, m: 37, group: 1, ih: 1, iw: 1, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 },
  '1×1 on 1×1, 2 groups of 601 inputs (3 KC slices, odd last), 5 outputs each': { n: 1, c: 1202, m: 10, group: 2, ih: 1, iw: 1, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 },
  '3×3 im2col on 3×3, 2 groups': { n: 1, c: 8, m: 26, group: 2, ih: 3, iw: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1 },
  '1×1 on 20×20 (positions split)': { n: 1, c: 9, m: 12, group: 1, ih: 20, iw: 20, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, ph: 0, pw: 0 },
};

test('conv2d split over channels or positions on 3 threads matches onnxruntime with bias, residual and activation', async () => {
  installNodeCpuThreads(3);
  await prepareWasmKernels();
  const wasm = wasmKernels()!;
  assert.equal(wasm.threads, 3);
  const old = setParallelMacs(1);
  try {
    for (const [name, base] of Object.entries(CASES)) {
      const oh = base.ih + 2 * base.ph - base.kh + 1;
      const ow = base.iw + 2 * base.pw - base.kw + 1;
      const s: ConvShape = { ...base, oh, ow };
      const x = randomTensor([s.n, s.c, s.ih, s.iw], 31, -2, 2);
      const w = randomTensor([s.m, s.c / s.group, s.kh, s.kw], 32);
      const b = randomTensor([s.m], 33);
      const r = randomTensor([s.n, s.m, oh, ow], 34);
      const model = patternModel({
        nodes: [
          { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['conv'], attrs: { group: s.group, pads: [s.ph, s.pw, s.ph, s.pw] } },
          { op: 'Add', inputs: ['conv', 'r'], outputs: ['sum'] },
          { op: 'Relu', inputs: ['sum'], outputs: ['y'] },
        ],
        inputs: { x, r }, initializers: { w, b }, outputs: ['y'], opset: 20,
      });
      const want = (await runOrt(model, { x, r })).y!;
      const packed = packConvWeights(wasm, w.data, s);
      wasm.reset();
      const [X, B, R] = [x, b, r].map((t) => wasm.put(t.data));
      const Y = wasm.alloc(r.data.length);
      conv2d(wasm, s, X!, packed, Y, { bias: B, residual: R, activation: { kind: 'relu' } });
      const c = compareTensors(new Tensor('float32', want.shape, wasm.read(Y, r.data.length)), want, { atol: 1e-4, rtol: 1e-4 });
      assert.ok(c.pass, `${name}: ${c.reason ?? JSON.stringify(c)}`);
      packed.block!.release();
    }
  } finally {
    setParallelMacs(old);
  }
});
