// int8 engine tactics (dot4I8Packed GEMM and implicit-GEMM convolution) on the device (lavapipe
// here) against (1) the integer formula computed here — y = saturate(round((Σ(x−zx)·w + bias) ·
// f32(f32(sx·sw)/sy)) + zy), ties to even, or (Σ(x−zx)·w + bias)·f32(sx·sw) dequantized — which
// the kernels must match exactly, and (2) onnxruntime's QLinearMatMul, MatMulInteger and
// QLinearConv on the same quantized data: within one quantization step on ≥ 99% of elements.
// Covers uint8 and int8 activations with asymmetric zero points, per-channel and per-tensor
// weight scales, bias, ReLU, K and N not multiples of 4, every store path (row4, col4, packed
// through scratch), strides, dilations, asymmetric pads, grouped and depthwise convolution.
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { int8ConvTactics, type Int8ConvSpec } from '../../src/engine/kernels/matrix/int8-conv.js';
import { packInt8, type QuantParams } from '../../src/engine/kernels/matrix/int8-data.js';
import { int8GemmTactics, type Int8GemmSpec } from '../../src/engine/kernels/matrix/int8-gemm.js';
import type { Tactic } from '../../src/engine/kernels/tactic.js';
import type { DeviceCaps } from '../../src/devices/webgpu/caps.js';
import { emulatedTactic } from '../helpers/subgroup-matrix-emulation.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { Tensor } from '../../src/tensor/tensor.js';

import { fromHalfBits, toHalfBits } from '../../src/tensor/float16.js';

const skip = webgpuSkip() ?? false;
const dawn = skip ? undefined : await createDawnGpu();
const gpu = dawn && (await sharedGpuDevice(dawn));
process.on('exit', () => void dawn);
const { runInt8Tactic } = await import('../helpers/int8-kernel.js');
const { oneNodeModel, runOrt } = await import('../helpers/ort-reference.js');

/** Seeded integers in [lo, hi] (mulberry32). */
function ints(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + ((((t ^ (t >>> 14)) >>> 0) % (hi - lo + 1)));
  });
}
const qArray = (q: QuantParams, v: number[]) => (q.signed ? Int8Array.from(v) : Uint8Array.from(v));
const roundEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** The integer formula for one output, from its int32 sum (bias included). */
function finish(acc: number, sx: number, sw: number, y: QuantParams | undefined, relu: boolean): number {
  const xw = Math.fround(Math.fround(sx) * Math.fround(sw));
  if (!y) {
    const v = Math.fround(acc * xw);
    return relu ? Math.max(v, 0) : v;
  }
  const q = roundEven(Math.fround(acc * Math.fround(xw / Math.fround(y.scale)))) + y.zeroPoint;
  const [lo, hi] = y.signed ? [-128, 127] : [0, 255];
  return Math.min(hi, Math.max(relu ? y.zeroPoint : lo, q));
}

function outputBytes(count: number, y: QuantParams | undefined) {
  return y ? Math.ceil(count / 4) * 4 : count * 4;
}
function decode(bytes: Uint8Array, count: number, y: QuantParams | undefined): number[] {
  if (!y) return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  return Array.from(y.signed ? new Int8Array(bytes.buffer, bytes.byteOffset, count) : bytes.subarray(0, count));
}

async function runAll(tactics: Tactic[] | string, x: Int8Array | Uint8Array, count: number, y: QuantParams | undefined, every: boolean): Promise<Map<string, number[]>> {
  if (typeof tactics === 'string') assert.fail(tactics);
  const out = new Map<string, number[]>();
  for (const t of every ? tactics : tactics.slice(0, 1)) {
    const r = await runInt8Tactic(gpu!, t, { x: packInt8(x) }, { y: outputBytes(count, y) });
    out.set(t.name, decode(r.y!, count, y));
  }
  return out;
}

function assertExact(got: Map<string, number[]>, want: number[], what: string): void {
  for (const [name, g] of got) {
    const bad = g.findIndex((v, i) => (Number.isInteger(want[i]) ? v !== want[i] : Math.abs(v - want[i]!) > 1e-6 * Math.abs(want[i]!)));
    assert.equal(bad, -1, `${what} ${name}: element ${bad} is ${g[bad]}, the formula gives ${want[bad]}`);
  }
}

