// The pipeline as a whole: the pass order, the log, the input network left untouched, and a
// ResNet basic block (conv-BN-relu-conv-BN + shortcut, relu) becoming two convs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { ConvLayer } from '../../src/engine/network.js';
import { ENGINE_PIPELINE, GRAPH_PIPELINE, runPipeline } from '../../src/engine/passes/pipeline.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { importAndRun, structure } from './passes-harness.js';

function basicBlock() {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4, 5, 5]);
  let seed = 1;
  const bn = (v: string, name: string) => b.op('BatchNormalization', [v, b.constant('s', uniformTensor([4], seed++)), b.constant('b', uniformTensor([4], seed++)),
    b.constant('m', uniformTensor([4], seed++)), b.constant('v', uniformTensor([4], seed++, 0.5, 1.5))], {}, name);
  const conv = (v: string, name: string) => b.op('Conv', [v, b.constant('W', uniformTensor([4, 4, 3, 3], seed++))], { pads: [1, 1, 1, 1] }, name);
  const r1 = b.op('Relu', [bn(conv(x, 'conv1'), 'bn1')], {}, 'relu1');
  const sum = b.op('Add', [bn(conv(r1, 'conv2'), 'bn2'), x], {}, 'add');
  b.output(b.op('Relu', [sum], {}, 'relu2'));
  return b.graph;
}

test('the passes run in the documented order', () => {
  assert.deepEqual(GRAPH_PIPELINE.map((p) => p.name), ['fold-constants']);
  assert.deepEqual(ENGINE_PIPELINE.map((p) => p.name),
    ['remove-identity', 'quantize-explicit', 'absorb-transpose', 'fold-batchnorm', 'equalize', 'quantize-implicit', 'fuse-epilogue', 'fuse-norm-skip', 'fuse-matmul', 'fuse-pointwise', 'fuse-gelu', 'fuse-int8-epilogue', 'int8-residual', 'int8-max-pool', 'fuse-norm-quantize', 'merge-gemms', 'split-gemm-outputs', 'fuse-softmax-mask', 'fuse-attention', 'concat-in-place', 'int8-quantize-on-load', 'layout', 'precision', 'int8-storage', 'int8-space-to-depth']);
  assert.ok(ENGINE_PIPELINE.every((p) => p.description.length > 0));
});

test('a ResNet basic block becomes conv(+bn, relu) and conv(+bn, +shortcut, relu)', () => {
  const { before, after, passes } = importAndRun(basicBlock(), {}, { precision: 'fp16' });
  assert.equal(before.layers.length, 7, 'the input network is not changed by the pipeline');
  assert.deepEqual(structure(after), ['conv conv1', 'conv conv2']);
  const [c1, c2] = after.layers as ConvLayer[];
  assert.deepEqual([c1!.act.kind, c1!.residual], ['relu', undefined]);
  assert.deepEqual([c2!.act.kind, c2!.residual, c2!.input], ['relu', 'x', 'relu1']);
  assert.deepEqual(passes.find((p) => p.pass === 'fuse-epilogue')!.changes, [
    'fused conv1 + bn1 + relu1 → conv conv1',
    'fused conv2 + bn2 + add + relu2 → conv conv2',
  ]);
  assert.equal(after.tensors.get('relu1')!.format.storage, 'f16x2');
});

test('runPipeline logs each change with its pass name and never mutates the weights it folds', () => {
  const { before } = importAndRun(basicBlock(), {});
  const weights = Float32Array.from((before.layers[0] as ConvLayer).weights);
  const lines: string[] = [];
  const { passes } = runPipeline(before, { precision: 'fp32', log: (l) => lines.push(l) });
  assert.deepEqual(lines, passes.flatMap((p) => p.changes.map((c) => `${p.pass}: ${c}`)));
  assert.ok(lines.includes('fold-batchnorm: folded bn1 into conv conv1'));
  assert.deepEqual((before.layers[0] as ConvLayer).weights, weights);
});
