// Per-layer times of a CPU engine (`nnrt bench --device cpu --engine cpu --layer-times`): the
// transformer fixture bert_tiny through a session with engine 'cpu' (outputs checked against
// onnxruntime's in test_data_set_0), then its layer profile: every layer that runs something is
// listed once with its kind and tactic, slowest first, shares summing to 1, both the layer sum and
// the whole engine measured. Structure only: no timing thresholds (timings belong in bench/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { listDataSets, loadDataSet } from '../../src/node/backend-test.js';
import { loadOnnxFile } from '../../src/node/files.js';
import '../../src/ops/index.js';
import { CPU_LAYER_METHOD } from '../../src/engine/cpu/layer-profile.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { layerTimesTable } from '../../src/bench/layer-times.js';
import type { BenchReport } from '../../src/bench/types.js';

const DIR = fileURLToPath(new URL('../fixtures/transformers/bert_tiny/', import.meta.url));

test('layer times of a cpu engine: each running layer once, slowest first, shares summing to 1, layer sum and whole run measured', async () => {
  const { graph } = loadOnnxFile(`${DIR}model.onnx`);
  const set = loadDataSet(listDataSets(DIR)[0]!);
  const session = await createSession(graph, { engine: 'cpu' });
  const data = {
    inputs: Object.fromEntries(session.inputs.map((v, i) => [v.name, set.inputs[i]!])),
    outputs: Object.fromEntries(graph.outputs.map((v, i) => [v.name, set.outputs[i]!])),
  };
  try {
    assert.deepEqual(await session.layerTimes!(), [], 'no engine before the first run');
    const got = await session.run(data.inputs);
    for (const [name, want] of Object.entries(data.outputs)) {
      const c = compareTensors(got[name]!, want, FP32_TOLERANCE);
      assert.ok(c.pass, `${name}: max abs ${c.maxAbsError}`);
    }
    const engines = session.stats().engine!.engines;
    const profiles = await session.layerTimes!(3);
    assert.deepEqual(profiles.map((p) => p.engine), engines.map((e) => e.node), 'one profile per engine');
    const p = profiles[0]!;
    assert.equal(p.method, CPU_LAYER_METHOD);
    assert.equal(p.reps, 3);
    // views (reshapes) and in-place concats run nothing and are left out; everything else is listed once
    assert.ok(p.layers.length >= 10 && p.layers.length <= engines[0]!.layers, `${p.layers.length} of ${engines[0]!.layers} layers`);
    assert.equal(new Set(p.layers.map((l) => l.name)).size, p.layers.length, 'each layer once');
    assert.ok(p.layers.every((l) => l.tactic !== 'view' && l.tactic !== 'in-place'), 'no layer that runs nothing');
    for (const kind of ['gemm', 'attention', 'norm']) assert.ok(p.layers.some((l) => l.kind === kind), `a ${kind} layer is timed`);
    assert.ok(p.layers.every((l) => l.from.length >= 1 && l.tactic.length > 0), 'every layer names its IR nodes and tactic');
    assert.ok(p.layers.every((l, i) => l.ms >= 0 && (i === 0 || l.ms <= p.layers[i - 1]!.ms)), 'slowest first');
    assert.ok(Math.abs(p.layers.reduce((a, l) => a + l.share, 0) - 1) < 1e-9, 'shares of the layer sum');
    assert.ok(Math.abs(p.layers.reduce((a, l) => a + l.ms, 0) - p.layerSumMs) <= 1e-9 + 1e-9 * p.layerSumMs, 'the layer sum is the sum of the layers');
    assert.ok(p.layerSumMs > 0 && p.engineMs > 0, `layers ${p.layerSumMs} ms, engine ${p.engineMs} ms`);
    // the profile leaves the engine runnable, with the same answer
    const again = await session.run(data.inputs);
    for (const [name, want] of Object.entries(data.outputs)) assert.ok(compareTensors(again[name]!, want, FP32_TOLERANCE).pass, `${name} after profiling`);
    // and bench's --layer-times table prints it
    const report = { models: [{ model: 'bert_tiny', rows: [{ label: 'nnrt cpu+engine', mode: 'e2e', layerTimes: profiles }] }] } as unknown as BenchReport;
    const lines = layerTimesTable(report);
    assert.ok(lines.some((l) => l.includes(`${p.layers.length} layers that run programs, ${CPU_LAYER_METHOD}`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(p.layers[0]!.name)));
  } finally {
    session.dispose();
  }
});