/** Within one quantization step everywhere, and equal on ≥ 99% of elements. */
function assertNearOrt(got: number[], ort: ArrayLike<number>, what: string): void {
  let equal = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - Number(ort[i]));
    assert.ok(d <= 1, `${what}: element ${i} is ${got[i]}, onnxruntime gives ${ort[i]}`);
    if (d === 0) equal++;
  }
  assert.ok(equal >= 0.99 * got.length, `${what}: only ${equal}/${got.length} elements equal onnxruntime's`);
}

interface GemmCase { m: number; k: number; n: number; x: QuantParams; y?: QuantParams; perChannel: boolean; bias: boolean; relu: boolean; seed: number; every?: boolean }

function gemmData(c: GemmCase) {
  const [xlo, xhi] = c.x.signed ? [-128, 127] : [0, 255];
  const xs = ints(c.m * c.k, c.seed, xlo, xhi);
  const ws = ints(c.k * c.n, c.seed + 1, -127, 127);
  const scales = c.perChannel ? Float32Array.from(ints(c.n, c.seed + 2, 1, 40), (v) => v / 4000) : new Float32Array([0.0037]);
  const bias = c.bias ? Int32Array.from(ints(c.n, c.seed + 3, -20000, 20000)) : undefined;
  const spec: Int8GemmSpec = {
    name: 'qgemm', input: 'x', output: 'y', m: c.m, k: c.k, n: c.n, x: c.x, weights: Int8Array.from(ws), weightScales: scales,
    ...(bias ? { bias } : {}), relu: c.relu, ...(c.y ? { y: c.y } : {}),
  };
  const want: number[] = [];
  for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) {
    let acc = bias ? bias[j]! : 0;
    for (let k = 0; k < c.k; k++) acc += (xs[i * c.k + k]! - c.x.zeroPoint) * ws[k * c.n + j]!;
    want.push(finish(acc, c.x.scale, scales.length === 1 ? scales[0]! : scales[j]!, c.y, c.relu));
  }
  return { xs, ws, scales, spec, want };
}

const U8 = (scale: number, zeroPoint: number): QuantParams => ({ scale, zeroPoint, signed: false });
const I8 = (scale: number, zeroPoint: number): QuantParams => ({ scale, zeroPoint, signed: true });

test('the device has dot4I8Packed', { skip }, () => {
  assert.equal(deviceCaps(gpu!).packedDot4I8, true);
});

test('GEMM: uint8 in/out, K and N not multiples of 4 (packed through scratch), per-channel, bias, ReLU — every tile', { skip }, async () => {
  const c: GemmCase = { m: 37, k: 70, n: 45, x: U8(0.02, 119), y: U8(0.05, 3), perChannel: true, bias: true, relu: true, seed: 1, every: true };
  const { xs, spec, want } = gemmData(c);
  const tactics = int8GemmTactics(spec, deviceCaps(gpu!));
  assert.ok(Array.isArray(tactics) && tactics.every((t) => t.name.endsWith('-packed')), String(tactics));
  assertExact(await runAll(tactics, qArray(c.x, xs), c.m * c.n, c.y, true), want, 'gemm u8');
});

