// The partitioner with the real engine on the device (lavapipe here), issue 5's "must show": a
// WaveNet (dilated causal 1-D convolutions, gated tanh × sigmoid, residual and skip sums) whose
// causal Slices are kept out of the engine in the middle of every block (excludeOps: the engine
// itself now compiles Slice, and runs the whole WaveNet as one engine) runs as several engine nodes
// with the Slices in the framework between them, and computes what the CPU framework and onnxruntime
// compute; a model the engine supports nowhere runs entirely in the framework with a notice; the
// partition is deterministic. (wavenet.test.ts checks the same partition's structure on the CPU.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { CpuExecutor } from '../../src/executor/executor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { init } from '../../src/nn/init.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { partitionGraph } from '../../src/partition/partition.js';
import { createSession, type Session } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { WaveNet } from '../../src/zoo/wavenet.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { typesOf } from './helpers.js';

const skip = webgpuSkip() ?? false;

const DILATIONS = [1, 2, 4];
const STEPS = 24;
// Weights wider than Gluon's default Uniform(0.07), so activations stay well away from zero and
// the comparison means something.
const net = new WaveNet({ inChannels: 8, classes: 8, residualChannels: 8, skipChannels: 8, dilations: DILATIONS, stacks: 1 })
  .initialize({ seed: 5, init: init.uniform(0.4) });
const SPEC = { dtype: 'float32' as const, shape: [1, 8, STEPS] };
const x = randomTensor([1, 8, STEPS], 3, -1, 1);

const dataInput = (g: Graph) => g.inputs.find((v) => !g.initializers.has(v.name))!.name;

function assertClose(got: Tensor, want: Tensor, what: string): void {
  assert.deepEqual([...got.shape], [...want.shape], what);
  const c = compareTensors(got, want, FP32_TOLERANCE);
  assert.ok(c.pass, `${what}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches`);
}

async function engineSession(g: Graph, notices: string[] = [], excludeOps?: string[]): Promise<Session> {
  return createSession(g, { device: 'webgpu', engine: 'webgpu', timeTactics: false, notice: (l) => notices.push(l), excludeOps });
}

test('WaveNet with an excluded Slice in every block: several engines, Slices in the framework, outputs equal to the CPU framework', { skip }, async () => {
  const g = net.trace(SPEC);
  const slices = g.nodes.filter((n) => n.opType === 'Slice').map((n) => n.name);
  assert.equal(slices.length, 2 * DILATIONS.length, 'filter and gate of every block are cut to stay causal');
  const notices: string[] = [];
  const session = await engineSession(g, notices, ['Slice']);
  const input = dataInput(g);
  const got = await session.run({ [input]: x });
  const want = new CpuExecutor(g).run({ [input]: x });
  const output = g.outputs[0]!.name;
  assert.ok(Math.max(...(want[output]!.data as Float32Array)) > 0.05, 'outputs are not vanishingly small');
  assertClose(got[output]!, want[output]!, output);

  const stats = session.stats();
  const engine = stats.engine!;
  // input conv | block 1 | block 2 | block 3 with the post-processing: at least one engine per block
  assert.ok(engine.partition.subgraphs.length >= DILATIONS.length + 1, `${engine.partition.subgraphs.length} subgraphs`);
  assert.equal(engine.engines.length, engine.partition.subgraphs.length, 'every subgraph became an engine');
  assert.ok(engine.engines.every((e) => e.source === 'built' && e.layers >= 1));
  assert.deepEqual(engine.partition.declined.map((d) => [d.node, d.reason]), slices.map((s) => [s, 'op Slice excluded by the user (excludeOps)']));
  assert.equal(engine.partition.subgraphs.reduce((a, s) => a + s.nodes.length, 0) + slices.length, g.nodes.length, 'everything else is in an engine');
  assert.equal(stats.transfers, 0, 'framework and engines share the device: no device↔host copies');
  assert.ok(engine.deviceCopies > 0, 'boundary tensors are handed over on the device');
  assert.ok(engine.weightBytes.after < engine.weightBytes.before, 'engine-only weights left the framework');
  assert.deepEqual(notices, []);
  session.dispose();
});

