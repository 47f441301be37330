// The CPU engine (--engine cpu) end to end against onnxruntime: SqueezeNet 1.1 and ShuffleNetV2
// (outputs in ../shared/models from onnxruntime) through a session with engine 'cpu', all of
// SqueezeNet's computing nodes in one engine and no layer lowered; a cpu plan saved, loaded and run;
// each loader refusing the other backend's plan; a recorded executor that does not apply falling
// back to the lowered one; the options the cpu engine refuses; optimizeFor with backend 'cpu'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { parsePlan, serializePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import { PlanError, UsageError } from '../../src/errors.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { listDataSets, verifyModel } from '../../src/node/backend-test.js';
import '../../src/ops/index.js';
import { optimizeFor } from '../../src/runtime/optimize.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const MODELS = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
const skip = existsSync(MODELS + 'squeezenet1_1/model.onnx') ? false : '../shared/models is absent';

function load(name: string) {
  const { graph } = loadOnnxFile(`${MODELS}${name}/model.onnx`);
  const x = readTensorPb(`${MODELS}${name}/test_data_set_0/input_0.pb`).tensor;
  const want = readTensorPb(`${MODELS}${name}/test_data_set_0/output_0.pb`).tensor;
  const input = graph.inputs.find((v) => !graph.initializers.has(v.name))!.name;
  return { graph, x, want, input };
}

function assertClose(got: Tensor, want: Tensor, what: string): void {
  const c = compareTensors(got, want, FP32_TOLERANCE);
  assert.ok(c.pass, `${what}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches`);
}

for (const name of ['squeezenet1_1', 'shufflenet_v2_x0_5']) {
  test(`${name} through --engine cpu matches onnxruntime (fp32 1e-4 + 1e-3·|x|)`, { skip }, async () => {
    const { graph, x, want, input } = load(name);
    const session = await createSession(graph, { engine: 'cpu' });
    try {
      const out = await session.run({ [input]: x });
      assertClose(Object.values(out)[0]!, want, name);
      const e = session.stats().engine!;
      assert.equal(e.partition.backend, 'cpu');
      assert.equal(e.engines.length, 1, 'one engine');
      assert.equal(e.deviceCopies, 0);
      if (name === 'squeezenet1_1') {
        // every node that computes anything is in the one engine (the declined ones are folded constants)
        assert.equal(e.partition.subgraphs.length, 1);
        for (const d of e.partition.declined) assert.match(d.reason, /constant/, `${d.node}: ${d.reason}`);
        assert.deepEqual(e.engines[0]!.lowered, [], 'no SqueezeNet layer runs lowered');
      }
      // a second run reuses the engine (no rebuild) and gives the same answer
      const again = await session.run({ [input]: x });
      assertClose(Object.values(again)[0]!, want, `${name} second run`);
      assert.equal(session.stats().engine!.builds, 1);
    } finally {
      session.dispose();
    }
  });
}

test('a cpu plan saved, loaded and run gives onnxruntime\'s outputs; each loader refuses the other backend\'s plan', { skip }, () => {
  const { graph, x, want, input } = load('squeezenet1_1');
  const built = CpuEngine.build(graph, { [input]: [...x.shape] }, { timeTactics: false });
  const bytes = built.serialize();
  built.dispose();
  const parsed = parsePlan(bytes);
  assert.equal(parsed.header.backend, 'cpu');
  assert.ok(parsed.source && parsed.source.length > 0, 'the plan carries the graph');
  const loaded = CpuEngine.load(bytes, { inputShapes: { [input]: [...x.shape] } });
  try {
    assert.deepEqual(loaded.plan.layers.map((l) => l.tactic), parsed.layers.map((l) => l.tactic), 'the recorded executors are used');
    assertClose(loaded.run({ [input]: x })[loaded.outputs[0]!.name]!, want, 'loaded plan');
  } finally {
    loaded.dispose();
  }
  // a cpu plan given to the webgpu loader: the backend check comes before any device use
  return Engine.load({} as GpuDevice, bytes).then(
    () => assert.fail('the webgpu loader took a cpu plan'),
    (e: unknown) => {
      assert.ok(e instanceof PlanError && /cpu engine plan/.test(e.message) && /--engine cpu/.test(e.hint ?? ''), String(e));
      // and a webgpu plan given to the cpu loader
      const { header, ...rest } = parsed;
      const { backend: _b, ...webgpuHeader } = header;
      const webgpu = serializePlan({ ...rest, header: webgpuHeader });
      assert.throws(() => CpuEngine.load(webgpu), (err: unknown) => err instanceof PlanError && /webgpu engine plan/.test(err.message));
    },
  );
});

