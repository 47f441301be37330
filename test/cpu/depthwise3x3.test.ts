// The direct depthwise 3×3 kernel (src/cpu/assembly/depthwise3x3.ts, reached through conv2d)
// against onnxruntime-node's Conv: column strides 1 and 2 with row strides 1 to 3, symmetric,
// one-sided and no pads, planes from 1 to 17 columns wide (scalar planes, a single masked vector,
// overlapping last vectors), channel multipliers, two images, and each epilogue path (bias in
// registers, relu and clip in registers, a residual or another activation as a pass after), on one
// thread and on a pool of 3 with every split forced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import {
  conv2d, createWasmKernels, packConvWeights, prepareWasmKernels, wasmKernels, type ConvShape, type Epilogue, type WasmKernels,
} from '../../src/cpu/kernel-api.js';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const TOL = { atol: 1e-5, rtol: 1e-5 };

interface Case { n?: number; c: number; mult?: number; ih: number; iw: number; strides: [number, number]; pads: [number, number, number, number] }
const CASES: Record<string, Case> = {
  'stride 1, pad 1, 56-wide rows': { c: 3, ih: 9, iw: 56, strides: [1, 1], pads: [1, 1, 1, 1] },
  'stride 2, pad 1, even size': { c: 4, ih: 14, iw: 14, strides: [2, 2], pads: [1, 1, 1, 1] },
  'stride 2, pad 1, odd size': { c: 3, ih: 13, iw: 15, strides: [2, 2], pads: [1, 1, 1, 1] },
  'stride 2, one-sided pads (0, 0, 1, 1)': { c: 2, ih: 16, iw: 17, strides: [2, 2], pads: [0, 0, 1, 1] },
  'stride 1, no pads': { c: 2, ih: 7, iw: 11, strides: [1, 1], pads: [0, 0, 0, 0] },
  'stride 1, pads (1, 0, 0, 1)': { c: 2, ih: 8, iw: 9, strides: [1, 1], pads: [1, 0, 0, 1] },
  'row stride 3, column stride 1': { c: 2, ih: 13, iw: 10, strides: [3, 1], pads: [1, 1, 1, 1] },
  'row stride 1, column stride 2': { c: 2, ih: 6, iw: 21, strides: [1, 2], pads: [2, 1, 0, 1] },
  'plane 7×7 (one masked vector + overlap)': { c: 5, ih: 7, iw: 7, strides: [1, 1], pads: [1, 1, 1, 1] },
  'plane 4 wide (both edges in one vector)': { c: 2, ih: 5, iw: 4, strides: [1, 1], pads: [1, 1, 1, 1] },
  'plane 5 wide, stride 2 (3 outputs: scalar)': { c: 2, ih: 5, iw: 5, strides: [2, 2], pads: [1, 1, 1, 1] },
  'plane 1 wide': { c: 2, ih: 6, iw: 1, strides: [1, 1], pads: [1, 1, 1, 1] },
  'plane 2 wide, no pads in rows': { c: 2, ih: 3, iw: 2, strides: [1, 1], pads: [0, 1, 0, 1] },
  'multiplier 2, two images': { n: 2, c: 3, mult: 2, ih: 9, iw: 10, strides: [1, 1], pads: [1, 1, 1, 1] },
  'multiplier 3, stride 2, two images': { n: 2, c: 2, mult: 3, ih: 11, iw: 12, strides: [2, 2], pads: [1, 1, 1, 1] },
};

type EpilogueKind = 'none' | 'bias' | 'bias relu' | 'bias clip' | 'residual relu' | 'sigmoid';
const EPILOGUES: EpilogueKind[] = ['none', 'bias', 'bias relu', 'bias clip', 'residual relu', 'sigmoid'];

/** The reference graph: Conv (with bias where the epilogue has one), then the epilogue's nodes. */
function reference(kind: EpilogueKind, attrs: Record<string, number[] | number>): { nodes: PatternNode[]; init: string[]; extra: Record<string, Tensor> } {
  const hasBias = kind.startsWith('bias') || kind === 'residual relu';
  const nodes: PatternNode[] = [{ op: 'Conv', inputs: hasBias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['conv'], attrs }];
  const extra: Record<string, Tensor> = {};
  const last = (op: string, inputs: string[]) => nodes.push({ op, inputs, outputs: ['y'] });
  switch (kind) {
    case 'none': case 'bias': last('Identity', ['conv']); break;
    case 'bias relu': last('Relu', ['conv']); break;
    case 'bias clip':
      extra.lo = new Tensor('float32', [], Float32Array.of(0));
      extra.hi = new Tensor('float32', [], Float32Array.of(0.5));
      last('Clip', ['conv', 'lo', 'hi']);
      break;
    case 'residual relu':
      nodes.push({ op: 'Add', inputs: ['conv', 'r'], outputs: ['sum'] });
      last('Relu', ['sum']);
      break;
    case 'sigmoid': last('Sigmoid', ['conv']); break;
  }
  return { nodes, init: hasBias ? ['w', 'b'] : ['w'], extra };
}

async function instances(): Promise<[string, WasmKernels][]> {
  installNodeCpuThreads(3);
  await prepareWasmKernels();
  const pooled = wasmKernels()!;
  assert.equal(pooled.threads, 3);
  return [['1 thread', createWasmKernels()!], ['3 threads', pooled]];
}

