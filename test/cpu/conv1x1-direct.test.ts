// conv2d's direct kernel (assembly/conv1x1.ts: bias, residual and ReLU / Clip in registers)
// against onnxruntime-node's Conv: 1×1 convs with output and input channels off multiples of 4,
// positions off multiples of 8 (the right edge panel), K over one 256-deep slice of the packed
// weights, strides and pads (positions gathered first), groups, batches; 3×3, 5×5 and 7×7 convs
// from im2col's packed panels (K ≤ 256: stems, padding, dilation, groups, chunks of positions); epilogues it runs and ones it
// leaves to the GEMM (activation before the residual, sigmoid), each checked for the method
// conv2d picks; on one thread and on a pool of 2 with the parallel threshold lowered so every
// split (positions, output channels, the gather) runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import {
  conv2d, convMethod, createWasmKernels, packConvWeights, prepareWasmKernels, wasmKernels, type ConvShape, type Epilogue, type WasmKernels,
} from '../../src/cpu/kernel-api.js';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

interface Case { n: number; c: number; m: number; group?: number; ih: number; iw: number; stride?: number; pad?: number; kernel?: number; dilation?: number }
const CASES: Record<string, Case> = {
  'squeeze-like 13 → 6 on 11×9 (99 positions)': { n: 1, c: 13, m: 6, ih: 11, iw: 9 },
  'expand-like 6 → 21 on 7×7, batch 2': { n: 2, c: 6, m: 21, ih: 7, iw: 7 },
  '300 inputs (K > 256: the GEMM) → 9 on 5×6': { n: 1, c: 300, m: 9, ih: 5, iw: 6 },
  'stride 2, 10 → 7 on 9×13': { n: 1, c: 10, m: 7, ih: 9, iw: 13, stride: 2 },
  'stride 2 pad 1, 5 → 11 on 6×6, batch 2': { n: 2, c: 5, m: 11, ih: 6, iw: 6, stride: 2, pad: 1 },
  '2 groups of 6 → 5 on 4×10': { n: 1, c: 12, m: 10, group: 2, ih: 4, iw: 10 },
  'one row of 3 positions': { n: 1, c: 4, m: 4, ih: 1, iw: 3 },
  'stem-like 3×3 stride 2, 3 → 10 on 15×17': { n: 1, c: 3, m: 10, ih: 15, iw: 17, kernel: 3, stride: 2 },
  'stem-like 7×7 stride 2 pad 3, 3 → 9 on 14×13, batch 2': { n: 2, c: 3, m: 9, ih: 14, iw: 13, kernel: 7, stride: 2, pad: 3 },
  '3×3 pad 1, 28 → 6 (K = 252) on 6×7': { n: 1, c: 28, m: 6, ih: 6, iw: 7, kernel: 3, pad: 1 },
  // 256 positions per chunk at K = 252: 3 chunks on one thread, 2 per thread on 2, crossing rows of 29
  'chunks of positions: 3×3 pad 1, 28 → 5 on 25×29': { n: 1, c: 28, m: 5, ih: 25, iw: 29, kernel: 3, pad: 1 },
  'chunks, stride 2: 5×5 pad 2, 10 → 7 on 45×43': { n: 1, c: 10, m: 7, ih: 45, iw: 43, kernel: 5, stride: 2, pad: 2 },
  '3×3 dilation 2 pad 2, 2 groups of 4 → 3 on 9×9': { n: 1, c: 8, m: 6, group: 2, ih: 9, iw: 9, kernel: 3, pad: 2, dilation: 2 },
};

type EpCase = { name: string; nodes: (conv: string) => PatternNode[]; ep: (b: number, r: number) => Epilogue; direct: boolean };
const EPILOGUES: EpCase[] = [
  { name: 'bias + relu', direct: true, nodes: (v) => [{ op: 'Relu', inputs: [v], outputs: ['y'] }], ep: (b) => ({ bias: b, activation: { kind: 'relu' } }) },
  {
    name: 'bias + residual, then relu', direct: true,
    nodes: (v) => [{ op: 'Add', inputs: [v, 'r'], outputs: ['s'] }, { op: 'Relu', inputs: ['s'], outputs: ['y'] }],
    ep: (b, r) => ({ bias: b, residual: r, activation: { kind: 'relu' } }),
  },
  { name: 'bias + clip', direct: true, nodes: (v) => [{ op: 'Clip', inputs: [v, 'lo', 'hi'], outputs: ['y'] }], ep: (b) => ({ bias: b, activation: { kind: 'clip', min: -0.5, max: 0.75 } }) },
  { name: 'no bias, residual', direct: true, nodes: (v) => [{ op: 'Add', inputs: [v, 'r'], outputs: ['y'] }], ep: (_b, r) => ({ residual: r }) },
  {
    name: 'relu before the residual (GEMM)', direct: false,
    nodes: (v) => [{ op: 'Relu', inputs: [v], outputs: ['a'] }, { op: 'Add', inputs: ['a', 'r'], outputs: ['y'] }],
    ep: (b, r) => ({ bias: b, residual: r, activation: { kind: 'relu' }, activationBeforeResidual: true }),
  },
  { name: 'sigmoid (GEMM)', direct: false, nodes: (v) => [{ op: 'Sigmoid', inputs: [v], outputs: ['y'] }], ep: (b) => ({ bias: b, activation: { kind: 'sigmoid' } }) },
];

