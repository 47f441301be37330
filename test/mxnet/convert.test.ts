import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError, ShapeError, UnsupportedError, UsageError } from '../../src/errors.js';
import { mxReshapeTarget } from '../../src/mxnet/convert/reshape-shape.js';
import { exportMxnet } from '../../src/mxnet/export.js';
import { importMxnet } from '../../src/mxnet/import.js';
import { writeParams } from '../../src/mxnet/params.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixture, fixtureText, MODELS, SKIP } from './fixtures.js';
import { elementCount } from '../../src/tensor/shape.js';

function randomFeeds(inputs: readonly { name: string; shape: readonly (number | string)[] }[], seed = 1): Record<string, Tensor> {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const feeds: Record<string, Tensor> = {};
  for (const v of inputs) {
    const shape = v.shape as number[];
    const variance = v.name.endsWith('_var'); // BatchNorm variances fed as inputs must be ≥ 0
    feeds[v.name] = Tensor.fromArray(shape, Array.from({ length: elementCount(shape) }, () => (variance ? Math.abs(next()) : next())));
  }
  return feeds;
}

test('every fixture model converts and runs on the CPU executor; export → import gives the same outputs', { skip: SKIP }, async () => {
  for (const m of MODELS) {
    const params = m.params ? fixture(m.params) : new Uint8Array();
    const imported = importMxnet(fixtureText(m.symbol), params, { inputShapes: m.inputShapes });
    assert.deepEqual(imported.unusedParams, [], m.symbol);
    const session = await createSession(imported.graph);
    const feeds = randomFeeds(session.inputs);
    const out = await session.run(feeds);
    for (const [name, shape] of Object.entries(m.outputs)) assert.deepEqual(out[name]?.shape, shape, `${m.symbol} ${name}`);
    for (const [name, t] of Object.entries(out)) assert.ok(t.numeric().every(Number.isFinite), `${m.symbol} ${name} is finite`);

    const exported = exportMxnet(imported.graph);
    const again = importMxnet(exported.symbolJson, exported.params);
    const out2 = Object.values(await (await createSession(again.graph)).run(feeds));
    Object.values(out).forEach((t, i) => assert.deepEqual(out2[i]!.data, t.data, `${m.symbol} round trip output ${i}`));
  }
});

test('softmax heads produce probabilities: MTCNN R-Net rows sum to 1', { skip: SKIP }, async () => {
  const m = MODELS.find((x) => x.symbol.endsWith('det2-symbol.json'))!;
  const g = importMxnet(fixtureText(m.symbol), fixture(m.params!), { inputShapes: m.inputShapes }).graph;
  const prob = (await (await createSession(g)).run(randomFeeds(g.inputs, 7))).prob1_output!.numeric();
  for (let r = 0; r < 2; r++) assert.ok(Math.abs(prob[2 * r]! + prob[2 * r + 1]! - 1) < 1e-6);
});

test('Reshape special codes resolve as in MXNet\'s Reshape documentation', () => {
  const cases: [number[], number[], boolean, number[]][] = [
    [[2, 3, 4], [4, 0, 2], false, [4, 3, 2]],
    [[2, 3, 4], [2, 0, 0], false, [2, 3, 4]],
    [[2, 3, 4], [6, 1, -1], false, [6, 1, 4]],
    [[2, 3, 4], [3, -1, 8], false, [3, 1, 8]],
    [[2, 3, 4], [-1], false, [24]],
    [[2, 3, 4], [-2], false, [2, 3, 4]],
    [[2, 3, 4], [2, -2], false, [2, 3, 4]],
    [[2, 3, 4], [-2, 1, 1], false, [2, 3, 4, 1, 1]],
    [[2, 3, 4], [-3, 4], false, [6, 4]],
    [[2, 3, 4, 5], [-3, -3], false, [6, 20]],
    [[2, 3, 4], [0, -3], false, [2, 12]],
    [[2, 3, 4], [-3, -2], false, [6, 4]],
    [[2, 3, 4], [-4, 1, 2, -2], false, [1, 2, 3, 4]],
    [[2, 3, 4], [2, -4, -1, 3, -2], false, [2, 1, 3, 4]],
    [[10, 5, 4], [-1, 0], false, [40, 5]],
    [[10, 5, 4], [-1, 0], true, [50, 4]],
  ];
  for (const [input, spec, reverse, want] of cases) assert.deepEqual(mxReshapeTarget(input, spec, reverse, 'r'), want, `${input} ${spec} ${reverse}`);
  assert.throws(() => mxReshapeTarget([2, 3], [-1, -1], false, 'r'), ShapeError);
  assert.throws(() => mxReshapeTarget([2, 3], [4, -1], false, 'r'), ShapeError);
});

