// The tactic-timing signature of a layer (builder.ts layerShape and the CPU engine's withoutValues,
// hashed into the timing cache)
// depends on its shapes and attributes, never on its constant values: a Gather's embedding table
// among its `constants` counts by type and length, so that GPT-2's 38.6 M-float table does not
// become a string longer than JavaScript allows (the build failed with "RangeError: Invalid string
// length"), and two layers that differ only in their weights share one timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerShape } from '../../src/engine/builder.js';
import { canonicalJson, layerSignature, withoutValues } from '../../src/engine/timing-cache.js';
import type { Layer } from '../../src/engine/network.js';
import type { KernelContext } from '../../src/engine/kernels/tactic.js';

const ctx = (rows: number): KernelContext => ({
  caps: {} as KernelContext['caps'],
  tensors: new Map([
    ['ids', { shape: [1, 64], dtype: 'int32', format: { layout: 'linear', storage: 'i32' } }],
    ['y', { shape: [1, 64, 768], format: { layout: 'linear', storage: 'f32' } }],
    ['table', { shape: [rows, 768], format: { layout: 'linear', storage: 'f32' } }],
  ]) as unknown as KernelContext['tensors'],
  placement: new Map(),
});

const gather = (table: Float32Array): Layer => ({
  kind: 'gather', name: 'wte', from: ['Gather_0'], data: 'const:0', indices: 'ids', axis: 0, output: 'y',
  constants: [{ dtype: 'float32', shape: [table.length / 768, 768], data: table }],
} as unknown as Layer);

test('a Gather with a 4 M-float table: the signature holds the table\'s length, not its values', () => {
  const big = new Float32Array(4_000_000 - (4_000_000 % 768)).map((_, i) => Math.sin(i));
  const json = canonicalJson(layerShape(gather(big), ctx(big.length / 768)));
  assert.ok(json.length < 1000, `${json.length} characters`);
  assert.match(json, /Float32Array\(3999744\)/);
});

test('layers that differ only in their weight values share a signature; another table size does not', () => {
  const a = new Float32Array(768 * 10).fill(1);
  const b = new Float32Array(768 * 10).fill(2);
  const c = new Float32Array(768 * 11).fill(1);
  const sig = (t: Float32Array) => layerSignature(layerShape(gather(t), ctx(t.length / 768)));
  assert.equal(sig(a), sig(b));
  assert.notEqual(sig(a), sig(c));
});

test('withoutValues (the CPU engine\'s signature) replaces typed arrays at any depth by type and length', () => {
  const v = withoutValues({ w: new Float32Array(5), constants: [{ dtype: 'int32', data: new Int32Array(3) }, undefined], m: new Map([['k', new Uint8Array(2)]]), n: 4 });
  assert.deepEqual(v, { w: 'Float32Array(5)', constants: [{ dtype: 'int32', data: 'Int32Array(3)' }, undefined], m: { k: 'Uint8Array(2)' }, n: 4 });
  assert.deepEqual(withoutValues({ x: { scale: 0.5, zeroPoint: 7 }, scale: 'a', zeroPoint: 0 }), { x: { scale: 'scale', zeroPoint: 'nonzero' }, scale: 'a', zeroPoint: 0 });
});

test('int8 layers that differ only in their scales share a signature; a zero point counts as zero or not', () => {
  const q = (xScale: number, yScale: number, zeroPoint: number) => layerSignature(layerShape({
    kind: 'qlinear', op: 'gemm', name: 'fc', from: ['MatMul_0'], precision: 'fp32', input: 'ids', output: 'y', relu: false,
    x: { scale: xScale, zeroPoint, signed: true }, y: { scale: yScale, zeroPoint: 0, signed: true },
    weights: new Int8Array(64 * 768), weightShape: [64, 768], weightScales: new Float32Array(768).fill(xScale),
  } as unknown as Layer, ctx(10)));
  assert.equal(q(0.02, 0.1, 0), q(0.031, 0.07, 0));
  assert.equal(q(0.02, 0.1, 3), q(0.02, 0.1, -5));
  assert.notEqual(q(0.02, 0.1, 0), q(0.02, 0.1, 3));
});
