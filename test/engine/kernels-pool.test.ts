// Engine pooling kernels on the device (lavapipe here) against onnxruntime's MaxPool, AveragePool,
// GlobalAveragePool and GlobalMaxPool: strides, asymmetric pads, dilations, ceil-mode output
// shapes, count_include_pad, 1-D windows, global windows (with the workgroup-reduction tactic),
// and every layout/storage mix. Every tactic a layer returns is run.
// f16x2 tolerance: inputs are half-rounded for the reference too; the output's rounding to half
// leaves relative 2^-11: atol 1e-3, rtol 2e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { compilePool } from '../../src/engine/kernels/pool.js';
import type { KernelContext } from '../../src/engine/kernels/tactic.js';
import type { Layout, NetTensor, PoolLayer, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { oneNodeModel, randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16_TOLERANCE: Tolerance = { atol: 1e-3, rtol: 2e-3 };

function context(tensors: NetTensor[]): KernelContext {
  return kernelContext(gpu!, tensors);
}

interface PoolCase {
  op: 'MaxPool' | 'AveragePool' | 'GlobalAveragePool' | 'GlobalMaxPool';
  shape: number[];
  attrs?: Record<string, AttrSpec>;
  /** [input layout/storage, output layout/storage] combinations to run. */
  formats: [Layout, Storage, Layout, Storage][];
  /** Tactic names that must be among those returned. */
  expectTactics?: RegExp[];
}

/** Runs the ONNX pool in onnxruntime, then the engine layer with each format mix and tactic. */
async function check(c: PoolCase, seed: number) {
  const x = roundHalf(randomTensor(c.shape, seed, -3, 3).data);
  const feeds = { x: new Tensor('float32', c.shape, x) };
  const ref = (await runOrt(oneNodeModel({ op: c.op, attrs: c.attrs ?? {}, inputs: feeds, inputOrder: ['x'], outputs: ['y'] }), feeds)).y!;
  const spatial = c.shape.length - 2;
  const a = c.attrs ?? {};
  const global = c.op.startsWith('Global');
  const ints = (k: string, fill: number, n: number) => (a[k] as number[] | undefined) ?? new Array<number>(n).fill(fill);
  const kernel = global ? c.shape.slice(2) : (a.kernel_shape as number[]);
  const pads = global ? [0, 0, 0, 0] : ints('pads', 0, 2 * spatial);
  const two = (v: number[]): [number, number] => (spatial === 1 ? [1, v[0]!] : [v[0]!, v[1]!]);
  const layer: PoolLayer = {
    kind: 'pool', name: 'pool', from: ['pool'], op: c.op.includes('Max') ? 'max' : 'avg', input: 'x', output: 'y',
    kernel: two(kernel), strides: global ? [1, 1] : two(ints('strides', 1, spatial)), dilations: global ? [1, 1] : two(ints('dilations', 1, spatial)),
    pads: spatial === 1 ? [0, pads[0]!, 0, pads[1]!] : [pads[0]!, pads[1]!, pads[2]!, pads[3]!],
    countIncludePad: a.count_include_pad === 1,
  };
  for (const [il, is, ol, os] of c.formats) {
    const tensors: NetTensor[] = [{ name: 'x', shape: c.shape, format: { layout: il, storage: is } }, { name: 'y', shape: [...ref.shape], format: { layout: ol, storage: os } }];
    const ctx = context(tensors);
    const tactics = compilePool(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    for (const name of c.expectTactics ?? []) assert.ok(tactics.some((t) => name.test(t.name)), `a tactic matching ${name} among ${tactics.map((t) => t.name)}`);
    for (const t of tactics) {
      const got = (await runTactic(gpu!, t, ctx.tensors, { x }, ['y'])).y!;
      const cmp = compareTensors(new Tensor('float32', [...ref.shape], got), ref, os === 'f16x2' ? F16_TOLERANCE : FP32_TOLERANCE);
      assert.ok(cmp.pass, `${c.op} ${JSON.stringify(c.attrs)} ${il}/${is} → ${ol}/${os} ${t.name}: ${JSON.stringify(cmp)}`);
    }
  }
}

const MIXES: [Layout, Storage, Layout, Storage][] = [
  ['nhwc', 'f32', 'nhwc', 'f32'], ['nchw', 'f32', 'nhwc', 'f16x2'], ['nhwc', 'f16x2', 'nchw', 'f32'], ['nhwc', 'f16x2', 'nhwc', 'f16x2'],
];

test('MaxPool 3×3 stride 2 pad 1 in every layout/storage mix', { skip }, async () => {
  await check({ op: 'MaxPool', shape: [2, 6, 9, 9], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, formats: MIXES }, 1);
});

test('MaxPool with dilations, asymmetric pads and ceil mode', { skip }, async () => {
  await check({
    op: 'MaxPool', shape: [1, 4, 10, 11], attrs: { kernel_shape: [3, 2], strides: [2, 3], dilations: [2, 1], pads: [0, 1, 1, 0], ceil_mode: 1 },
    formats: [MIXES[0]!, MIXES[2]!],
  }, 2);
});

test('AveragePool: count_include_pad on and off, ceil mode on and off', { skip }, async () => {
  for (const countIncludePad of [0, 1]) {
    for (const ceil of [0, 1]) {
      await check({
        op: 'AveragePool', shape: [1, 4, 8, 7],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: countIncludePad, ceil_mode: ceil },
        formats: [MIXES[0]!, MIXES[1]!],
      }, 3 + countIncludePad * 2 + ceil);
    }
  }
});

test('pools with an odd channel count (unpaired channels) and 1-D windows', { skip }, async () => {
  await check({ op: 'AveragePool', shape: [2, 5, 6, 6], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, formats: [['nchw', 'f32', 'nhwc', 'f32'], ['nhwc', 'f32', 'nchw', 'f32']] }, 7);
  await check({ op: 'MaxPool', shape: [1, 4, 10], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] }, formats: [['nchw', 'f32', 'nchw', 'f32'], ['nhwc', 'f16x2', 'nhwc', 'f16x2']] }, 8);
});