test('GEMM: int8 in/out, aligned (row4 stores) and per-tensor scale, against QLinearMatMul', { skip }, async () => {
  for (const c of [
    { m: 64, k: 128, n: 64, x: I8(0.03, -3), y: I8(0.4, 5), perChannel: false, bias: false, relu: false, seed: 10 },
    { m: 19, k: 36, n: 20, x: U8(0.011, 128), y: U8(0.09, 131), perChannel: true, bias: false, relu: false, seed: 20 },
  ] satisfies GemmCase[]) {
    const { xs, ws, scales, spec, want } = gemmData(c);
    const got = await runAll(int8GemmTactics(spec, deviceCaps(gpu!)), qArray(c.x, xs), c.m * c.n, c.y, false);
    assertExact(got, want, 'gemm');
    const y = c.y;
    const xt = new Tensor(c.x.signed ? 'int8' : 'uint8', [c.m, c.k], qArray(c.x, xs));
    const model = oneNodeModel({
      op: 'QLinearMatMul', opset: 21, inputs: { a: xt }, outputs: ['y'],
      inputOrder: ['a', 'a_scale', 'a_zero', 'b', 'b_scale', 'b_zero', 'y_scale', 'y_zero'],
      initializers: {
        a_scale: new Tensor('float32', [], Float32Array.of(c.x.scale)), a_zero: new Tensor(xt.dtype, [], qArray(c.x, [c.x.zeroPoint])),
        b: new Tensor('int8', [c.k, c.n], Int8Array.from(ws)), b_scale: new Tensor('float32', scales.length === 1 ? [] : [c.n], scales),
        b_zero: new Tensor('int8', scales.length === 1 ? [] : [c.n], new Int8Array(scales.length)),
        y_scale: new Tensor('float32', [], Float32Array.of(y.scale)), y_zero: new Tensor(y.signed ? 'int8' : 'uint8', [], qArray(y, [y.zeroPoint])),
      },
    });
    const ort = (await runOrt(model, { a: xt })).y!;
    assertNearOrt(got.values().next().value!, ort.data as ArrayLike<number>, `QLinearMatMul ${c.m}x${c.k}x${c.n}`);
  }
});

test('GEMM dequantized to f32 against MatMulInteger (times the scales), and with bias + ReLU against the formula', { skip }, async () => {
  const c: GemmCase = { m: 5, k: 33, n: 7, x: U8(0.02, 100), perChannel: true, bias: false, relu: false, seed: 30 };
  const { xs, ws, scales, spec, want } = gemmData(c);
  const got = await runAll(int8GemmTactics(spec, deviceCaps(gpu!)), qArray(c.x, xs), c.m * c.n, undefined, false);
  assertExact(got, want, 'gemm f32');
  const xt = new Tensor('uint8', [c.m, c.k], Uint8Array.from(xs));
  const model = oneNodeModel({
    op: 'MatMulInteger', inputs: { a: xt }, outputs: ['y'], inputOrder: ['a', 'b', 'a_zero'],
    initializers: { b: new Tensor('int8', [c.k, c.n], Int8Array.from(ws)), a_zero: new Tensor('uint8', [], Uint8Array.of(c.x.zeroPoint)) },
  });
  const acc = (await runOrt(model, { a: xt })).y!.data as Int32Array;
  const g = got.values().next().value!;
  for (let i = 0; i < acc.length; i++) {
    const ref = acc[i]! * Math.fround(Math.fround(c.x.scale) * scales[i % c.n]!);
    assert.ok(Math.abs(g[i]! - ref) <= 1e-6 * Math.abs(ref) + 1e-9, `element ${i}: ${g[i]} vs MatMulInteger ${acc[i]} · scales = ${ref}`);
  }
  const withBias = gemmData({ ...c, bias: true, relu: true, seed: 33 });
  assertExact(await runAll(int8GemmTactics(withBias.spec, deviceCaps(gpu!)), qArray(c.x, withBias.xs), c.m * c.n, undefined, false), withBias.want, 'gemm f32 bias relu');
});

test('GEMM dequantized into a native f16 tensor (an fp16 build\'s float output), split K included — every tactic — against the formula within a half step', { skip }, async () => {
  if (!deviceCaps(gpu!).shaderF16) assert.fail('the test device has no shader-f16');
  const toHalf = (v: number) => fromHalfBits(toHalfBits(v));
  for (const c of [
    { m: 5, k: 33, n: 8, x: U8(0.02, 100), perChannel: true, bias: true, relu: true, seed: 40, every: true },
    { m: 3, k: 1000, n: 16, x: I8(0.01, 0), perChannel: false, bias: true, relu: false, seed: 41, every: true },
  ] satisfies GemmCase[]) {
    const { xs, spec, want } = gemmData(c);
    const tactics = int8GemmTactics({ ...spec, halfOut: true }, deviceCaps(gpu!));
    if (typeof tactics === 'string') assert.fail(tactics);
    if (c.k === 1000) assert.ok(tactics.some((t) => /-sk\d+/.test(t.name)), 'split K offered');
    for (const t of tactics) {
      const r = await runInt8Tactic(gpu!, t, { x: packInt8(qArray(c.x, xs)) }, { y: Math.ceil(c.m * c.n / 2) * 4 });
      const got = new Uint16Array(r.y!.buffer, r.y!.byteOffset, c.m * c.n);
      // WGSL may round f32 → f16 either way: within one half step of the formula's value
      const bad = want.findIndex((w, i) => Math.abs(fromHalfBits(got[i]!) - w) > 2 ** -10 * Math.abs(w) + 1e-7);
      assert.equal(bad, -1, `${t.name}: element ${bad} is ${fromHalfBits(got[bad] ?? 0)}, the formula gives ${want[bad]} (${toHalf(want[bad] ?? 0)} in half)`);
    }
  }
});