test('the WaveNet exported to ONNX (what docs/wavenet-partition.svg draws) runs partitioned equal to onnxruntime', { skip }, async () => {
  const onnx = net.exportOnnx(SPEC);
  const { graph } = importOnnx(onnx);
  const input = dataInput(graph);
  const want = await runOrt(onnx, { [input]: x });
  // as the engine takes it: the whole graph, the Slices included, in one engine
  const whole = await engineSession(graph);
  const gotWhole = await whole.run({ [input]: x });
  for (const o of graph.outputs) assertClose(gotWhole[o.name]!, want[o.name]!, `${o.name} (one engine) vs onnxruntime`);
  const wholeStats = whole.stats().engine!;
  assert.equal(wholeStats.engines.length, 1, 'one engine for the whole WaveNet');
  assert.ok(wholeStats.partition.declined.every((d) => d.op !== 'Slice'), JSON.stringify(wholeStats.partition.declined));
  whole.dispose();
  // with the Slices kept in the framework: cut into per-block engines
  const session = await engineSession(graph, [], ['Slice']);
  const got = await session.run({ [input]: x });
  for (const o of graph.outputs) assertClose(got[o.name]!, want[o.name]!, `${o.name} vs onnxruntime`);
  const engine = session.stats().engine!;
  assert.ok(engine.engines.length >= DILATIONS.length + 1, `${engine.engines.length} engines`);
  assert.ok(engine.partition.declined.length >= 2 * DILATIONS.length);
  assert.ok(engine.partition.declined.every((d) => d.op === 'Slice'), JSON.stringify(engine.partition.declined));
  session.dispose();
});

test('the partition is deterministic: same graph, same trace, same session → same subgraphs and outputs', { skip }, async () => {
  const g = net.trace(SPEC);
  const again = net.trace(SPEC);
  const partition = (graph: Graph) => partitionGraph(graph, typesOf(graph), { supports: ENGINE_SUPPORT, backend: 'webgpu' });
  const first = partition(g);
  assert.deepEqual(partition(g), first);
  assert.deepEqual(partition(again), first);

  const input = dataInput(g);
  const runs = [];
  for (const graph of [g, again]) {
    const session = await engineSession(graph);
    const out = await session.run({ [input]: x });
    const stats = session.stats().engine!;
    assert.deepEqual(stats.partition.subgraphs.map((s) => s.nodes), first.subgraphs.map((s) => s.nodes));
    runs.push(out[graph.outputs[0]!.name]!);
    session.dispose();
  }
  assert.deepEqual([...runs[1]!.data], [...runs[0]!.data], 'two sessions of the same model give the same bits');
});

test('a model the engine supports nowhere runs entirely in the framework, with a notice', { skip }, async () => {
  // ops the engine has no layer kind for (each has a framework WebGPU kernel)
  const b = new GraphBuilder('no_engine');
  const input = b.input('x', 'float32', [1, 6, 4]);
  const h = b.op('Hardmax', [input], { axis: 1 }, 'hardmax');
  const [values, indices] = b.ops('TopK', [input, b.constant('k', Tensor.fromNumeric('int64', [1], [2]))], { axis: 2 }, 2, 'topk');
  b.output(b.op('LpNormalization', [values!], { axis: 1 }, 'lpnorm'));
  b.output(indices!);
  b.output(b.op('Pad', [h, b.constant('pads', Tensor.fromNumeric('int64', [6], [0, 0, 1, 0, 0, 1]))], {}, 'pad'));
  const g = b.graph;
  const notices: string[] = [];
  const session = await engineSession(g, notices);
  const xv = Tensor.fromArray([1, 6, 4], Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3));
  const got = await session.run({ x: xv });
  const want = await runOrt(exportOnnx(g, { opset: 18 }), { x: xv });
  for (const o of g.outputs) {
    if (want[o.name]!.dtype === 'float32') assertClose(got[o.name]!, want[o.name]!, `${o.name} vs onnxruntime`);
    else assert.deepEqual([...got[o.name]!.data], [...want[o.name]!.data], `${o.name} vs onnxruntime`);
  }
  assert.deepEqual(notices, ['the webgpu engine supports no subgraph of this model: it runs entirely in the framework']);
  const engine = session.stats().engine!;
  assert.deepEqual(engine.partition.subgraphs, []);
  assert.deepEqual(engine.engines, []);
  assert.deepEqual(engine.partition.declined.map((d) => d.op), ['Hardmax', 'TopK', 'LpNormalization', 'Pad']);
  // the notice is given once per session, not once per run
  await session.run({ x: xv });
  assert.equal(notices.length, 1);
  session.dispose();
});
