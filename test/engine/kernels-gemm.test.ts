// Engine Gemm tactics on the device (lavapipe here) against onnxruntime: Gemm (+ Add of the
// residual) (+ the activation's ONNX ops) as one-node models in sequence. Covers edge tiles and odd
// sizes, every tile configuration and split-K factor, GEMV for M ≤ 4, residual + every activation,
// packed-f16 in/out, a channels-last image flattened into the rows, and placement into a concat
// target. The first case runs every tactic compileGemm returns, the sweeps every tile and split-K
// factor; the others one tactic of each kernel family (the tile shape only changes constants).
// f16x2 tolerance: the reference gets the same half-rounded inputs, residual and weights; only the
// output's rounding to half (relative 2^-11) and f32 summation order remain: atol 1e-2, rtol 4e-3.
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { compileGemm, gemmTactics } from '../../src/engine/kernels/gemm.js';
import { TILE_CONFIGS } from '../../src/engine/kernels/matrix/choices.js';
import { tileName } from '../../src/engine/kernels/matmul-tile.js';
import type { KernelContext, OutputPlacement, Tactic } from '../../src/engine/kernels/tactic.js';
import type { Activation, GemmLayer, Layout, NetTensor, Storage } from '../../src/engine/network.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { AttrSpec } from '../helpers/ort-reference.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { ortOneNode, type Operands, ortActivation } from '../helpers/ort-one-node.js';

const skip = webgpuSkip() ?? false;
const dawn = skip ? undefined : await createDawnGpu();
const gpu = dawn && (await sharedGpuDevice(dawn));
// sharedGpuDevice holds Dawn's GPU object only weakly; once collected, the device's pending work
// (async pipeline creation) crashes the process. This closure keeps it until the end.
process.on('exit', () => void dawn);
// Loaded once Dawn has defined the WebGPU globals (GPUBufferUsage...) that these modules read at
// load: static imports would be evaluated before gpu-available's top-level await finishes.
const { oneOfEachFamily, runTactic } = await import('../helpers/engine-kernel.js');
const { randomTensor } = await import('../helpers/ort-reference.js');
const F16_TOLERANCE: Tolerance = { atol: 1e-2, rtol: 4e-3 };

type Fmt = [Layout, Storage];
const PLAIN: Fmt = ['plain', 'f32'];
const PLAIN16: Fmt = ['plain', 'f16x2'];
const tensor = (name: string, shape: number[], [layout, storage]: Fmt): NetTensor => ({ name, shape, format: { layout, storage } });

function context(tensors: NetTensor[], placement: Record<string, OutputPlacement> = {}): KernelContext {
  return kernelContext(gpu!, tensors, { placement });
}

const ort = (op: string, inputs: Operands, attrs: Record<string, AttrSpec> = {}) => ortOneNode(op, inputs, attrs);

interface GemmCase {
  m: number;
  k: number;
  n: number;
  /** Input shape when not [m, k] (an image flattened into rows). */
  xShape?: number[];
  bias?: boolean;
  residual?: Fmt;
  act?: Activation;
  xFmt: Fmt;
  yFmt: Fmt;
  /** Write into columns [offset, offset + n) of a concat target with this many columns. */
  place?: { columns: number; offset: number };
  /** Keep every tile configuration and split-K factor. */
  all?: boolean;
  /** Run every tactic compileGemm returns (default: one of each kernel family, see oneOfEachFamily). */
  every?: boolean;
  seed: number;
  expect?: string[];
}

