// The WebAssembly GEMM's register tiles and edges against onnxruntime-node's Gemm: 5-row panels (A
// packed per call) and 4-row panels (A packed ahead) with rows left over (the 4-, 3-, 2- and 1-row
// tiles), columns not a multiple of 8 (the edge buffer), depths crossing the 256-deep slices, row counts crossing the 120-row blocks, one B panel
// packed at a time (m ≤ 120) or a whole slice; A and B strided (transposed), A or B packed ahead,
// alpha, accumulate (C += …: onnxruntime's Gemm with C and beta 1), the one-row paths (a plain B and
// a packed B) and a fused epilogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmKernels, gemm, packGemmB } from '../../src/cpu/kernel-api.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { ortOneNode } from '../helpers/ort-one-node.js';
import { randomTensor } from '../helpers/ort-reference.js';

const TOL = { atol: 2e-4, rtol: 2e-4 };
const wasm = createWasmKernels()!;

/** [m, n, k]: every remainder of m mod 5, n mod 8 ≠ 0, k past one slice (256 packed, 512 raw), m > 120. */
const SHAPES: [number, number, number][] = [
  [1, 13, 7], [2, 8, 5], [3, 16, 300], [4, 9, 33], [5, 8, 1], [6, 17, 40], [7, 24, 257],
  [8, 3, 64], [9, 1, 20], [11, 31, 513], [16, 40, 32], [24, 8, 144], [121, 19, 260], [127, 64, 9], [243, 12, 70],
];

interface Variant {
  name: string;
  transA: boolean;
  transB: boolean;
  /** B packed ahead by packBPanels. */
  packB: boolean;
  /** A packed ahead by packAPanels (alpha folded in). */
  packA: boolean;
  alpha: number;
  accumulate: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'plain', transA: false, transB: false, packB: false, packA: false, alpha: 1, accumulate: false },
  { name: 'Aᵀ, Bᵀ, alpha, accumulate', transA: true, transB: true, packB: false, packA: false, alpha: 0.5, accumulate: true },
  { name: 'packed B, accumulate', transA: false, transB: false, packB: true, packA: false, alpha: 1, accumulate: true },
  { name: 'packed Bᵀ, alpha', transA: false, transB: true, packB: true, packA: false, alpha: -1.5, accumulate: false },
  { name: 'packed A (alpha folded in) and packed B', transA: false, transB: false, packB: true, packA: true, alpha: 2, accumulate: false },
  { name: 'packed Aᵀ, plain B, accumulate', transA: true, transB: false, packB: false, packA: true, alpha: 1, accumulate: true },
];

function expectClose(got: Float32Array, want: Float32Array, shape: number[], what: string): void {
  const c = compareTensors(new Tensor('float32', shape, got), new Tensor('float32', shape, want), TOL);
  assert.ok(c.pass, `${what}: ${c.reason ?? JSON.stringify(c)}`);
}

for (const v of VARIANTS) {
  test(`gemmEx ${v.name}: every edge tile matches onnxruntime Gemm`, async () => {
    const k = wasm.k;
    for (const [seed, [m, n, kk]] of SHAPES.entries()) {
      const a = randomTensor(v.transA ? [kk, m] : [m, kk], seed + 1);
      const b = randomTensor(v.transB ? [n, kk] : [kk, n], seed + 2);
      const c0 = randomTensor([m, n], seed + 3);
      const inputs = { a: { shape: [...a.shape], data: a.data }, b: { shape: [...b.shape], data: b.data }, ...(v.accumulate ? { c: { shape: [m, n], data: c0.data } } : {}) };
      const want = await ortOneNode('Gemm', inputs, { transA: v.transA ? 1 : 0, transB: v.transB ? 1 : 0, alpha: { float: v.alpha }, beta: { float: 1 } });

      wasm.reset();
      const A = wasm.put(a.data);
      const B = wasm.put(b.data);
      const C = wasm.put(v.accumulate ? c0.data : new Float32Array(m * n).fill(Number.NaN));
      const scratch = wasm.alloc(k.gemmScratchFloats());
      const [ars, acs] = v.transA ? [1, m] : [kk, 1];
      const [brs, bcs] = v.transB ? [1, kk] : [n, 1];
      let aArgs = [A, ars, acs, 0];
      if (v.packA) {
        const pa = wasm.alloc(k.packedAFloats(m, kk));
        k.packAPanels(A, ars, acs, m, kk, v.alpha, pa);
        aArgs = [pa, Math.ceil(m / 4) * 4, 0, 1];
      }
      let bArgs = [B, brs, bcs, 0];
      if (v.packB) {
        const pb = wasm.alloc(k.packedBFloats(kk, n));
        k.packBPanels(B, brs, bcs, kk, n, pb);
        bArgs = [pb, Math.ceil(n / 8) * 8, 0, 1];
      }
      k.gemmEx(m, n, kk, aArgs[0]!, aArgs[1]!, aArgs[2]!, aArgs[3]!, bArgs[0]!, bArgs[1]!, bArgs[2]!, bArgs[3]!, C, n, v.accumulate ? 1 : 0, v.packA ? 1 : v.alpha, scratch, 0);
      expectClose(wasm.read(C, m * n), want, [m, n], `${v.name} m=${m} n=${n} k=${kk}`);
    }
  });
}

