// A Hugging Face BERT exported with symbolic batch and sequence builds its attention mask from the
// Shape of the embeddings' LayerNorm output (transformers' masking utilities). At static shapes
// that chain folds away; in a shape profile its value changes with the shape, so the framework
// computes it at each run and the engine must hand it the LayerNorm output: the partition splits
// the engine there instead of leaving the Shape reading a tensor hidden inside one engine (which
// failed the run graph's check). One profile, one build, four shapes, against onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { COMPUTED_AT_RUN_REASON } from '../../src/partition/partition.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const model = readFileSync(new URL('../fixtures/transformers/bert_tiny_dyn/model.onnx', import.meta.url));

/** Token ids in the vocabulary, the last two positions of each row padded, a second segment. */
function feeds(b: number, s: number): Record<string, Tensor> {
  const make = (f: (i: number) => number) => new Tensor('int64', [b, s], BigInt64Array.from({ length: b * s }, (_, i) => BigInt(f(i))));
  return {
    input_ids: make((i) => 1000 + ((i * 37) % 99)),
    attention_mask: make((i) => (i % s < s - 2 ? 1 : 0)),
    token_type_ids: make((i) => (i % s > s / 2 ? 1 : 0)),
  };
}

test('a profile over a BERT whose mask chain reads a hidden state: built once, agrees with onnxruntime at four shapes', { skip }, async () => {
  const graph = importOnnx(model).graph;
  assert.deepEqual(graph.inputs.map((v) => v.shape), [['batch', 'sequence'], ['batch', 'sequence'], ['batch', 'sequence']]);
  const range = { min: [1, 4], opt: [1, 16], max: [2, 32] };
  const session = await createSession(graph, {
    device: 'webgpu', engine: 'webgpu', timeTactics: false, profiles: [{ input_ids: range, attention_mask: range, token_type_ids: range }],
  });
  let builds: number | undefined;
  for (const [b, s] of [[1, 16], [2, 9], [2, 32], [1, 4]] as const) {
    const f = feeds(b, s);
    const got = (await session.run(f)).last_hidden_state!;
    const want = (await runOrt(model, f)).last_hidden_state!;
    const c = compareTensors(got, want, FP32_TOLERANCE);
    assert.ok(c.pass, `${b}x${s}: ${JSON.stringify(c)}`);
    builds ??= session.stats().engine!.builds;
    assert.equal(session.stats().engine!.builds, builds, `${b}x${s}: no rebuild within the profile`);
  }
  const e = session.stats().engine!;
  assert.equal(e.builds, e.partition!.subgraphs.length, 'each engine built once');
  const declined = e.partition!.declined;
  assert.ok(declined.some((d) => d.node === '/m/Shape' && d.reason === COMPUTED_AT_RUN_REASON), `the Shape of the hidden state runs: ${JSON.stringify(declined.filter((d) => d.node.startsWith('/m/Shape')))}`);
  assert.equal(e.partition!.subgraphs.length, 2, 'the engine is split where the framework reads the hidden state');
  session.dispose();
});