test('split K (few tiles, long K): every store path through the partial sums and the finishing program — every tactic — against the formula', { skip }, async () => {
  for (const c of [
    { m: 6, k: 520, n: 44, x: I8(0.03, -3), y: I8(0.4, 5), perChannel: true, bias: true, relu: false, seed: 110, every: true },
    { m: 5, k: 300, n: 13, x: U8(0.02, 119), y: U8(0.05, 3), perChannel: true, bias: true, relu: true, seed: 111, every: true },
    { m: 3, k: 1000, n: 16, x: U8(0.01, 128), perChannel: false, bias: true, relu: false, seed: 112, every: true },
  ] satisfies GemmCase[]) {
    const { xs, spec, want } = gemmData(c);
    const tactics = int8GemmTactics(spec, deviceCaps(gpu!));
    assert.ok(Array.isArray(tactics) && tactics.some((t) => /-sk\d+/.test(t.name)), `split-K tactics offered for ${c.m}×${c.k}×${c.n}`);
    assertExact(await runAll(tactics, qArray(c.x, xs), c.m * c.n, c.y, true), want, `gemm ${c.m}×${c.k}×${c.n} split K`);
  }
});

interface ConvCase {
  n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; group: number;
  strides: [number, number]; pads: [number, number, number, number]; dilations: [number, number];
  x: QuantParams; y?: QuantParams; bias: boolean; relu: boolean; seed: number; every?: boolean;
  /** Channels-last input / output (the data and results are permuted here; the references stay NCHW). */
  nhwcIn?: boolean; nhwcOut?: boolean;
}

/** NCHW-ordered values of an [n, c, h·w] image as NHWC, or back (`back`). */
function permuteImage<T>(v: ArrayLike<T>, n: number, c: number, hw: number, back = false): T[] {
  const out = new Array<T>(v.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) {
    const nchw = (b * c + ch) * hw + p;
    const nhwc = (b * hw + p) * c + ch;
    if (back) out[nchw] = v[nhwc]!; else out[nhwc] = v[nchw]!;
  }
  return out;
}

function convData(c: ConvCase) {
  const cg = c.c / c.group;
  const og = c.o / c.group;
  const oh = Math.floor((c.h + c.pads[0] + c.pads[2] - c.dilations[0] * (c.kh - 1) - 1) / c.strides[0]) + 1;
  const ow = Math.floor((c.w + c.pads[1] + c.pads[3] - c.dilations[1] * (c.kw - 1) - 1) / c.strides[1]) + 1;
  const [xlo, xhi] = c.x.signed ? [-128, 127] : [0, 255];
  const xs = ints(c.n * c.c * c.h * c.w, c.seed, xlo, xhi);
  const ws = ints(c.o * cg * c.kh * c.kw, c.seed + 1, -127, 127);
  const scales = Float32Array.from(ints(c.o, c.seed + 2, 1, 40), (v) => v / 3000);
  const bias = c.bias ? Int32Array.from(ints(c.o, c.seed + 3, -5000, 5000)) : undefined;
  const spec: Int8ConvSpec = {
    name: 'qconv', input: 'x', output: 'y', inputShape: [c.n, c.c, c.h, c.w], outputShape: [c.n, c.o, oh, ow], x: c.x,
    weights: Int8Array.from(ws), weightShape: [c.o, cg, c.kh, c.kw], weightScales: scales, ...(bias ? { bias } : {}), relu: c.relu,
    ...(c.y ? { y: c.y } : {}), group: c.group, strides: c.strides, pads: c.pads, dilations: c.dilations,
    ...(c.nhwcIn ? { inputNhwc: true } : {}), ...(c.nhwcOut ? { outputNhwc: true } : {}),
  };
  const want: number[] = [];
  for (let b = 0; b < c.n; b++) for (let o = 0; o < c.o; o++) for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
    const g = Math.floor(o / og);
    let acc = bias ? bias[o]! : 0;
    for (let ci = 0; ci < cg; ci++) for (let i = 0; i < c.kh; i++) for (let j = 0; j < c.kw; j++) {
      const iy = y * c.strides[0] - c.pads[0] + i * c.dilations[0];
      const ix = x * c.strides[1] - c.pads[1] + j * c.dilations[1];
      if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
      acc += (xs[((b * c.c + g * cg + ci) * c.h + iy) * c.w + ix]! - c.x.zeroPoint) * ws[((o * cg + ci) * c.kh + i) * c.kw + j]!;
    }
    want.push(finish(acc, c.x.scale, scales[o]!, c.y, c.relu));
  }
  return { xs, ws, scales, bias, spec, want, count: c.n * c.o * oh * ow, ohw: oh * ow };
}