test('gemmEx with a packed B column offset (a thread\'s share of the columns) matches onnxruntime', async () => {
  const k = wasm.k;
  const [m, n, kk, j0] = [7, 45, 300, 16];
  const a = randomTensor([m, kk], 11);
  const b = randomTensor([kk, n], 12);
  const want = await ortOneNode('MatMul', { a: { shape: [m, kk], data: a.data }, b: { shape: [kk, n], data: b.data } });
  wasm.reset();
  const A = wasm.put(a.data);
  const pb = wasm.alloc(k.packedBFloats(kk, n));
  k.packBPanels(wasm.put(b.data), n, 1, kk, n, pb);
  const C = wasm.alloc(m * n);
  const scratch = wasm.alloc(k.gemmScratchFloats());
  // columns [0, j0) and [j0, n) as two calls, the second starting at a panel boundary
  k.gemmEx(m, j0, kk, A, kk, 1, 0, pb, Math.ceil(n / 8) * 8, 0, 1, C, n, 0, 1, scratch, 0);
  k.gemmEx(m, n - j0, kk, A, kk, 1, 0, pb, Math.ceil(n / 8) * 8, j0, 1, C + j0 * 4, n, 0, 1, scratch, 0);
  expectClose(wasm.read(C, m * n), want, [m, n], 'two column blocks');
});

test('kernel-api gemm with a fused bias and activation on edge shapes (one row, 5-row remainders) matches onnxruntime', async () => {
  for (const [seed, [m, n, kk]] of ([[1, 1000, 96], [1, 13, 7], [6, 21, 300], [16, 8, 32], [123, 10, 17]] as const).entries()) {
    const a = randomTensor([m, kk], seed + 20);
    const w = randomTensor([kk, n], seed + 21);
    const bias = randomTensor([n], seed + 22);
    const mm = await ortOneNode('Gemm', { a: { shape: [m, kk], data: a.data }, w: { shape: [kk, n], data: w.data }, bias: { shape: [n], data: bias.data } });
    const want = await ortOneNode('Relu', { x: { shape: [m, n], data: mm } });
    for (const packed of [true, false]) {
      wasm.reset();
      const B = packed ? packGemmB(wasm, w.data, kk, n, false, true) : { at: wasm.put(w.data) };
      const A = wasm.put(a.data);
      const Y = wasm.alloc(m * n);
      gemm(wasm, m, n, kk, A, B, Y, { epilogue: { bias: wasm.put(bias.data), activation: { kind: 'relu' } } });
      expectClose(wasm.read(Y, m * n), want, [m, n], `${m}×${kk}×${n} ${packed ? 'packed' : 'raw'} B`);
    }
  }
});

test('gemmEx on a packed A split at row 124 (a thread\'s share of the rows) matches onnxruntime', async () => {
  const k = wasm.k;
  const [m, n, kk, i0] = [250, 20, 270, 124];
  const mPad = Math.ceil(m / 4) * 4;
  const a = randomTensor([m, kk], 31);
  const b = randomTensor([kk, n], 32);
  const want = await ortOneNode('MatMul', { a: { shape: [m, kk], data: a.data }, b: { shape: [kk, n], data: b.data } });
  wasm.reset();
  const pa = wasm.alloc(k.packedAFloats(m, kk));
  k.packAPanels(wasm.put(a.data), kk, 1, m, kk, 1, pa);
  const B = wasm.put(b.data);
  const C = wasm.alloc(m * n);
  const scratch = wasm.alloc(k.gemmScratchFloats());
  k.gemmEx(i0, n, kk, pa, mPad, 0, 1, B, n, 1, 0, C, n, 0, 1, scratch, 0);
  k.gemmEx(m - i0, n, kk, pa, mPad, i0, 1, B, n, 1, 0, C + i0 * n * 4, n, 0, 1, scratch, 0);
  expectClose(wasm.read(C, m * n), want, [m, n], 'two row ranges');
});