/** A symbol with one op over variables `inputs` (no params). */
function oneOp(op: string, attrs: Record<string, string>, inputs: string[], outputs = 1): string {
  const nodes = [...inputs.map((name) => ({ op: 'null', name, inputs: [] })), { op, name: 'y', attrs, inputs: inputs.map((_, i) => [i, 0, 0]) }];
  const heads = Array.from({ length: outputs }, (_, i) => [inputs.length, i, 0]);
  return JSON.stringify({ nodes, arg_nodes: inputs.map((_, i) => i), heads, attrs: { mxnet_version: ['int', 10901] } });
}

async function runOne(json: string, x: Tensor): Promise<Tensor[]> {
  const { graph } = importMxnet(json, new Uint8Array(), { inputShapes: { x: [...x.shape] } });
  return Object.values(await (await createSession(graph)).run({ x }));
}

// Examples from the MXNet operator documentation (slice, slice_axis, SliceChannel).
const X34 = Tensor.fromArray([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

test('slice and slice_axis follow MXNet\'s documented examples (None bounds, negative steps and indices)', async () => {
  const [a] = await runOne(oneOp('slice', { begin: '(0,1)', end: '(2,4)' }, ['x']), X34);
  assert.deepEqual([a!.shape, Array.from(a!.numeric())], [[2, 3], [2, 3, 4, 6, 7, 8]]);
  const [b] = await runOne(oneOp('slice', { begin: '(None, 0)', end: '(None, 3)', step: '(-1, 2)' }, ['x']), X34);
  assert.deepEqual([b!.shape, Array.from(b!.numeric())], [[3, 2], [9, 11, 5, 7, 1, 3]]);
  const [c] = await runOne(oneOp('slice_axis', { axis: '0', begin: '1', end: '3' }, ['x']), X34);
  assert.deepEqual(Array.from(c!.numeric()), [5, 6, 7, 8, 9, 10, 11, 12]);
  const [d] = await runOne(oneOp('slice_axis', { axis: '1', begin: '-3', end: '-1' }, ['x']), X34);
  assert.deepEqual(Array.from(d!.numeric()), [2, 3, 6, 7, 10, 11]);
  const [e] = await runOne(oneOp('slice_axis', { axis: '1', begin: '1', end: 'None' }, ['x']), X34);
  assert.deepEqual(e!.shape, [3, 3]);
});

test('SliceChannel follows MXNet\'s documented example, with and without squeeze_axis', async () => {
  const x = Tensor.fromArray([3, 2, 1], [1, 2, 3, 4, 5, 6]);
  const halves = await runOne(oneOp('SliceChannel', { axis: '1', num_outputs: '2' }, ['x'], 2), x);
  assert.deepEqual(halves.map((t) => [t.shape, Array.from(t.numeric())]), [[[3, 1, 1], [1, 3, 5]], [[3, 1, 1], [2, 4, 6]]]);
  const rows = await runOne(oneOp('SliceChannel', { axis: '0', num_outputs: '3', squeeze_axis: '1' }, ['x'], 3), x);
  assert.deepEqual(rows.map((t) => [t.shape, Array.from(t.numeric())]), [[[2, 1], [1, 2]], [[2, 1], [3, 4]], [[2, 1], [5, 6]]]);
});

test('errors name the op and node: unknown ops, missing input shapes, training-only outputs', () => {
  assert.throws(() => importMxnet(oneOp('FancyOp', {}, ['x']), new Uint8Array(), { inputShapes: { x: [1] } }),
    (e: Error) => e instanceof UnsupportedError && /'FancyOp'.*node 'y'.*supported MXNet ops: .*Convolution/.test(e.message));
  assert.throws(() => importMxnet(oneOp('Reshape', { shape: '(-1,)' }, ['x']), new Uint8Array()),
    (e: Error) => e instanceof UsageError && /shape of 'x' is unknown.*node 'y'/.test(e.message));
  assert.throws(() => importMxnet(oneOp('Activation', { act_type: 'relu' }, ['x']), new Uint8Array()),
    (e: Error) => e instanceof UsageError && /input 'x'/.test(e.message));
  assert.throws(() => importMxnet(oneOp('Activation', { act_type: 'swish' }, ['x']), new Uint8Array(), { inputShapes: { x: [1] } }),
    (e: Error) => e instanceof UnsupportedError && /act_type 'swish'/.test(e.message));
  const unnamed = writeParams({ arrays: [{ name: '', tensor: Tensor.fromArray([1], [1]) }], named: false });
  assert.throws(() => importMxnet(oneOp('_copy', {}, ['x']), unnamed, { inputShapes: { x: [1] } }), (e: Error) => e instanceof ParseError && /unnamed list/.test(e.message));
  const twice = writeParams({ arrays: ['arg:w', 'aux:w'].map((name) => ({ name, tensor: Tensor.fromArray([1], [1]) })), named: true });
  assert.throws(() => importMxnet(oneOp('_copy', {}, ['x']), twice, { inputShapes: { x: [1] } }), (e: Error) => e instanceof ParseError && /'w' appears twice/.test(e.message));
  const bnStats = JSON.stringify({
    nodes: [
      ...['x', 'g', 'b', 'm', 'v'].map((name) => ({ op: 'null', name, inputs: [] })),
      { op: 'BatchNorm', name: 'bn', inputs: [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0]] },
      { op: '_copy', name: 'c', inputs: [[5, 1, 0]] },
    ],
    arg_nodes: [0, 1, 2, 3, 4], heads: [[6, 0, 0]], attrs: { mxnet_version: ['int', 10901] },
  });
  assert.throws(() => importMxnet(bnStats, new Uint8Array(), { inputShapes: { x: [1, 2], g: [2], b: [2], m: [2], v: [2] } }),
    (e: Error) => e instanceof UnsupportedError && /output 1 of 'bn'.*only in training/.test(e.message));
});

/** Runs one MXNet op on constant-free inputs given as tensors (all become graph inputs). */
async function runWith(op: string, attrs: Record<string, string>, inputs: Record<string, Tensor>, outputs = 1): Promise<Tensor[]> {
  const names = Object.keys(inputs);
  const inputShapes = Object.fromEntries(names.map((n) => [n, [...inputs[n]!.shape]]));
  const { graph } = importMxnet(oneOp(op, attrs, names, outputs), new Uint8Array(), { inputShapes });
  const feeds = Object.fromEntries(graph.inputs.map((v) => [v.name, inputs[v.name]!])); // unused inputs (a fixed gamma) are dropped
  return Object.values(await (await createSession(graph)).run(feeds));
}

const close = (got: Tensor, want: number[], msg: string) => {
  assert.equal(got.size, want.length, msg);
  got.numeric().forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 + 1e-5 * Math.abs(want[i]!), `${msg}[${i}]: ${v} vs ${want[i]}`));
};