async function instances(): Promise<[string, WasmKernels][]> {
  installNodeCpuThreads(2);
  await prepareWasmKernels();
  return [['1 thread', createWasmKernels()!], ['2 threads', wasmKernels()!]];
}

test('conv2d on the direct kernel (1×1 and im2col panels) matches onnxruntime Conv with each epilogue', async () => {
  const old = setParallelMacs(1);
  try {
    for (const [where, wasm] of await instances()) {
      for (const [name, k] of Object.entries(CASES)) {
        const st = k.stride ?? 1;
        const pad = k.pad ?? 0;
        const group = k.group ?? 1;
        const kk = k.kernel ?? 1;
        const d = k.dilation ?? 1;
        const oh = Math.floor((k.ih + 2 * pad - d * (kk - 1) - 1) / st) + 1;
        const ow = Math.floor((k.iw + 2 * pad - d * (kk - 1) - 1) / st) + 1;
        const s: ConvShape = { n: k.n, c: k.c, m: k.m, group, ih: k.ih, iw: k.iw, kh: kk, kw: kk, sh: st, sw: st, dh: d, dw: d, ph: pad, pw: pad, oh, ow };
        const x = randomTensor([s.n, s.c, s.ih, s.iw], 11, -2, 2);
        const w = randomTensor([s.m, s.c / group, kk, kk], 12);
        const b = randomTensor([s.m], 13);
        const r = randomTensor([s.n, s.m, oh, ow], 14, -2, 2);
        const lo = new Tensor('float32', [], new Float32Array([-0.5]));
        const hi = new Tensor('float32', [], new Float32Array([0.75]));
        const packed = packConvWeights(wasm, w.data, s);
        for (const e of EPILOGUES) {
          const label = `${where}, ${name}, ${e.name}`;
          const probe = e.ep(1, 1);
          const gemm = kk === 1 && st === 1 && pad === 0 ? 'gemm-1x1' : 'im2col-gemm';
          const direct = e.direct && (s.c / group) * kk * kk <= 256; // deeper K runs the GEMM
          assert.equal(convMethod(s, probe), direct ? (kk === 1 ? 'direct-1x1' : 'im2col-direct') : gemm, label);
          const conv: PatternNode = {
            op: 'Conv', inputs: probe.bias !== undefined ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['conv'],
            attrs: { group, strides: [st, st], pads: [pad, pad, pad, pad], dilations: [d, d] },
          };
          const nodes = [conv, ...e.nodes('conv')];
          const used = (t: string) => nodes.some((nd) => nd.inputs.includes(t));
          const initializers = Object.fromEntries(Object.entries({ w, b, lo, hi }).filter(([t]) => used(t)));
          const model = patternModel({ nodes, inputs: used('r') ? { x, r } : { x }, initializers, outputs: ['y'], opset: 20 });
          const want = (await runOrt(model, used('r') ? { x, r } : { x })).y!;
          const mark = wasm.mark();
          const [X, B, R] = [x, b, r].map((t) => wasm.put(t.data));
          const Y = wasm.alloc(r.data.length);
          conv2d(wasm, s, X!, packed, Y, e.ep(B!, R!));
          const got = new Tensor('float32', want.shape, wasm.read(Y, r.data.length));
          wasm.rewind(mark);
          const c = compareTensors(got, want, { atol: 1e-4, rtol: 1e-4 });
          assert.ok(c.pass, `${label}: ${c.reason ?? JSON.stringify(c)}`);
        }
        packed.block!.release();
      }
    }
  } finally {
    setParallelMacs(old);
  }
});
