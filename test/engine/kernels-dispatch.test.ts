// The layer dispatcher (compileLayer): every layer kind reaches its own kernel generator (the same
// tactics as calling that generator directly), zero-program layers (in-place concat, reshape
// views) come back as such, and a generator's reason string passes through. No device needed.
import { BASELINE_CAPS } from '../../src/devices/webgpu/caps.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConcat } from '../../src/engine/kernels/concat.js';
import { compileConv } from '../../src/engine/kernels/conv.js';
import { compileConvert } from '../../src/engine/kernels/convert.js';
import { compileGemm } from '../../src/engine/kernels/gemm.js';
import { compileLayer } from '../../src/engine/kernels/index.js';
import { compilePointwise } from '../../src/engine/kernels/pointwise.js';
import { compilePool } from '../../src/engine/kernels/pool.js';
import { compileReshape } from '../../src/engine/kernels/reshape.js';
import { compileSoftmax } from '../../src/engine/kernels/softmax.js';
import type { KernelContext, Tactic } from '../../src/engine/kernels/tactic.js';
import type { Layer, Layout, NetTensor, Storage } from '../../src/engine/network.js';

const t = (name: string, shape: number[], layout: Layout = 'nhwc', storage: Storage = 'f32'): NetTensor => ({ name, shape, format: { layout, storage } });
const ctx: KernelContext = {
  caps: BASELINE_CAPS,
  tensors: new Map([
    t('img', [1, 4, 6, 6]), t('img2', [1, 4, 6, 6]), t('sum', [1, 4, 6, 6]), t('conv', [1, 8, 6, 6]), t('pooled', [1, 4, 3, 3]), t('cat', [1, 8, 6, 6]),
    t('flat', [1, 144], 'plain'), t('vec', [1, 4, 1, 1]), t('vecFlat', [1, 4], 'plain'), t('fc', [1, 3], 'plain'), t('prob', [1, 3], 'plain'),
    t('imgNchw', [1, 4, 6, 6], 'nchw'),
  ].map((x) => [x.name, x])),
  placement: new Map(),
};
const base = { from: [] as string[] };

const cases: [Layer, (l: never, c: KernelContext) => Tactic[] | string][] = [
  [{ ...base, name: 'c', kind: 'conv', input: 'img', output: 'conv', weights: new Float32Array(8 * 4 * 9), weightShape: [8, 4, 3, 3], act: { kind: 'relu' }, group: 1, strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] }, compileConv],
  [{ ...base, name: 'g', kind: 'gemm', input: 'vecFlat', output: 'fc', weights: new Float32Array(12), k: 4, n: 3, act: { kind: 'none' } }, compileGemm],
  [{ ...base, name: 'p', kind: 'pool', op: 'max', input: 'img', output: 'pooled', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false }, compilePool],
  [{ ...base, name: 'pw', kind: 'pointwise', inputs: ['img', 'img2'], output: 'sum', expr: { op: 'binary', fn: 'add', a: { op: 'input', index: 0 }, b: { op: 'input', index: 1 } } }, compilePointwise],
  [{ ...base, name: 'cat', kind: 'concat', inputs: ['img', 'img2'], output: 'cat', axis: 1 }, compileConcat],
  [{ ...base, name: 'sm', kind: 'softmax', input: 'fc', output: 'prob', log: false }, compileSoftmax],
  [{ ...base, name: 'r', kind: 'reshape', input: 'img', output: 'flat' }, compileReshape],
  [{ ...base, name: 'cv', kind: 'convert', input: 'img', output: 'imgNchw' }, compileConvert],
];

test('each layer kind reaches its own kernel generator', () => {
  for (const [layer, direct] of cases) {
    const got = compileLayer(layer, ctx);
    assert.ok(Array.isArray(got) && got.length > 0, `${layer.kind}: ${String(got)}`);
    assert.deepEqual(got.map((x) => x.name), (direct(layer as never, ctx) as Tactic[]).map((x) => x.name), layer.kind);
  }
});

test('in-place concats and reshape views compile to a single tactic with no programs', () => {
  const inPlace = compileLayer({ ...base, name: 'cat', kind: 'concat', inputs: ['img', 'img2'], output: 'cat', axis: 1, inPlace: true }, ctx);
  assert.deepEqual(inPlace, [{ name: 'in-place', programs: [], constants: [], scratch: [] }]);
  const view = compileLayer({ ...base, name: 'r', kind: 'reshape', input: 'vec', output: 'vecFlat' }, ctx);
  assert.deepEqual(view, [{ name: 'view', programs: [], constants: [], scratch: [] }]);
  const copy = compileLayer({ ...base, name: 'r', kind: 'reshape', input: 'img', output: 'flat' }, ctx) as Tactic[];
  assert.deepEqual(copy.map((x) => [x.name, x.programs.length]), [['copy', 1]]);
});

test('a generator that cannot run a layer gives its reason string', () => {
  const reason = compileLayer({ ...base, name: 'sm', kind: 'softmax', input: 'img', output: 'img2', log: false }, ctx);
  assert.equal(typeof reason, 'string');
  assert.match(reason as string, /sm/);
});