/** Every tactic's (or the first's) NCHW-ordered results of case `c`, whatever its layouts. */
async function runConv(c: ConvCase, d: ReturnType<typeof convData>, tactics: Tactic[] | string, every = !!c.every): Promise<Map<string, number[]>> {
  const xs = c.nhwcIn ? permuteImage(d.xs, c.n, c.c, c.h * c.w) : d.xs;
  const got = await runAll(tactics, qArray(c.x, xs), d.count, c.y, every);
  if (c.nhwcOut) for (const [name, v] of got) got.set(name, permuteImage(v, c.n, c.o, d.ohw, true));
  return got;
}

async function convAgainstOrt(c: ConvCase): Promise<void> {
  const d = convData(c);
  const got = await runConv(c, d, int8ConvTactics(d.spec, deviceCaps(gpu!)));
  assertExact(got, d.want, `conv ${JSON.stringify(d.spec.outputShape)}`);
  if (!c.y || c.relu) return; // QLinearConv has no ReLU and no f32 output
  const xt = new Tensor(c.x.signed ? 'int8' : 'uint8', d.spec.inputShape, qArray(c.x, d.xs));
  const model = oneNodeModel({
    op: 'QLinearConv', inputs: { x: xt }, outputs: ['y'],
    inputOrder: ['x', 'x_scale', 'x_zero', 'w', 'w_scale', 'w_zero', 'y_scale', 'y_zero', ...(d.bias ? ['b'] : [])],
    attrs: { group: c.group, strides: c.strides, pads: c.pads, dilations: c.dilations, kernel_shape: [c.kh, c.kw] },
    initializers: {
      x_scale: new Tensor('float32', [], Float32Array.of(c.x.scale)), x_zero: new Tensor(xt.dtype, [], qArray(c.x, [c.x.zeroPoint])),
      w: new Tensor('int8', d.spec.weightShape, Int8Array.from(d.ws)), w_scale: new Tensor('float32', [c.o], d.scales), w_zero: new Tensor('int8', [c.o], new Int8Array(c.o)),
      y_scale: new Tensor('float32', [], Float32Array.of(c.y.scale)), y_zero: new Tensor(c.y.signed ? 'int8' : 'uint8', [], qArray(c.y, [c.y.zeroPoint])),
      ...(d.bias ? { b: new Tensor('int32', [c.o], d.bias) } : {}),
    },
  });
  const ort = (await runOrt(model, { x: xt })).y!;
  for (const [name, g] of got) assertNearOrt(g, ort.data as ArrayLike<number>, `QLinearConv ${name}`);
}

test('conv 3×3 pad 1: uint8, per-channel, bias, requantized (col4 stores) — every tile — against QLinearConv', { skip }, async () => {
  await convAgainstOrt({ n: 1, c: 8, h: 10, w: 10, o: 16, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.02, 119), y: U8(0.1, 2), bias: true, relu: false, seed: 40, every: true });
});