test('MXNet semantics that differ from ONNX defaults, against the formulas of MXNet\'s docs', async () => {
  const x = Tensor.fromArray([1, 2, 2, 2], [1, -2, 3, -4, 5, -6, 7, -8]);
  const c2 = (a: number, b: number) => Tensor.fromArray([2], [a, b]);
  // BatchNorm: fix_gamma defaults to True (gamma ignored), eps defaults to 1e-3
  const [bn] = await runWith('BatchNorm', {}, { x, g: c2(5, 5), b: c2(0.5, -0.5), m: c2(1, 2), v: c2(4, 9) });
  close(bn!, [...x.numeric()].map((v, i) => (i < 4 ? (v - 1) / Math.sqrt(4.001) + 0.5 : (v - 2) / Math.sqrt(9.001) - 0.5)), 'BatchNorm');
  // PReLU slopes (C,) apply along axis 1
  const [pr] = await runWith('LeakyReLU', { act_type: 'prelu' }, { x, g: c2(0.1, 0.2) });
  close(pr!, [1, -0.2, 3, -0.4, 5, -1.2, 7, -1.6], 'prelu');
  // reversed scalar ops: scalar − x, scalar / x
  const [rm] = await runWith('_rminus_scalar', { scalar: '10' }, { x });
  close(rm!, [...x.numeric()].map((v) => 10 - v), '_rminus_scalar');
  const [rd] = await runWith('_rdiv_scalar', { scalar: '2' }, { x });
  close(rd!, [...x.numeric()].map((v) => 2 / v), '_rdiv_scalar');
  // sum pooling, "full" convention: out = 1 + ceil((in + 2·pad − k) / stride)
  const img = Tensor.fromArray([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const [sp] = await runWith('Pooling', { kernel: '(2, 2)', stride: '(2, 2)', pool_type: 'sum', pooling_convention: 'full' }, { x: img });
  assert.deepEqual(sp!.shape, [1, 1, 2, 2]);
  close(sp!, [12, 9, 15, 9], 'sum pooling (full)');
  const [mp] = await runWith('Pooling', { kernel: '(2, 2)', stride: '(2, 2)', pool_type: 'max' }, { x: img });
  close(mp!, [5], 'max pooling (valid)');
  // FullyConnected flatten=False applies to the last axis: y = x·Wᵀ + b
  const [fc] = await runWith('FullyConnected', { num_hidden: '1', flatten: 'False' }, { x: Tensor.fromArray([2, 1, 2], [1, 2, 3, 4]), w: Tensor.fromArray([1, 2], [10, 1]), b: Tensor.fromArray([1], [0.5]) });
  assert.deepEqual(fc!.shape, [2, 1, 1]);
  close(fc!, [12.5, 34.5], 'FullyConnected flatten=False');
  // mean over the axes *not* listed (exclude=True); Pad's pad_width is (before, after) per axis
  const [me] = await runWith('mean', { axis: '(1,)', exclude: 'True' }, { x });
  close(me!, [(1 + -2 + 3 + -4) / 4, (5 - 6 + 7 - 8) / 4], 'mean exclude');
  const [pd] = await runWith('Pad', { mode: 'edge', pad_width: '(0,0,0,0,0,0,1,0)' }, { x: img });
  close(pd!, [1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9], 'Pad edge');
  // UpSampling nearest repeats each pixel scale×scale times; Crop center_crop takes the middle window
  const [up] = await runWith('UpSampling', { sample_type: 'nearest', scale: '2' }, { x: Tensor.fromArray([1, 1, 1, 2], [1, 2]) });
  close(up!, [1, 1, 2, 2, 1, 1, 2, 2], 'UpSampling');
  const [cr] = await runWith('Crop', { h_w: '(1, 1)', center_crop: 'True', num_args: '1' }, { x: img });
  close(cr!, [5], 'Crop center');
  // SoftmaxActivation (instance) normalizes over all non-batch axes
  const [sm] = await runWith('SoftmaxActivation', {}, { x: Tensor.fromArray([1, 2, 1, 1], [0, Math.log(3)]) });
  close(sm!, [0.25, 0.75], 'SoftmaxActivation instance');
});
