// The SIMD exp and erf (src/cpu/assembly/math.ts) over their whole range, through the unary
// activation kernel, against onnxruntime's Exp and Gelu: exp on [-87, 88] within a few ulp (and
// its limits: 0 below, ∞ above, NaN kept), GELU (erf form) on [-12, 12] including both tails
// within 2e-6 + 1e-6·|y| (erf within 4.3e-7 absolute), softmax rows of 128 built on that exp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmKernels } from '../../src/cpu/wasm-kernels.js';
import { softmax, unary, type Activation } from '../../src/cpu/kernel-api.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';

const grid = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

async function expectUnaryLikeOrt(act: Activation, op: string, x: Float32Array, tol: { atol: number; rtol: number }, attrs = {}): Promise<Float32Array> {
  const wasm = createWasmKernels()!;
  const at = wasm.put(x);
  unary(wasm, act, at, at, x.length);
  const got = wasm.read(at, x.length);
  const input = new Tensor('float32', [x.length], x);
  const want = (await runOrt(oneNodeModel({ op, inputs: { x: input }, inputOrder: ['x'], outputs: ['y'], attrs, ...(op === 'Gelu' ? { opset: 20 } : {}) }), { x: input })).y!;
  const c = compareTensors(new Tensor('float32', [x.length], got), want, tol);
  assert.ok(c.pass, `${op}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, first ${JSON.stringify(c.firstMismatch)}`);
  return got;
}

test('SIMD exp matches onnxruntime Exp on [-87, 88] within a few ulp; 0 below, ∞ above, NaN stays NaN', async () => {
  await expectUnaryLikeOrt({ kind: 'exp' }, 'Exp', grid(-87, 88, 200001), { atol: 0, rtol: 5e-7 });
  const edges = await expectUnaryLikeOrt({ kind: 'exp' }, 'Exp', Float32Array.of(-Infinity, -1000, -104, 89, 1000, Infinity, 0, -0), { atol: 0, rtol: 5e-7 });
  const wasm = createWasmKernels()!;
  const at = wasm.put(Float32Array.of(NaN, 1));
  unary(wasm, { kind: 'exp' }, at, at, 2);
  assert.ok(Number.isNaN(wasm.read(at, 1)[0]!), 'exp(NaN) is NaN');
  assert.deepEqual([...edges.slice(0, 3)], [0, 0, 0]);
  assert.deepEqual([...edges.slice(3, 6)], [Infinity, Infinity, Infinity]);
});

test('SIMD GELU (erf form) matches onnxruntime Gelu on [-12, 12], tails included, within 2e-6 + 1e-6·|y|', async () => {
  await expectUnaryLikeOrt({ kind: 'gelu' }, 'Gelu', grid(-12, 12, 240001), { atol: 2e-6, rtol: 1e-6 }, { approximate: 'none' });
});

test('softmax rows of 128 on the SIMD exp match onnxruntime Softmax within 1e-6 + 1e-5·|y|', async () => {
  const x = randomTensor([64, 128], 3, -30, 30);
  const wasm = createWasmKernels()!;
  const at = wasm.put(x.data as Float32Array);
  softmax(wasm, at, at, 64, 128);
  const got = new Tensor('float32', [64, 128], wasm.read(at, 64 * 128));
  const want = (await runOrt(oneNodeModel({ op: 'Softmax', inputs: { x }, inputOrder: ['x'], outputs: ['y'], attrs: { axis: -1 } }), { x })).y!;
  const c = compareTensors(got, want, { atol: 1e-6, rtol: 1e-5 });
  assert.ok(c.pass, `max abs ${c.maxAbsError}, max rel ${c.maxRelError}`);
});