test('conv four output pixels at a time (stride 1 across with OW % 4 = 0, or 1×1): word loads, unaligned rows, image edges, dilation, groups — every tile — against the formula and QLinearConv', { skip }, async () => {
  const cases: ConvCase[] = [
    // 3×3 pad 1 on 8×8: the rows' inner taps are whole (shifted) words, the edges read the zero point
    { n: 1, c: 8, h: 8, w: 8, o: 16, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.02, 119), y: U8(0.1, 2), bias: true, relu: false, seed: 90, every: true },
    // 1×1 on 12×12, batch 2: aligned words, one load per tap
    { n: 2, c: 12, h: 12, w: 12, o: 8, kh: 1, kw: 1, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: I8(0.03, -5), y: I8(0.2, 3), bias: true, relu: false, seed: 91, every: true },
    // rows of 6 bytes: every row starts off a word boundary
    { n: 1, c: 5, h: 5, w: 6, o: 4, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: U8(0.02, 77), y: U8(0.05, 9), bias: false, relu: false, seed: 92, every: true },
    // dilation 2, stride 2 down, asymmetric pads, ReLU
    { n: 1, c: 4, h: 9, w: 8, o: 4, kh: 3, kw: 3, group: 1, strides: [2, 1], pads: [2, 2, 1, 2], dilations: [2, 2], x: U8(0.02, 100), y: U8(0.1, 0), bias: true, relu: true, seed: 93, every: true },
    // two groups, a 1×3 kernel
    { n: 1, c: 6, h: 3, w: 8, o: 4, kh: 1, kw: 3, group: 2, strides: [1, 1], pads: [0, 1, 0, 1], dilations: [1, 1], x: I8(0.02, 4), y: I8(0.1, -2), bias: true, relu: false, seed: 94, every: true },
    // 1×1 on 7×7 maps, batch 3 (M = 147): four pixels run across rows, and across images byte by byte
    { n: 3, c: 9, h: 7, w: 7, o: 8, kh: 1, kw: 1, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: U8(0.02, 128), y: U8(0.1, 5), bias: true, relu: false, seed: 95, every: true },
    // 1×1 on a 2×2 map with 300 channels: four rows, a long K, split
    { n: 1, c: 300, h: 2, w: 2, o: 20, kh: 1, kw: 1, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: U8(0.01, 120), y: U8(0.2, 10), bias: true, relu: false, seed: 97, every: true },
    // grouped 1×1 on 5×5, int8, dequantized to f32
    { n: 2, c: 8, h: 5, w: 5, o: 6, kh: 1, kw: 1, group: 2, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: I8(0.03, -3), bias: true, relu: false, seed: 96, every: true },
  ];
  for (const c of cases) {
    const tactics = int8ConvTactics(convData(c).spec, deviceCaps(gpu!));
    assert.ok(Array.isArray(tactics) && tactics.some((t) => t.programs[0]!.wgsl.includes('loadA16(m, kq)')), 'the tiles stage four pixels at a time');
    await convAgainstOrt(c);
  }
});

test('subgroup-matrix tiles (matrix operations emulated on lavapipe): a channels-last conv\'s 16-byte loads through a blocked tile into row4 stores, split K through a 16×32-block tile — against the formula', { skip }, async () => {
  const i8 = { componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 };
  const caps: DeviceCaps = { ...deviceCaps(gpu!), subgroupMatrix: [i8], subgroupSize: 32, i8MatrixUnit: 'word' };
  const pick = (tactics: Tactic[] | string, name: RegExp) => {
    if (typeof tactics === 'string') assert.fail(tactics);
    const t = tactics.find((x) => name.test(x.name));
    assert.ok(t, `a tactic ${name} among ${tactics.map((x) => x.name).join(', ')}`);
    return [emulatedTactic(t)];
  };
  // 3×3 pad 1 on 9×7 maps, batch 2, 32 channels in, 40 out, NHWC both sides: rows of 16 bytes
  // through a 128×64 tile of 32×32 blocks, two row passes (the NCHW staging goes through the same
  // blocked loop as four words per iteration too, and is covered on the dot4I8Packed tiles above)
  const cc: ConvCase = { n: 2, c: 32, h: 9, w: 7, o: 40, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.02, 119), y: U8(0.1, 2), bias: true, relu: true, seed: 140, nhwcIn: true, nhwcOut: true };
  const conv = convData(cc);
  assertExact(await runConv(cc, conv, pick(int8ConvTactics(conv.spec, caps), /^int8-conv-128x64x64-mma-r32x32$/), true), conv.want, 'conv mma');
  // 9 rows, K = 448, N = 30 (packed through scratch): split K on a 32×32 mma tile
  const c: GemmCase = { m: 9, k: 448, n: 30, x: U8(0.02, 119), y: U8(0.05, 3), perChannel: true, bias: true, relu: true, seed: 122 };
  const g = gemmData(c);
  assertExact(await runAll(pick(int8GemmTactics(g.spec, caps), /^int8-gemm-32x32x64-mma-sk\d+-packed$/), qArray(c.x, g.xs), c.m * c.n, c.y, true), g.want, 'gemm mma split K');
});