test('a recorded executor that does not apply at load falls back to the lowered one, with the same outputs', { skip }, () => {
  const { graph, x, want, input } = load('squeezenet1_1');
  const built = CpuEngine.build(graph, { [input]: [...x.shape] }, { timeTactics: false });
  const plan = parsePlan(built.serialize());
  built.dispose();
  const conv = plan.layers.findIndex((l) => l.kind === 'conv');
  plan.layers[conv] = { ...plan.layers[conv]!, tactic: 'no-such-executor' };
  const lines: string[] = [];
  const engine = CpuEngine.load(serializePlan(plan), { log: (l) => lines.push(l) });
  try {
    assert.deepEqual(engine.loweredLayers, [plan.layers[conv]!.name]);
    assert.ok(lines.some((l) => l.includes('no-such-executor') && l.includes('lowered')), lines.join('\n'));
    assertClose(Object.values(engine.run({ [input]: x }))[0]!, want, 'with one layer lowered');
  } finally {
    engine.dispose();
  }
});

test('the cpu engine refuses what it does not have, up front', async () => {
  const { graph } = existsSync(MODELS + 'squeezenet1_1/model.onnx') ? load('squeezenet1_1') : { graph: undefined };
  if (!graph) return;
  await assert.rejects(createSession(graph, { engine: 'cpu', precision: 'fp16' }), (e: unknown) => e instanceof UsageError && /fp32/.test(e.message));
  await assert.rejects(createSession(graph, { engine: 'cpu', device: 'webgpu' }), (e: unknown) => e instanceof UsageError && /device cpu/.test(e.message));
  await assert.rejects(createSession(graph, { engine: 'cpu', profiles: [{ data: { min: [1, 3, 224, 224], opt: [1, 3, 224, 224], max: [1, 3, 224, 224] } }] }),
    (e: unknown) => e instanceof UsageError && /profiles/.test(e.message));
});

test('optimizeFor(graph, inputs, { backend: \'cpu\' }) builds the engine with the sample inputs', { skip }, async () => {
  const { graph, x, want, input } = load('shufflenet_v2_x0_5');
  const session = await optimizeFor(graph, { [input]: x }, { backend: 'cpu' });
  try {
    assert.equal(session.stats().engine!.builds, 1, 'built during optimizeFor');
    assertClose(Object.values(await session.run({ [input]: x }))[0]!, want, 'optimized');
    assert.equal(session.stats().engine!.builds, 1, 'no second build');
  } finally {
    session.dispose();
  }
});

const NODE_TESTS = fileURLToPath(new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url));
// a shape-deciding input value (Compress's condition), a data-dependent node (NonZero), and a graph
// whose partition fails (a partitioner cycle): each runs with --engine cpu and matches the ONNX data
for (const name of ['test_compress_0', 'test_nonzero_example', 'test_attention_4d_diff_heads_mask4d_padded_kv_expanded']) {
  test(`${name} with --engine cpu: the engine never takes down a run the framework can do`, { skip: existsSync(NODE_TESTS + name) ? false : 'ONNX node tests absent' }, async () => {
    const { results } = await verifyModel(`${NODE_TESTS}${name}/model.onnx`, listDataSets(NODE_TESTS + name), { engine: 'cpu' });
    for (const r of results) for (const o of r.outputs) assert.ok(o.pass, `${name}: ${JSON.stringify(o)}`);
  });
}
