// Engine convolution tactics on the device (lavapipe here) against onnxruntime: Conv (+ Add of the
// residual) (+ the activation's ONNX ops) run as one-node models in sequence. Covers edge tiles,
// odd channel counts, strides/pads/dilations, 1-D, 1×1 (direct and strided), split-K, GEMV-sized
// outputs, grouped and depthwise layers, residual + every activation kind, NCHW in/out, packed-f16
// in/out and placement into a concat target. The first case runs every tactic compileConv returns,
// the sweeps every tile and split-K factor; the others one tactic of each kernel family.
// f16x2 tolerance: the reference gets the same half-rounded inputs, residual and weights; only the
// output's rounding to half (relative 2^-11) and f32 summation order remain: atol 1e-2, rtol 4e-3.
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { compileConv, convTactics } from '../../src/engine/kernels/conv.js';
import { TILE_CONFIGS } from '../../src/engine/kernels/matrix/choices.js';
import { tileName } from '../../src/engine/kernels/matmul-tile.js';
import type { KernelContext, OutputPlacement, Tactic } from '../../src/engine/kernels/tactic.js';
import type { Activation, ConvLayer, Layout, NetTensor, Storage } from '../../src/engine/network.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { AttrSpec } from '../helpers/ort-reference.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { ortOneNode, type Operands, ortActivation } from '../helpers/ort-one-node.js';
import { elementCount } from '../../src/tensor/shape.js';

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
const NHWC: Fmt = ['nhwc', 'f32'];
const NCHW: Fmt = ['nchw', 'f32'];
const NHWC16: Fmt = ['nhwc', 'f16x2'];
const tensor = (name: string, shape: number[], [layout, storage]: Fmt): NetTensor => ({ name, shape, format: { layout, storage } });

function context(tensors: NetTensor[], placement: Record<string, OutputPlacement> = {}): KernelContext {
  return kernelContext(gpu!, tensors, { placement });
}

const ort = (op: string, inputs: Operands, attrs: Record<string, AttrSpec> = {}, order?: string[]) => ortOneNode(op, inputs, attrs, { order });

interface ConvCase {
  x: number[];
  /** ONNX weight shape (rank 3 for 1-D). */
  w: number[];
  group?: number;
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  bias?: boolean;
  residual?: Fmt;
  act?: Activation;
  xFmt: Fmt;
  yFmt: Fmt;
  precision?: 'fp32';
  /** Write into channels [offset, offset + C_out) of a concat target with this many channels. */
  place?: { channels: number; offset: number };
  /** Keep every tile configuration and split-K factor. */
  all?: boolean;
  /** Run every tactic compileConv returns (default: one of each kernel family, see oneOfEachFamily). */
  every?: boolean;
  seed: number;
  /** Tactic names that must be among those returned (by prefix). */
  expect?: string[];
}

const outSize = (i: number, k: number, s: number, d: number, p0: number, p1: number) => Math.floor((i + p0 + p1 - d * (k - 1) - 1) / s) + 1;