test('depthwise 3×3 conv2d matches onnxruntime Conv for strides, pads, narrow planes, multipliers and epilogues', async () => {
  const oldMacs = setParallelMacs(1); // every split the pool can make
  try {
    for (const [where, wasm] of await instances()) {
      for (const [name, cs] of Object.entries(CASES)) {
        const n = cs.n ?? 1;
        const mult = cs.mult ?? 1;
        const m = cs.c * mult;
        const [sh, sw] = cs.strides;
        const [pt, pl, pb, pr] = cs.pads;
        const oh = Math.floor((cs.ih + pt + pb - 3) / sh) + 1;
        const ow = Math.floor((cs.iw + pl + pr - 3) / sw) + 1;
        const s: ConvShape = { n, c: cs.c, m, group: cs.c, ih: cs.ih, iw: cs.iw, kh: 3, kw: 3, sh, sw, dh: 1, dw: 1, ph: pt, pw: pl, oh, ow };
        const x = randomTensor([n, cs.c, cs.ih, cs.iw], 11, -2, 2);
        const w = randomTensor([m, 1, 3, 3], 12);
        const b = randomTensor([m], 13);
        const r = randomTensor([n, m, oh, ow], 14, -1, 1);
        const attrs = { group: cs.c, kernel_shape: [3, 3], strides: cs.strides, pads: cs.pads };
        const packed = packConvWeights(wasm, w.data, s);
        for (const kind of EPILOGUES) {
          const ref = reference(kind, attrs);
          const all: Record<string, Tensor> = { w, b, ...ref.extra };
          const initializers = Object.fromEntries([...ref.init, ...Object.keys(ref.extra)].map((k) => [k, all[k]!]));
          const inputs: Record<string, Tensor> = kind === 'residual relu' ? { x, r } : { x };
          const want = (await runOrt(patternModel({ nodes: ref.nodes, inputs, initializers, outputs: ['y'], opset: 20 }), inputs)).y!;
          assert.deepEqual(want.shape, [n, m, oh, ow]);
          wasm.reset();
          const X = wasm.put(x.data);
          const B = wasm.put(b.data);
          const R = wasm.put(r.data);
          const Y = wasm.alloc(n * m * oh * ow);
          wasm.floats().fill(Number.NaN, Y / 4, Y / 4 + n * m * oh * ow); // every output must be written
          const ep: Epilogue = {
            ...(kind.startsWith('bias') || kind === 'residual relu' ? { bias: B } : {}),
            ...(kind === 'residual relu' ? { residual: R } : {}),
            ...(kind.endsWith('relu') ? { activation: { kind: 'relu' } } : {}),
            ...(kind === 'bias clip' ? { activation: { kind: 'clip', min: 0, max: 0.5 } } : {}),
            ...(kind === 'sigmoid' ? { activation: { kind: 'sigmoid' } } : {}),
          } as Epilogue;
          conv2d(wasm, s, X, packed, Y, ep);
          const got = new Tensor('float32', want.shape, wasm.read(Y, n * m * oh * ow));
          const c = compareTensors(got, want, TOL);
          assert.ok(c.pass, `${where} ${name} ${kind}: ${c.reason ?? JSON.stringify(c)}`);
        }
        packed.block!.release();
      }
    }
  } finally {
    setParallelMacs(oldMacs);
  }
});

test('depthwise 3×3 clip and relu keep a NaN input NaN, as onnxruntime does', async () => {
  const wasm = createWasmKernels()!;
  const s: ConvShape = { n: 1, c: 1, m: 1, group: 1, ih: 6, iw: 9, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, ph: 1, pw: 1, oh: 6, ow: 9 };
  const x = randomTensor([1, 1, 6, 9], 21);
  x.data[2 * 9 + 4] = Number.NaN;
  const w = randomTensor([1, 1, 3, 3], 22);
  const packed = packConvWeights(wasm, w.data, s);
  for (const act of [{ kind: 'relu' }, { kind: 'clip', min: -0.1, max: 0.1 }] as const) {
    const nodes: PatternNode[] = [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['conv'], attrs: { group: 1, pads: [1, 1, 1, 1] } }];
    const init: Record<string, Tensor> = { w };
    if (act.kind === 'relu') nodes.push({ op: 'Relu', inputs: ['conv'], outputs: ['y'] });
    else {
      init.lo = new Tensor('float32', [], Float32Array.of(act.min));
      init.hi = new Tensor('float32', [], Float32Array.of(act.max));
      nodes.push({ op: 'Clip', inputs: ['conv', 'lo', 'hi'], outputs: ['y'] });
    }
    const want = (await runOrt(patternModel({ nodes, inputs: { x }, initializers: init, outputs: ['y'], opset: 20 }), { x })).y!;
    wasm.reset();
    const X = wasm.put(x.data);
    const Y = wasm.alloc(54);
    conv2d(wasm, s, X, packed, Y, { activation: act });
    const got = wasm.read(Y, 54);
    const wantNaN = [...(want.data as Float32Array)].map(Number.isNaN);
    assert.ok(wantNaN.some((v) => v), 'the reference has NaN outputs');
    assert.deepEqual([...got].map(Number.isNaN), wantNaN, `${act.kind}: NaN where onnxruntime has NaN`);
    const c = compareTensors(new Tensor('float32', want.shape, got), want, TOL);
    assert.ok(c.pass, `${act.kind}: ${c.reason ?? JSON.stringify(c)}`);
  }
  packed.block!.release();
});