test('global pools over a 56×56 window use the workgroup reduction tactic too', { skip }, async () => {
  const reduce = [/^pool-reduce-/];
  await check({ op: 'GlobalAveragePool', shape: [1, 6, 56, 56], formats: [['nhwc', 'f16x2', 'nhwc', 'f16x2'], ['nchw', 'f32', 'nchw', 'f32']], expectTactics: reduce }, 9);
  await check({ op: 'GlobalMaxPool', shape: [2, 40, 7, 7], formats: [['nhwc', 'f32', 'nhwc', 'f32'], ['nchw', 'f32', 'nhwc', 'f16x2']], expectTactics: reduce }, 10);
});

test('a pool whose output has other channels than its input is refused', { skip }, () => {
  const layer: PoolLayer = { kind: 'pool', name: 'p', from: ['p'], op: 'max', input: 'x', output: 'y', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false };
  const reason = compilePool(layer, context([{ name: 'x', shape: [1, 4, 4, 4], format: { layout: 'nhwc', storage: 'f32' } }, { name: 'y', shape: [1, 3, 2, 2], format: { layout: 'nhwc', storage: 'f32' } }]));
  assert.equal(typeof reason, 'string');
});

test('MaxPool on quantized integers (int8-max-pool): bytes in and out (four channels a word), a float tensor holding them in, uint8 and int8 — exactly onnxruntime\'s MaxPool on those integers', { skip }, async () => {
  const shape = [2, 8, 9, 7];
  const attrs = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };
  for (const signed of [false, true]) {
    const [lo, hi] = signed ? [-128, 127] : [0, 255];
    const ints = Float32Array.from(randomTensor(shape, signed ? 21 : 20, lo, hi + 1).data, Math.floor);
    const feeds = { x: new Tensor(signed ? 'int8' : 'uint8', shape, signed ? Int8Array.from(ints) : Uint8Array.from(ints)) };
    const ref = (await runOrt(oneNodeModel({ op: 'MaxPool', attrs, inputs: feeds, inputOrder: ['x'], outputs: ['y'] }), feeds)).y!;
    const layer: PoolLayer = {
      kind: 'pool', name: 'pool', from: ['pool'], op: 'max', input: 'x', output: 'y', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1],
      countIncludePad: false, quantized: { scale: 0.1, zeroPoint: signed ? -3 : 7, signed },
    };
    const bytes: Storage = signed ? 'i8x4' : 'u8x4';
    for (const [input, tactic] of [[bytes, /^pool-bytes-words-/], ['f16x2', /^pool-bytes-elements-/]] as const) {
      const ctx = context([{ name: 'x', shape, format: { layout: 'nhwc', storage: input } }, { name: 'y', shape: [...ref.shape], format: { layout: 'nhwc', storage: bytes } }]);
      const tactics = compilePool(layer, ctx);
      if (typeof tactics === 'string') assert.fail(tactics);
      assert.deepEqual(tactics.map((t) => tactic.test(t.name)), [true], tactics.map((t) => t.name).join());
      const got = (await runTactic(gpu!, tactics[0]!, ctx.tensors, { x: ints }, ['y'])).y!;
      assert.deepEqual([...got], [...ref.data].map(Number), `${input} → ${bytes}`);
    }
  }
  // a byte output is four channels of a channels-last pixel a word: anything else is refused, with the reason
  const layer: PoolLayer = { kind: 'pool', name: 'p', from: ['p'], op: 'max', input: 'x', output: 'y', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false, quantized: { scale: 1, zeroPoint: 0, signed: false } };
  const reason = compilePool(layer, context([{ name: 'x', shape: [1, 6, 4, 4], format: { layout: 'nhwc', storage: 'u8x4' } }, { name: 'y', shape: [1, 6, 2, 2], format: { layout: 'nhwc', storage: 'u8x4' } }]));
  assert.match(String(reason), /four channels of a pixel a word .*6/);
});