/** Compiles the case, runs every tactic, compares with onnxruntime; returns the tactic names. */
async function check(c: ConvCase): Promise<string[]> {
  const spatial = c.x.length - 2;
  const strides = c.strides ?? Array(spatial).fill(1);
  const dil = c.dilations ?? Array(spatial).fill(1);
  const pads = c.pads ?? Array(spatial * 2).fill(0);
  const out = c.x.slice(2).map((d, i) => outSize(d, c.w[2 + i]!, strides[i]!, dil[i]!, pads[i]!, pads[i + spatial]!));
  const yShape = [c.x[0]!, c.w[0]!, ...out];
  const xv = randomTensor(c.x, c.seed).data;
  const wv = randomTensor(c.w, c.seed + 1, -0.5, 0.5).data;
  const bv = randomTensor([c.w[0]!], c.seed + 2).data;
  const rv = randomTensor(yShape, c.seed + 3).data;
  const act = c.act ?? { kind: 'none' };
  const target = c.place ? tensor('cat', [yShape[0]!, c.place.channels, ...out], c.yFmt) : undefined;
  const halfOut = (target ?? tensor('y', yShape, c.yFmt)).format.storage === 'f16x2';
  const tensors = [tensor('x', c.x, c.xFmt), tensor('y', yShape, c.yFmt), ...(c.residual ? [tensor('r', yShape, c.residual)] : []), ...(target ? [target] : [])];
  const layer: ConvLayer = {
    kind: 'conv', name: 'conv', from: ['conv'], input: 'x', output: 'y', weights: wv,
    weightShape: (spatial === 1 ? [c.w[0]!, c.w[1]!, 1, c.w[2]!] : c.w) as [number, number, number, number],
    ...(c.bias ? { bias: bv } : {}), ...(c.residual ? { residual: 'r' } : {}), ...(c.precision ? { precision: c.precision } : {}),
    act, group: c.group ?? 1,
    strides: (spatial === 1 ? [1, strides[0]!] : strides) as [number, number],
    pads: (spatial === 1 ? [0, pads[0]!, 0, pads[1]!] : pads) as [number, number, number, number],
    dilations: (spatial === 1 ? [1, dil[0]!] : dil) as [number, number],
  };
  const ctx = context(tensors, target ? { y: { target: 'cat', channelOffset: c.place!.offset } } : {});
  const tactics = c.all ? convTactics(layer, ctx, { tiles: 99, splitK: 99 }) : compileConv(layer, ctx);
  if (typeof tactics === 'string') assert.fail(tactics);

  // reference over the values the device sees (half-rounded where stored as halves)
  const half = (v: Float32Array, yes: boolean) => (yes ? roundHalf(v) : v);
  const refW = half(wv, halfOut && c.precision !== 'fp32');
  let want = await ort('Conv', {
    x: { shape: c.x, data: half(xv, c.xFmt[1] === 'f16x2') }, w: { shape: c.w, data: refW },
    ...(c.bias ? { b: { shape: [c.w[0]!], data: bv } } : {}),
  }, { group: c.group ?? 1, strides, pads, dilations: dil });
  if (c.residual) want = await ort('Add', { a: { shape: yShape, data: want }, b: { shape: yShape, data: half(rv, c.residual[1] === 'f16x2') } });
  want = await ortActivation(act, yShape, want);

  const feeds: Record<string, Float32Array> = { x: xv, ...(c.residual ? { r: rv } : {}) };
  const read = target ? 'cat' : 'y';
  const tol = halfOut ? F16_TOLERANCE : FP32_TOLERANCE;
  for (const t of c.all || c.every ? tactics : oneOfEachFamily(tactics)) {
    let got = (await runTactic(gpu!, t, ctx.tensors, feeds, [read]))[read]!;
    if (target) got = sliceChannels(got, target.shape, c.place!.offset, yShape[1]!, true);
    const cmp = compareTensors(new Tensor('float32', yShape, got), new Tensor('float32', yShape, want), tol);
    assert.ok(cmp.pass, `${t.name}: ${JSON.stringify(cmp)}`);
  }
  const names = tactics.map((t) => t.name);
  for (const prefix of c.expect ?? []) assert.ok(names.some((n) => n.startsWith(prefix)), `no ${prefix} tactic among ${names.join(', ')}`);
  return names;
}

/** Channels [offset, offset + count) of an NCHW-ordered logical tensor; asserts the rest stayed zero. */
function sliceChannels(v: Float32Array, shape: number[], offset: number, count: number, restZero: boolean): Float32Array {
  const [n, c] = [shape[0]!, shape[1]!];
  const plane = elementCount(shape.slice(2));
  const out = new Float32Array(n * count * plane);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) {
    const x = v[(b * c + ch) * plane + p]!;
    if (ch >= offset && ch < offset + count) out[(b * count + ch - offset) * plane + p] = x;
    else if (restZero) assert.equal(x, 0, `channel ${ch} outside the placed range was written`);
  }
  return out;
}

const ACTIVATIONS: Activation[] = [
  { kind: 'none' }, { kind: 'relu' }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'clip', min: -0.5, max: 0.7 },
  { kind: 'sigmoid' }, { kind: 'tanh' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' }, { kind: 'silu' },
];