test('conv: depthwise stride 2 (packed through scratch), grouped, int8, batch 2, against QLinearConv', { skip }, async () => {
  await convAgainstOrt({ n: 1, c: 8, h: 9, w: 9, o: 8, kh: 3, kw: 3, group: 8, strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.03, 110), y: U8(0.05, 120), bias: true, relu: false, seed: 50 });
  await convAgainstOrt({ n: 2, c: 6, h: 7, w: 8, o: 4, kh: 1, kw: 3, group: 2, strides: [1, 2], pads: [0, 1, 0, 0], dilations: [1, 1], x: I8(0.02, -10), y: I8(0.2, 7), bias: false, relu: false, seed: 60 });
});

test('conv: depthwise direct kernel and every tile agree with the formula — uint8 and int8 inputs, odd image sizes (bytes across channels), dilation, asymmetric pads, ReLU, f32 output', { skip }, async () => {
  const dw = (c: Partial<ConvCase>): ConvCase => ({ n: 2, c: 6, h: 7, w: 5, o: 6, kh: 3, kw: 3, group: 6, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.03, 131), y: U8(0.05, 3), bias: true, relu: false, seed: 80, every: true, ...c });
  const tactics = int8ConvTactics(convData(dw({})).spec, deviceCaps(gpu!));
  assert.ok(Array.isArray(tactics) && tactics[0]!.name.startsWith('int8-dw-'), `the direct kernel comes first: ${Array.isArray(tactics) ? tactics.map((t) => t.name) : tactics}`);
  await convAgainstOrt(dw({}));
  await convAgainstOrt(dw({ x: I8(0.02, -7), y: I8(0.04, 5), strides: [2, 1], pads: [0, 2, 1, 0], dilations: [2, 1], seed: 81 }));
  await convAgainstOrt(dw({ y: undefined, relu: true, kh: 1, kw: 5, pads: [0, 2, 0, 2], seed: 82 }));
});

test('conv: dilation 2, asymmetric pads, ReLU, requantized and dequantized to f32 (formula)', { skip }, async () => {
  const base: ConvCase = { n: 1, c: 5, h: 11, w: 9, o: 6, kh: 3, kw: 2, group: 1, strides: [1, 1], pads: [2, 0, 1, 1], dilations: [2, 2], x: U8(0.015, 90), bias: true, relu: true, seed: 70 };
  await convAgainstOrt({ ...base, y: U8(0.06, 10) });
  await convAgainstOrt(base);
});

