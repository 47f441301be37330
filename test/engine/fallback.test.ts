// The engine never fails a run the framework can do: what a build refuses falls back (to the
// framework, or to fp32 for one layer) and the outputs still equal onnxruntime's. The three cases
// are the held-out models' failures in small: DeepLabV3's subgraph output that constant folding
// turns into a constant, Whisper's rank-3 Conv with no packed-f16 tactic, and a batch-0 input.
import type { GpuDeviceOptions } from '../../src/devices/webgpu/device.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/infer.js';
import { opTyper } from '../../src/ops/typer.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { partitionGraph, partitionWithFallback } from '../../src/partition/index.js';
import { backendSupport, backendVerifier } from '../../src/runtime/backends.js';
import { formatPartitionReport, partitionReport } from '../../src/partition/report.js';
import { checkEngineBuild } from '../../src/engine/check-build.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from '../../src/cli/inspect.js';

const skip = webgpuSkip() ?? false;
const FP16: Tolerance = { atol: 2e-2, rtol: 2e-2 };

/** X + (A·B) where A·B has more elements than shape inference folds, so only the engine folds it. */
function constantOutputModel(): Graph {
  const b = new GraphBuilder('const_out', 17);
  const n = 70_000;
  const x = b.input('x', 'float32', [1, n]);
  // Max is not among the one-pass ops inference folds past 65,536 elements (ops/typer.ts): the engine folds it
  const c = b.op('Max', [b.constant('a', randomTensor([1, n], 1)), b.constant('b', randomTensor([1, n], 2))], {}, 'classifier_max');
  const y = b.op('Relu', [b.op('Add', [x, c])]);
  b.output(y);
  b.output(c);
  return b.graph;
}

/**
 * Whisper's encoder front in small: rank-3 Conv → GELU → strided Conv, the GELU's output also read
 * by a Softmax. That reader keeps it row-major ([N, C, W]: between convs alone it would be
 * channels-last), where conv1's channel pairs are not adjacent: no packed-f16 tactic for conv1.
 */
function convGeluConvModel(): Graph {
  const b = new GraphBuilder('conv1d', 17);
  const x = b.input('x', 'float32', [1, 8, 30]);
  const y = b.op('Conv', [x, b.constant('w', randomTensor([6, 8, 3], 3)), b.constant('bias', randomTensor([6], 4))], { pads: [1, 1] }, 'conv1');
  const half = b.op('Mul', [y, b.op('Add', [b.op('Erf', [b.op('Div', [y, b.constant('s', Tensor.scalar('float32', Math.SQRT2))])]), b.constant('one', Tensor.scalar('float32', 1))])]);
  const g = b.op('Mul', [half, b.constant('h', Tensor.scalar('float32', 0.5))]);
  const z = b.op('Conv', [g, b.constant('w2', randomTensor([6, 6, 3], 5))], { pads: [1, 1], strides: [2] }, 'conv2');
  b.output(z);
  b.output(b.op('Softmax', [g], { axis: -1 }, 'softmax'));
  return b.graph;
}

/** Conv → Relu → MaxPool over a batch that may be empty. */
function convPoolModel(): Graph {
  const b = new GraphBuilder('conv_pool', 17);
  const x = b.input('x', 'float32', ['N', 2, 6, 6]);
  const c = b.op('Relu', [b.op('Conv', [x, b.constant('w', randomTensor([4, 2, 3, 3], 6))], { pads: [1, 1, 1, 1] })]);
  b.output(b.op('MaxPool', [c], { kernel_shape: [2, 2], strides: [2, 2] }));
  return b.graph;
}

async function assertEngineMatchesOrt(graph: Graph, feeds: Record<string, Tensor>, precision: 'fp32' | 'fp16', tol: Tolerance, gpuOptions?: GpuDeviceOptions) {
  const want = await runOrt(exportOnnx(graph, { opset: 17 }), feeds);
  const session = await createSession(graph, { device: 'webgpu', engine: 'webgpu', precision, minSubgraphSize: 1, timeTactics: false, ...(gpuOptions ? { gpuOptions } : {}) });
  try {
    const got = await session.run(feeds);
    for (const [name, w] of Object.entries(want)) {
      assert.deepEqual([...got[name]!.shape], [...w.shape], `${name}: shape`);
      const c = compareTensors(got[name]!, w, tol);
      assert.ok(c.pass, `${name}: max abs ${c.maxAbsError}, ${c.mismatches} mismatches`);
    }
    return session.stats().engine!;
  } finally {
    session.dispose();
  }
}

