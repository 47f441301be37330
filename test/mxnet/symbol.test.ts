import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../src/errors.js';
import { parseSymbol, writeSymbol } from '../../src/mxnet/symbol.js';
import { fixtureText, SKIP } from './fixtures.js';

// From each folder's SOURCES.md: mxnet_version (800 = absent), nodes, variables, heads, ops.
const SYMBOLS: [string, number, number, number, number, Record<string, number>][] = [
  ['DerTreiber__crfasrnn/net-symbol.json', 10500, 16, 11, 1, { FullyConnected: 4, Concat: 1 }],
  ['YonghaoHe__LFFD-A-Light-and-Fast-Face-Detector-for-Edge-Devices/symbol_64_512_16L_3scales_v1_small_deploy.json', 10500, 132, 63, 6,
    { Convolution: 31, Activation: 25, elemwise_add: 5, slice_axis: 3, softmax: 3, _div_scalar: 1, _minus_scalar: 1 }],
  ['aws__sagemaker-mxnet-inference-toolkit/default_handlers/model-symbol.json', 1100, 6, 4, 1, { FullyConnected: 1, LinearRegressionOutput: 1 }],
  ['aws__sagemaker-mxnet-inference-toolkit/mnist/model-symbol.json', 10400, 15, 8, 1, { FullyConnected: 3, Activation: 2, Flatten: 1, SoftmaxOutput: 1 }],
  ['deepinsight__insightface/gender-age-model/model-symbol.json', 10300, 236, 147, 1, { BatchNorm: 29, Convolution: 27, LeakyReLU: 1, Pooling: 1 }],
  ['deepinsight__insightface/mtcnn-model/det1-symbol.json', 800, 24, 14, 2, { Convolution: 5, LeakyReLU: 3, Pooling: 1, SoftmaxActivation: 1 }],
  ['deepinsight__insightface/mtcnn-model/det2-symbol.json', 800, 31, 18, 2, { LeakyReLU: 4, Convolution: 3, FullyConnected: 3, Pooling: 2, SoftmaxOutput: 1 }],
  ['deepinsight__insightface/mtcnn-model/det3-symbol.json', 800, 40, 23, 3, { LeakyReLU: 5, Convolution: 4, FullyConnected: 4, Pooling: 3 }],
  ['deepinsight__insightface/mtcnn-model/det4-symbol.json', 800, 133, 74, 5, { LeakyReLU: 21, Convolution: 15, FullyConnected: 11, Pooling: 10, Concat: 1, SliceChannel: 1 }],
  ['songtianyi__go-mxnet-predictor/go_test-symbol.json', 904, 8, 4, 1, { Reshape: 2, FullyConnected: 1, SoftmaxOutput: 1 }],
];

test('every fixture symbol parses with the version, node, variable, head and op counts SOURCES.md state', { skip: SKIP }, () => {
  for (const [file, version, nodes, vars, heads, ops] of SYMBOLS) {
    const s = parseSymbol(fixtureText(file), file);
    assert.equal(s.version, version, file);
    assert.equal(s.nodes.length, nodes, file);
    assert.equal(s.argNodes.length, vars, file);
    assert.equal(s.heads.length, heads, file);
    for (const [op, n] of Object.entries(ops)) assert.equal(s.nodes.filter((x) => x.op === op).length, n, `${file} ${op}`);
  }
});

test('pre-0.9 files: "param" merged into attributes, 2-element inputs, multi-output SliceChannel', { skip: SKIP }, () => {
  const det4 = parseSymbol(fixtureText('deepinsight__insightface/mtcnn-model/det4-symbol.json'));
  const slice = det4.nodes.find((n) => n.op === 'SliceChannel')!;
  assert.equal(slice.attrs.num_outputs, '5');
  assert.equal(slice.numOutputs, 5);
  const users = det4.nodes.flatMap((n) => n.inputs).filter((e) => det4.nodes[e.node] === slice);
  assert.deepEqual([...new Set(users.map((e) => e.index))].sort(), [0, 1, 2, 3, 4]);
  assert.ok(det4.nodes.every((n) => n.inputs.every((e) => e.version === 0)));
});

test('save_000800.json: BatchNorm aux inputs synthesized, hidden keys moved as MXNet\'s upgraders do', { skip: SKIP }, () => {
  const s = parseSymbol(fixtureText('apache__mxnet/save_000800.json'));
  const bn = s.nodes.find((n) => n.name === 'batchnorm0')!;
  assert.deepEqual(bn.inputs.map((e) => s.nodes[e.node]!.name).slice(3), ['batchnorm0_moving_mean', 'batchnorm0_moving_var']);
  assert.equal(bn.numOutputs, 3);
  // test_load_000800: data lr_mult 0.2, ctx_group stage1; fc1_weight lr_mult 1.2, wd_mult 0.3
  const byName = (n: string) => s.nodes.find((x) => x.name === n)!;
  assert.equal(byName('data').attrs.__lr_mult__, '0.2');
  assert.equal(byName('data').attrs.__ctx_group__, 'stage1');
  assert.equal(byName('fc1_weight').attrs.__lr_mult__, '1.2');
  assert.equal(byName('fc1_weight').attrs.__wd_mult__, '0.3');
  assert.equal(byName('fc1').attrs.weight_lr_mult, undefined);
  // inputs still precede their users after the insertion
  s.nodes.forEach((n, i) => n.inputs.forEach((e) => assert.ok(e.node < i)));
  const again = parseSymbol(writeSymbol(s));
  assert.equal(again.nodes.length, s.nodes.length, 'a written legacy file is not upgraded twice');
});

test('writing a parsed 1.x symbol reproduces MXNet\'s bytes', { skip: SKIP }, () => {
  for (const [file, version] of SYMBOLS) {
    if (version < 1200) continue;
    const text = fixtureText(file);
    assert.equal(writeSymbol(parseSymbol(text)), text, file);
  }
});

test('malformed symbols: bad JSON, missing fields, forward or missing references', () => {
  const node = (op: string, name: string, inputs: unknown[] = []) => ({ op, name, inputs });
  const doc = (nodes: unknown[], heads: unknown = [[0, 0, 0]]) => JSON.stringify({ nodes, arg_nodes: [], heads });
  const cases: [string, RegExp][] = [
    ['{"nodes": [', /malformed symbol JSON/],
    ['[]', /top level must be an object/],
    [doc([{ op: 'null' }]), /string "op" and "name"/],
    [doc([node('null', 'x'), node('relu', 'r', [[5, 0, 0]])]), /input 0 refers to node #5, which does not exist.*node 'r'/],
    [doc([node('relu', 'r', [[0, 0, 0]])]), /does not come before it/],
    [doc([node('null', 'x')], []), /"heads" must be a non-empty array/],
    [doc([node('null', 'x')], [[3, 0, 0]]), /head 0 refers to node #3/],
    [doc([{ ...node('null', 'x'), attrs: { a: 1 } }]), /attribute 'a' must be a string/],
    [doc([node('null', 'x'), node('Activation', 'a', [[0, 0, 0, 0]])]), /\[node, output\]/],
  ];
  for (const [text, re] of cases) assert.throws(() => parseSymbol(text, 'm.json'), (e: Error) => e instanceof ParseError && re.test(e.message), text);
});