async function check(c: GemmCase): Promise<string[]> {
  const xShape = c.xShape ?? [c.m, c.k];
  const xv = randomTensor(xShape, c.seed).data;
  const wv = randomTensor([c.k, c.n], c.seed + 1, -0.5, 0.5).data;
  const bv = randomTensor([c.n], c.seed + 2).data;
  const rv = randomTensor([c.m, c.n], c.seed + 3).data;
  const act = c.act ?? { kind: 'none' };
  const target = c.place ? tensor('cat', [c.m, c.place.columns], c.yFmt) : undefined;
  const halfOut = c.yFmt[1] === 'f16x2';
  const tensors = [tensor('x', xShape, c.xFmt), tensor('y', [c.m, c.n], c.yFmt), ...(c.residual ? [tensor('r', [c.m, c.n], c.residual)] : []), ...(target ? [target] : [])];
  const layer: GemmLayer = {
    kind: 'gemm', name: 'fc', from: ['fc'], input: 'x', output: 'y', weights: wv, k: c.k, n: c.n, act,
    ...(c.bias ? { bias: bv } : {}), ...(c.residual ? { residual: 'r' } : {}),
  };
  const ctx = context(tensors, target ? { y: { target: 'cat', channelOffset: c.place!.offset } } : {});
  const tactics = c.all ? gemmTactics(layer, ctx, { tiles: 99, splitK: 99 }) : compileGemm(layer, ctx);
  if (typeof tactics === 'string') assert.fail(tactics);

  const half = (v: Float32Array, yes: boolean) => (yes ? roundHalf(v) : v);
  const xFlat = { shape: [c.m, c.k], data: half(xv, c.xFmt[1] === 'f16x2') }; // logical (NCHW-order) flatten
  let want = await ort('Gemm', { a: xFlat, b: { shape: [c.k, c.n], data: half(wv, halfOut) }, ...(c.bias ? { c: { shape: [c.n], data: bv } } : {}) });
  if (c.residual) want = await ort('Add', { a: { shape: [c.m, c.n], data: want }, b: { shape: [c.m, c.n], data: half(rv, c.residual[1] === 'f16x2') } });
  want = await ortActivation(act, [c.m, c.n], want);

  const feeds: Record<string, Float32Array> = { x: xv, ...(c.residual ? { r: rv } : {}) };
  const read = target ? 'cat' : 'y';
  for (const t of c.all || c.every ? tactics : oneOfEachFamily(tactics)) {
    let got = (await runTactic(gpu!, t, ctx.tensors, feeds, [read]))[read]!;
    if (target) got = columns(got, c.m, c.place!.columns, c.place!.offset, c.n);
    const cmp = compareTensors(new Tensor('float32', [c.m, c.n], got), new Tensor('float32', [c.m, c.n], want), halfOut ? F16_TOLERANCE : FP32_TOLERANCE);
    assert.ok(cmp.pass, `${t.name}: ${JSON.stringify(cmp)}`);
  }
  const names = tactics.map((t) => t.name);
  assert.equal(new Set(names).size, names.length, `duplicate tactic names: ${names.join(', ')}`);
  for (const prefix of c.expect ?? []) assert.ok(names.some((n) => n.startsWith(prefix)), `no ${prefix} tactic among ${names.join(', ')}`);
  return names;
}

/** Columns [offset, offset + n) of a [m, cols] target; asserts the others stayed zero. */
function columns(v: Float32Array, m: number, cols: number, offset: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < cols; j++) {
    const x = v[r * cols + j]!;
    if (j >= offset && j < offset + n) out[r * n + j - offset] = x;
    else assert.equal(x, 0, `column ${j} outside the placed range was written`);
  }
  return out;
}

const ACTIVATIONS: Activation[] = [
  { kind: 'none' }, { kind: 'relu' }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.7 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' }, { kind: 'silu' },
];

test('odd sizes and partial tiles, bias + ReLU', { skip }, async () => {
  await check({ m: 37, k: 70, n: 45, bias: true, act: { kind: 'relu' }, xFmt: PLAIN, yFmt: PLAIN, every: true, seed: 1, expect: ['gemm-'] });
  await check({ m: 130, k: 41, n: 140, bias: true, xFmt: PLAIN, yFmt: PLAIN, seed: 4 });
});

test('every tile configuration and split-K factor', { skip }, async () => {
  // K = 100 is deep enough for split-K with 2, 3 and 4 chunks (one of them uneven) and keeps the
  // sweep to ten shader compiles: on lavapipe each costs about a second of CPU
  const names = await check({ m: 40, k: 100, n: 66, bias: true, residual: PLAIN, act: { kind: 'relu' }, xFmt: PLAIN, yFmt: PLAIN, all: true, seed: 7 });
  for (const c of TILE_CONFIGS) assert.ok(names.includes(`gemm-${tileName(c)}`), `gemm-${tileName(c)} missing from ${names.join(', ')}`);
  assert.ok(names.filter((n) => /-sk\d+$/.test(n)).length >= 3, `split-K tactics: ${names.join(', ')}`);
});