test('conv channels-last: 16-byte loads of a pixel\'s channels (C and C/group multiples of 16), word loads (multiples of 4), byte gathers (a first conv\'s 3 channels), NHWC and NCHW on either side, row4 and packed stores — against the formula and QLinearConv', { skip }, async () => {
  // every tile for the first case (every K step size); the first tile for the others
  const base: ConvCase = { n: 2, c: 32, h: 6, w: 5, o: 24, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], x: U8(0.02, 119), y: U8(0.1, 2), bias: true, relu: false, seed: 130, nhwcIn: true, nhwcOut: true };
  const cases: [ConvCase, string][] = [
    [{ ...base, every: true }, 'loadA16r(m0 + r, kq)'],
    // stride 2, asymmetric pads, dilation, int8, into an NCHW output
    [{ ...base, x: I8(0.03, -4), y: I8(0.2, 5), strides: [2, 2], pads: [0, 1, 2, 1], dilations: [2, 1], nhwcOut: false, seed: 131 }, 'loadA16r(m0 + r, kq)'],
    // two groups of 16 channels; 6 channels a group out: through scratch; a 1×1 kernel reads the output pixel's own input
    [{ ...base, c: 32, o: 12, group: 2, kh: 1, kw: 1, pads: [0, 0, 0, 0], seed: 132 }, 'return xq[(m) * 2u + grp * 1u'],
    // a 1×1 kernel with stride 2 (a downsample shortcut): the input pixel of each output pixel, no edge test
    [{ ...base, c: 48, o: 20, h: 7, w: 6, kh: 1, kw: 1, pads: [0, 0, 0, 0], strides: [2, 2], seed: 138 }, 'return xq[((m / 12u * 7u'],
    // 8 channels: one word of a pixel per load; dequantized to f32 with ReLU
    [{ ...base, c: 8, o: 8, y: undefined, relu: true, seed: 133 }, 'return xw('],
    // a first conv: 3 channels, 7×7 stride 2: a kernel row's bytes a word at a time inside the
    // image, gathered byte by byte at its edges and across kernel rows
    [{ ...base, c: 3, o: 8, h: 11, w: 9, kh: 7, kw: 7, strides: [2, 2], pads: [3, 3, 3, 3], seed: 134 }, 'return bytes4('],
    [{ ...base, c: 3, o: 8, h: 11, w: 9, kh: 7, kw: 7, strides: [2, 2], pads: [3, 3, 3, 3], seed: 134 }, 'byteAt(u32(px)'],
    // the same on a larger image: words across two kernel rows inside it are two unaligned words
    [{ ...base, c: 3, o: 8, h: 15, w: 17, kh: 7, kw: 7, strides: [2, 2], pads: [3, 3, 3, 3], seed: 139 }, '(hi << (8u * n1))'],
    // 3 channels, taps two pixels apart across (dilation 2): byte by byte only; int8, rows dilated too
    [{ ...base, c: 3, o: 8, h: 9, w: 10, kh: 3, kw: 3, x: I8(0.03, 3), y: I8(0.1, -2), dilations: [2, 2], strides: [1, 2], pads: [2, 1, 1, 2], seed: 136 }, 'byteAt(u32(px)'],
    // 5 channels in one kernel row of 1×4 (rows never cross), stride 1
    [{ ...base, c: 5, o: 4, h: 4, w: 9, kh: 1, kw: 4, pads: [0, 1, 0, 2], seed: 137 }, 'return bytes4('],
    // an NCHW input (four pixels of a row a load) into an NHWC output
    [{ ...base, w: 8, nhwcIn: false, seed: 135 }, 'loadA16(m, kq)'],
  ];
  for (const [c, marker] of cases) {
    const tactics = int8ConvTactics(convData(c).spec, deviceCaps(gpu!));
    assert.ok(Array.isArray(tactics) && tactics.every((t) => t.programs[0]!.wgsl.includes(marker)), `${JSON.stringify(c)}: the tiles load through ${marker}`);
    // a channels-last byte input is staged four words of a row at a time, whatever its channels
    if (c.nhwcIn) assert.ok(tactics.every((t) => t.programs[0]!.wgsl.includes('loadA16r(m0 + r, kq)')), `${JSON.stringify(c)}: rows staged through loadA16r`);
    await convAgainstOrt(c);
  }
});

test('refusals name the layer and the reason', { skip }, () => {
  const caps = deviceCaps(gpu!);
  const { spec } = gemmData({ m: 4, k: 8, n: 4, x: U8(0.1, 0), perChannel: true, bias: false, relu: false, seed: 1 });
  assert.match(String(int8GemmTactics({ ...spec, x: U8(0.1, 300) }, caps)), /qgemm: input zero point 300 is outside \[0, 255\]/);
  assert.match(String(int8GemmTactics({ ...spec, weightScales: new Float32Array(3) }, caps)), /3 weight scales for 4 output channels/);
  assert.match(String(int8GemmTactics(spec, { ...caps, packedDot4I8: false })), /packed_4x8_integer_dot_product/);
  const { spec: conv } = convData({ n: 1, c: 4, h: 5, w: 5, o: 4, kh: 3, kw: 3, group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], x: I8(0.1, 0), bias: false, relu: false, seed: 2 });
  assert.match(String(int8ConvTactics({ ...conv, outputShape: [1, 4, 5, 5] }, caps)), /qconv: shapes do not agree/);
});