test('3×3 padded conv, NHWC f32, edge tiles, bias + ReLU', { skip }, async () => {
  await check({ x: [1, 8, 9, 7], w: [12, 8, 3, 3], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu' }, xFmt: NHWC, yFmt: NHWC, every: true, seed: 1, expect: ['conv-igemm-'] });
});

test('odd channels, stride, asymmetric pads, dilation, batch 2', { skip }, async () => {
  await check({ x: [2, 5, 11, 10], w: [7, 5, 3, 2], strides: [2, 1], pads: [1, 0, 2, 1], dilations: [1, 2], xFmt: NHWC, yFmt: NHWC, seed: 4 });
});

test('first conv: NCHW f32 input, 7×7 stride 2 pad 3, NHWC output', { skip }, async () => {
  await check({ x: [1, 3, 16, 16], w: [16, 3, 7, 7], strides: [2, 2], pads: [3, 3, 3, 3], bias: true, act: { kind: 'relu' }, xFmt: NCHW, yFmt: NHWC, seed: 7 });
});

test('NCHW in and out with an NCHW residual, and NHWC in / NCHW out', { skip }, async () => {
  await check({ x: [2, 6, 7, 5], w: [9, 6, 3, 3], pads: [1, 1, 1, 1], bias: true, residual: NCHW, act: { kind: 'sigmoid' }, xFmt: NCHW, yFmt: NCHW, seed: 10 });
  await check({ x: [1, 4, 6, 6], w: [5, 4, 1, 1], bias: true, residual: NHWC, xFmt: NHWC, yFmt: NCHW, seed: 13, expect: ['conv-1x1-'] });
});

test('1×1 stride-1 conv reads its input directly; residual + every activation kind', { skip }, async () => {
  for (const [i, act] of ACTIVATIONS.entries()) {
    await check({ x: [1, 20, 5, 6], w: [36, 20, 1, 1], bias: true, residual: NHWC, act, xFmt: NHWC, yFmt: NHWC, seed: 20 + i, expect: ['conv-1x1-'] });
  }
});

test('strided 1×1 (downsample) and 1-D convolution', { skip }, async () => {
  await check({ x: [1, 16, 9, 9], w: [24, 16, 1, 1], strides: [2, 2], bias: true, xFmt: NHWC, yFmt: NHWC, seed: 40, expect: ['conv-igemm-'] });
  await check({ x: [2, 4, 21], w: [6, 4, 3], strides: [2], pads: [1, 2], dilations: [2], bias: true, act: { kind: 'tanh' }, xFmt: NHWC, yFmt: NHWC, seed: 43 });
});

test('deep K and few pixels: split-K tactics (batch-1 ResNet layer4 shape, scaled down)', { skip }, async () => {
  await check({ x: [1, 64, 7, 7], w: [32, 64, 3, 3], pads: [1, 1, 1, 1], bias: true, residual: NHWC, act: { kind: 'relu' }, xFmt: NHWC, yFmt: NHWC, seed: 50, expect: ['conv-igemm-'] })
    .then((names) => assert.ok(names.some((n) => /-sk\d+$/.test(n)), `no split-K among ${names.join(', ')}`));
});

test('every tile configuration and split-K factor: im2col f32, grouped packed-f16', { skip }, async () => {
  const names = await check({ x: [1, 16, 7, 7], w: [40, 16, 3, 3], pads: [1, 1, 1, 1], bias: true, residual: NHWC, act: { kind: 'relu' }, xFmt: NHWC, yFmt: NHWC, all: true, seed: 55 });
  for (const c of TILE_CONFIGS) assert.ok(names.includes(`conv-igemm-${tileName(c)}`), `conv-igemm-${tileName(c)} missing from ${names.join(', ')}`);
  assert.ok(names.some((n) => /-sk\d+$/.test(n)), `no split-K among ${names.join(', ')}`);
  await check({ x: [1, 16, 6, 6], w: [24, 8, 3, 3], group: 2, pads: [1, 1, 1, 1], bias: true, xFmt: NHWC16, yFmt: NHWC16, all: true, seed: 57 });
});

test('at most four output pixels: GEMV tactics', { skip }, async () => {
  await check({ x: [3, 40, 1, 1], w: [70, 40, 1, 1], bias: true, act: { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, xFmt: NHWC, yFmt: NHWC, seed: 60, expect: ['conv-1x1-gemv-'] });
});

test('grouped convolution: direct and grouped implicit GEMM, even and odd channels per group', { skip }, async () => {
  await check({ x: [2, 12, 7, 6], w: [18, 4, 3, 3], group: 3, strides: [2, 1], pads: [1, 1, 1, 0], bias: true, act: { kind: 'relu' }, xFmt: NHWC, yFmt: NHWC, seed: 70, expect: ['conv-grouped-direct-', 'conv-igemm-'] });
  await check({ x: [1, 4, 6, 6], w: [6, 2, 3, 3], group: 2, pads: [1, 1, 1, 1], residual: NHWC, xFmt: NHWC, yFmt: NHWC, seed: 73, expect: ['conv-grouped-direct-', 'conv-igemm-'] });
  await check({ x: [1, 6, 5, 5], w: [9, 2, 3, 3], group: 3, bias: true, xFmt: NCHW, yFmt: NCHW, seed: 76 });
});

test('depthwise: stride 1 and 2, dilation, odd channels, NCHW input', { skip }, async () => {
  await check({ x: [1, 10, 9, 8], w: [10, 1, 3, 3], group: 10, pads: [1, 1, 1, 1], bias: true, act: { kind: 'clip', min: 0, max: 6 }, xFmt: NHWC, yFmt: NHWC, seed: 80, expect: ['conv-dw-direct-w1', 'conv-dw-direct-w4'] });
  await check({ x: [2, 7, 11, 9], w: [7, 1, 5, 3], group: 7, strides: [2, 2], pads: [2, 1, 2, 1], dilations: [1, 2], residual: NHWC, xFmt: NHWC, yFmt: NHWC, seed: 83 });
  await check({ x: [1, 6, 8, 8], w: [6, 1, 3, 3], group: 6, pads: [1, 1, 1, 1], bias: true, xFmt: NCHW, yFmt: NHWC, seed: 86 });
});

test('packed-f16 input and output (weights as halves), residual in f16', { skip }, async () => {
  await check({ x: [1, 8, 7, 6], w: [16, 8, 3, 3], pads: [1, 1, 1, 1], bias: true, residual: NHWC16, act: { kind: 'relu' }, xFmt: NHWC16, yFmt: NHWC16, seed: 90 });
  await check({ x: [1, 6, 5, 5], w: [10, 6, 1, 1], bias: true, xFmt: NHWC16, yFmt: NHWC16, seed: 92, expect: ['conv-1x1-'] });
  await check({ x: [1, 12, 8, 8], w: [12, 1, 3, 3], group: 12, pads: [1, 1, 1, 1], bias: true, act: { kind: 'silu' }, xFmt: NHWC16, yFmt: NHWC16, seed: 94 });
  await check({ x: [1, 8, 6, 6], w: [8, 4, 3, 3], group: 2, pads: [1, 1, 1, 1], xFmt: NHWC16, yFmt: NHWC16, seed: 96, expect: ['conv-igemm-'] });
});

test('mixed precision: f16 in / f32 out, f32 in / f16 out, and an fp32-forced layer', { skip }, async () => {
  await check({ x: [1, 10, 6, 5], w: [12, 10, 3, 3], pads: [1, 1, 1, 1], bias: true, xFmt: NHWC16, yFmt: NHWC, seed: 100 });
  await check({ x: [1, 3, 9, 9], w: [8, 3, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], bias: true, xFmt: NCHW, yFmt: NHWC16, seed: 102 });
  await check({ x: [1, 8, 5, 5], w: [8, 8, 3, 3], pads: [1, 1, 1, 1], precision: 'fp32', bias: true, xFmt: NHWC16, yFmt: NHWC16, seed: 104 });
});

test('output placed into a concat target at a channel offset', { skip }, async () => {
  await check({ x: [2, 6, 5, 4], w: [6, 6, 3, 3], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu' }, xFmt: NHWC, yFmt: NHWC, place: { channels: 16, offset: 5 }, seed: 110 });
  await check({ x: [1, 8, 4, 4], w: [4, 8, 1, 1], bias: true, xFmt: NHWC16, yFmt: NHWC16, place: { channels: 10, offset: 6 }, seed: 112 });
  await check({ x: [1, 8, 6, 6], w: [8, 1, 3, 3], group: 8, pads: [1, 1, 1, 1], xFmt: NHWC, yFmt: NHWC, place: { channels: 12, offset: 3 }, seed: 114 });
});

test('refuses layers it cannot run correctly, with the reason', { skip }, () => {
  const x = tensor('x', [1, 4, 5, 5], NHWC);
  const y = tensor('y', [1, 4, 5, 5], NHWC16);
  const cat = tensor('cat', [1, 10, 5, 5], NHWC16);
  const layer: ConvLayer = {
    kind: 'conv', name: 'c7', from: ['c7'], input: 'x', output: 'y', weights: new Float32Array(4 * 4 * 9), weightShape: [4, 4, 3, 3],
    act: { kind: 'none' }, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1],
  };
  const odd = compileConv(layer, context([x, y, cat], { y: { target: 'cat', channelOffset: 3 } }));
  assert.ok(typeof odd === 'string' && /c7/.test(odd) && /odd channel offset/.test(odd), String(odd));
  const bad = compileConv({ ...layer, weightShape: [4, 3, 3, 3] }, context([x, y]));
  assert.ok(typeof bad === 'string' && /do not match/.test(bad), String(bad));
  const ok = compileConv(layer, context([x, y])) as Tactic[];
  assert.ok(Array.isArray(ok) && ok.length > 0 && new Set(ok.map((t) => t.name)).size === ok.length, 'distinct tactic names');
});
