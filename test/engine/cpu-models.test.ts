// Real models through --engine cpu against onnxruntime: the transformer fixtures (outputs in
// test_data_set_0 come from onnxruntime) and an MXNet checkpoint (onnxruntime runs its ONNX export),
// fp32 within 1e-4 + 1e-3·|x|; each model's engine subgraphs and lowered layers are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { importMxnet } from '../../src/mxnet/import.js';
import { listDataSets, verifyModel } from '../../src/node/backend-test.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import '../../src/ops/index.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { MODELS, SKIP, fixture, fixtureText } from '../mxnet/fixtures.js';

const TRANSFORMERS = fileURLToPath(new URL('../fixtures/transformers/', import.meta.url));
const NAMES = ['vit_tiny', 'bert_tiny', 'distilbert_tiny', 'gpt2_tiny', 'whisper_enc_tiny', 'convnext_tiny_cfg', 'swin_tiny_cfg'];

for (const name of NAMES) {
  test(`${name} through --engine cpu matches onnxruntime`, async () => {
    const dir = TRANSFORMERS + name;
    const { results, stats } = await verifyModel(`${dir}/model.onnx`, listDataSets(dir), { engine: 'cpu', tolerance: FP32_TOLERANCE });
    for (const r of results) for (const o of r.outputs) assert.ok(o.pass, `${name} ${o.name}: ${JSON.stringify(o)}`);
    const e = stats.engine!;
    assert.equal(e.partition.backend, 'cpu');
    assert.equal(e.engines.length, 1, `${name}: one engine`);
    // every layer of these models has a fast CPU executor
    assert.deepEqual(e.engines[0]!.lowered, [], `${name}: layers run lowered`);
  });
}

const genderAge = MODELS.find((m) => m.symbol.includes('gender-age-model'))!;
test('MXNet insightface gender-age through --engine cpu matches onnxruntime on its ONNX export', { skip: SKIP }, async () => {
  const { graph } = importMxnet(fixtureText(genderAge.symbol), fixture(genderAge.params!), { inputShapes: genderAge.inputShapes, source: { symbol: 'model-symbol.json' } });
  const session = await createSession(graph, { engine: 'cpu' });
  try {
    const feeds = Object.fromEntries(session.inputs.map((v, i) => [v.name, randomTensor(genderAge.inputShapes[v.name]!, 11 + i, 0, 1)]));
    const want = await runOrt(exportOnnx(graph, { opset: 17 }), feeds);
    const got = await session.run(feeds);
    for (const [k, t] of Object.entries(got)) {
      const c = compareTensors(t, want[k]!, FP32_TOLERANCE);
      assert.ok(c.pass, `${k}: max abs ${c.maxAbsError}, ${c.mismatches} mismatches`);
    }
    const e = session.stats().engine!;
    assert.ok(e.partition.subgraphs.length >= 1 && e.engines.every((en) => (en.lowered ?? []).length === 0), JSON.stringify(e.engines));
  } finally {
    session.dispose();
  }
});