test('a subgraph output the engine folds to a constant: the node goes back to the framework (dry build)', () => {
  const g = constantOutputModel();
  const types = inferShapes(g, opTyper, {});
  const opts = { supports: backendSupport('webgpu'), backend: 'webgpu', minSubgraphSize: 1 };
  // the predicate alone takes the Mul, and the builder refuses the subgraph
  const plain = partitionGraph(g, types, opts);
  assert.ok(plain.subgraphs.some((s) => s.nodes.includes('classifier_max')));
  const { result, applied } = partitionWithFallback(g, types, opts, backendVerifier('webgpu'));
  assert.ok(!result.subgraphs.some((s) => s.nodes.includes('classifier_max')));
  assert.deepEqual(result.fallbacks?.map((f) => [f.nodes, f.action]), [[['classifier_max'], 'framework']]);
  assert.match(result.declined.find((d) => d.node === 'classifier_max')!.reason, /the engine refused it: output 'classifier_max' is a constant/);
  for (const e of applied.engineNodes) assert.equal(checkEngineBuild(e.subgraph, Object.fromEntries(e.subgraph.inputs.map((v) => [v.name, v.shape.map(Number)]))), undefined);
  const lines = formatPartitionReport(partitionReport(result, applied.weightBytes)).join('\n');
  assert.match(lines, /fell back after a dry build \(1\)\n.*\n\s+classifier_max\s+framework\s+output 'classifier_max' is a constant/);
});

test('`nnrt inspect --partition` says what fell back and why', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'nnrt-fallback-')), 'const_out.onnx');
  writeFileSync(file, exportOnnx(constantOutputModel(), { opset: 17 }));
  const lines: string[] = [];
  assert.equal(inspect(file, { partition: 'webgpu', minSubgraphSize: 1 }, (l) => lines.push(l)), 0);
  const text = lines.join('\n');
  assert.match(text, /fell back after a dry build \(1\)/);
  assert.match(text, /classifier_max\s+framework\s+output 'classifier_max' is a constant/);
  const json: string[] = [];
  inspect(file, { partition: 'webgpu', minSubgraphSize: 1, json: true }, (l) => json.push(l));
  assert.deepEqual(JSON.parse(json.join('')).partition.fallbacks.map((f: { nodes: string[] }) => f.nodes), [['classifier_max']]);
});

test('a layer with no fp16 tactic is built in fp32 (dry build)', () => {
  const g = convGeluConvModel();
  const types = inferShapes(g, opTyper, {});
  const verify = backendVerifier('webgpu', { precision: 'fp16' });
  const { result, fp32Layers } = partitionWithFallback(g, types, { supports: backendSupport('webgpu'), backend: 'webgpu', minSubgraphSize: 1 }, verify);
  // fuse-gelu turns the exported GELU chain (div, erf, add, mul, mul_1) into conv1's epilogue, so
  // conv1's layer covers those nodes too and all of them are kept in fp32; conv2 is not
  const conv1Layer = ['conv1', 'div', 'erf', 'add', 'mul', 'mul_1'];
  assert.deepEqual(fp32Layers, Object.fromEntries(conv1Layer.map((n) => [n, 'fp32'])));
  assert.equal(result.subgraphs.length, 1);
  assert.equal(result.subgraphs[0]!.nodes.length, g.nodes.length);
  assert.deepEqual(result.fallbacks?.map((f) => [f.nodes, f.action]), [[conv1Layer, 'fp32']]);
  assert.match(result.fallbacks![0]!.reason, /no adjacent channel pairs/);
});

test('an empty (batch-0) tensor stays in the framework: the predicate declines it', () => {
  const g = convPoolModel();
  const types = inferShapes(g, opTyper, { x: [0, 2, 6, 6] });
  const r = partitionGraph(g, types, { supports: backendSupport('webgpu'), backend: 'webgpu', minSubgraphSize: 1 });
  assert.equal(r.subgraphs.length, 0);
  assert.ok(r.declined.every((d) => /is empty \(shape \[0,/.test(d.reason)), JSON.stringify(r.declined));
});

test('engine session: constant subgraph output falls back; outputs equal onnxruntime', { skip }, async () => {
  const stats = await assertEngineMatchesOrt(constantOutputModel(), { x: randomTensor([1, 70_000], 9) }, 'fp32', FP32_TOLERANCE);
  assert.equal(stats.partition.fallbacks?.[0]?.nodes[0], 'classifier_max');
  assert.equal(stats.engines.length, 1);
});

test('engine session in fp16 without shader-f16: the Conv without an f16x2 tactic runs in fp32; outputs equal onnxruntime', { skip }, async () => {
  // packed f16x2 has no tactic for conv1's output; native f16 (shader-f16, which lavapipe offers) has
  const stats = await assertEngineMatchesOrt(convGeluConvModel(), { x: randomTensor([1, 8, 30], 10) }, 'fp16', FP16, { disableFeatures: ['shader-f16'] });
  assert.deepEqual(stats.partition.fallbacks?.map((f) => f.action), ['fp32']);
  assert.equal(stats.engines.length, 1);
});

test('engine session with a batch-0 input runs in the framework; batch 2 on the engine; both equal onnxruntime', { skip }, async () => {
  const empty = await assertEngineMatchesOrt(convPoolModel(), { x: new Tensor('float32', [0, 2, 6, 6], new Float32Array(0)) }, 'fp32', FP32_TOLERANCE);
  assert.equal(empty.engines.length, 0);
  const full = await assertEngineMatchesOrt(convPoolModel(), { x: randomTensor([2, 2, 6, 6], 11) }, 'fp32', FP32_TOLERANCE);
  assert.equal(full.engines.length, 1);
});
