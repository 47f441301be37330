// The zoo's WaveNet under the webgpu engine's predicate. The engine now compiles every node of it
// (Slice is a layer kind), so the whole graph is one engine; with the Slices that make its
// convolutions causal kept in the framework (excludeOps), the graph is cut into per-block engines
// around them. The result is
// cycle-safe, and the rewritten graph (engine subgraphs run on the CPU framework) computes what
// CpuExecutor computes on the original graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuExecutor } from '../../src/executor/executor.js';
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { applyPartition, partitionGraph } from '../../src/partition/partition.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { WaveNet } from '../../src/zoo/wavenet.js';
import { reentrantSubgraphs, runWithEngines, typesOf } from './helpers.js';

test('WaveNet: one engine; with the Slices excluded they stay in the framework, the blocks between them become engines, outputs unchanged', () => {
  const net = new WaveNet({ inChannels: 8, classes: 8, residualChannels: 4, skipChannels: 4, dilations: [1, 2], stacks: 2 }).initialize({ seed: 3 });
  const g = net.trace({ dtype: 'float32', shape: [1, 8, 16] });
  const types = typesOf(g);
  const whole = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu' });
  assert.deepEqual(whole.declined, [], 'every WaveNet node is an engine op, the causal Slices included');
  assert.deepEqual(whole.subgraphs.map((s) => s.nodes.length), [g.nodes.length], 'one engine for the whole graph');
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', excludeOps: ['Slice'] });

  const slices = g.nodes.filter((n) => n.opType === 'Slice').map((n) => n.name);
  assert.equal(slices.length, 8, 'two causal cuts per residual block, four blocks');
  assert.deepEqual(result.declined.map((d) => d.node), slices);
  for (const d of result.declined) assert.equal(d.reason, 'op Slice excluded by the user (excludeOps)');
  // every other node is in an engine: nothing below the minimum size
  assert.deepEqual(result.tooSmall, []);
  assert.equal(result.subgraphs.reduce((a, s) => a + s.nodes.length, 0), g.nodes.length - slices.length);
  assert.deepEqual(reentrantSubgraphs(g, result.subgraphs), []);
  // no engine both feeds a Slice and reads that Slice's output (that would be a cycle)
  for (const s of result.subgraphs) {
    const sliceIns = new Set(g.nodes.filter((n) => n.opType === 'Slice' && s.outputs.includes(n.inputs[0]!)).flatMap((n) => n.outputs));
    assert.ok(!s.inputs.some((i) => sliceIns.has(i)), `engine_${s.id} feeds a Slice and reads it back`);
  }

  const { graph: outer } = applyPartition(g, types, result);
  assert.equal(outer.nodes.length, slices.length + result.subgraphs.length);
  const x = Tensor.fromArray([1, 8, 16], Array.from({ length: 128 }, (_, i) => Math.cos(i * 0.21)));
  const input = g.inputs.find((v) => !g.initializers.has(v.name))!.name;
  const want = new CpuExecutor(g).run({ [input]: x });
  const got = runWithEngines(outer, { [input]: x });
  for (const [name, t] of Object.entries(want)) assert.deepEqual([...got[name]!.data], [...t.data], name);
});