test('M ≤ 4: GEMV tactics beside tiles and split-K', { skip }, async () => {
  await check({ m: 2, k: 300, n: 130, bias: true, act: { kind: 'tanh' }, xFmt: PLAIN, yFmt: PLAIN, seed: 10, expect: ['gemm-gemv-c64', 'gemm-gemv-c32'] });
  await check({ m: 1, k: 37, n: 9, xFmt: PLAIN, yFmt: PLAIN, seed: 13, expect: ['gemm-gemv-c64'] });
  await check({ m: 4, k: 64, n: 100, bias: true, residual: PLAIN16, xFmt: PLAIN16, yFmt: PLAIN16, seed: 16, expect: ['gemm-gemv-'] });
});

test('residual + every activation kind', { skip }, async () => {
  for (const [i, act] of ACTIVATIONS.entries()) {
    await check({ m: 9, k: 33, n: 20, bias: true, residual: PLAIN, act, xFmt: PLAIN, yFmt: PLAIN, seed: 20 + i });
  }
});

test('packed-f16 input and output, and mixed f16/f32', { skip }, async () => {
  await check({ m: 6, k: 48, n: 32, bias: true, residual: PLAIN16, act: { kind: 'silu' }, xFmt: PLAIN16, yFmt: PLAIN16, seed: 40 });
  await check({ m: 33, k: 31, n: 18, bias: true, xFmt: PLAIN16, yFmt: PLAIN, seed: 43 });
  await check({ m: 17, k: 40, n: 70, bias: true, xFmt: PLAIN, yFmt: PLAIN16, all: true, seed: 46 });
});

test('a channels-last image flattened into rows (NCHW order), and an NCHW one', { skip }, async () => {
  await check({ m: 2, k: 24, n: 10, xShape: [2, 6, 2, 2], bias: true, xFmt: ['nhwc', 'f32'], yFmt: PLAIN, seed: 50 });
  await check({ m: 3, k: 20, n: 8, xShape: [3, 5, 2, 2], xFmt: ['nchw', 'f16x2'], yFmt: PLAIN, seed: 53 });
  await check({ m: 5, k: 16, n: 7, xShape: [5, 16, 1, 1], bias: true, xFmt: ['nhwc', 'f16x2'], yFmt: PLAIN, seed: 56 });
});

test('output placed into a concat target at a column offset', { skip }, async () => {
  await check({ m: 7, k: 20, n: 13, bias: true, act: { kind: 'relu' }, xFmt: PLAIN, yFmt: PLAIN, place: { columns: 30, offset: 9 }, seed: 60 });
  await check({ m: 3, k: 16, n: 6, bias: true, xFmt: PLAIN16, yFmt: PLAIN16, place: { columns: 12, offset: 4 }, seed: 63 });
});

test('refuses inconsistent layers with the reason', { skip }, () => {
  const layer: GemmLayer = { kind: 'gemm', name: 'fc9', from: ['fc9'], input: 'x', output: 'y', weights: new Float32Array(12), k: 4, n: 3, act: { kind: 'none' } };
  const bad = compileGemm(layer, context([tensor('x', [2, 5], PLAIN), tensor('y', [2, 3], PLAIN)]));
  assert.ok(typeof bad === 'string' && /fc9/.test(bad), String(bad));
  const odd = compileGemm({ ...layer, weights: new Float32Array(20), k: 4, n: 5 }, context([tensor('x', [2, 4], PLAIN), tensor('y', [2, 5], PLAIN16)]));
  assert.ok(typeof odd === 'string' && /odd/.test(odd), String(odd));
  const ok = compileGemm(layer, context([tensor('x', [2, 4], PLAIN), tensor('y', [2, 3], PLAIN)])) as Tactic[];
  assert.ok(Array.isArray(ok) && ok.length > 0);
});
